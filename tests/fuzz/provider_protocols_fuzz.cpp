// libFuzzer target for the provider decoders ("anthropic", "ai-sdk", "gemini", and
// "auto" detection among all protocols) on arbitrary bytes, through MessageSession.
//
// Input layout:
//   byte 0   the chunk size for the chunked replay: 1 + (byte % 64)
//   rest     the event stream
// For each protocol the stream is fed whole and in chunks; both replays must end in
// the same state (status, error, finish reason, usage, warnings, every part with its
// text, tool id, name, state, input, output and error). During the chunked replay the
// text only ever grows (each feed's text starts with the previous one), parts are
// never removed and a terminal status never changes. The Gemini decoder's
// on_stray_line() also gets every line of the input (the SSE parser does not call it
// yet). Any violation aborts.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocols/gemini_protocol.h"
#include "message_session.h"

namespace {

using ssew::MessageSession;
using ssew::MessageState;
using ssew::Status;

[[noreturn]] void Fail(const char* protocol, const char* what) {
  std::fprintf(stderr, "provider_protocols_fuzz (%s): %s\n", protocol, what);
  std::abort();
}

void Field(std::string& out, std::string_view s) {
  out += std::to_string(s.size());
  out += ':';
  out.append(s.data(), s.size());
}

// Everything observable about the final state, length-prefixed so fields cannot
// run into each other.
std::string Fingerprint(const MessageState& state) {
  std::string out;
  Field(out, std::to_string(static_cast<int>(state.status())));
  Field(out, state.error_code());
  Field(out, state.error_message());
  Field(out, state.error_retryable() ? "r" : "-");
  Field(out, state.finish_reason());
  if (const auto usage = state.usage()) Field(out, std::to_string(usage->first) + "/" + std::to_string(usage->second));
  Field(out, std::to_string(state.warning_count()));
  for (size_t i = 0; i < state.part_count(); ++i) {
    const MessageState::PartView p = state.part(i);
    Field(out, std::to_string(static_cast<int>(p.kind)));
    Field(out, p.text);
    Field(out, p.id);
    Field(out, p.name);
    Field(out, std::to_string(static_cast<int>(p.state)));
    Field(out, p.input_text);
    Field(out, p.input_json);
    Field(out, p.output_json);
    Field(out, p.error_text);
  }
  return out;
}

MessageSession::Options OptionsFor(const char* protocol) {
  MessageSession::Options options;
  options.protocol = protocol;
  options.limits.max_parts = 256;
  options.limits.max_message_bytes = 1 << 20;
  return options;
}

std::string Replay(const char* protocol, const uint8_t* data, size_t size, size_t chunk) {
  MessageSession session(OptionsFor(protocol));
  const MessageState& state = session.state();
  std::string last_text;
  size_t last_parts = 0;
  bool was_terminal = false;
  Status terminal_status = Status::kIdle;
  const auto check = [&] {
    const std::string text = state.text();
    if (text.compare(0, last_text.size(), last_text) != 0) Fail(protocol, "text shrank or changed");
    if (state.part_count() < last_parts) Fail(protocol, "a part was removed");
    if (was_terminal && state.status() != terminal_status) Fail(protocol, "a terminal status changed");
    if (state.terminal() && !was_terminal) {
      was_terminal = true;
      terminal_status = state.status();
    }
    last_text = text;
    last_parts = state.part_count();
  };
  for (size_t at = 0; at < size; at += chunk) {
    session.feed(data + at, std::min(chunk, size - at));
    check();
  }
  session.end();
  check();
  if (!state.terminal()) Fail(protocol, "end() left the message without a terminal status");
  return Fingerprint(state);
}

// Every line of the input through GeminiProtocol::on_stray_line.
void StrayLines(const uint8_t* data, size_t size) {
  MessageState state;
  ssew::GeminiProtocol protocol;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t begin = 0;
  while (begin <= input.size()) {
    size_t end = input.find('\n', begin);
    if (end == std::string_view::npos) end = input.size();
    protocol.on_stray_line(input.substr(begin, end - begin), state);
    if (state.status() == Status::kError && state.error_code().empty()) Fail("gemini", "an error without a code");
    begin = end + 1;
  }
  protocol.on_end(state);
  if (!state.terminal()) Fail("gemini", "on_end() left the message without a terminal status");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t chunk = 1 + data[0] % 64;
  ++data;
  --size;
  for (const char* protocol : {"anthropic", "ai-sdk", "gemini", "auto"}) {
    const std::string whole = Replay(protocol, data, size, size == 0 ? 1 : size);
    const std::string pieces = Replay(protocol, data, size, chunk);
    if (whole != pieces) Fail(protocol, "the final state depends on the chunking");
  }
  StrayLines(data, size);
  return 0;
}
