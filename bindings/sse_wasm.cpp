// The only file that knows about Emscripten: thin embind registrations of the
// sessions JavaScript drives. Every behaviour lives in src/ and is tested natively.
// Addresses cross as numbers; JavaScript reads and writes wasm memory directly.
#include <emscripten/bind.h>

#include "sse_session.h"

using namespace emscripten;

namespace {

ssew::SseSession* make_sse_session(double max_event_bytes) {
  ssew::SseParser::Options options;
  if (max_event_bytes > 0) options.max_event_bytes = static_cast<size_t>(max_event_bytes);
  return new ssew::SseSession(options);
}

uintptr_t sse_input_buffer(ssew::SseSession& s, size_t capacity) {
  return reinterpret_cast<uintptr_t>(s.input_buffer(capacity));
}
uint32_t sse_feed(ssew::SseSession& s, size_t length) { return s.feed(length); }
uintptr_t sse_header(const ssew::SseSession& s) { return reinterpret_cast<uintptr_t>(&s.header()); }
std::string sse_last_event_id(ssew::SseSession& s) { return s.parser().last_event_id(); }
double sse_retry(ssew::SseSession& s) {
  auto retry = s.parser().retry();
  return retry ? static_cast<double>(*retry) : -1.0;
}

}  // namespace

EMSCRIPTEN_BINDINGS(sse_wasm) {
  class_<ssew::SseSession>("SseSession")
      .constructor(&make_sse_session, allow_raw_pointers())
      .function("inputBuffer", &sse_input_buffer)
      .function("feed", &sse_feed)
      .function("end", &ssew::SseSession::end)
      .function("header", &sse_header)
      .function("lastEventId", &sse_last_event_id)
      .function("retry", &sse_retry);
}
