// The only file that knows about Emscripten: thin embind registrations of the two
// sessions JavaScript drives. Every behaviour lives in src/ and is tested natively.
//
// Plain functions, not embind classes: class_ pulls most of embind's JavaScript
// (handles, pointer types, upcasts, deletion queues) into the glue, and each method
// call pays for checking its handle. A session crosses as its address (a number);
// the JavaScript owner (web/core.js SessionHandle) keeps the "already freed" state
// and never passes a freed address back. Other addresses cross as numbers too;
// JavaScript reads and writes wasm memory directly, and results leave as one batch
// per call (src/wire.h).
#include <emscripten/bind.h>

#include <cstdarg>
#include <cstdint>
#include <limits>

#include "message_session.h"
#include "sse_session.h"

using namespace emscripten;
using ssew::MessageSession;
using ssew::SseSession;

// embind's __getTypeName (Emscripten's system/lib/embind/bind.cpp) names a type by its
// address with sprintf("%p"), for the error a call with an unregistered type gets.
// That one call links all of printf, about 3.5 KB of the wasm (1.3 KB gzipped), and
// nothing else here formats text. These write that conversion and plain text; any
// other conversion writes '?', so a new caller shows in its output. siprintf is the
// integer-only name the compiler gives sprintf calls; musl's sprintf.o defines both.
namespace {
int format_pointer_only(char* out, const char* format, va_list args) {
  char* o = out;
  for (const char* f = format; *f; ++f) {
    if (*f != '%') {
      *o++ = *f;
      continue;
    }
    if (f[1] != 'p') {
      *o++ = '?';
      if (f[1]) ++f;
      continue;
    }
    ++f;
    auto value = reinterpret_cast<uintptr_t>(va_arg(args, void*));
    char digits[2 * sizeof(uintptr_t)];
    int n = 0;
    do {
      digits[n++] = "0123456789abcdef"[value & 15];
      value >>= 4;
    } while (value != 0);
    *o++ = '0';
    *o++ = 'x';
    while (n > 0) *o++ = digits[--n];
  }
  *o = '\0';
  return static_cast<int>(o - out);
}
}  // namespace

extern "C" int sprintf(char* out, const char* format, ...) {
  va_list args;
  va_start(args, format);
  int written = format_pointer_only(out, format, args);
  va_end(args);
  return written;
}

extern "C" int siprintf(char* out, const char* format, ...) __attribute__((alias("sprintf")));

namespace {

template <typename T>
uintptr_t address(const T* p) {
  return reinterpret_cast<uintptr_t>(p);
}

SseSession& sse(uintptr_t session) { return *reinterpret_cast<SseSession*>(session); }
MessageSession& msg(uintptr_t session) { return *reinterpret_cast<MessageSession*>(session); }

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

uintptr_t sse_create(double max_event_bytes) {
  ssew::SseParser::Options options;
  options.max_event_bytes = size_or(max_event_bytes, options.max_event_bytes);
  return address(new SseSession(options));
}
void sse_destroy(uintptr_t s) { delete &sse(s); }
uintptr_t sse_input_buffer(uintptr_t s, size_t capacity) { return address(sse(s).input_buffer(capacity)); }
uint32_t sse_feed(uintptr_t s, size_t length) { return sse(s).feed(length); }
void sse_end(uintptr_t s) { sse(s).end(); }
uintptr_t sse_header(uintptr_t s) { return address(&sse(s).header()); }
// The last event ID leaves as an address and a byte length, decoded by JavaScript's
// TextDecoder with ignoreBOM: embind's std::string conversion strips a leading U+FEFF
// from strings longer than 16 bytes, and only a stream's first BOM may be stripped.
uintptr_t sse_last_event_id_address(uintptr_t s) { return address(sse(s).parser().last_event_id().data()); }
size_t sse_last_event_id_length(uintptr_t s) { return sse(s).parser().last_event_id().size(); }
double sse_retry(uintptr_t s) {
  auto retry = sse(s).parser().retry();
  return retry ? static_cast<double>(*retry) : -1.0;
}

// Limits arrive as numbers; 0 keeps the default.
uintptr_t msg_create(std::string protocol, double max_event_bytes, double max_tool_input_bytes,
                     double max_json_depth, double max_parts, double max_message_bytes) {
  MessageSession::Options options;
  options.protocol = std::move(protocol);
  options.sse.max_event_bytes = size_or(max_event_bytes, options.sse.max_event_bytes);
  auto& limits = options.limits;
  limits.max_tool_input_bytes = size_or(max_tool_input_bytes, limits.max_tool_input_bytes);
  limits.max_json_depth = size_or(max_json_depth, limits.max_json_depth);
  limits.max_parts = size_or(max_parts, limits.max_parts);
  limits.max_message_bytes = size_or(max_message_bytes, limits.max_message_bytes);
  return address(new MessageSession(options));
}
void msg_destroy(uintptr_t s) { delete &msg(s); }
uintptr_t msg_input_buffer(uintptr_t s, size_t capacity) { return address(msg(s).input_buffer(capacity)); }
void msg_feed(uintptr_t s, size_t length) { msg(s).feed(length); }
void msg_end_connection(uintptr_t s) { msg(s).end_connection(); }
void msg_end(uintptr_t s) { msg(s).end(); }
void msg_fail(uintptr_t s, std::string message, std::string code, bool retryable) {
  msg(s).fail(message, code, retryable);
}
void msg_abort(uintptr_t s) { msg(s).abort(); }
void msg_hint(uintptr_t s, std::string name) { msg(s).hint_protocol(name); }
uintptr_t msg_header(uintptr_t s) { return address(&msg(s).header()); }
uintptr_t msg_ops_header(uintptr_t s) { return address(&msg(s).ops_header()); }
void msg_take_tool_input_ops(uintptr_t s, size_t part) { msg(s).take_tool_input_ops(part); }
std::string msg_protocol(uintptr_t s) { return std::string(msg(s).protocol()); }
double msg_retry(uintptr_t s) {
  auto retry = msg(s).parser().retry();
  return retry ? static_cast<double>(*retry) : -1.0;
}

}  // namespace

EMSCRIPTEN_BINDINGS(sse_wasm) {
  function("sseCreate", &sse_create);
  function("sseDestroy", &sse_destroy);
  function("sseInputBuffer", &sse_input_buffer);
  function("sseFeed", &sse_feed);
  function("sseEnd", &sse_end);
  function("sseHeader", &sse_header);
  function("sseLastEventIdAddress", &sse_last_event_id_address);
  function("sseLastEventIdLength", &sse_last_event_id_length);
  function("sseRetry", &sse_retry);

  function("msgCreate", &msg_create);
  function("msgDestroy", &msg_destroy);
  function("msgInputBuffer", &msg_input_buffer);
  function("msgFeed", &msg_feed);
  function("msgEndConnection", &msg_end_connection);
  function("msgEnd", &msg_end);
  function("msgFail", &msg_fail);
  function("msgAbort", &msg_abort);
  function("msgHintProtocol", &msg_hint);
  function("msgHeader", &msg_header);
  function("msgOpsHeader", &msg_ops_header);
  function("msgTakeToolInputOps", &msg_take_tool_input_ops);
  function("msgProtocol", &msg_protocol);
  function("msgRetry", &msg_retry);
}
