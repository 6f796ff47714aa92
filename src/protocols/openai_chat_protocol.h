// openai_chat_protocol.h — OpenAI Chat Completions streaming ("openai-chat").
//
// The stream is a sequence of `data:` events, each a `chat.completion.chunk`:
//
//   data: {"id":"chatcmpl-…","object":"chat.completion.chunk","created":…,"model":…,
//          "choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}
//   …
//   data: {"id":"chatcmpl-…",…,"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":12,…}}
//   data: [DONE]
//
// What becomes of it:
//   choices[i] with index 0     the message (other choices, from n > 1, are ignored;
//                               a choice without an index counts as index 0)
//   delta.reasoning_content     reasoning (DeepSeek, vLLM); else delta.reasoning
//                               (OpenRouter, vLLM, Groq) — one of them, never both,
//                               since some servers send the same text in each
//   delta.content               text (a string; an array of {"type":"text","text"}
//                               parts, as some compatible servers send, also works)
//   delta.refusal               text as well
//   delta.tool_calls[]          tool calls, merged by `index`; `id` and
//                               `function.name` come only on a call's first fragment,
//                               `function.arguments` fragments are its input text.
//                               Compatible servers send missing or duplicated
//                               indexes, so a fragment is matched by, in order: its
//                               `id` (a known id is that call, a new id a new call),
//                               its `index`, and lastly the latest call. A call
//                               whose first fragment has no id gets one
//                               ("call_<n>"); a call is shown once its name (or its
//                               first argument text) is known. Calls are found by
//                               hash (id, index); one not shown yet counts against
//                               maxParts and its bytes against maxMessageBytes.
//   delta.function_call         the deprecated single function call, as a tool call
//                               with id "function_call"
//   finish_reason               set_finish_reason; at "tool_calls", "stop" and
//                               "function_call" every tool input still streaming is
//                               complete (tool_input_complete)
//   usage (any chunk, non-null) set_usage(prompt_tokens, completion_tokens)
//   {"error": {...}}            a provider error (errors.h: its code or type, or
//                               server_error); also an event named "error" and a
//                               bare JSON error line
//   data: [DONE]                finish(); without it the stream was interrupted
//
// The hot path (a chunk carrying a few characters of text) never builds a JSON tree:
// a JsonReader pass validates the chunk and captures views of the members that
// matter, and only then are they applied, so an invalid chunk has no effect but a
// warning ("invalid_json"). Two memos make the common chunk cheaper still, both
// exact (equal bytes parse equally): the leading members a stream repeats in every
// chunk are validated once (JsonReader::resume), and a chunk that has the same bytes
// as an earlier one around its single text, reasoning or argument string is that
// string's effect alone, once the string itself is validated (see try_template).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hash_index.h"
#include "json_reader.h"
#include "protocol.h"
#include "protocols/kit.h"

namespace ssew {

class OpenAiChatProtocol : public Protocol {
 public:
  // `memos`: use the two memos described above (tests turn them off to check that
  // they change nothing).
  explicit OpenAiChatProtocol(bool memos = true) : memos_(memos) {}
  std::string_view name() const override { return "openai-chat"; }
  void on_event(const SseEvent& event, MessageState& state) override;
  void on_stray_line(std::string_view line, MessageState& state) override;

  // Detection: whether `data` (a `message` event's data) is a chat completion
  // chunk: an object whose top-level "object" is "chat.completion.chunk" or whose
  // top-level "choices" is an array. Cheap: a substring test first, then a walk of
  // the top-level members only (no tree).
  static bool looks_like_chunk(std::string_view data);
  // Detection of an error sent before any chunk: whether `data` is an object with a
  // top-level "error" that is an object or a string and no top-level "message" (a
  // flat {message, code} is the native error event's shape), as OpenAI, OpenRouter
  // and compatible servers send it, as a `message` or an `error` event.
  static bool looks_like_error(std::string_view data);

  // The stored calls examined so far to match fragments to calls and to find free
  // ids (each lookup counts the entries it looks at): the cost of matching, for
  // tests to bound.
  size_t match_probes() const { return match_probes_; }

 private:
  // One choice-0 delta of a chunk, as views into the event's data.
  struct Delta {
    JsonValueRef content, refusal, reasoning_content, reasoning, tool_calls, function_call, finish_reason;
  };
  struct Call {
    std::string id;
    std::string name;
    int64_t index = -1;   // -1: none given
    bool started = false; // tool_start was called
    // A light scan of the argument text (strings, nesting): whether an object or
    // array has already closed, i.e. the input is complete. O(fragment), no copy.
    bool arguments_closed = false;
    JsonBracketScanner scanner;
    size_t depth = 0;
    void scan(std::string_view fragment);
  };

  // A chunk shape seen before: the bytes around its one string value that had an
  // effect (see try_template in openai_chat_template.cpp).
  struct Template {
    enum Kind : uint8_t { kNone, kText, kReasoning, kToolInput } kind = kNone;
    std::string prefix, suffix;
    size_t call = 0;            // kToolInput: the call in calls_
    uint64_t calls_version = 0; // kToolInput: calls_ as it was
  };

  bool read_chunk(std::string_view data, MessageState& state);
  bool read_choices(JsonReader& reader);
  bool try_template(std::string_view data, MessageState& state);
  void apply_delta(const Delta& delta, MessageState& state);
  // Returns the arguments value of the chunk's one fragment when that fragment only
  // extended a started call (a template candidate), else an absent value.
  JsonValueRef apply_tool_calls(std::string_view raw, MessageState& state, size_t* call_index);
  void apply_function_call(std::string_view raw, MessageState& state);
  void apply_usage(std::string_view raw, MessageState& state);
  void apply_error(std::string_view raw_error, MessageState& state);
  void start_call(Call& call, MessageState& state);
  // A new call, charged and counted as a pending part; nullptr (the message has
  // ended over a limit) when it does not fit.
  Call* add_call(Call fresh, MessageState& state);
  template <typename Key>
  Call* find(const HashIndex& map, const Key& key);
  void complete_calls(MessageState& state);

  std::vector<Delta> deltas_;  // reused across chunks
  // The leading bytes of an earlier chunk, up to its first member of interest, and
  // the reader's state after them (see JsonReader::resume).
  std::string prefix_;
  JsonReader::Checkpoint prefix_checkpoint_;
  bool memos_;
  Template template_;
  uint64_t calls_version_ = 0;  // changes whenever a call is created or started
  std::vector<Call> calls_;    // in order of arrival
  HashIndex by_id_;     // a call's position by its id
  HashIndex by_index_;  // the latest call with each index (uint64_t keys)
  PendingParts pending_;       // calls not shown yet (no name, no arguments)
  std::string scratch_;
  std::string scratch2_;
  size_t next_call_number_ = 0;
  size_t match_probes_ = 0;
};

}  // namespace ssew
