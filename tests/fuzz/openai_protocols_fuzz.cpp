// libFuzzer target for the OpenAI decoders ("openai-chat", "openai-responses") and
// the JsonReader they are built on.
//
// Input layout:
//   byte 0   chunking seed: the typical chunk size is 1 + (byte % 64); bit 7 also
//            feeds some empty chunks
//   rest     the SSE stream
// For each protocol (and for "auto"), the stream is fed through a MessageSession
// whole, in pseudo-random chunks and (when short) byte by byte, then ended. Every
// replay must end in the same state (status, text, parts with their kind, text, tool
// id, name, state and input, error, finish reason, usage, warning count), and the
// text must never shrink from one feed to the next. The chat decoder with its memos
// must agree with the decoder without them after every event. And JsonReader must
// agree with nlohmann::json::accept() on whether the raw input is one JSON text
// (except where the two are known to differ: lone surrogate escapes, nesting beyond
// JsonReader::kMaxDepth, and a NUL byte, which nlohmann takes for the end of the
// input). Any violation aborts.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "json_reader.h"
#include "message_session.h"
#include "protocols/openai_chat_protocol.h"
#include "sse_parser.h"

namespace {

using ssew::MessageSession;
using ssew::MessageState;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "openai_protocols_fuzz: %s\n", what);
  std::abort();
}

#define FUZZ_CHECK(cond, what) \
  do {                         \
    if (!(cond)) Fail(what);   \
  } while (0)

// Everything a replay can observe, flattened to one comparable string.
std::string Describe(const MessageState& s) {
  std::string out;
  const auto field = [&out](std::string_view v) {
    out += std::to_string(v.size());
    out += ':';
    out.append(v.data(), v.size());
  };
  out += std::to_string(static_cast<int>(s.status()));
  field(s.text());
  field(s.finish_reason());
  field(s.error_code());
  out += s.error_retryable() ? 'r' : '-';
  if (auto usage = s.usage()) out += std::to_string(usage->first) + "/" + std::to_string(usage->second);
  out += "w" + std::to_string(s.warning_count());
  out += "p" + std::to_string(s.part_count());
  for (size_t i = 0; i < s.part_count(); ++i) {
    const MessageState::PartView p = s.part(i);
    out += std::to_string(static_cast<int>(p.kind));
    field(p.text);
    field(p.id);
    field(p.name);
    out += std::to_string(static_cast<int>(p.state));
    field(p.input_json);
  }
  return out;
}

std::string Describe(MessageSession& session) {
  std::string out = Describe(session.state());
  out += '|';
  out.append(session.protocol());
  return out;
}

// The chat decoder with and without its memos (prefix resume, chunk templates)
// must leave the same state after every event.
class Collector : public ssew::SseHandler {
 public:
  void on_event(const ssew::SseEvent& e) override {
    events.push_back({std::string(e.type), std::string(e.data), std::string(e.id)});
  }
  struct Event {
    std::string type, data, id;
  };
  std::vector<Event> events;
};

void CheckChatMemos(const uint8_t* data, size_t size) {
  Collector collector;
  ssew::SseParser parser;
  parser.feed(data, size, collector);
  ssew::OpenAiChatProtocol fast(true), plain(false);
  MessageState a, b;
  for (const auto& e : collector.events) {
    const ssew::SseEvent event{e.type, e.data, e.id};
    fast.on_event(event, a);
    plain.on_event(event, b);
    FUZZ_CHECK(Describe(a) == Describe(b), "the chat decoder's memos changed the outcome");
  }
}

std::string Replay(const std::string& protocol, const uint8_t* data, size_t size, const std::vector<size_t>& cuts) {
  MessageSession::Options options;
  options.protocol = protocol;
  MessageSession session(options);
  size_t at = 0;
  size_t text_size = 0;
  size_t parts = 0;
  const auto feed_to = [&](size_t end) {
    session.feed(data + at, end - at);
    at = end;
    const size_t now = session.state().text().size();
    FUZZ_CHECK(now >= text_size, "the text shrank between feeds");
    FUZZ_CHECK(session.state().part_count() >= parts, "parts disappeared between feeds");
    text_size = now;
    parts = session.state().part_count();
  };
  for (size_t cut : cuts) feed_to(cut);
  feed_to(size);
  session.end();
  FUZZ_CHECK(session.state().terminal(), "end() left the message non-terminal");
  FUZZ_CHECK(session.state().text().size() >= text_size, "end() shrank the text");
  return Describe(session);
}

void CheckJsonReader(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  size_t opens = 0;
  for (char c : text) {
    opens += c == '[' || c == '{';
    if (c == '\0') return;  // nlohmann's lexer takes U+0000 for the end of the input
  }
  if (opens > ssew::JsonReader::kMaxDepth) return;
  // nlohmann rejects numbers beyond a double's range (1e999), which the JSON grammar
  // allows and JsonReader accepts: no verdict to compare when an exponent appears.
  for (size_t i = 1; i < text.size(); ++i) {
    if ((text[i] == 'e' || text[i] == 'E') && text[i - 1] >= '0' && text[i - 1] <= '9') return;
  }
  for (size_t i = 0; i + 2 < text.size(); ++i) {
    if (text[i] == '\\' && text[i + 1] == 'u' && (text[i + 2] == 'd' || text[i + 2] == 'D')) return;
  }
  const bool ours = ssew::JsonReader::validate(text);
  const bool theirs = nlohmann::json::accept(text);
  FUZZ_CHECK(ours == theirs, ours ? "JsonReader accepted what nlohmann rejects" : "JsonReader rejected valid JSON");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t seed = data[0];
  const uint8_t* input = data + 1;
  const size_t n = size - 1;

  CheckJsonReader(input, n);
  CheckChatMemos(input, n);

  // Pseudo-random chunking (xorshift32) around the typical size.
  std::vector<size_t> cuts;
  uint32_t state = 0x9E3779B9u ^ (static_cast<uint32_t>(seed) * 0x01000193u) ^ static_cast<uint32_t>(n);
  const uint32_t typical = 1 + (seed % 64);
  for (size_t pos = 0; pos < n;) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    size_t step = 1 + state % (2 * typical);
    if ((seed & 0x80) && state % 7 == 0) step = 0;  // an empty chunk now and then
    pos += step;
    if (pos > n) pos = n;
    cuts.push_back(pos);
  }
  std::vector<size_t> bytewise;
  if (n <= 1024) {
    for (size_t i = 1; i < n; ++i) bytewise.push_back(i);
  }

  for (const char* protocol : {"openai-chat", "openai-responses", "auto"}) {
    const std::string whole = Replay(protocol, input, n, {});
    FUZZ_CHECK(Replay(protocol, input, n, cuts) == whole, "chunking changed the outcome");
    if (!bytewise.empty()) {
      FUZZ_CHECK(Replay(protocol, input, n, bytewise) == whole, "byte-by-byte feeding changed the outcome");
    }
  }
  return 0;
}
