// The whole pipeline (SSE parser, protocol detection, every protocol decoder, the
// state machine) on arbitrary bytes. Properties, not only "no crash":
//   * the final state does not depend on how the bytes were chunked;
//   * text never shrinks or changes between feeds (only grows);
//   * what reaches JavaScript is valid UTF-8 after every call: the batch text and
//     every part's text and input text (a surrogate held back for pairing with the
//     next delta must never show).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "../native/utf8_oracle.h"
#include "message_session.h"

namespace {

using ssew::MessageSession;
using ssew::testing::is_valid_utf8;

void check_utf8(MessageSession& session) {
  ssew::MessageState& state = session.state();
  if (!is_valid_utf8(state.patch().text())) abort();
  for (size_t i = 0; i < state.part_count(); ++i) {
    const ssew::MessageState::PartView p = state.part(i);
    if (!is_valid_utf8(p.text) || !is_valid_utf8(p.input_text) || !is_valid_utf8(p.input_json)) abort();
  }
}
struct Result {
  std::string text;
  int status;
  size_t parts;
  std::string error_code;
};

Result run(const uint8_t* data, size_t size, size_t chunk, const char* protocol) {
  MessageSession::Options options;
  options.protocol = protocol;
  options.limits.max_parts = 64;
  MessageSession session(options);
  std::string last;
  for (size_t at = 0; at < size; at += chunk) {
    session.feed(data + at, std::min(chunk, size - at));
    check_utf8(session);
    const std::string now = session.state().text();
    if (now.compare(0, last.size(), last) != 0) abort();  // text shrank or changed
    last = now;
  }
  session.end();
  check_utf8(session);
  return {session.state().text(), static_cast<int>(session.state().status()), session.state().part_count(),
          session.state().error_code()};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  static const char* kProtocols[] = {"auto", "native", "openai-chat", "openai-responses", "anthropic", "ai-sdk", "gemini"};
  const char* protocol = kProtocols[data[0] % 7];
  const size_t chunk = 1 + data[1] % 17;
  data += 2;
  size -= 2;
  const Result whole = run(data, size, size == 0 ? 1 : size, protocol);
  const Result pieces = run(data, size, chunk, protocol);
  if (whole.text != pieces.text || whole.status != pieces.status || whole.parts != pieces.parts ||
      whole.error_code != pieces.error_code) {
    abort();
  }
  return 0;
}
