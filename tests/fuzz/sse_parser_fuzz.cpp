// libFuzzer target for ssew::SseParser: chunking invariance and output validity.
//
// Input layout:
//   byte 0   chunking seed (also picks the typical chunk size)
//   byte 1   limit: bit 7 set -> max_event_bytes = 1 + (byte & 0x7F); 0x7F -> SIZE_MAX
//            (no limit, what JavaScript's Infinity saturates to); else the default
//   rest     the event stream
// The stream is fed whole, in pseudo-random chunks (including empty ones) and byte by
// byte; all three must report the same events, comments, retries, lastEventId, retry
// and error. Every dispatched type, data and id must be valid UTF-8. After end(), each
// parser must accept a fresh stream again. Any violation aborts.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../native/utf8_oracle.h"
#include "sse_parser.h"

namespace {

using ssew::SseError;
using ssew::SseEvent;
using ssew::SseHandler;
using ssew::testing::is_valid_utf8;
using ssew::SseParser;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "sse_parser_fuzz: %s\n", what);
  std::abort();
}

#define FUZZ_CHECK(cond, what) \
  do {                         \
    if (!(cond)) Fail(what);   \
  } while (0)


// Everything a replay can observe, as one comparable log.
struct Outcome {
  std::vector<std::string> log;  // events, comments and retries in callback order
  std::string last_event_id;
  std::optional<uint64_t> retry;
  SseError error = SseError::kNone;
  bool operator==(const Outcome& o) const {
    return log == o.log && last_event_id == o.last_event_id && retry == o.retry &&
           error == o.error;
  }
};

class Recorder : public SseHandler {
 public:
  Recorder(const SseParser& parser, Outcome& out) : parser_(parser), out_(out) {}
  void on_event(const SseEvent& e) override {
    FUZZ_CHECK(is_valid_utf8(e.type), "event type is not valid UTF-8");
    FUZZ_CHECK(is_valid_utf8(e.data), "event data is not valid UTF-8");
    FUZZ_CHECK(is_valid_utf8(e.id), "event id is not valid UTF-8");
    FUZZ_CHECK(!e.type.empty(), "event type is empty");
    FUZZ_CHECK(e.data.size() <= parser_.options().max_event_bytes, "event data exceeds the limit");
    FUZZ_CHECK(e.id == parser_.last_event_id(), "event id differs from last_event_id()");
    FUZZ_CHECK(e.id.find('\0') == std::string_view::npos, "event id contains U+0000");
    std::string entry = "E";
    AppendField(entry, e.type);
    AppendField(entry, e.data);
    AppendField(entry, e.id);
    out_.log.push_back(std::move(entry));
  }
  void on_retry(uint64_t ms) override {
    FUZZ_CHECK(parser_.retry() == std::optional<uint64_t>(ms), "on_retry() disagrees with retry()");
    out_.log.push_back("R" + std::to_string(ms));
  }
  void on_comment(std::string_view text) override {
    std::string entry = "C";
    AppendField(entry, text);
    out_.log.push_back(std::move(entry));
  }

 private:
  // Length-prefixed, so that fields containing separators cannot collide.
  static void AppendField(std::string& entry, std::string_view s) {
    entry += std::to_string(s.size());
    entry += ':';
    entry.append(s.data(), s.size());
  }
  const SseParser& parser_;
  Outcome& out_;
};

// Feeds `input` cut before each offset in `cuts` (increasing), then ends the stream
// and checks that the parser is usable for another connection.
Outcome Replay(const SseParser::Options& options, const uint8_t* input, size_t size,
               const std::vector<size_t>& cuts) {
  Outcome out;
  SseParser parser(options);
  Recorder rec(parser, out);
  size_t pos = 0;
  auto feed_to = [&](size_t end) {
    const SseError before = parser.error();
    const SseError returned = parser.feed(input + pos, end - pos, rec);
    FUZZ_CHECK(returned == parser.error(), "feed() result differs from error()");
    FUZZ_CHECK(before == SseError::kNone || returned == before, "the error latch was lost");
    pos = end;
  };
  for (size_t cut : cuts) feed_to(cut);
  feed_to(size);
  out.error = parser.error();
  parser.end();
  out.last_event_id = parser.last_event_id();
  out.retry = parser.retry();
  FUZZ_CHECK(parser.error() == SseError::kNone, "end() did not clear the error");

  // A new connection: a complete event must come through, carrying the persisted id.
  Outcome next;
  Recorder rec2(parser, next);
  static constexpr std::string_view kNext = "data: next\n\n";
  FUZZ_CHECK(parser.feed(kNext, rec2) == SseError::kNone || options.max_event_bytes < 10,
             "a fresh stream after end() failed");
  if (options.max_event_bytes >= 10) {
    FUZZ_CHECK(next.log.size() == 1, "a fresh stream after end() did not dispatch its event");
    FUZZ_CHECK(parser.last_event_id() == out.last_event_id,
               "last_event_id() did not persist across end()");
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t seed = data[0];
  const uint8_t limit = data[1];
  const uint8_t* input = data + 2;
  const size_t n = size - 2;

  SseParser::Options options;
  if (limit & 0x80) options.max_event_bytes = 1 + (limit & 0x7F);
  else if (limit == 0x7F) options.max_event_bytes = SIZE_MAX;

  const Outcome whole = Replay(options, input, n, {});

  // Pseudo-random chunking (xorshift32); typical chunk size 1..2^(seed % 8).
  std::vector<size_t> cuts;
  uint32_t state = 0x9E3779B9u ^ (static_cast<uint32_t>(seed) * 0x01000193u) ^
                   static_cast<uint32_t>(n);
  const uint32_t span = (1u << (seed % 8)) + 1;
  for (size_t pos = 0; pos < n;) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    pos += state % (span + 1);  // 0 feeds an empty chunk
    if (pos > n) pos = n;
    cuts.push_back(pos);
  }
  FUZZ_CHECK(Replay(options, input, n, cuts) == whole, "random chunking changed the outcome");

  if (n <= 8192) {
    std::vector<size_t> bytewise;
    for (size_t i = 1; i < n; ++i) bytewise.push_back(i);
    FUZZ_CHECK(Replay(options, input, n, bytewise) == whole, "byte-by-byte feeding changed the outcome");
  }
  return 0;
}
