// message_session.h — bytes in, message changes out: the object JavaScript's
// MessageStream drives through the wasm boundary.
//
// It chains the SSE parser, a protocol decoder (chosen by name, or detected from
// the first meaningful event with "auto") and the MessageState. Each call (feed,
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
  // state is untouched.
  void end_connection();
  // The message's bytes ended for good: the protocol decides between done and
  // interrupted (see Protocol::on_end).
  void end();
  // The transport failed: status error with this message and code, partial kept.
  void fail(std::string_view message, std::string_view code, bool retryable);
  // The user aborted: status aborted, partial kept.
  void abort();
  // A protocol named by the transport (e.g. from a response header). With "auto",
  // it is chosen at once unless a protocol was already chosen.
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

 private:
  struct PendingEvent {
    std::string type, data, id;
    bool stray_line = false;  // a stray line (in `data`), not an event
  };
  void on_event(const SseEvent& event) override;
  void on_stray_line(std::string_view line) override;
  void choose(std::string_view name);
  void begin_call();
  void publish();

  SseParser parser_;
  MessageState state_;
  std::unique_ptr<Protocol> protocol_;
  std::vector<PendingEvent> pending_;  // events seen before "auto" decided
  std::string input_;
  std::string last_event_id_;
  BatchHeader header_;
  BatchHeader ops_header_;
};

}  // namespace ssew
