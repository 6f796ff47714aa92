// message_state.h — one assistant message being streamed, and the log of its changes.
//
// Every protocol decoder (native vocabulary, OpenAI, Anthropic, AI SDK, Gemini) turns
// its events into calls on MessageState; MessageState owns the rules that are the
// same for all of them and records each change as a patch record for JavaScript.
// The cost of a call is proportional to what it changes, never to the size of the
// message: appended text is recorded as the appended text only.
//
// The model (mirrored in JavaScript by web/message-stream.js):
//   status        idle -> streaming (first change) -> done | error | aborted
//   parts         in arrival order, each one of
//                   text      { text }
//                   reasoning { text }
//                   tool      { id, name, state, inputText, input, output?, errorText? }
//                 Consecutive text (or reasoning) appends extend the last part when it
//                 is of the same type; anything else starts a new part.
//   tool state    input-streaming (input arriving) -> input-available (complete input,
//                 running) -> output-available | output-error
//   error         none, or { message, code, retryable }
//   finish_reason, usage { input_tokens, output_tokens }, warnings
//
// Rules every protocol gets for free:
//   * Whatever arrived stays: an error, a limit or the end of the stream never
//     removes text, parts or tool data already recorded.
//   * Once the status is terminal (done, error, aborted), further changes are
//     ignored, except usage and finish_reason which providers may send after
//     their end marker.
//   * A problem with one event that does not threaten the message (invalid JSON, a
//     delta for an unknown tool) is a warning: recorded, nothing else disturbed.
//   * Limits (see Limits) end the message in error with a specific code.
//   * A surrogate pair split across two deltas becomes one character. Servers that
//     slice text by UTF-16 units (JavaScript's text.slice) end a delta with a high
//     surrogate ("\ud83d") and start the next one with its low surrogate ("\ude00").
//     So a delta (append_text, append_reasoning, tool_input_delta) may end with a
//     lone high surrogate and start with a lone low one, in their 3-byte WTF-8 form
//     (ED A0..BF xx, as JsonStringRef::delta_value decodes them); everywhere else
//     it is valid UTF-8. A trailing high surrogate is held back, invisible, until
//     the next delta of the same part (per tool for tool input): when that starts
//     with a low surrogate the two join; otherwise, or when the part ends first, it
//     becomes U+FFFD. A text or reasoning part ends at break_part() or when another
//     part starts; a tool input when it completes (a complete input passed to
//     tool_input_complete replaces the surrogate with the streamed text); every
//     part at finish, error, abort and end_of_stream. A low surrogate without a high
//     one held for its part becomes U+FFFD. Only what is visible reaches the patch
//     and part(): valid UTF-8 at every moment. A part whose only text so far is a
//     held surrogate exists, with empty text. The cost stays O(delta): a delta is
//     checked at its first and last three bytes.
//
// Patch records, Status and ToolState: see wire.h (the wire contract, mirrored by
// web/wire.js).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "batch_writer.h"
#include "hash_index.h"
#include "partial_json.h"
#include "wire.h"

namespace ssew {

class MessageState {
 public:
  // Every limit ends the message in error (code in parentheses), keeping what came
  // before it.
  struct Limits {
    size_t max_parts = 10000;                      // parts of all kinds ("too_many_parts")
    size_t max_tool_input_bytes = size_t{16} << 20; // one tool's input JSON ("tool_input_too_large")
    size_t max_json_depth = 128;                   // nesting of a tool's input ("json_too_deep"); at most kMaxJsonDepth
    size_t max_message_bytes = size_t{64} << 20;   // text + reasoning + tool input/output ("message_too_large")
    size_t max_warnings = 100;                     // later warnings are counted, not recorded
  };

  // The deepest max_json_depth can be: a complete input is read out of its event's
  // JSON, which nests at most JsonReader::kMaxDepth (512) levels, a few of them the
  // event's own. A larger limit (a caller's "no limit") means this one, for streamed
  // and complete inputs alike, so that both obey the same depth.
  static constexpr size_t kMaxJsonDepth = 500;

  MessageState() : MessageState(Limits{}) {}
  explicit MessageState(Limits limits);
  ~MessageState();
  MessageState(const MessageState&) = delete;
  MessageState& operator=(const MessageState&) = delete;

  // --- content ---------------------------------------------------------------
  // `text` is valid UTF-8 except for the surrogate edges described in the rules.
  void append_text(std::string_view text);
  void append_reasoning(std::string_view text);
  // The next append_text / append_reasoning starts a new part even if the last
  // part has the same type (protocols with explicit block boundaries).
  void break_part();

  // A tool call starts; its input streams in through tool_input_delta.
  void tool_start(std::string_view id, std::string_view name);
  // A tool call starts with its complete input (JSON text): state input-available.
  // A complete input obeys the limits a streamed one does (max_tool_input_bytes:
  // "tool_input_too_large", max_json_depth, max_message_bytes: "message_too_large";
  // the input that does not fit is not stored, the tool part stays with an empty
  // input, what came before stays).
  void tool_start(std::string_view id, std::string_view name, std::string_view input_json);
  // The next fragment of the tool input's JSON text (UTF-8 but for the surrogate
  // edges described in the rules). When the text becomes one complete JSON value
  // the tool moves to input-available.
  void tool_input_delta(std::string_view id, std::string_view fragment);
  // The input is complete: `input_json` when the protocol repeats it, otherwise
  // the streamed text (an empty streamed text means `{}`). input-available.
  // A given input is checked as tool_start's; it replaces the streamed text and is
  // charged only for the bytes it adds beyond it.
  void tool_input_complete(std::string_view id, std::optional<std::string_view> input_json = std::nullopt);
  // A result for tool `id` (output JSON text, or an error message). Charged to
  // max_message_bytes; an output is checked against max_json_depth. A tool that
  // never started gets a part of its own (name ""); an empty id names no tool (see
  // settle_tool): each such result gets a new part, with a warning.
  void tool_output(std::string_view id, std::string_view output_json);
  void tool_error(std::string_view id, std::string_view message);
  bool has_tool(std::string_view id) const { return find_tool(id) != kNoTool; }

  // --- message -----------------------------------------------------------------
  void set_finish_reason(std::string_view reason);
  void set_usage(uint64_t input_tokens, uint64_t output_tokens);
  void set_protocol(std::string_view name);
  // The SSE last event ID changed (recorded for the snapshot; no status change).
  void set_last_event_id(std::string_view id);
  // The stream's end marker arrived: status done.
  void finish();
  // The server or the transport reported an error: status error.
  void set_error(std::string_view message, std::string_view code, bool retryable);
  // The user aborted: status aborted.
  void abort();
  // The bytes ended. Without a terminal status this is an error with code
  // "interrupted", retryable.
  void end_of_stream();
  // A warning: recorded in the patch (snapshot.warnings) up to max_warnings, counted
  // beyond. What a warning keeps is bounded and paid for: the code is cut to
  // kMaxEchoBytes and the message to kMaxWarningBytes (see echo()), and the bytes
  // recorded are charged to max_message_bytes like text (a warning that does not
  // fit ends the message in "message_too_large" and is not recorded).
  void warn(std::string_view code, std::string_view message);
  // The same, for a message that quotes something from the stream (an id, an event
  // type, a name): prefix + echo(echoed) + suffix. Every warning that echoes input
  // goes through here, so that a 1 MiB id costs a warning of a hundred bytes.
  void warn(std::string_view code, std::string_view prefix, std::string_view echoed, std::string_view suffix);
  // At most `max_bytes` of `value`, cut at a UTF-8 character boundary and followed by
  // "…" (U+2026) when something was cut; `value` itself when it fits.
  static std::string echo(std::string_view value, size_t max_bytes = kMaxEchoBytes);
  static constexpr size_t kMaxEchoBytes = 64;
  static constexpr size_t kMaxWarningBytes = 512;
  // The one memory budget: bytes a decoder keeps for this message outside the
  // parts (ids it maps, fragments it buffers, events queued for detection) count
  // against max_message_bytes like text does. Returns false when they do not fit:
  // the message has then ended in error "message_too_large" (what arrived before
  // stays) and the decoder must not keep the bytes. Charges are never refunded; a
  // decoder charges what it keeps once, when it first keeps it.
  bool reserve(size_t bytes) { return !terminal() && charge(bytes); }

  // --- reading -------------------------------------------------------------------
  Status status() const { return status_; }
  const Limits& limits() const { return limits_; }
  bool terminal() const { return status_ >= Status::kDone; }
  size_t part_count() const { return parts_.size(); }

  // The patch records since the last clear_patch(); appended to by every change.
  BatchWriter& patch() { return patch_; }
  void clear_patch() { patch_.clear(); }

  // The change log of a streaming tool's best-effort input (PartialJson ops) since
  // the last call, for the JavaScript mirror to replay; empty for other parts.
  std::string_view take_tool_input_ops(size_t part);

  // For native tests and tools: the text of a text/reasoning part, a tool's
  // current input JSON (best effort while streaming), and its state.
  struct PartView {
    enum Kind { kText, kReasoning, kTool } kind;
    std::string text;        // text/reasoning
    std::string id, name;    // tool
    ToolState state = ToolState::kInputStreaming;
    std::string input_text;  // tool: the JSON text received (or given)
    std::string input_json;  // tool: best-effort input as compact JSON ("" if none)
    std::string output_json, error_text;
  };
  PartView part(size_t index) const;
  std::string text() const;  // all text parts joined
  const std::string& error_message() const { return error_message_; }
  const std::string& error_code() const { return error_code_; }
  bool error_retryable() const { return error_retryable_; }
  const std::string& finish_reason() const { return finish_reason_; }
  std::optional<std::pair<uint64_t, uint64_t>> usage() const { return usage_; }
  size_t warning_count() const { return warning_count_; }

 private:
  struct Part;
  void append(PartView::Kind kind, std::string_view text);
  std::string_view pair_surrogates(Part& part, std::string_view delta);
  void release_held(size_t index);
  void release_all_held();
  static constexpr size_t kNoTool = HashIndex::kNone;
  size_t find_tool(std::string_view id) const;
  // The part of tool `id`, created if it never started and with its input settled,
  // ready to take a result; kNoTool when the message is over.
  // A result without an id (empty) matches no tool unless a tool started with the
  // empty id: it gets a tool part of its own, with a warning.
  size_t settle_tool(std::string_view id);
  // A new tool part, input streaming; registered under `id` when `named`. Returns
  // its index, or kNoTool when a limit ended the message.
  size_t new_tool_part(std::string_view id, std::string_view name, bool named);
  // The input of the streaming tool part `index` is complete (see
  // tool_input_complete), within the tool input and message limits.
  void complete_input(size_t index, std::optional<std::string_view> input_json);
  Part* tool_for(std::string_view id, std::string_view what);
  bool add_part(std::unique_ptr<Part> part);
  bool charge(size_t bytes);
  bool within_depth(std::string_view json);
  void begin();
  void set_status(Status status);
  void set_error_internal(std::string_view message, std::string_view code, bool retryable);
  // set_error_internal with one of the core's codes, its sentence and retryable
  // default (protocols/errors.h).
  void fail(std::string_view code);

  Limits limits_;
  Status status_ = Status::kIdle;
  std::vector<std::unique_ptr<Part>> parts_;
  HashIndex tools_;  // tool id -> part
  mutable std::string last_tool_id_;
  mutable size_t last_tool_index_ = kNoTool;
  bool break_next_ = false;
  size_t message_bytes_ = 0;
  size_t warning_count_ = 0;
  std::string error_message_, error_code_;
  bool error_retryable_ = false;
  std::string finish_reason_;
  std::optional<std::pair<uint64_t, uint64_t>> usage_;
  BatchWriter patch_;
  std::string taken_ops_;
  std::string joined_;     // a delta with its surrogates paired or replaced
  size_t held_parts_ = 0;  // parts holding back a high surrogate
  bool ending_ = false;    // releasing held surrogates as the message ends
};

}  // namespace ssew
