// Tests for ssew::JsonReader (src/json_reader.h): the walking API, string and number
// accessors, error latching, limits, and validation checked against nlohmann::json's
// accept() on tables, on every prefix of valid documents and on random mutations.
#include "json_reader.h"

#include <gtest/gtest.h>

#include "json_string.h"

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

namespace ssew {
namespace {

// Where the verdicts differ by design:
// nlohmann rejects a lone surrogate escape; JSON.parse (and JsonReader) accept it.
bool HasSurrogateEscape(const std::string& s) {
  for (size_t i = 0; i + 2 < s.size(); ++i) {
    if (s[i] == '\\' && s[i + 1] == 'u' && (s[i + 2] == 'd' || s[i + 2] == 'D')) return true;
  }
  return false;
}

// nlohmann rejects numbers beyond a double's range (1e999); the JSON grammar allows
// them and JsonReader accepts them.
bool HasHugeExponent(const std::string& s) {
  for (size_t i = 1; i < s.size(); ++i) {
    if ((s[i] != 'e' && s[i] != 'E') || s[i - 1] < '0' || s[i - 1] > '9') continue;
    size_t k = i + 1;
    if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
    size_t digits = 0;
    while (k + digits < s.size() && s[k + digits] >= '0' && s[k + digits] <= '9') ++digits;
    if (digits > 2) return true;
  }
  return false;
}

void ExpectSameVerdict(const std::string& text) {
  if (HasSurrogateEscape(text) || HasHugeExponent(text)) return;
  EXPECT_EQ(JsonReader::validate(text), nlohmann::json::accept(text)) << "text: " << text;
}

TEST(JsonReaderTest, AcceptsValidDocuments) {
  for (const char* text : {
           "{}", "[]", "0", "-0", "1", "-1", "12.5e-3", "1E+2", "0.0", "\"\"", "\"a\"", "true", "false", "null",
           " \t\r\n{ \"a\" : [ 1 , 2 , { } , [ ] ] , \"b\" : null } \n",
           R"({"k":"\" \\ \/ \b \f \n \r \t \u00e9 \uD83D\uDE00"})", "\"caf\xC3\xA9 \xE6\x97\xA5 \xF0\x9F\x98\x80\"",
           R"([[[[[[]]]]]])", R"({"a":{"b":{"c":{}}}})", "[1,-2,3.25,4e5,-0.5E-7]", R"("\ud800 lone")",
           "1e999", "-1E-999",  // beyond a double: valid JSON all the same
       }) {
    EXPECT_TRUE(JsonReader::validate(text)) << text;
  }
}

TEST(JsonReaderTest, RejectsInvalidDocuments) {
  for (const char* text : {
           "", " ", "{", "}", "[", "]", "{]", "[}", "{\"a\"}", "{\"a\":}", "{\"a\" 1}", "{\"a\":1,}", "[1,]", "[,1]",
           "{,}", "{a:1}", "{'a':1}", "[1 2]", "01", "-", "1.", ".5", "1e", "1e+", "+1", "0x10", "NaN", "Infinity",
           "tru", "truee", "nul", "True", "\"", "\"abc", "\"a\\\"", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"",
           "\"tab\there\"", "\"nl\nhere\"", "1 2", "{} {}", "[] x", "\"\xC3\"", "\"\xC0\xAF\"", "\"\xED\xA0\x80\"",
           "\"\xF4\x90\x80\x80\"", "\"\xFF\"", "\xC3\xA9", "[1]\x80", "{\"a\":1}}", "[[]", "[]]",
       }) {
    EXPECT_FALSE(JsonReader::validate(text)) << text;
    ExpectSameVerdict(text);
  }
  EXPECT_FALSE(JsonReader::validate(std::string("\"a\0b\"", 5)));
  EXPECT_FALSE(JsonReader::validate(std::string("[1]\0", 4)));
}

TEST(JsonReaderTest, WalksAnObject) {
  const std::string text =
      R"( {"id":"c1","n":42,"neg":-7,"f":1.5,"t":true,"x":null,"arr":[1,{"k":[2]}],"obj":{"inner":"v"},"e":"a\nb"} )";
  JsonReader r(text);
  ASSERT_TRUE(r.enter_object());
  std::vector<std::string> keys;
  JsonValueRef id, n, neg, f, t, x, arr, obj, e;
  JsonStringRef key;
  while (r.next_member(key)) {
    keys.emplace_back(key.body);
    JsonValueRef* target = key == "id" ? &id : key == "n" ? &n : key == "neg" ? &neg : key == "f" ? &f
                         : key == "t" ? &t : key == "x" ? &x : key == "arr" ? &arr : key == "obj" ? &obj
                         : key == "e" ? &e : nullptr;
    ASSERT_NE(target, nullptr);
    ASSERT_TRUE(r.read_value(*target));
  }
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_TRUE(r.at_end());
  EXPECT_EQ(keys, (std::vector<std::string>{"id", "n", "neg", "f", "t", "x", "arr", "obj", "e"}));
  EXPECT_EQ(id.type, JsonType::kString);
  EXPECT_EQ(id.raw, "\"c1\"");
  std::string scratch;
  EXPECT_EQ(id.string_value(scratch), "c1");
  uint64_t u = 0;
  int64_t i = 0;
  EXPECT_TRUE(n.to_uint64(u));
  EXPECT_EQ(u, 42u);
  EXPECT_FALSE(neg.to_uint64(u));
  EXPECT_TRUE(neg.to_int64(i));
  EXPECT_EQ(i, -7);
  EXPECT_FALSE(f.to_int64(i));
  EXPECT_EQ(t.type, JsonType::kTrue);
  EXPECT_TRUE(t.is_bool());
  EXPECT_TRUE(x.is_null());
  EXPECT_TRUE(x.present());
  EXPECT_FALSE(x.has_value());
  EXPECT_EQ(arr.raw, R"([1,{"k":[2]}])");
  EXPECT_EQ(obj.raw, R"({"inner":"v"})");
  EXPECT_TRUE(e.string().escaped);
  EXPECT_EQ(e.string_value(scratch), "a\nb");

  // A captured container can be walked by a reader of its own.
  JsonReader inner(arr.raw);
  ASSERT_TRUE(inner.enter_array());
  int elements = 0;
  while (inner.next_element()) {
    ++elements;
    ASSERT_TRUE(inner.skip_value());
  }
  EXPECT_TRUE(inner.ok());
  EXPECT_TRUE(inner.at_end());
  EXPECT_EQ(elements, 2);
}

TEST(JsonReaderTest, NestedWalkAndEmptyContainers) {
  JsonReader r(R"({"a":{},"b":[],"c":{"d":[[],{}]},"e":1})");
  ASSERT_TRUE(r.enter_object());
  JsonStringRef key;
  ASSERT_TRUE(r.next_member(key));
  EXPECT_EQ(key, "a");
  ASSERT_TRUE(r.enter_object());
  EXPECT_FALSE(r.next_member(key));  // empty object left
  EXPECT_TRUE(r.ok());
  ASSERT_TRUE(r.next_member(key));
  EXPECT_EQ(key, "b");
  ASSERT_TRUE(r.enter_array());
  EXPECT_FALSE(r.next_element());
  EXPECT_TRUE(r.ok());
  ASSERT_TRUE(r.next_member(key));
  EXPECT_EQ(key, "c");
  ASSERT_TRUE(r.enter_object());
  ASSERT_TRUE(r.next_member(key));
  EXPECT_EQ(key, "d");
  EXPECT_EQ(r.depth(), 2u);
  ASSERT_TRUE(r.enter_array());
  ASSERT_TRUE(r.next_element());
  ASSERT_TRUE(r.skip_value());
  ASSERT_TRUE(r.next_element());
  ASSERT_TRUE(r.skip_value());
  EXPECT_FALSE(r.next_element());
  EXPECT_FALSE(r.next_member(key));
  ASSERT_TRUE(r.next_member(key));
  EXPECT_EQ(key, "e");
  ASSERT_TRUE(r.skip_value());
  EXPECT_FALSE(r.next_member(key));
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.depth(), 0u);
  EXPECT_TRUE(r.at_end());
}

TEST(JsonReaderTest, PeekDoesNotConsume) {
  JsonReader r("  [1]");
  EXPECT_EQ(r.peek(), JsonType::kArray);
  EXPECT_EQ(r.peek(), JsonType::kArray);
  EXPECT_TRUE(r.enter_array());
  EXPECT_TRUE(r.next_element());
  EXPECT_EQ(r.peek(), JsonType::kNumber);
  JsonReader empty("   ");
  EXPECT_EQ(empty.peek(), JsonType::kNone);
  EXPECT_TRUE(empty.ok());
}

TEST(JsonReaderTest, ErrorsLatchAndReportWhere) {
  JsonReader r(R"({"a":1 "b":2})");
  ASSERT_TRUE(r.enter_object());
  JsonStringRef key;
  ASSERT_TRUE(r.next_member(key));
  ASSERT_TRUE(r.skip_value());
  EXPECT_FALSE(r.next_member(key));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error_offset(), 7u);
  EXPECT_STRNE(r.error(), "");
  // Everything fails from now on, without moving.
  const size_t offset = r.offset();
  JsonValueRef v;
  EXPECT_FALSE(r.read_value(v));
  EXPECT_FALSE(r.skip_value());
  EXPECT_FALSE(r.enter_object());
  EXPECT_FALSE(r.at_end());
  EXPECT_EQ(r.peek(), JsonType::kNone);
  EXPECT_EQ(r.offset(), offset);
  EXPECT_FALSE(v.present());
}

TEST(JsonReaderTest, MisuseIsAnErrorNotACrash) {
  JsonReader a("1");
  JsonStringRef key;
  EXPECT_FALSE(a.next_member(key));
  EXPECT_FALSE(a.ok());
  JsonReader b("[1]");
  EXPECT_FALSE(b.next_element());
  EXPECT_FALSE(b.ok());
  JsonReader c("[1]");
  EXPECT_FALSE(c.enter_object());
  JsonReader d("{\"a\":1}");
  EXPECT_FALSE(d.read_string(key));
  JsonReader e("");
  JsonValueRef v;
  EXPECT_FALSE(e.read_value(v));
  JsonReader f("[");
  ASSERT_TRUE(f.enter_array());
  EXPECT_FALSE(f.next_element());
  EXPECT_FALSE(f.ok());
}

TEST(JsonReaderTest, DepthLimit) {
  const auto nested = [](size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
  };
  EXPECT_TRUE(JsonReader::validate(nested(JsonReader::kMaxDepth)));
  EXPECT_FALSE(JsonReader::validate(nested(JsonReader::kMaxDepth + 1)));
  EXPECT_FALSE(JsonReader::validate(std::string(1000000, '[')));
  // Levels entered by the caller count too.
  const std::string too_deep = "{\"a\":" + nested(JsonReader::kMaxDepth) + "}";
  JsonReader r(too_deep);
  ASSERT_TRUE(r.enter_object());
  JsonStringRef key;
  ASSERT_TRUE(r.next_member(key));
  EXPECT_FALSE(r.skip_value());
  const std::string deep_enough = "{\"a\":" + nested(JsonReader::kMaxDepth - 1) + "}";
  JsonReader ok(deep_enough);
  EXPECT_TRUE(ok.skip_value());
  EXPECT_TRUE(ok.at_end());
}

TEST(JsonReaderTest, Strings) {
  JsonReader r(R"(["plain","con\u0074ent","\u00e9\ud83d\ude00","\ud800x","a\/b"])");
  ASSERT_TRUE(r.enter_array());
  std::vector<JsonStringRef> refs;
  while (r.next_element()) {
    JsonStringRef s;
    ASSERT_TRUE(r.read_string(s));
    refs.push_back(s);
  }
  ASSERT_TRUE(r.at_end());
  ASSERT_EQ(refs.size(), 5u);
  std::string scratch;
  EXPECT_FALSE(refs[0].escaped);
  EXPECT_EQ(refs[0].value(scratch).data(), refs[0].body.data());  // no copy without escapes
  EXPECT_TRUE(refs[1].escaped);
  EXPECT_EQ(refs[1], "content");
  EXPECT_NE(refs[1], "contents");
  EXPECT_NE(refs[1], "con\\u0074ent");
  EXPECT_TRUE(refs[1].starts_with("cont"));
  EXPECT_FALSE(refs[1].starts_with("x"));
  EXPECT_EQ(refs[2].value(scratch), "\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_EQ(refs[3].value(scratch), "\xEF\xBF\xBDx");  // lone surrogate: U+FFFD
  std::string out = ">";
  refs[4].append_to(out);
  EXPECT_EQ(out, ">a/b");
}

// A delta sliced by UTF-16 units may end with a high surrogate or start with a low
// one; kKeepAtEdges keeps exactly those (WTF-8) for MessageState to pair.
TEST(DecodeJsonString, KeepsLoneSurrogatesAtTheEdgesOnlyWhenAsked) {
  const auto decode = [](const std::string& literal, LoneSurrogates lone) {
    std::string out;
    EXPECT_TRUE(decode_json_string(literal, out, lone)) << literal;
    return out;
  };
  const auto keep = LoneSurrogates::kKeepAtEdges;
  const auto replace = LoneSurrogates::kReplace;
  const std::string high = "\xED\xA0\xBD", low = "\xED\xB8\x80", fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(decode(R"("a\ud83d")", replace), "a" + fffd);
  EXPECT_EQ(decode(R"("a\ud83d")", keep), "a" + high);
  EXPECT_EQ(decode(R"("\ude00b")", replace), fffd + "b");
  EXPECT_EQ(decode(R"("\ude00b")", keep), low + "b");
  EXPECT_EQ(decode(R"("\ud83d")", keep), high);
  EXPECT_EQ(decode(R"("\ude00")", keep), low);
  EXPECT_EQ(decode(R"("\ude00\ud83d")", keep), low + high);
  // Anywhere else a lone surrogate is U+FFFD, and pairs are one character.
  EXPECT_EQ(decode(R"("\ud83db")", keep), fffd + "b");
  EXPECT_EQ(decode(R"("a\ude00")", keep), "a" + fffd);
  EXPECT_EQ(decode(R"("\ud83d\ud83d")", keep), fffd + high);
  EXPECT_EQ(decode(R"("\ude00\ude00")", keep), low + fffd);
  EXPECT_EQ(decode(R"("\ud83d\ude00")", keep), "\xF0\x9F\x98\x80");
  EXPECT_EQ(decode(R"(" \ud83d\ude00\ud83d")", keep), " \xF0\x9F\x98\x80" + high);

  EXPECT_TRUE(ends_with_lone_high_surrogate("a" + high));
  EXPECT_FALSE(ends_with_lone_high_surrogate("a" + low));
  EXPECT_FALSE(ends_with_lone_high_surrogate("\xED\x9F\xBF"));  // U+D7FF is a character
  EXPECT_TRUE(starts_with_lone_low_surrogate(low + "b"));
  EXPECT_FALSE(starts_with_lone_low_surrogate(high + "b"));
  EXPECT_EQ(lone_surrogate_at(high), 0xD83Du);
  EXPECT_EQ(lone_surrogate_at(low), 0xDE00u);

  JsonReader r(R"(["x\ud83d","\ude00y","plain"])");
  ASSERT_TRUE(r.enter_array());
  std::vector<JsonValueRef> values;
  while (r.next_element()) {
    JsonValueRef v;
    ASSERT_TRUE(r.read_value(v));
    values.push_back(v);
  }
  ASSERT_EQ(values.size(), 3u);
  std::string scratch;
  EXPECT_EQ(values[0].string_value(scratch), "x" + fffd);
  EXPECT_EQ(values[0].delta_string_value(scratch), "x" + high);
  EXPECT_EQ(values[1].delta_string_value(scratch), low + "y");
  EXPECT_EQ(values[2].delta_string_value(scratch).data(), values[2].raw.data() + 1);  // no copy
}

TEST(JsonReaderTest, LongStringsAcrossWordBoundaries) {
  // The eight-byte scan must find quotes, escapes and bad bytes at every offset.
  for (size_t len = 0; len < 40; ++len) {
    for (size_t at = 0; at <= len; ++at) {
      std::string body(len, 'a');
      std::string good = "\"" + body.substr(0, at) + "\\n" + body.substr(at) + "\"";
      EXPECT_TRUE(JsonReader::validate(good)) << good;
      std::string bad = "\"" + body.substr(0, at) + '\x01' + body.substr(at) + "\"";
      EXPECT_FALSE(JsonReader::validate(bad));
      std::string early = "\"" + body.substr(0, at) + "\"" + body.substr(at) + "\"";
      EXPECT_FALSE(JsonReader::validate(early)) << early;
      std::string utf8 = "\"" + body.substr(0, at) + "\xC3\xA9" + body.substr(at) + "\"";
      EXPECT_TRUE(JsonReader::validate(utf8));
      std::string broken = "\"" + body.substr(0, at) + "\xC3" + body.substr(at) + "\"";
      EXPECT_FALSE(JsonReader::validate(broken));
    }
  }
}

TEST(JsonReaderTest, Numbers) {
  const auto u64 = [](const char* text, uint64_t& out) {
    JsonReader r(text);
    JsonValueRef v;
    return r.read_value(v) && r.at_end() && v.to_uint64(out);
  };
  const auto i64 = [](const char* text, int64_t& out) {
    JsonReader r(text);
    JsonValueRef v;
    return r.read_value(v) && r.at_end() && v.to_int64(out);
  };
  uint64_t u = 99;
  int64_t i = 99;
  EXPECT_TRUE(u64("0", u) && u == 0);
  EXPECT_TRUE(u64("-0", u) && u == 0);
  EXPECT_TRUE(u64("12.0", u) && u == 12);
  EXPECT_TRUE(u64("1e3", u) && u == 1000);
  EXPECT_TRUE(u64("1E+2", u) && u == 100);
  EXPECT_TRUE(u64("100e-2", u) && u == 1);
  EXPECT_TRUE(u64("0.000", u) && u == 0);
  EXPECT_TRUE(u64("0e999999", u) && u == 0);
  EXPECT_TRUE(u64("18446744073709551615", u) && u == UINT64_MAX);
  EXPECT_FALSE(u64("18446744073709551616", u));
  EXPECT_FALSE(u64("1e20", u));
  EXPECT_FALSE(u64("1.5", u));
  EXPECT_FALSE(u64("15e-1", u));
  EXPECT_FALSE(u64("-1", u));
  EXPECT_FALSE(u64("\"1\"", u));
  EXPECT_FALSE(u64("null", u));
  EXPECT_TRUE(i64("-9223372036854775808", i) && i == INT64_MIN);
  EXPECT_TRUE(i64("9223372036854775807", i) && i == INT64_MAX);
  EXPECT_FALSE(i64("9223372036854775808", i));
  EXPECT_FALSE(i64("-9223372036854775809", i));
  EXPECT_TRUE(i64("-25e-1", i) == false);
  EXPECT_TRUE(i64("-2.50e1", i) && i == -25);
}

TEST(JsonReaderTest, DuplicateKeysAreWalkedInOrder) {
  JsonReader r(R"({"a":1,"a":2})");
  ASSERT_TRUE(r.enter_object());
  JsonStringRef key;
  JsonValueRef a;
  while (r.next_member(key)) ASSERT_TRUE(r.read_value(a));  // last wins, as JSON.parse
  uint64_t n = 0;
  EXPECT_TRUE(a.to_uint64(n));
  EXPECT_EQ(n, 2u);
}

TEST(JsonReaderTest, EveryPrefixAgreesWithNlohmann) {
  const std::string docs[] = {
      R"({"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"H\u00e9\n"},"finish_reason":null}],"usage":null})",
      R"([1,-2.5e+3,true,false,null,"x\"y",{"a":[{}]},[]])",
      "\"caf\xC3\xA9 \xF0\x9F\x98\x80\"",
      "-0.125E-10",
  };
  for (const std::string& doc : docs) {
    ASSERT_TRUE(JsonReader::validate(doc)) << doc;
    for (size_t n = 0; n <= doc.size(); ++n) ExpectSameVerdict(doc.substr(0, n));
  }
}

TEST(JsonReaderTest, RandomMutationsAgreeWithNlohmann) {
  const std::string seeds[] = {
      R"({"a":[1,2,{"b":"c\\d\u0041"}],"e":-1.5e3,"f":true,"g":null,"h":"\u00e9"})",
      R"([{"type":"response.output_text.delta","delta":"hi","sequence_number":3},[],{}])",
      "{\"k\":\"\xE6\x97\xA5\xE6\x9C\xAC\"}",
  };
  const std::string alphabet = "{}[]\":,\\ 0123456789-+.eEtrufalsn\x01\x7f\xC3\xA9\x80\xFFu";
  std::mt19937 random(2024);
  for (int round = 0; round < 20000; ++round) {
    std::string s = seeds[random() % 3];
    const int edits = 1 + static_cast<int>(random() % 3);
    for (int k = 0; k < edits && !s.empty(); ++k) {
      const size_t at = random() % s.size();
      switch (random() % 3) {
        case 0: s[at] = alphabet[random() % alphabet.size()]; break;
        case 1: s.erase(at, 1); break;
        default: s.insert(at, 1, alphabet[random() % alphabet.size()]); break;
      }
    }
    ExpectSameVerdict(s);
    if (::testing::Test::HasFailure()) return;
  }
}

}  // namespace
}  // namespace ssew
