// Tests for PartialJson: the best-effort rules one by one, the exact change log for
// typical fragment sequences, the ops invariant (replaying ops() == the value of
// best_effort_json()) after every fragment of realistic tool inputs fed in many
// chunkings, consistency of every intermediate value with the final one, limits,
// errors and reset.
#include "partial_json.h"
#include "partial_json_oracle.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace ssew {

// Readable failure messages (found by argument-dependent lookup).
void PrintTo(PartialJsonError error, std::ostream* os) {
  *os << static_cast<int>(error) << " (" << partial_json_error_message(error) << ")";
}

namespace {

using nlohmann::json;
using testing::Applier;
using testing::consistent;
using testing::OpRecord;

// ---------------------------------------------------------------------------
// Helpers (the change-log decoder and applier are in partial_json_oracle.h).

// The records of a change log; a malformed log fails the test.
std::vector<OpRecord> decode_ops(const std::string& bytes) {
  std::vector<OpRecord> records;
  if (const testing::ApplyResult decoded = testing::decode_ops(bytes, &records); !decoded) {
    ADD_FAILURE() << decoded.error;
  }
  return records;
}

// The best-effort value as a json (discarded when there is none).
json value_of(const PartialJson& p) {
  if (!p.has_value()) return json(json::value_t::discarded);
  return json::parse(p.best_effort_json(), nullptr, false);
}

// Checks the ops invariant for one parser state against an applier that has been
// fed every op so far.
::testing::AssertionResult ops_match(const PartialJson& p, const Applier& applier) {
  const std::string text = p.best_effort_json();
  if (p.has_value() != applier.has_value()) {
    return ::testing::AssertionFailure() << "has_value " << p.has_value() << " but ops have "
                                         << applier.has_value() << " for text '" << p.text() << "'";
  }
  if (!p.has_value()) {
    if (!text.empty()) return ::testing::AssertionFailure() << "no value but json '" << text << "'";
    return ::testing::AssertionSuccess();
  }
  const json parsed = json::parse(text, nullptr, false);
  if (parsed.is_discarded()) {
    return ::testing::AssertionFailure() << "best_effort_json is not JSON: '" << text << "'";
  }
  if (parsed != applier.value()) {
    return ::testing::AssertionFailure() << "ops give " << applier.value().dump() << " but best effort is "
                                         << text << " for text '" << p.text() << "'";
  }
  return ::testing::AssertionSuccess();
}

bool is_number_char(char c) {
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

std::vector<std::string> split(const std::string& text, const std::vector<size_t>& sizes) {
  std::vector<std::string> out;
  size_t i = 0, k = 0;
  while (i < text.size()) {
    const size_t n = std::min(sizes.empty() ? text.size() : sizes[k++ % sizes.size()], text.size() - i);
    out.push_back(text.substr(i, n));
    i += n;
  }
  return out;
}

std::vector<std::string> random_split(const std::string& text, uint32_t seed, size_t lo, size_t hi) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<size_t> size(lo, hi);
  std::vector<std::string> out;
  for (size_t i = 0; i < text.size();) {
    const size_t n = std::min(size(rng), text.size() - i);
    out.push_back(text.substr(i, n));
    i += n;
  }
  return out;
}

// Feeds a valid JSON text in the given fragments and checks, after each one: no
// error, the ops invariant (incrementally, with clear_ops()), consistency with the
// final value, complete() exactly when the text so far is valid JSON, and the same
// value as a fresh parser given the whole prefix at once.
void check_valid_stream(const std::string& text, const std::vector<std::string>& fragments,
                        const std::string& label) {
  SCOPED_TRACE(label);
  const json final_value = json::parse(text, nullptr, false);
  ASSERT_FALSE(final_value.is_discarded()) << "test input is not valid JSON: " << text;
  PartialJson p;
  Applier applier;
  std::string prefix;
  for (const std::string& fragment : fragments) {
    prefix += fragment;
    ASSERT_EQ(p.append(fragment), PartialJsonError::kNone) << "at prefix '" << prefix << "'";
    ASSERT_EQ(p.text(), prefix);
    ASSERT_TRUE(applier.apply(p.ops())) << "at prefix '" << prefix << "'";
    p.clear_ops();
    ASSERT_TRUE(ops_match(p, applier));
    ASSERT_EQ(p.complete(), json::accept(prefix)) << "at prefix '" << prefix << "'";
    if (p.has_value()) {
      const json partial = value_of(p);
      int slack = is_number_char(prefix.back()) ? 1 : 0;
      ASSERT_TRUE(consistent(partial, final_value, &slack))
          << "intermediate " << partial.dump() << " is not consistent with " << final_value.dump()
          << " at prefix '" << prefix << "'";
    }
    PartialJson fresh;
    fresh.append(prefix);
    ASSERT_EQ(fresh.best_effort_json(), p.best_effort_json()) << "chunking changed the value at '" << prefix << "'";
    ASSERT_EQ(fresh.has_value(), p.has_value());
  }
  EXPECT_TRUE(p.complete());
  EXPECT_EQ(value_of(p), final_value);
}

void check_all_chunkings(const std::string& text, const std::string& label) {
  check_valid_stream(text, split(text, {1}), label + " / 1-byte fragments");
  for (uint32_t seed = 1; seed <= 4; ++seed) {
    check_valid_stream(text, random_split(text, seed, 3, 10), label + " / random 3-10, seed " + std::to_string(seed));
  }
  check_valid_stream(text, split(text, {}), label + " / whole");
}

// The parser state after the whole text in one append.
struct Parsed {
  PartialJsonError error;
  bool has_value;
  std::string json;
};

Parsed parse_whole(const std::string& text) {
  PartialJson p;
  Parsed result{p.append(text), p.has_value(), p.best_effort_json()};
  Applier applier;
  EXPECT_TRUE(applier.apply(p.ops())) << "for '" << text << "'";
  EXPECT_TRUE(ops_match(p, applier)) << "for '" << text << "'";
  return result;
}

// Every byte-wise prefix of `text` gives the same best-effort value whether fed
// whole or byte by byte (no state is lost between fragments).
void expect_best_effort(const std::string& text, const char* expected_json) {
  SCOPED_TRACE("input: '" + text + "'");
  const Parsed whole = parse_whole(text);
  EXPECT_EQ(whole.error, PartialJsonError::kNone);
  if (expected_json == nullptr) {
    EXPECT_FALSE(whole.has_value);
    EXPECT_EQ(whole.json, "");
  } else {
    ASSERT_TRUE(whole.has_value);
    const json got = json::parse(whole.json, nullptr, false);
    const json want = json::parse(expected_json, nullptr, false);
    ASSERT_FALSE(want.is_discarded()) << expected_json;
    EXPECT_EQ(got, want) << "best_effort_json: " << whole.json;
  }
  PartialJson bytewise;
  for (char c : text) bytewise.append(std::string_view(&c, 1));
  EXPECT_EQ(bytewise.best_effort_json(), whole.json);
}

void expect_syntax_error(const std::string& text, size_t offset, const char* value_before) {
  SCOPED_TRACE("input: '" + text + "'");
  for (int mode = 0; mode < 2; ++mode) {
    PartialJson p;
    Applier applier;
    if (mode == 0) {
      p.append(text);
    } else {
      for (char c : text) p.append(std::string_view(&c, 1));
    }
    EXPECT_EQ(p.error(), PartialJsonError::kSyntax);
    EXPECT_EQ(p.error_offset(), offset);
    EXPECT_EQ(p.text(), text.substr(0, offset));
    EXPECT_FALSE(p.complete());
    EXPECT_TRUE(applier.apply(p.ops()));
    EXPECT_TRUE(ops_match(p, applier));
    if (value_before == nullptr) {
      EXPECT_FALSE(p.has_value());
    } else {
      EXPECT_EQ(value_of(p), json::parse(value_before, nullptr, false)) << p.best_effort_json();
    }
    // Latched: more input changes nothing.
    const std::string before = p.best_effort_json();
    p.clear_ops();
    EXPECT_EQ(p.append("]}\"1"), PartialJsonError::kSyntax);
    EXPECT_EQ(p.best_effort_json(), before);
    EXPECT_EQ(p.ops(), "");
    EXPECT_EQ(p.error_offset(), offset);
  }
}

std::vector<OpRecord> ops_after(PartialJson& p, std::string_view fragment) {
  p.append(fragment);
  std::vector<OpRecord> records = decode_ops(p.ops());
  p.clear_ops();
  return records;
}

OpRecord Op(PartialJsonOp op, std::string text = {}) { return OpRecord{op, std::move(text)}; }

using O = PartialJsonOp;

// ---------------------------------------------------------------------------
// Best-effort rules.

TEST(PartialJsonValue, EmptyAndWhitespaceHaveNoValue) {
  expect_best_effort("", nullptr);
  expect_best_effort("   ", nullptr);
  expect_best_effort(" \t\r\n ", nullptr);
  PartialJson p;
  EXPECT_FALSE(p.has_value());
  EXPECT_FALSE(p.complete());
  EXPECT_EQ(p.best_effort_json(), "");
  EXPECT_EQ(p.error(), PartialJsonError::kNone);
  EXPECT_EQ(p.error_offset(), 0u);
}

TEST(PartialJsonValue, IncompleteStrings) {
  expect_best_effort("\"", "\"\"");
  expect_best_effort("  \"ab", "\"ab\"");
  expect_best_effort("\"ab\\", "\"ab\"");
  expect_best_effort("\"ab\\u", "\"ab\"");
  expect_best_effort("\"ab\\u00", "\"ab\"");
  expect_best_effort("\"ab\\u00e", "\"ab\"");
  expect_best_effort("\"ab\\u00e9", "\"ab\u00e9\"");
  expect_best_effort("\"ab\\u00E9", "\"ab\u00e9\"");
  expect_best_effort("\"a\\nb\\\"c\\\\d\\/e\\tf\\rg\\bh\\fi", "\"a\\nb\\\"c\\\\d/e\\tf\\rg\\bh\\fi\"");
  expect_best_effort("\"x\\u0000y", "\"x\\u0000y\"");
  expect_best_effort("\"x\\u001f", "\"x\\u001f\"");
  expect_best_effort("\"caf\xC3\xA9 \xE6\x97\xA5 \xF0\x9F\x98\x80", "\"caf\u00e9 \u65e5 \U0001F600\"");
}

TEST(PartialJsonValue, SplitUtf8CharacterIsShownOnlyWhenWhole) {
  expect_best_effort("\"a\xC3", "\"a\"");
  expect_best_effort("\"a\xE6\x97", "\"a\"");
  expect_best_effort("\"a\xF0\x9F\x98", "\"a\"");
  expect_best_effort("\"a\xF0\x9F\x98\x80", "\"a\U0001F600\"");
  PartialJson p;
  Applier applier;
  for (std::string_view piece : {"[\"a\xF0", "\x9F", "\x98", "\x80", "b\""}) {
    p.append(piece);
    ASSERT_TRUE(applier.apply(p.ops()));
    p.clear_ops();
    ASSERT_TRUE(ops_match(p, applier));
  }
  EXPECT_EQ(p.best_effort_json(), "[\"a\xF0\x9F\x98\x80" "b\"]");
}

TEST(PartialJsonValue, SurrogatePairs) {
  expect_best_effort("\"\\uD83D", "\"\"");
  expect_best_effort("\"\\uD83D\\", "\"\"");
  expect_best_effort("\"\\uD83D\\u", "\"\"");
  expect_best_effort("\"\\uD83D\\uDE0", "\"\"");
  expect_best_effort("\"\\uD83D\\uDE00", "\"\U0001F600\"");
  expect_best_effort("\"\\ud83d\\ude00!\"", "\"\U0001F600!\"");
  expect_best_effort("\"\\uDBFF\\uDFFF\"", "\"\U0010FFFF\"");
  expect_best_effort("\"\\uD800\\uDC00\"", "\"\U00010000\"");
}

TEST(PartialJsonValue, LoneSurrogatesBecomeReplacementCharacter) {
  expect_best_effort("\"\\uD83D\"", "\"\\ufffd\"");
  expect_best_effort("\"\\uD83Dx", "\"\\ufffdx\"");
  expect_best_effort("\"\\uDE00", "\"\\ufffd\"");
  expect_best_effort("\"\\uDE00\\uD83D\"", "\"\\ufffd\\ufffd\"");
  expect_best_effort("\"\\uD83D\\u0041", "\"\\ufffdA\"");
  expect_best_effort("\"\\uD83D\\n", "\"\\ufffd\\n\"");
  expect_best_effort("\"\\uD83D\\uD83D\\uDE00", "\"\\ufffd\U0001F600\"");
  expect_best_effort("\"\\uD83D\xC3\xA9", "\"\\ufffd\u00e9\"");
  // Keys too.
  expect_best_effort("{\"\\uD83D\":1}", "{\"\\ufffd\":1}");
}

TEST(PartialJsonValue, IncompleteObjects) {
  expect_best_effort("{", "{}");
  expect_best_effort("{ ", "{}");
  expect_best_effort("{\"", "{}");
  expect_best_effort("{\"ab", "{}");
  expect_best_effort("{\"a\"", "{}");
  expect_best_effort("{\"a\" ", "{}");
  expect_best_effort("{\"a\":", "{}");
  expect_best_effort("{\"a\": ", "{}");
  expect_best_effort("{\"a\":\"", "{\"a\":\"\"}");
  expect_best_effort("{\"a\":\"x", "{\"a\":\"x\"}");
  expect_best_effort("{\"a\":1", "{\"a\":1}");
  expect_best_effort("{\"a\":-", "{}");
  expect_best_effort("{\"a\":-1", "{\"a\":-1}");
  expect_best_effort("{\"a\":t", "{\"a\":true}");
  expect_best_effort("{\"a\":[", "{\"a\":[]}");
  expect_best_effort("{\"a\":{", "{\"a\":{}}");
  expect_best_effort("{\"a\":{\"b\":", "{\"a\":{}}");
  expect_best_effort("{\"a\":1,", "{\"a\":1}");
  expect_best_effort("{\"a\":1, \"b", "{\"a\":1}");
  expect_best_effort("{\"a\":1,\"b\":", "{\"a\":1}");
  expect_best_effort("{\"a\":1,\"b\":n", "{\"a\":1,\"b\":null}");
  expect_best_effort("{\"a\":1,\"b\":-", "{\"a\":1}");
  expect_best_effort("{\"a\":1,\"b\":-2", "{\"a\":1,\"b\":-2}");
  expect_best_effort("{\"a\":1}", "{\"a\":1}");
  expect_best_effort("{\"k\\\"e\\\\y\\n\":\"v\"", "{\"k\\\"e\\\\y\\n\":\"v\"}");
}

TEST(PartialJsonValue, IncompleteArrays) {
  expect_best_effort("[", "[]");
  expect_best_effort("[ ", "[]");
  expect_best_effort("[1", "[1]");
  expect_best_effort("[1,", "[1]");
  expect_best_effort("[1, ", "[1]");
  expect_best_effort("[1,-", "[1]");
  expect_best_effort("[1,-2", "[1,-2]");
  expect_best_effort("[\"a\",[", "[\"a\",[]]");
  expect_best_effort("[[],{}", "[[],{}]");
  expect_best_effort("[[1,[2,[3", "[[1,[2,[3]]]]");
  expect_best_effort("[{\"a\":[{\"b\":\"c", "[{\"a\":[{\"b\":\"c\"}]}]");
  expect_best_effort("[]", "[]");
}

TEST(PartialJsonValue, IncompleteNumbers) {
  expect_best_effort("-", nullptr);
  expect_best_effort(" -", nullptr);
  expect_best_effort("0", "0");
  expect_best_effort("-0", "0");
  expect_best_effort("-0.", "0");
  expect_best_effort("1", "1");
  expect_best_effort("12", "12");
  expect_best_effort("12.", "12");
  expect_best_effort("12.5", "12.5");
  expect_best_effort("1e", "1");
  expect_best_effort("1E", "1");
  expect_best_effort("1e+", "1");
  expect_best_effort("1e-", "1");
  expect_best_effort("1e5", "1e5");
  expect_best_effort("1.5e-", "1.5");
  expect_best_effort("1.5e-3", "0.0015");
  expect_best_effort("-12.5E+3", "-12500");
  expect_best_effort("0.", "0");
  expect_best_effort("0e", "0");
  expect_best_effort("0.25", "0.25");
  expect_best_effort("12345678901234567890", "12345678901234567890");
  // The shown text keeps the original spelling of the valid prefix.
  EXPECT_EQ(parse_whole("[1.50e+").json, "[1.50]");
  EXPECT_EQ(parse_whole("-0.").json, "-0");
  EXPECT_EQ(parse_whole("{\"n\":1E9").json, "{\"n\":1E9}");
}

TEST(PartialJsonValue, NumbersBeyondADoubleKeepTheirText) {
  // Valid JSON (JSON.parse reads Infinity) that nlohmann::json refuses to parse, so
  // the text and the ops are checked as text.
  PartialJson p;
  EXPECT_EQ(ops_after(p, "[1e99"), (std::vector<OpRecord>{Op(O::kBeginArray), Op(O::kNumber, "1e99")}));
  EXPECT_EQ(ops_after(p, "9,-2E+4"), (std::vector<OpRecord>{Op(O::kNumberAppend, "9"), Op(O::kNumber, "-2E+4")}));
  EXPECT_EQ(ops_after(p, "00]"), (std::vector<OpRecord>{Op(O::kNumberAppend, "00"), Op(O::kEnd)}));
  EXPECT_EQ(p.best_effort_json(), "[1e999,-2E+400]");
  EXPECT_TRUE(p.complete());
}

TEST(PartialJsonValue, IncompleteLiterals) {
  for (const char* text : {"t", "tr", "tru", "true"}) expect_best_effort(text, "true");
  for (const char* text : {"f", "fa", "fal", "fals", "false"}) expect_best_effort(text, "false");
  for (const char* text : {"n", "nu", "nul", "null"}) expect_best_effort(text, "null");
  expect_best_effort("[t", "[true]");
  expect_best_effort("[true,f", "[true,false]");
  expect_best_effort("{\"a\":nu", "{\"a\":null}");
}

TEST(PartialJsonValue, BestEffortJsonIsCompact) {
  EXPECT_EQ(parse_whole(" { \"a\" : [ 1 , \"x\\\"y\\n\" , { } , [ ] , true , null ] , \"b\" : -0.5e-3 } ").json,
            "{\"a\":[1,\"x\\\"y\\n\",{},[],true,null],\"b\":-0.5e-3}");
  EXPECT_EQ(parse_whole("{\"a\":[1,\"x\\\"y\\n").json, "{\"a\":[1,\"x\\\"y\\n\"]}");
  EXPECT_EQ(parse_whole("\"\\u0001\\u001F\\u007f/\\/\"").json, "\"\\u0001\\u001f\x7f//\"");
  EXPECT_EQ(parse_whole("\"\\u00e9\\u2028\"").json, "\"\u00e9\u2028\"");
}

TEST(PartialJsonValue, DuplicateKeysBehaveLikeJsonParse) {
  // The last occurrence wins, in the best-effort text (as a JSON parser reads it)
  // and in the ops.
  expect_best_effort("{\"a\":1,\"a\":\"x", "{\"a\":\"x\"}");
  expect_best_effort("{\"a\":{\"b\":1},\"a\":[", "{\"a\":[]}");
  expect_best_effort("{\"a\":{\"b\":1},\"a\":", "{\"a\":{\"b\":1}}");
}

// ---------------------------------------------------------------------------
// complete().

TEST(PartialJsonComplete, ExactlyWhenTheTextIsValidJson) {
  const std::vector<std::pair<std::string, bool>> cases = {
      {"", false},        {" ", false},        {"{", false},       {"{}", true},
      {"{} ", true},      {" {}\n\t\r ", true}, {"[1", false},     {"[1]", true},
      {"\"a", false},     {"\"a\"", true},     {"\"a\\\"", false}, {"tru", false},
      {"true", true},     {"null ", true},     {"1", true},        {"12", true},
      {"12.", false},     {"12.5", true},      {"1e", false},      {"1e+", false},
      {"1e+2", true},     {"-", false},        {"-0", true},       {"-0 ", true},
      {"{\"a\":1", false}, {"{\"a\":1}", true}, {"[[]", false},    {"[[]]", true},
  };
  for (const auto& [text, want] : cases) {
    PartialJson p;
    p.append(text);
    EXPECT_EQ(p.complete(), want) << "'" << text << "'";
    EXPECT_EQ(p.complete(), json::accept(text)) << "'" << text << "'";
  }
}

TEST(PartialJsonComplete, FalseAfterAnError) {
  PartialJson p;
  EXPECT_EQ(p.append("{}"), PartialJsonError::kNone);
  EXPECT_TRUE(p.complete());
  EXPECT_EQ(p.append(" x"), PartialJsonError::kSyntax);
  EXPECT_FALSE(p.complete());
  EXPECT_EQ(p.best_effort_json(), "{}");
}

// ---------------------------------------------------------------------------
// Syntax errors: found at the first impossible byte, latched, value kept.

TEST(PartialJsonErrors, SyntaxErrorsAreFoundAtTheFirstImpossibleByte) {
  expect_syntax_error("{\"a\" 1", 5, "{}");
  expect_syntax_error("]", 0, nullptr);
  expect_syntax_error("}", 0, nullptr);
  expect_syntax_error("tx", 1, "true");
  expect_syntax_error("trUe", 2, "true");
  expect_syntax_error("nul1", 3, "null");
  expect_syntax_error("01", 1, "0");
  expect_syntax_error("[-01]", 3, "[0]");
  expect_syntax_error("-a", 1, nullptr);
  expect_syntax_error("+1", 0, nullptr);
  expect_syntax_error(".5", 0, nullptr);
  expect_syntax_error("1.e", 2, "1");
  expect_syntax_error("[1.]", 3, "[1]");
  expect_syntax_error("1e+-", 3, "1");
  expect_syntax_error("1ex", 2, "1");
  expect_syntax_error("[1x", 2, "[1]");
  expect_syntax_error("\"a\x01\"", 2, "\"a\"");
  expect_syntax_error("\"a\n\"", 2, "\"a\"");
  expect_syntax_error("{\"a\tb\":1}", 3, "{}");
  expect_syntax_error("{} {}", 3, "{}");
  expect_syntax_error("1 2", 2, "1");
  expect_syntax_error("\"a\"\"b\"", 3, "\"a\"");
  expect_syntax_error("[1,]", 3, "[1]");
  expect_syntax_error("[,1]", 1, "[]");
  expect_syntax_error("{,}", 1, "{}");
  expect_syntax_error("{\"a\":1,}", 7, "{\"a\":1}");
  expect_syntax_error("[1 2]", 3, "[1]");
  expect_syntax_error("{\"a\"::1}", 5, "{}");
  expect_syntax_error("{\"a\",1}", 4, "{}");
  expect_syntax_error("{1:2}", 1, "{}");
  expect_syntax_error("{'a':2}", 1, "{}");
  expect_syntax_error("[}", 1, "[]");
  expect_syntax_error("{]", 1, "{}");
  expect_syntax_error("[{\"a\":1]", 7, "[{\"a\":1}]");
  expect_syntax_error("\"abc\"x", 5, "\"abc\"");
  expect_syntax_error("truex", 4, "true");
  expect_syntax_error("\"\\x\"", 2, "\"\"");
  expect_syntax_error("\"\\u12g4\"", 5, "\"\"");
  expect_syntax_error("\"\\uD83D\\x\"", 8, "\"\"");
  expect_syntax_error("\"\\uD83D\x01", 7, "\"\"");
  // Invalid UTF-8: stray continuation, overlong, encoded surrogate, beyond U+10FFFF,
  // a lead byte followed by ASCII, an invalid byte outside strings, a BOM.
  expect_syntax_error("\"a\x80\"", 2, "\"a\"");
  expect_syntax_error("\"a\xC0\x80\"", 2, "\"a\"");
  expect_syntax_error("\"a\xC3(\"", 3, "\"a\"");
  expect_syntax_error("\"a\xE0\x80\x80\"", 3, "\"a\"");
  expect_syntax_error("\"a\xED\xA0\x80\"", 3, "\"a\"");
  expect_syntax_error("\"a\xF4\x90\x80\x80\"", 3, "\"a\"");
  expect_syntax_error("\"a\xF5\"", 2, "\"a\"");
  expect_syntax_error("\"a\xFF\"", 2, "\"a\"");
  expect_syntax_error("[\xC3\xA9]", 1, "[]");
  expect_syntax_error("\xEF\xBB\xBF{}", 0, nullptr);
}

TEST(PartialJsonErrors, ErrorInALaterFragmentKeepsTheValueAndOps) {
  PartialJson p;
  Applier applier;
  EXPECT_EQ(p.append("{\"a\":[1,2"), PartialJsonError::kNone);
  ASSERT_TRUE(applier.apply(p.ops()));
  p.clear_ops();
  EXPECT_EQ(p.append("3,\"xy"), PartialJsonError::kNone);
  ASSERT_TRUE(applier.apply(p.ops()));
  p.clear_ops();
  // The fragment's bytes before the bad one still count.
  EXPECT_EQ(p.append("z\x02tail"), PartialJsonError::kSyntax);
  ASSERT_TRUE(applier.apply(p.ops()));
  p.clear_ops();
  EXPECT_TRUE(ops_match(p, applier));
  EXPECT_EQ(p.best_effort_json(), "{\"a\":[1,23,\"xyz\"]}");
  EXPECT_EQ(p.error_offset(), 15u);
  EXPECT_EQ(p.text(), "{\"a\":[1,23,\"xyz");
  EXPECT_EQ(p.append("\"]}"), PartialJsonError::kSyntax);
  EXPECT_EQ(p.error(), PartialJsonError::kSyntax);
  EXPECT_EQ(p.ops(), "");
  EXPECT_EQ(p.text(), "{\"a\":[1,23,\"xyz");
}

TEST(PartialJsonErrors, NumberEndedByABadByteIsFlushedFirst) {
  PartialJson p;
  Applier applier;
  p.append("[12");
  ASSERT_TRUE(applier.apply(p.ops()));
  p.clear_ops();
  EXPECT_EQ(p.append("3}"), PartialJsonError::kSyntax);
  EXPECT_EQ(decode_ops(p.ops()), (std::vector<OpRecord>{Op(O::kNumberAppend, "3")}));
  ASSERT_TRUE(applier.apply(p.ops()));
  EXPECT_TRUE(ops_match(p, applier));
  EXPECT_EQ(p.best_effort_json(), "[123]");
}

TEST(PartialJsonErrors, MessagesAreStable) {
  EXPECT_STREQ(partial_json_error_message(PartialJsonError::kNone), "");
  EXPECT_STRNE(partial_json_error_message(PartialJsonError::kSyntax), "");
  EXPECT_STRNE(partial_json_error_message(PartialJsonError::kTooDeep), "");
  EXPECT_STRNE(partial_json_error_message(PartialJsonError::kTooLarge), "");
  EXPECT_STRNE(partial_json_error_message(PartialJsonError::kSyntax),
               partial_json_error_message(PartialJsonError::kTooDeep));
}

// ---------------------------------------------------------------------------
// Limits.

TEST(PartialJsonLimits, DepthLimitKeepsThePreviousValue) {
  PartialJson::Limits limits;
  limits.max_depth = 3;
  for (int mode = 0; mode < 2; ++mode) {
    PartialJson p(limits);
    Applier applier;
    const std::string text = "[{\"a\":[1,[2]]}]";
    if (mode == 0) {
      p.append(text);
    } else {
      for (char c : text) p.append(std::string_view(&c, 1));
    }
    EXPECT_EQ(p.error(), PartialJsonError::kTooDeep);
    EXPECT_EQ(p.error_offset(), 9u);
    EXPECT_EQ(p.text(), "[{\"a\":[1,");
    EXPECT_EQ(p.best_effort_json(), "[{\"a\":[1]}]");
    ASSERT_TRUE(applier.apply(p.ops()));
    EXPECT_TRUE(ops_match(p, applier));
    EXPECT_EQ(p.append("]"), PartialJsonError::kTooDeep);
  }
  // Exactly max_depth levels are fine; closing and reopening is fine.
  PartialJson p(limits);
  EXPECT_EQ(p.append("[[[1]],[{}],{\"a\":{\"b\":1}}]"), PartialJsonError::kNone);
  EXPECT_TRUE(p.complete());
}

TEST(PartialJsonLimits, DepthZeroAllowsOnlyScalars) {
  PartialJson::Limits limits;
  limits.max_depth = 0;
  PartialJson scalar(limits);
  EXPECT_EQ(scalar.append("\"x\""), PartialJsonError::kNone);
  PartialJson object(limits);
  EXPECT_EQ(object.append("{"), PartialJsonError::kTooDeep);
  EXPECT_FALSE(object.has_value());
}

TEST(PartialJsonLimits, DefaultDepthIs128) {
  PartialJson p;
  EXPECT_EQ(p.limits().max_depth, 128u);
  EXPECT_EQ(p.limits().max_bytes, size_t{16} << 20);
  EXPECT_EQ(p.append(std::string(128, '[')), PartialJsonError::kNone);
  EXPECT_EQ(p.append("["), PartialJsonError::kTooDeep);
  EXPECT_EQ(p.error_offset(), 128u);
  EXPECT_EQ(p.best_effort_json(), std::string(128, '[') + std::string(128, ']'));
}

TEST(PartialJsonLimits, ByteLimitStopsAtTheLimit) {
  PartialJson::Limits limits;
  limits.max_bytes = 10;
  PartialJson p(limits);
  Applier applier;
  EXPECT_EQ(p.append("[1,2,3"), PartialJsonError::kNone);
  EXPECT_EQ(p.append(",4,5,6]"), PartialJsonError::kTooLarge);
  EXPECT_EQ(p.error_offset(), 10u);
  EXPECT_EQ(p.text(), "[1,2,3,4,5");
  EXPECT_EQ(p.best_effort_json(), "[1,2,3,4,5]");
  ASSERT_TRUE(applier.apply(p.ops()));
  EXPECT_TRUE(ops_match(p, applier));
  EXPECT_FALSE(p.complete());
  EXPECT_EQ(p.append("]"), PartialJsonError::kTooLarge);
  EXPECT_EQ(p.text().size(), 10u);
}

TEST(PartialJsonLimits, ExactlyMaxBytesIsAccepted) {
  PartialJson::Limits limits;
  limits.max_bytes = 5;
  PartialJson p(limits);
  EXPECT_EQ(p.append("[1,2]"), PartialJsonError::kNone);
  EXPECT_TRUE(p.complete());
  EXPECT_EQ(p.append(""), PartialJsonError::kNone);
  EXPECT_EQ(p.append(" "), PartialJsonError::kTooLarge);
  EXPECT_EQ(p.error_offset(), 5u);
  EXPECT_EQ(p.best_effort_json(), "[1,2]");
}

TEST(PartialJsonLimits, ASyntaxErrorBeforeTheLimitWins) {
  PartialJson::Limits limits;
  limits.max_bytes = 4;
  PartialJson p(limits);
  EXPECT_EQ(p.append("[1}2345"), PartialJsonError::kSyntax);
  EXPECT_EQ(p.error_offset(), 2u);
}

// ---------------------------------------------------------------------------
// reset().

TEST(PartialJsonReset, ForgetsEverythingButTheLimits) {
  PartialJson::Limits limits;
  limits.max_depth = 2;
  PartialJson p(limits);
  p.append("[[[");
  ASSERT_EQ(p.error(), PartialJsonError::kTooDeep);
  p.reset();
  EXPECT_EQ(p.error(), PartialJsonError::kNone);
  EXPECT_EQ(p.error_offset(), 0u);
  EXPECT_EQ(p.text(), "");
  EXPECT_EQ(p.ops(), "");
  EXPECT_FALSE(p.has_value());
  EXPECT_EQ(p.limits().max_depth, 2u);
  Applier applier;
  EXPECT_EQ(p.append("{\"a\":[\"b\"]}"), PartialJsonError::kNone);
  ASSERT_TRUE(applier.apply(p.ops()));
  EXPECT_TRUE(ops_match(p, applier));
  EXPECT_TRUE(p.complete());
  EXPECT_EQ(p.append("["), PartialJsonError::kSyntax);
  p.reset();
  EXPECT_EQ(p.append("[[[]]]"), PartialJsonError::kTooDeep);
}

TEST(PartialJsonReset, ResetInTheMiddleOfEveryKindOfToken) {
  for (const char* partial : {"\"ab\\u00", "{\"key", "[1.5e", "tru", "\"\xE6\x97", "\"\\uD83D"}) {
    PartialJson p;
    p.append(partial);
    p.reset();
    Applier applier;
    EXPECT_EQ(p.append("[\"x\",2]"), PartialJsonError::kNone) << partial;
    ASSERT_TRUE(applier.apply(p.ops()));
    EXPECT_TRUE(ops_match(p, applier));
    EXPECT_EQ(p.best_effort_json(), "[\"x\",2]");
  }
}

// ---------------------------------------------------------------------------
// Ops: exact records and encoding.

TEST(PartialJsonOps, ByteEncodingIsLittleEndianLengthThenText) {
  PartialJson p;
  p.append("{\"ab\":1}");
  const std::string expected("\x01" "\x03" "\x02\x00\x00\x00" "ab" "\x06" "\x01\x00\x00\x00" "1" "\x0b", 15);
  EXPECT_EQ(p.ops(), expected);
  EXPECT_EQ(static_cast<int>(PartialJsonOp::kBeginObject), 1);
  EXPECT_EQ(static_cast<int>(PartialJsonOp::kBeginArray), 2);
  EXPECT_EQ(static_cast<int>(PartialJsonOp::kKey), 3);
  EXPECT_EQ(static_cast<int>(PartialJsonOp::kString), 4);
  EXPECT_EQ(static_cast<int>(PartialJsonOp::kStringAppend), 5);
  EXPECT_EQ(static_cast<int>(PartialJsonOp::kNumber), 6);
  EXPECT_EQ(static_cast<int>(PartialJsonOp::kNumberAppend), 7);
  EXPECT_EQ(static_cast<int>(PartialJsonOp::kTrue), 8);
  EXPECT_EQ(static_cast<int>(PartialJsonOp::kFalse), 9);
  EXPECT_EQ(static_cast<int>(PartialJsonOp::kNull), 10);
  EXPECT_EQ(static_cast<int>(PartialJsonOp::kEnd), 11);
}

TEST(PartialJsonOps, LongTextLengthUsesAllFourBytes) {
  PartialJson p;
  const std::string long_text(70000, 'x');
  p.append("\"");
  p.clear_ops();
  p.append(long_text);
  const std::string& ops = p.ops();
  ASSERT_EQ(ops.size(), 5 + long_text.size());
  EXPECT_EQ(static_cast<uint8_t>(ops[0]), 5);
  EXPECT_EQ(static_cast<uint8_t>(ops[1]), 70000 & 0xFF);
  EXPECT_EQ(static_cast<uint8_t>(ops[2]), (70000 >> 8) & 0xFF);
  EXPECT_EQ(static_cast<uint8_t>(ops[3]), 70000 >> 16);
  EXPECT_EQ(static_cast<uint8_t>(ops[4]), 0);
}

TEST(PartialJsonOps, KeyIsEmittedWithItsValue) {
  PartialJson p;
  EXPECT_EQ(ops_after(p, "{\"a\":"), (std::vector<OpRecord>{Op(O::kBeginObject)}));
  EXPECT_EQ(ops_after(p, "\"x"), (std::vector<OpRecord>{Op(O::kKey, "a"), Op(O::kString, "x")}));
  EXPECT_EQ(ops_after(p, "yz"), (std::vector<OpRecord>{Op(O::kStringAppend, "yz")}));
  EXPECT_EQ(ops_after(p, "\""), (std::vector<OpRecord>{Op(O::kEnd)}));
  EXPECT_EQ(ops_after(p, ",\"b"), (std::vector<OpRecord>{}));
  EXPECT_EQ(ops_after(p, "\" : "), (std::vector<OpRecord>{}));
  EXPECT_EQ(ops_after(p, "[t"), (std::vector<OpRecord>{Op(O::kKey, "b"), Op(O::kBeginArray), Op(O::kTrue)}));
  EXPECT_EQ(ops_after(p, "rue"), (std::vector<OpRecord>{}));
  EXPECT_EQ(ops_after(p, ",{}]}"),
            (std::vector<OpRecord>{Op(O::kBeginObject), Op(O::kEnd), Op(O::kEnd), Op(O::kEnd)}));
  EXPECT_TRUE(p.complete());
}

TEST(PartialJsonOps, WholeValueInOneFragmentIsMinimal) {
  PartialJson p;
  EXPECT_EQ(ops_after(p, "{\"a\":\"hello\",\"n\":-12.5e3,\"l\":[null,false]}"),
            (std::vector<OpRecord>{Op(O::kBeginObject), Op(O::kKey, "a"), Op(O::kString, "hello"), Op(O::kEnd),
                                   Op(O::kKey, "n"), Op(O::kNumber, "-12.5e3"), Op(O::kKey, "l"),
                                   Op(O::kBeginArray), Op(O::kNull), Op(O::kFalse), Op(O::kEnd), Op(O::kEnd)}));
}

TEST(PartialJsonOps, NumberIsAnnouncedWhenVisibleAndAppendedOncePerFragment) {
  PartialJson p;
  EXPECT_EQ(ops_after(p, "[-"), (std::vector<OpRecord>{Op(O::kBeginArray)}));
  EXPECT_EQ(ops_after(p, "1"), (std::vector<OpRecord>{Op(O::kNumber, "-1")}));
  EXPECT_EQ(ops_after(p, "23"), (std::vector<OpRecord>{Op(O::kNumberAppend, "23")}));
  EXPECT_EQ(ops_after(p, "."), (std::vector<OpRecord>{}));
  EXPECT_EQ(ops_after(p, "5e"), (std::vector<OpRecord>{Op(O::kNumberAppend, ".5")}));
  EXPECT_EQ(ops_after(p, "+"), (std::vector<OpRecord>{}));
  EXPECT_EQ(ops_after(p, "2,7"),
            (std::vector<OpRecord>{Op(O::kNumberAppend, "e+2"), Op(O::kNumber, "7")}));
  EXPECT_EQ(ops_after(p, "]"), (std::vector<OpRecord>{Op(O::kEnd)}));
  PartialJson q;
  EXPECT_EQ(ops_after(q, "12."), (std::vector<OpRecord>{Op(O::kNumber, "12")}));
  EXPECT_EQ(ops_after(q, " "), (std::vector<OpRecord>{}));  // ends in an error: "12. "
  EXPECT_EQ(q.error(), PartialJsonError::kSyntax);
  PartialJson r;
  EXPECT_EQ(ops_after(r, "12"), (std::vector<OpRecord>{Op(O::kNumber, "12")}));
  EXPECT_EQ(ops_after(r, " "), (std::vector<OpRecord>{}));  // ends, unchanged
  EXPECT_TRUE(r.complete());
}

TEST(PartialJsonOps, StringEscapesAndCharactersAreEmittedWhenComplete) {
  PartialJson p;
  EXPECT_EQ(ops_after(p, "\"ab\\"), (std::vector<OpRecord>{Op(O::kString, "ab")}));
  EXPECT_EQ(ops_after(p, "n"), (std::vector<OpRecord>{Op(O::kStringAppend, "\n")}));
  EXPECT_EQ(ops_after(p, "\\u00"), (std::vector<OpRecord>{}));
  EXPECT_EQ(ops_after(p, "e9\\uD83D"), (std::vector<OpRecord>{Op(O::kStringAppend, "\u00e9")}));
  EXPECT_EQ(ops_after(p, "\\uDE00\xE6"), (std::vector<OpRecord>{Op(O::kStringAppend, "\U0001F600")}));
  EXPECT_EQ(ops_after(p, "\x97\xA5\""), (std::vector<OpRecord>{Op(O::kStringAppend, "\u65e5"), Op(O::kEnd)}));
  EXPECT_EQ(ops_after(p, "  "), (std::vector<OpRecord>{}));
  EXPECT_TRUE(p.complete());
}

TEST(PartialJsonOps, EmptyStringIsAnnounced) {
  PartialJson p;
  EXPECT_EQ(ops_after(p, "[\""), (std::vector<OpRecord>{Op(O::kBeginArray), Op(O::kString, "")}));
  EXPECT_EQ(ops_after(p, "\"]"), (std::vector<OpRecord>{Op(O::kEnd), Op(O::kEnd)}));
  PartialJson q;
  EXPECT_EQ(ops_after(q, "[\"\"]"),
            (std::vector<OpRecord>{Op(O::kBeginArray), Op(O::kString, ""), Op(O::kEnd), Op(O::kEnd)}));
}

TEST(PartialJsonOps, OpsAccumulateUntilCleared) {
  // Replaying the whole log since reset() gives the value at every point.
  const std::string text = "{\"a\":[1,{\"b\":\"c\\u00e9d\"},-2.5e1],\"e\":\"f\"}";
  PartialJson p;
  for (size_t i = 0; i < text.size(); ++i) {
    p.append(std::string_view(&text[i], 1));
    Applier applier;
    ASSERT_TRUE(applier.apply(p.ops()));
    ASSERT_TRUE(ops_match(p, applier)) << i;
  }
}

TEST(PartialJsonOps, AppendGrowsOpsInProportionToTheFragment) {
  // A long string value, then many numbers and small members: each append adds at
  // most a constant more than the fragment's own size to the log.
  std::string text = "{\"body\":\"";
  for (int i = 0; i < 20000; ++i) text += "lorem ipsum \\n \\\"q\\\" caf\xC3\xA9 ";
  text += "\",\"items\":[";
  for (int i = 0; i < 3000; ++i) text += (i ? "," : "") + std::to_string(i * 7 - 5000) + ".25";
  text += "],\"m\":{";
  for (int i = 0; i < 2000; ++i) text += std::string(i ? "," : "") + "\"k" + std::to_string(i) + "\":true";
  text += "}}";
  const auto fragments = random_split(text, 99, 3, 10);
  PartialJson p;
  Applier applier;
  size_t n = 0;
  for (const std::string& fragment : fragments) {
    ASSERT_EQ(p.append(fragment), PartialJsonError::kNone);
    // Keys ("k1999", 5 bytes) and numbers ("-5000.25") may be carried whole by an
    // op even when the fragment holds only their end.
    ASSERT_LE(p.ops().size(), 2 * fragment.size() + 32) << "fragment '" << fragment << "'";
    ASSERT_TRUE(applier.apply(p.ops()));
    p.clear_ops();
    if (++n % 2000 == 0) {
      ASSERT_TRUE(ops_match(p, applier));
    }
  }
  EXPECT_TRUE(p.complete());
  EXPECT_TRUE(ops_match(p, applier));
  EXPECT_EQ(applier.value(), json::parse(text, nullptr, false));
  EXPECT_GT(text.size(), 300000u);
}

// Issue 12, item 1: a number's ops used to re-send its whole best-effort text at
// every fragment, so `{"n":1` + 130,000 digits in 10-byte fragments (one drain at
// the end, as between two snapshots) made about 845 MB of ops and aborted the wasm
// core. The log must stay O(input) however long the number (integer, fraction or
// exponent digits).
TEST(PartialJsonOps, LongNumbersCostOpsInProportionToTheirText) {
  struct Case {
    const char* label;
    std::string head;
    char digit;
  };
  // 1777…7 and 1e777…7 read as Infinity, 1.777…7 as 1.7777777777777777, 2E+000…03
  // as 2000.
  const Case cases[] = {
      {"integer", "1", '7'},
      {"fraction", "1.", '7'},
      {"exponent", "1e", '7'},
      {"exponent of zeros", "2E+", '0'},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.label);
    const std::string number = c.head + std::string(130000, c.digit) + (c.digit == '0' ? "3" : "");
    const std::string text = "{\"n\":" + number + "}";
    PartialJson p;
    for (const std::string& fragment : split(text, {10})) {
      ASSERT_EQ(p.append(fragment), PartialJsonError::kNone);
      // Never cleared: the bound holds for the whole log, at every fragment.
      ASSERT_LE(p.ops().size(), 4 * p.text().size()) << "after " << p.text().size() << " bytes";
    }
    EXPECT_TRUE(p.complete());
    EXPECT_EQ(p.best_effort_json(), text);
    Applier applier;
    ASSERT_TRUE(applier.apply(p.ops()));
    const json& n = applier.value().at("n");
    ASSERT_TRUE(n.is_number());
    EXPECT_EQ(n.get<double>(), std::strtod(number.c_str(), nullptr));
  }
}

TEST(PartialJsonOps, NumberAppendCarriesOnlyTheNewValidBytes) {
  PartialJson p;
  EXPECT_EQ(ops_after(p, "[1"), (std::vector<OpRecord>{Op(O::kBeginArray), Op(O::kNumber, "1")}));
  EXPECT_EQ(ops_after(p, "23"), (std::vector<OpRecord>{Op(O::kNumberAppend, "23")}));
  EXPECT_EQ(ops_after(p, "."), (std::vector<OpRecord>{}));  // "123." still shows 123
  EXPECT_EQ(ops_after(p, "4"), (std::vector<OpRecord>{Op(O::kNumberAppend, ".4")}));
  EXPECT_EQ(ops_after(p, "5E"), (std::vector<OpRecord>{Op(O::kNumberAppend, "5")}));
  EXPECT_EQ(ops_after(p, "-"), (std::vector<OpRecord>{}));
  EXPECT_EQ(ops_after(p, "0"), (std::vector<OpRecord>{Op(O::kNumberAppend, "E-0")}));
  EXPECT_EQ(ops_after(p, "1]"), (std::vector<OpRecord>{Op(O::kNumberAppend, "1"), Op(O::kEnd)}));
  EXPECT_EQ(p.best_effort_json(), "[123.45E-01]");
}

// ---------------------------------------------------------------------------
// Realistic tool inputs, every prefix, many chunkings.

const char* const kEditFile = R"J({"path":"src/app/main.cpp","old_string":"int main() {\n  printf(\"hi\\n\");\n  return 0;\n}","new_string":"int main(int argc, char** argv) {\n\tstd::cout << \"caf\u00e9 \\\\ done\" << std::endl;\n  return argc > 1 ? 1 : 0;\n}","replace_all":false})J";

const char* const kSearch =
    "{\"query\":\"\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E \xC3\xBCmlaut caf\xC3\xA9 \xE2\x80\x94 \xF0\x9F\x98\x80 and "
    "\\uD83D\\uDE00 \\u2603 \\u00e9\",\"filters\":{\"languages\":[\"ja\",\"de\",\"fr\"],\"max_results\":25,"
    "\"min_score\":-0.5e-3,\"boost\":1E+2,\"ratio\":0.125,\"exact\":true,\"fuzzy\":false,\"since\":null},"
    "\"tags\":[]}";

const char* const kPretty = R"J({
  "todos": [
    {"id": 1, "title": "Write \"tests\"", "done": true, "weight": 0.5},
    {"id": 2, "title": "Path C:\\temp\\x", "done": false, "weight": -1.25e10,
     "sub": [[1, 2], [3, [4, [5]]], {}]},
    {"id": 3, "title": "slash \/ tab\t end", "done": null, "weight": 12345678901234567890}
  ],
  "empty_obj": {}, "empty_arr": [ ], "zero": 0, "neg_zero": -0, "tiny": 1e-300
}
)J";

const char* const kTopArray = R"J([1, -2.5, 3e2, "x", true, false, null, [], {}, {"k": [ {"deep": "v"} ]}, 0.0, -0E-0])J";

const char* const kTopString = "\"just a string with \\\" escapes \\u00e9\\n and \\\\ \xF0\x9F\x8E\x89\"  \n";

const char* const kTopNumber = "  -12.5e+3  ";

std::string deep_nesting(int levels) {
  std::string text;
  for (int i = 0; i < levels; ++i) text += "{\"l" + std::to_string(i) + "\":[" + std::to_string(i) + ",";
  text += "\"leaf \\u00e9\",-0.5e1,true,null";
  for (int i = 0; i < levels; ++i) text += "]}";
  return text;
}

TEST(PartialJsonStream, EditFileToolInput) { check_all_chunkings(kEditFile, "edit file"); }
TEST(PartialJsonStream, SearchToolInputWithUnicode) { check_all_chunkings(kSearch, "search"); }
TEST(PartialJsonStream, PrettyPrintedNestedInput) { check_all_chunkings(kPretty, "pretty"); }
TEST(PartialJsonStream, TopLevelArray) { check_all_chunkings(kTopArray, "top array"); }
TEST(PartialJsonStream, TopLevelString) { check_all_chunkings(kTopString, "top string"); }
TEST(PartialJsonStream, TopLevelNumber) { check_all_chunkings(kTopNumber, "top number"); }
TEST(PartialJsonStream, TopLevelLiterals) {
  check_all_chunkings("true", "true");
  check_all_chunkings(" false ", "false");
  check_all_chunkings("null", "null");
  check_all_chunkings("0", "zero");
}
TEST(PartialJsonStream, LongNumbers) {
  // Every prefix of numbers longer than any fragment, replayed from NumberAppend
  // ops, in 1-byte and random fragments.
  const std::string digits(300, '7');
  const std::string zeros(300, '0');
  check_all_chunkings("[1" + digits + ",-" + digits + "]", "long integers");
  check_all_chunkings("{\"f\":0." + digits + ",\"g\":-2." + zeros + "1}", "long fractions");
  check_all_chunkings("[1e" + zeros + "5,3.5E-" + zeros + "2,7e+" + zeros + "]", "long exponents");
  check_all_chunkings("-" + digits + "." + digits + "e-" + zeros + "12", "long top-level number");
}
TEST(PartialJsonStream, DeepNesting) { check_all_chunkings(deep_nesting(60), "deep"); }

// Random JSON values, dumped compact and indented, fed in random fragments.
json random_value(std::mt19937& rng, int depth) {
  // The top level is a container; deeper levels end in scalars.
  std::uniform_int_distribution<int> kind(depth == 0 ? 6 : 0, depth > 4 ? 5 : 7);
  std::uniform_int_distribution<int> small(0, 5);
  const char* const words[] = {"a", "key", "caf\xC3\xA9", "\"q\"", "back\\slash", "line\nbreak", "\xF0\x9F\x98\x80",
                               "", "tab\there", "\x01\x1f"};
  switch (kind(rng)) {
    case 0: return json(nullptr);
    case 1: return json(rng() % 2 == 0);
    case 2: return json(static_cast<int64_t>(rng() % 2000000) - 1000000);
    case 3: return json((static_cast<double>(rng() % 100000) - 50000) / 64.0);
    case 4: return json(std::uniform_real_distribution<double>(-1e30, 1e30)(rng));
    case 5: return json(std::string(words[rng() % 10]) + words[rng() % 10]);
    case 6: {
      json array = json::array();
      for (int i = small(rng); i > 0; --i) array.push_back(random_value(rng, depth + 1));
      return array;
    }
    default: {
      json object = json::object();
      for (int i = small(rng); i > 0; --i) object[std::string(words[rng() % 10]) + std::to_string(i)] = random_value(rng, depth + 1);
      return object;
    }
  }
}

TEST(PartialJsonStream, RandomValues) {
  std::mt19937 rng(12345);
  size_t total = 0;
  for (int round = 0; round < 200; ++round) {
    const json value = random_value(rng, 0);
    const std::string compact = value.dump();
    const std::string pretty = value.dump(2);
    check_valid_stream(compact, random_split(compact, rng(), 3, 10), "random compact " + std::to_string(round));
    check_valid_stream(pretty, random_split(pretty, rng(), 1, 4), "random pretty " + std::to_string(round));
    if (HasFatalFailure()) return;
    total += compact.size();
  }
  EXPECT_GT(total, 10000u);  // the generator makes values worth streaming
}

}  // namespace
}  // namespace ssew
