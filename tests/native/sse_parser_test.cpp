// Tests for ssew::SseParser.
//
//  * SseFixtures/SseConformance.Replay/<case>: every case of tests/fixtures/sse/*.json
//    replayed whole, split at every point into two chunks, byte by byte, and in 20
//    random chunkings (fixed seeds). Each replay must give exactly the fixture's
//    events, lastEventId, retry and error.
//  * SseParserTest.*: direct tests of end()/reset(), callbacks, the error latch and
//    bounded memory on a long stream.
//  * SseSessionTest.*: the batch records JavaScript's SSEParser reads.
#include "sse_parser.h"
#include "sse_session.h"
#include "utf8_oracle.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#ifndef SSEW_FIXTURES_DIR
#error "SSEW_FIXTURES_DIR must be defined to the absolute path of tests/fixtures"
#endif

namespace {

using json = nlohmann::json;
using ssew::SseError;
using ssew::SseEvent;
using ssew::SseHandler;
using ssew::SseParser;
using ssew::SseSession;
using ssew::testing::is_valid_utf8;

// ----------------------------------------------------------------------------
// Helpers


// Printable form of a byte string for failure messages.
std::string Escape(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    const auto c = static_cast<uint8_t>(ch);
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      default:
        if (c < 0x20 || c >= 0x7F) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  if (out.size() > 400) out = out.substr(0, 380) + "...(" + std::to_string(s.size()) + " bytes)";
  return out + "\"";
}

const char* ErrorName(SseError e) {
  switch (e) {
    case SseError::kNone: return "none";
    case SseError::kEventTooLarge: return "event_too_large";
  }
  return "?";
}

struct Ev {
  std::string type, data, id;
  bool operator==(const Ev& o) const { return type == o.type && data == o.data && id == o.id; }
};

// Everything observable from one replay of a stream.
struct Outcome {
  std::vector<Ev> events;
  std::string last_event_id;
  std::optional<uint64_t> retry;
  std::string error;
  bool operator==(const Outcome& o) const {
    return events == o.events && last_event_id == o.last_event_id && retry == o.retry &&
           error == o.error;
  }
};

std::string Describe(const Outcome& o) {
  std::ostringstream ss;
  ss << "events[" << o.events.size() << "]:";
  for (const auto& e : o.events) {
    ss << "\n    {type " << Escape(e.type) << ", data " << Escape(e.data) << ", id " << Escape(e.id)
       << "}";
  }
  ss << "\n  lastEventId " << Escape(o.last_event_id) << ", retry "
     << (o.retry ? std::to_string(*o.retry) : std::string("null")) << ", error " << o.error;
  return ss.str();
}

// Records every callback, checking the per-call invariants of the interface.
class Recorder : public SseHandler {
 public:
  explicit Recorder(const SseParser* parser = nullptr) : parser_(parser) {}

  void on_event(const SseEvent& event) override {
    Ev e{std::string(event.type), std::string(event.data), std::string(event.id)};
    if (!is_valid_utf8(e.type) || !is_valid_utf8(e.data) || !is_valid_utf8(e.id)) ++invalid_utf8;
    if (e.type.empty()) ++empty_type;
    if (parser_ && parser_->last_event_id() != e.id) ++id_mismatch;
    log.push_back("event:" + e.type + "|" + e.data + "|" + e.id);
    events.push_back(std::move(e));
  }
  void on_retry(uint64_t ms) override {
    retries.push_back(ms);
    log.push_back("retry:" + std::to_string(ms));
  }
  void on_comment(std::string_view text) override {
    comments.emplace_back(text);
    log.push_back("comment:" + std::string(text));
  }

  std::vector<Ev> events;
  std::vector<uint64_t> retries;
  std::vector<std::string> comments;
  std::vector<std::string> log;
  int invalid_utf8 = 0;
  int empty_type = 0;
  int id_mismatch = 0;

 private:
  const SseParser* parser_;
};

// ----------------------------------------------------------------------------
// Fixtures

struct FixtureCase {
  std::string file;
  std::string name;
  std::string load_error;  // non-empty: the fixture could not be loaded
  std::string input;       // raw bytes
  std::optional<size_t> max_event_bytes;
  Outcome expected;
};

bool HexDecode(const std::string& hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  out->clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

std::string LoadCase(const json& c, FixtureCase* fc) {
  if (!c.is_object()) return "case is not an object";
  if (!c.contains("name") || !c["name"].is_string()) return "missing string 'name'";
  fc->name = c["name"].get<std::string>();
  const bool has_input = c.contains("input"), has_hex = c.contains("inputHex");
  if (has_input == has_hex) return "exactly one of 'input' and 'inputHex' is required";
  if (has_hex) {
    if (!c["inputHex"].is_string() || !HexDecode(c["inputHex"].get<std::string>(), &fc->input))
      return "'inputHex' is not a hex string";
  } else {
    if (!c["input"].is_string()) return "'input' is not a string";
    fc->input = c["input"].get<std::string>();
  }
  if (c.contains("maxEventBytes")) {
    if (!c["maxEventBytes"].is_number_unsigned() || c["maxEventBytes"].get<uint64_t>() == 0)
      return "'maxEventBytes' is not a positive integer";
    fc->max_event_bytes = c["maxEventBytes"].get<size_t>();
  }
  if (!c.contains("events") || !c["events"].is_array()) return "missing array 'events'";
  for (const auto& e : c["events"]) {
    if (!e.is_object() || e.size() != 3) return "an event needs exactly type, data, id";
    for (const char* k : {"type", "data", "id"})
      if (!e.contains(k) || !e[k].is_string()) return std::string("event without string ") + k;
    fc->expected.events.push_back(Ev{e["type"].get<std::string>(), e["data"].get<std::string>(),
                                     e["id"].get<std::string>()});
  }
  if (!c.contains("lastEventId") || !c["lastEventId"].is_string())
    return "missing string 'lastEventId'";
  fc->expected.last_event_id = c["lastEventId"].get<std::string>();
  if (!c.contains("retry")) return "missing 'retry'";
  if (c["retry"].is_null()) {
    fc->expected.retry.reset();
  } else if (c["retry"].is_number_unsigned()) {
    fc->expected.retry = c["retry"].get<uint64_t>();
  } else {
    return "'retry' must be null or a non-negative integer";
  }
  if (!c.contains("error") || !c["error"].is_string()) return "missing string 'error'";
  fc->expected.error = c["error"].get<std::string>();
  if (fc->expected.error != "none" && fc->expected.error != "event_too_large")
    return "unknown 'error' value";
  for (auto it = c.begin(); it != c.end(); ++it) {
    static const std::set<std::string> known = {"name",   "input",       "inputHex", "maxEventBytes",
                                                "events", "lastEventId", "retry",    "error"};
    if (!known.count(it.key())) return "unknown key '" + it.key() + "'";
  }
  return "";
}

std::vector<FixtureCase> LoadFixtures() {
  std::vector<FixtureCase> out;
  const std::filesystem::path dir = std::filesystem::path(SSEW_FIXTURES_DIR) / "sse";
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".json") files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    FixtureCase bad;
    bad.file = dir.string();
    bad.name = "no-fixture-files";
    bad.load_error = "no *.json fixture files in " + dir.string();
    out.push_back(bad);
    return out;
  }
  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    const json doc = json::parse(buf.str(), nullptr, false);
    const std::string file = path.filename().string();
    std::string problem;
    if (!in || doc.is_discarded()) {
      problem = "not valid JSON";
    } else if (!doc.is_object() || !doc.contains("description") || !doc["description"].is_string() ||
               !doc.contains("cases") || !doc["cases"].is_array() || doc["cases"].empty()) {
      problem = "needs a string 'description' and a non-empty array 'cases'";
    }
    if (!problem.empty()) {
      FixtureCase bad;
      bad.file = file;
      bad.name = "load-" + path.stem().string();
      bad.load_error = problem;
      out.push_back(bad);
      continue;
    }
    size_t index = 0;
    for (const auto& c : doc["cases"]) {
      FixtureCase fc;
      fc.file = file;
      fc.load_error = LoadCase(c, &fc);
      if (fc.name.empty()) fc.name = "load-" + path.stem().string() + "-" + std::to_string(index);
      out.push_back(std::move(fc));
      ++index;
    }
  }
  return out;
}

// Names the parameter in test listings instead of dumping its bytes.
void PrintTo(const FixtureCase& fc, std::ostream* os) { *os << fc.file << ": " << fc.name; }

const std::vector<FixtureCase>& AllFixtures() {
  static const std::vector<FixtureCase> cases = LoadFixtures();
  return cases;
}

// gtest parameter names allow only [A-Za-z0-9_].
std::string ParamName(const std::string& name) {
  std::string out;
  for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out.empty() ? "unnamed" : out;
}

// Feeds `input` cut at the given increasing offsets, then calls end().
Outcome Replay(const FixtureCase& fc, const std::vector<size_t>& cuts, std::string* problem) {
  SseParser::Options options;
  if (fc.max_event_bytes) options.max_event_bytes = *fc.max_event_bytes;
  SseParser parser(options);
  Recorder rec(&parser);
  size_t pos = 0;
  auto feed_to = [&](size_t end) {
    const SseError returned = parser.feed(
        reinterpret_cast<const uint8_t*>(fc.input.data()) + pos, end - pos, rec);
    if (returned != parser.error() && problem->empty())
      *problem = "feed() returned a value different from error()";
    pos = end;
  };
  for (size_t cut : cuts) feed_to(cut);
  feed_to(fc.input.size());
  Outcome o;
  o.error = ErrorName(parser.error());
  parser.end();
  o.events = rec.events;
  o.last_event_id = parser.last_event_id();
  o.retry = parser.retry();
  if (problem->empty()) {
    if (parser.error() != SseError::kNone) *problem = "end() did not clear the error latch";
    else if (rec.invalid_utf8) *problem = "an event field is not valid UTF-8";
    else if (rec.empty_type) *problem = "an event was dispatched with an empty type";
    else if (rec.id_mismatch) *problem = "event.id differs from last_event_id() during on_event";
    else if (o.retry ? (rec.retries.empty() || rec.retries.back() != *o.retry) : !rec.retries.empty())
      *problem = "on_retry() calls disagree with retry()";
  }
  return o;
}

class SseConformance : public ::testing::TestWithParam<FixtureCase> {};

TEST_P(SseConformance, Replay) {
  const FixtureCase& fc = GetParam();
  ASSERT_TRUE(fc.load_error.empty()) << fc.file << ": case '" << fc.name << "': " << fc.load_error;
  const size_t n = fc.input.size();
  const std::string expected = Describe(fc.expected);

  // Returns false after the first mismatch so one bug does not print thousands of lines.
  auto check = [&](const std::vector<size_t>& cuts, const std::string& how) {
    std::string problem;
    const Outcome got = Replay(fc, cuts, &problem);
    if (got == fc.expected && problem.empty()) return true;
    ADD_FAILURE() << fc.file << " / " << fc.name << ", fed " << how << "\n  input "
                  << Escape(fc.input) << "\n  expected " << expected << "\n  actual   "
                  << Describe(got) << (problem.empty() ? "" : "\n  problem: " + problem);
    return false;
  };

  if (!check({}, "whole")) return;
  for (size_t split = 0; split <= n; ++split) {
    if (!check({split}, "in two chunks split at byte " + std::to_string(split))) return;
  }
  {
    std::vector<size_t> cuts;
    for (size_t i = 1; i < n; ++i) cuts.push_back(i);
    if (!check(cuts, "byte by byte")) return;
  }
  // 20 random chunkings, seeded from the case name so a failure is reproducible.
  uint32_t seed = 2166136261u;
  for (char c : fc.name) seed = (seed ^ static_cast<uint8_t>(c)) * 16777619u;
  std::mt19937 rng(seed);
  for (int round = 0; round < 20; ++round) {
    // Vary the typical chunk size between rounds: tiny, small and large chunks.
    const size_t max_chunk = size_t{1} << (round % 8);
    std::uniform_int_distribution<size_t> size_dist(0, max_chunk + 1);
    std::vector<size_t> cuts;
    size_t pos = 0;
    while (pos < n) {
      pos = std::min(n, pos + size_dist(rng));  // a size of 0 feeds an empty chunk
      cuts.push_back(pos);
    }
    std::string how = "in random chunks (round " + std::to_string(round) + ", cuts at";
    for (size_t i = 0; i < cuts.size() && i < 40; ++i) how += " " + std::to_string(cuts[i]);
    if (cuts.size() > 40) how += " ...";
    how += ")";
    if (!check(cuts, how)) return;
  }
}

INSTANTIATE_TEST_SUITE_P(SseFixtures, SseConformance, ::testing::ValuesIn(AllFixtures()),
                         [](const ::testing::TestParamInfo<FixtureCase>& info) {
                           return ParamName(info.param.name);
                         });

TEST(SseFixtureFiles, NamesAreUniqueAndThereAreEnoughCases) {
  const auto& cases = AllFixtures();
  std::map<std::string, std::string> seen;  // gtest name -> file
  for (const auto& fc : cases) {
    const std::string key = ParamName(fc.name);
    EXPECT_TRUE(seen.emplace(key, fc.file).second)
        << "case name '" << fc.name << "' in " << fc.file << " clashes with one in " << seen[key];
  }
  EXPECT_GE(cases.size(), 80u);
}

// ----------------------------------------------------------------------------
// Direct tests

SseError Feed(SseParser& p, std::string_view s, SseHandler& h) { return p.feed(s, h); }

TEST(SseParserTest, EndClearsErrorLatchAndKeepsIdAndRetry) {
  SseParser::Options options;
  options.max_event_bytes = 16;
  SseParser p(options);
  EXPECT_EQ(p.options().max_event_bytes, 16u);
  Recorder r;
  EXPECT_EQ(Feed(p, "id: 5\nretry: 300\ndata: a\n\n", r), SseError::kNone);
  EXPECT_EQ(Feed(p, "data: this line is far too long\n\n", r), SseError::kEventTooLarge);
  EXPECT_EQ(p.error(), SseError::kEventTooLarge);
  // Latched: further input is ignored, even valid events, ids and retries.
  EXPECT_EQ(Feed(p, "id: 6\nretry: 7\ndata: x\n\n", r), SseError::kEventTooLarge);
  EXPECT_EQ(Feed(p, "", r), SseError::kEventTooLarge);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(p.last_event_id(), "5");
  EXPECT_EQ(p.retry(), std::optional<uint64_t>(300));

  p.end();
  EXPECT_EQ(p.error(), SseError::kNone);
  EXPECT_EQ(p.last_event_id(), "5");
  EXPECT_EQ(p.retry(), std::optional<uint64_t>(300));

  // The next connection: events flow again and carry the persisted id.
  EXPECT_EQ(Feed(p, "data: b\n\n", r), SseError::kNone);
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[1], (Ev{"message", "b", "5"}));
  EXPECT_EQ(Feed(p, "id: 8\nretry: 900\ndata: c\n\n", r), SseError::kNone);
  ASSERT_EQ(r.events.size(), 3u);
  EXPECT_EQ(r.events[2], (Ev{"message", "c", "8"}));
  EXPECT_EQ(p.retry(), std::optional<uint64_t>(900));
  EXPECT_EQ(r.retries, (std::vector<uint64_t>{300, 900}));
}

TEST(SseParserTest, EndDiscardsIncompleteEventIncludingItsFields) {
  SseParser p;
  Recorder r;
  Feed(p, "id: 1\ndata: a\n\nid: 2\nevent: custom\ndata: pending\n", r);
  p.end();
  EXPECT_EQ(p.last_event_id(), "1");
  // Nothing of the discarded event leaks into the next connection's first event.
  Feed(p, "data: b\n\n", r);
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0], (Ev{"message", "a", "1"}));
  EXPECT_EQ(r.events[1], (Ev{"message", "b", "1"}));
}

TEST(SseParserTest, EndDiscardsPartialLineAndRestartsStream) {
  SseParser p;
  Recorder r;
  // The first connection stops inside a line and inside a UTF-8 sequence.
  Feed(p, "data: a\n\ndata: \xE2\x82", r);
  p.end();
  // Had the partial line survived, this would complete it into "data: \xE2\x82\xAC".
  Feed(p, "\xAC\n\ndata: z\n\n", r);
  p.end();
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0].data, "a");
  EXPECT_EQ(r.events[1].data, "z");

  // A new connection is a new stream: its own leading BOM is stripped again.
  Recorder r2;
  Feed(p, "\xEF\xBB", r2);
  Feed(p, "\xBF" "data: bom\n\n", r2);
  p.end();
  ASSERT_EQ(r2.events.size(), 1u);
  EXPECT_EQ(r2.events[0].data, "bom");

  // Data pending when a connection ends after a CR does not reach the next one.
  Recorder r3;
  Feed(p, "data: x\r", r3);
  p.end();
  Feed(p, "data: y\n\n", r3);
  ASSERT_EQ(r3.events.size(), 1u);
  EXPECT_EQ(r3.events[0].data, "y");
}

TEST(SseParserTest, ResetForgetsEverything) {
  SseParser::Options options;
  options.max_event_bytes = 32;
  SseParser p(options);
  Recorder r;
  Feed(p, "id: 77\nretry: 1234\ndata: a\n\nevent: t\ndata: pending\n", r);
  EXPECT_EQ(p.last_event_id(), "77");
  EXPECT_EQ(p.retry(), std::optional<uint64_t>(1234));
  p.reset();
  EXPECT_EQ(p.last_event_id(), "");
  EXPECT_EQ(p.retry(), std::nullopt);
  EXPECT_EQ(p.error(), SseError::kNone);
  EXPECT_EQ(p.options().max_event_bytes, 32u);
  Feed(p, "\ndata: b\n\n", r);
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[1], (Ev{"message", "b", ""}));

  // reset() also clears a latched error, and restarts BOM detection.
  Feed(p, "data: " + std::string(100, 'x') + "\n", r);
  EXPECT_EQ(p.error(), SseError::kEventTooLarge);
  p.reset();
  EXPECT_EQ(p.error(), SseError::kNone);
  EXPECT_EQ(Feed(p, "\xEF\xBB\xBF" "data: c\n\n", r), SseError::kNone);
  ASSERT_EQ(r.events.size(), 3u);
  EXPECT_EQ(r.events[2], (Ev{"message", "c", ""}));
}

TEST(SseParserTest, CommentCallback) {
  SseParser p;
  Recorder r;
  Feed(p, ":heartbeat\n: spaced\n:\r:a:b\r\ndata: x\n:inside\n\n:unterminated", r);
  EXPECT_EQ(r.comments,
            (std::vector<std::string>{"heartbeat", " spaced", "", "a:b", "inside"}));
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].data, "x");
  p.end();
  EXPECT_EQ(r.comments.size(), 5u) << "an unterminated comment line must be discarded";
}

TEST(SseParserTest, CommentSplitAcrossChunks) {
  SseParser p;
  Recorder r;
  for (char c : std::string(": keep-alive\r\n")) Feed(p, std::string(1, c), r);
  EXPECT_EQ(r.comments, (std::vector<std::string>{" keep-alive"}));
}

TEST(SseParserTest, RetryCallback) {
  SseParser p;
  Recorder r;
  Feed(p, "retry: 10\nretry: x\nretry:  5\nretry: 20\nretry: 1.5\n", r);
  EXPECT_EQ(r.retries, (std::vector<uint64_t>{10, 20}));
  EXPECT_EQ(p.retry(), std::optional<uint64_t>(20));
  Feed(p, "retry: 30", r);  // not yet a complete line
  EXPECT_EQ(r.retries.size(), 2u);
  Feed(p, "\r", r);
  EXPECT_EQ(r.retries, (std::vector<uint64_t>{10, 20, 30}));
  EXPECT_EQ(r.events.size(), 0u) << "retry alone dispatches nothing";
}

TEST(SseParserTest, CallbacksArriveInStreamOrder) {
  SseParser p;
  Recorder r;
  Feed(p, ":c1\ndata: 1\nretry: 5\n\n:c2\nevent: e\ndata: 2\n\nretry: 6\n", r);
  EXPECT_EQ(r.log, (std::vector<std::string>{"comment:c1", "retry:5", "event:message|1|",
                                             "comment:c2", "event:e|2|", "retry:6"}));
}

TEST(SseParserTest, EventsArriveAsSoonAsTheirBlankLineDoes) {
  SseParser p;
  Recorder r;
  Feed(p, "data: a\n", r);
  EXPECT_EQ(r.events.size(), 0u);
  Feed(p, "\r", r);  // a CR ends the blank line at once, without waiting for a possible LF
  EXPECT_EQ(r.events.size(), 1u);
  Feed(p, "\ndata: b\r\n", r);  // this LF completes the CRLF: not a second blank line
  EXPECT_EQ(r.events.size(), 1u);
  Feed(p, "\r\n", r);
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[1].data, "b");
}

TEST(SseParserTest, EmptyAndNullFeeds) {
  SseParser p;
  Recorder r;
  EXPECT_EQ(p.feed(nullptr, 0, r), SseError::kNone);
  EXPECT_EQ(Feed(p, "", r), SseError::kNone);
  p.end();
  p.end();
  EXPECT_EQ(r.events.size(), 0u);
  EXPECT_EQ(p.last_event_id(), "");
  EXPECT_EQ(p.retry(), std::nullopt);
}

TEST(SseParserTest, ErrorMessages) {
  EXPECT_STREQ(ssew::sse_error_message(SseError::kNone), "");
  const char* m = ssew::sse_error_message(SseError::kEventTooLarge);
  ASSERT_NE(m, nullptr);
  EXPECT_GT(std::string(m).size(), 0u);
}

TEST(SseParserTest, DefaultLimitIsEightMiB) {
  const size_t limit = size_t{8} << 20;
  SseParser p;
  EXPECT_EQ(p.options().max_event_bytes, limit);
  Recorder r;
  std::string line = "data:" + std::string(limit - 5, 'a');  // exactly the limit
  EXPECT_EQ(Feed(p, line + "\n\n", r), SseError::kNone);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].data.size(), limit - 5);
  line.push_back('a');  // one byte over
  EXPECT_EQ(Feed(p, line + "\n\n", r), SseError::kEventTooLarge);
  EXPECT_EQ(r.events.size(), 1u);
}

// Bytes currently allocated from the heap (glibc), including mmap'ed blocks.
size_t HeapInUse() {
  const struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

// Feeds `block` `repeat` times in pseudo-random small chunks (1..max_chunk bytes).
void FeedInChunks(SseParser& p, SseHandler& h, const std::string& block, int repeat,
                  size_t max_chunk, uint32_t seed) {
  std::minstd_rand rng(seed);
  for (int i = 0; i < repeat; ++i) {
    size_t pos = 0;
    while (pos < block.size()) {
      const size_t len = std::min(block.size() - pos, 1 + rng() % max_chunk);
      p.feed(reinterpret_cast<const uint8_t*>(block.data()) + pos, len, h);
      pos += len;
    }
  }
}

// Counts events without keeping them, so the only memory that can grow is the parser's.
class Counter : public SseHandler {
 public:
  void on_event(const SseEvent& e) override {
    ++events;
    data_bytes += e.data.size();
    last_id.assign(e.id);
  }
  void on_comment(std::string_view) override { ++comments; }
  uint64_t events = 0, data_bytes = 0, comments = 0;
  std::string last_id;
};

TEST(SseParserTest, HundredMegabyteStreamKeepsMemoryBounded) {
  // 1000 events of ~100 bytes, each with an id, a type, two data lines and a comment
  // every tenth event; fed 1000 times: 10^6 events, ~100 MB.
  std::string block;
  for (int i = 0; i < 1000; ++i) {
    block += "id: " + std::to_string(i) + "\nevent: tick\ndata: " + std::string(45, 'a' + i % 26) +
             "\ndata: " + std::string(20, 'z') + "\n" + (i % 10 == 0 ? ": ping\n" : "") + "\n";
  }
  const int kRepeat = 1000;
  SseParser p;
  Counter c;
  FeedInChunks(p, c, block, 10, 61, 1);  // warm up: buffers reach their working size
  ASSERT_EQ(p.error(), SseError::kNone);
  const size_t before = HeapInUse();
  FeedInChunks(p, c, block, kRepeat, 61, 2);
  const size_t after = HeapInUse();
  ASSERT_EQ(p.error(), SseError::kNone);
  EXPECT_EQ(c.events, uint64_t{1000} * (kRepeat + 10));
  EXPECT_EQ(c.data_bytes, c.events * 66);
  EXPECT_EQ(c.comments, uint64_t{100} * (kRepeat + 10));
  EXPECT_EQ(c.last_id, "999");
  EXPECT_GE(block.size() * kRepeat, size_t{100} * 1000 * 1000);
  // Dispatched data must not be retained: the heap may not grow with the stream.
  EXPECT_LT(after, before + 64 * 1024) << "heap grew from " << before << " to " << after
                                       << " bytes while streaming " << block.size() * kRepeat
                                       << " bytes";
}

TEST(SseParserTest, OversizedLineIsNotBuffered) {
  SseParser::Options options;
  options.max_event_bytes = 1 << 20;
  SseParser p(options);
  Counter c;
  const size_t before = HeapInUse();
  // 64 MB of one endless line, in 4 KiB chunks.
  const std::string chunk(4096, 'x');
  SseError last = SseError::kNone;
  for (int i = 0; i < 16 * 1024; ++i) last = p.feed(chunk, c);
  EXPECT_EQ(last, SseError::kEventTooLarge);
  const size_t after = HeapInUse();
  EXPECT_LT(after, before + options.max_event_bytes * 2 + 64 * 1024)
      << "heap grew from " << before << " to " << after;
  p.end();
  EXPECT_EQ(p.feed("data: fine\n\n", c), SseError::kNone);
  EXPECT_EQ(c.events, 1u);
}

TEST(SseParserTest, OversizedEventDataIsNotBuffered) {
  SseParser::Options options;
  options.max_event_bytes = 1 << 20;
  SseParser p(options);
  Counter c;
  const size_t before = HeapInUse();
  // One event of 64 MB of short data lines: the error latches at 1 MiB of data.
  const std::string lines = [] {
    std::string s;
    for (int i = 0; i < 64; ++i) s += "data: " + std::string(57, 'd') + "\n";
    return s;
  }();
  SseError last = SseError::kNone;
  for (int i = 0; i < 16 * 1024; ++i) last = p.feed(lines, c);
  EXPECT_EQ(last, SseError::kEventTooLarge);
  EXPECT_EQ(c.events, 0u);
  const size_t after = HeapInUse();
  EXPECT_LT(after, before + options.max_event_bytes * 2 + 64 * 1024)
      << "heap grew from " << before << " to " << after;
}

// A limit of SIZE_MAX is "no limit" (JavaScript's Infinity or anything >= 2^32 - 1
// saturates to it in wasm): no check may wrap around it.
TEST(SseParserTest, LimitOfSizeMaxIsNoLimit) {
  SseParser::Options options;
  options.max_event_bytes = SIZE_MAX;
  SseParser p(options);
  Recorder r;
  const std::string big(9 << 20, 'b');
  EXPECT_EQ(Feed(p, "data: a\ndata: b\n\ndata: " + big + "\n\n", r), SseError::kNone);
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0].data, "a\nb");
  EXPECT_EQ(r.events[1].data.size(), big.size());
  // Split so that the lines are buffered (line_) and the data copied (data_).
  EXPECT_EQ(Feed(p, "data: x", r), SseError::kNone);
  EXPECT_EQ(Feed(p, "y\ndata: z\n\n", r), SseError::kNone);
  ASSERT_EQ(r.events.size(), 3u);
  EXPECT_EQ(r.events[2].data, "xy\nz");
}

// Only the stream's first byte-order mark is stripped (WHATWG): a U+FEFF that starts
// an id anywhere else is part of it, whatever its length.
TEST(SseParserTest, LeadingBomOfAnIdIsKept) {
  const std::string bom = "\xEF\xBB\xBF";
  for (size_t n = 1; n <= 40; ++n) {
    const std::string id = bom + std::string(n - 1, 'i');
    for (const std::string start : {std::string("data: x\n\n"), bom, std::string()}) {
      SseParser p;
      Recorder r(&p);
      EXPECT_EQ(Feed(p, start + "id: " + id + "\ndata: y\n\n", r), SseError::kNone);
      ASSERT_FALSE(r.events.empty());
      EXPECT_EQ(r.events.back().id, id) << "length " << n << " after " << Escape(start);
      EXPECT_EQ(p.last_event_id(), id) << "length " << n << " after " << Escape(start);
    }
  }
}

// The UTF-16 text of a batch range; the tests use ASCII, where units are bytes.
std::string RangeText(const SseSession& s, size_t word) {
  const auto& w = s.batch().words();
  return s.batch().text().substr(w[word], w[word + 1] - w[word]);
}

// An empty string's range and the next string's start at the same offset: the
// records must still tell them apart by their ends (the JavaScript reader does).
TEST(SseSessionTest, IdAfterAnEventWithEmptyData) {
  SseSession s(SseParser::Options{});
  const std::string input = "data\n\nid: 7\ndata\n\n";
  ASSERT_EQ(s.feed(reinterpret_cast<const uint8_t*>(input.data()), input.size()), 2u);
  ASSERT_EQ(s.batch().words().size(), 12u);
  EXPECT_EQ(RangeText(s, 2), "");
  EXPECT_EQ(RangeText(s, 4), "");
  EXPECT_EQ(RangeText(s, 8), "");
  EXPECT_EQ(RangeText(s, 10), "7");
  EXPECT_EQ(s.parser().last_event_id(), "7");
}

TEST(SseSessionTest, LeadingBomOfAnIdIsInTheBatch) {
  SseSession s(SseParser::Options{});
  const std::string id = "\xEF\xBB\xBF" "0123456789abcdefghij";
  const std::string input = "\xEF\xBB\xBFid: " + id + "\ndata: y\n\n";
  ASSERT_EQ(s.feed(reinterpret_cast<const uint8_t*>(input.data()), input.size()), 1u);
  const auto& w = s.batch().words();
  // U+FEFF is one UTF-16 unit and three bytes: the id's range covers 21 units.
  EXPECT_EQ(w[5] - w[4], 21u);
  EXPECT_EQ(s.batch().text().substr(s.batch().text().size() - id.size()), id);
  EXPECT_EQ(s.parser().last_event_id(), id);
}

}  // namespace
