// message_session.h — bytes in, message changes out: the object JavaScript's
// MessageStream drives through the wasm boundary.
//
// It chains the SSE parser, a protocol decoder (chosen by name, or detected from
// the first meaningful event with "auto") and the MessageState.
//
// Detection ("auto"): each event goes through detect_protocol() until one tells;
// the events before it (pings, unknown events, stray lines) wait in a queue and are
// replayed to the chosen decoder first. The queue is bounded: its bytes (type,
// data, id and kPendingOverhead per entry) are charged to the message budget
// (MessageState::reserve, so a small maxMessageBytes ends the message in
// "message_too_large") and capped at kMaxPendingBytes. At the cap the queued events
// are released with an "undetected_events" warning (no decoder recognised them, so
// none would have shown them) and detection goes on, event by event, without
// queueing; a later event that tells still chooses its protocol, so later text is
// never lost. When the bytes end undecided, the hint (see hint_protocol) or else
// "native" takes the queue; "native" warns "undetected_events" when the queue held
// events, since it ignores unknown events. Each call (feed,
// end, fail, abort, ...) starts a fresh patch and publishes it in header() (see
// batch_writer.h for the layout and message_state.h for the records), so a caller
// reads exactly one batch per call.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "batch_writer.h"
#include "message_state.h"
#include "protocols/protocol.h"
#include "sse_parser.h"

namespace ssew {

class MessageSession : private SseHandler {
 public:
  struct Options {
    std::string protocol = "auto";  // a protocol name, or "auto"
    SseParser::Options sse;
    MessageState::Limits limits;
  };

  // An unknown protocol name is treated as "auto" and recorded as a warning.
  explicit MessageSession(Options options);
  ~MessageSession() override;

  // A buffer of at least `capacity` bytes that the caller fills before feed().
  uint8_t* input_buffer(size_t capacity);
  // Parses the first `length` bytes of the input buffer.
  void feed(size_t length);
  // Parses bytes from anywhere (native callers and tests).
  void feed(const uint8_t* bytes, size_t length);
  void feed(std::string_view bytes) { feed(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()); }

  // This connection's bytes ended but the message may go on over a new connection
  // (a resume with Last-Event-ID): an incomplete event is dropped, the message
  // state is untouched. The decoder is told (Protocol::on_end_connection), e.g. for
  // replays the next connection may bring.
  void end_connection();
  // The message's bytes ended for good: the protocol decides between done and
  // interrupted (see Protocol::on_end).
  void end();
  // The transport failed: status error with this message and code, partial kept.
  void fail(std::string_view message, std::string_view code, bool retryable);
  // The user aborted: status aborted, partial kept.
  void abort();
  // A protocol named by the transport (e.g. "ai-sdk" from the response header
  // x-vercel-ai-ui-message-stream: v1). With "auto" and no protocol chosen yet it is
  // a hint, not a choice: detection still runs on every event, and an event that
  // tells another protocol chooses that one (warning "protocol_hint_mismatch": the
  // header lied, e.g. a proxy forwarding an OpenAI stream with the AI SDK header).
  // The hint decides only when the bytes end before any event told, instead of
  // "native". An unknown name or a protocol already chosen: no effect.
  void hint_protocol(std::string_view name);

  const BatchHeader& header() const { return header_; }
  // Publishes the best-effort input ops of a streaming tool part in ops_header()
  // (text_address/text_bytes; see PartialJsonOp) and forgets them.
  void take_tool_input_ops(size_t part);
  const BatchHeader& ops_header() const { return ops_header_; }

  MessageState& state() { return state_; }
  const SseParser& parser() const { return parser_; }
  // The protocol in use, or "" while "auto" has not decided.
  std::string_view protocol() const;
  // Bytes waiting in the detection queue (at most kMaxPendingBytes).
  size_t pending_bytes() const { return pending_bytes_; }

  // The detection queue's byte cap, and what one queued entry costs beyond its
  // strings (charged to the message budget with them).
  static constexpr size_t kMaxPendingBytes = size_t{1} << 20;
  static constexpr size_t kPendingOverhead = 128;

 private:
  struct PendingEvent {
    std::string type, data, id;
    bool stray_line = false;  // a stray line (in `data`), not an event
  };
  void on_event(const SseEvent& event) override;
  void on_stray_line(std::string_view line) override;
  void choose(std::string_view name);
  void queue(std::string_view type, std::string_view data, std::string_view id, bool stray_line);
  void release_pending();
  void report_ignored(bool detecting);
  void begin_call();
  void publish();

  SseParser parser_;
  MessageState state_;
  std::unique_ptr<Protocol> protocol_;
  std::vector<PendingEvent> pending_;  // events seen before "auto" decided
  size_t pending_bytes_ = 0;
  bool queue_full_ = false;       // the cap was reached once: no more queueing
  size_t ignored_events_ = 0;     // released or not queued, not yet in a warning
  size_t ignored_bytes_ = 0;
  std::string hint_;
  std::string input_;
  std::string last_event_id_;
  BatchHeader header_;
  BatchHeader ops_header_;
};

}  // namespace ssew
