// The only file that knows about Emscripten: thin embind registrations of the two
// sessions JavaScript drives. Every behaviour lives in src/ and is tested natively.
// Addresses cross as numbers; JavaScript reads and writes wasm memory directly, and
// results leave as one batch per call (src/batch_writer.h).
#include <emscripten/bind.h>

#include <limits>

#include "message_session.h"
#include "sse_session.h"

using namespace emscripten;
using ssew::MessageSession;
using ssew::SseSession;

namespace {

template <typename T>
uintptr_t address(const T* p) {
  return reinterpret_cast<uintptr_t>(p);
}

// A limit as JavaScript passes it: 0 (or NaN, or a negative number) keeps the
// default, and a value at or above the largest size_t (2^32 - 1 in wasm) saturates to
// it: a double out of size_t's range must never reach static_cast (undefined, and in
// practice it wraps).
size_t size_or(double value, size_t fallback) {
  if (!(value > 0)) return fallback;
  constexpr double kMax = static_cast<double>(std::numeric_limits<size_t>::max());
  if (value >= kMax) return std::numeric_limits<size_t>::max();
  return static_cast<size_t>(value);
}

SseSession* make_sse_session(double max_event_bytes) {
  ssew::SseParser::Options options;
  options.max_event_bytes = size_or(max_event_bytes, options.max_event_bytes);
  return new SseSession(options);
}

uintptr_t sse_input_buffer(SseSession& s, size_t capacity) { return address(s.input_buffer(capacity)); }
uint32_t sse_feed(SseSession& s, size_t length) { return s.feed(length); }
uintptr_t sse_header(const SseSession& s) { return address(&s.header()); }
// The last event ID leaves as an address and a byte length, decoded by JavaScript's
// TextDecoder with ignoreBOM: embind's std::string conversion strips a leading U+FEFF
// from strings longer than 16 bytes, and only a stream's first BOM may be stripped.
uintptr_t sse_last_event_id_address(SseSession& s) { return address(s.parser().last_event_id().data()); }
size_t sse_last_event_id_length(SseSession& s) { return s.parser().last_event_id().size(); }
double sse_retry(SseSession& s) {
  auto retry = s.parser().retry();
  return retry ? static_cast<double>(*retry) : -1.0;
}

// Limits arrive as numbers; 0 keeps the default.
MessageSession* make_message_session(std::string protocol, double max_event_bytes, double max_tool_input_bytes,
                                     double max_json_depth, double max_parts, double max_message_bytes) {
  MessageSession::Options options;
  options.protocol = std::move(protocol);
  options.sse.max_event_bytes = size_or(max_event_bytes, options.sse.max_event_bytes);
  auto& limits = options.limits;
  limits.max_tool_input_bytes = size_or(max_tool_input_bytes, limits.max_tool_input_bytes);
  limits.max_json_depth = size_or(max_json_depth, limits.max_json_depth);
  limits.max_parts = size_or(max_parts, limits.max_parts);
  limits.max_message_bytes = size_or(max_message_bytes, limits.max_message_bytes);
  return new MessageSession(options);
}

uintptr_t msg_input_buffer(MessageSession& s, size_t capacity) { return address(s.input_buffer(capacity)); }
void msg_feed(MessageSession& s, size_t length) { s.feed(length); }
uintptr_t msg_header(const MessageSession& s) { return address(&s.header()); }
uintptr_t msg_ops_header(const MessageSession& s) { return address(&s.ops_header()); }
void msg_fail(MessageSession& s, std::string message, std::string code, bool retryable) {
  s.fail(message, code, retryable);
}
void msg_hint(MessageSession& s, std::string name) { s.hint_protocol(name); }
std::string msg_protocol(const MessageSession& s) { return std::string(s.protocol()); }
double msg_retry(const MessageSession& s) {
  auto retry = s.parser().retry();
  return retry ? static_cast<double>(*retry) : -1.0;
}

}  // namespace

EMSCRIPTEN_BINDINGS(sse_wasm) {
  class_<SseSession>("SseSession")
      .constructor(&make_sse_session, allow_raw_pointers())
      .function("inputBuffer", &sse_input_buffer)
      .function("feed", &sse_feed)
      .function("end", &SseSession::end)
      .function("header", &sse_header)
      .function("lastEventIdAddress", &sse_last_event_id_address)
      .function("lastEventIdLength", &sse_last_event_id_length)
      .function("retry", &sse_retry);

  class_<MessageSession>("MessageSession")
      .constructor(&make_message_session, allow_raw_pointers())
      .function("inputBuffer", &msg_input_buffer)
      .function("feed", &msg_feed)
      .function("endConnection", &MessageSession::end_connection)
      .function("end", &MessageSession::end)
      .function("fail", &msg_fail)
      .function("abort", &MessageSession::abort)
      .function("hintProtocol", &msg_hint)
      .function("header", &msg_header)
      .function("opsHeader", &msg_ops_header)
      .function("takeToolInputOps", &MessageSession::take_tool_input_ops)
      .function("protocol", &msg_protocol)
      .function("retry", &msg_retry);
}
