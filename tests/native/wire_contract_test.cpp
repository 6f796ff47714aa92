// The wire contract (src/wire.h) against its JavaScript copy (web/wire.js, read as
// text): every entry has the same value on both sides and neither side has one the
// other lacks. The C++ lists are wire.h's X-macros, so a C++ entry cannot escape the
// comparison; and the core's writers are checked against the same lists (record
// widths, event words, text-carrying JSON ops), so the contract is the one the core
// actually speaks.
#include <gtest/gtest.h>

#include "source_text.h"

#include <cstddef>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "message_state.h"
#include "partial_json.h"
#include "protocols/errors.h"
#include "sse_session.h"
#include "wire.h"

namespace ssew {
namespace {

// One item of a table: a string, null, or an integer.
struct Item {
  std::optional<std::string> text;  // a string item
  bool null = false;
  long long number = 0;
};

// web/wire.js as the test sees it: its `export const NAME = <integer>;` numbers and
// its `export const NAME = Object.freeze([...]);` tables. Every other export is an
// error (the format is part of the contract).
struct WireJs {
  std::map<std::string, long long> numbers;
  std::map<std::string, std::vector<Item>> tables;
  std::vector<std::string> unparsed;  // exports in neither form
};

std::string strip_comments(const std::string& text) {
  // No string in wire.js contains "//".
  static const std::regex comment("//[^\\n]*");
  return std::regex_replace(text, comment, "");
}

WireJs read_wire_js(const std::string& source) {
  WireJs js;
  const std::string text = strip_comments(source);
  static const std::regex any_export("export\\s+const\\s+([A-Za-z0-9_]+)\\s*=\\s*([^;]*);");
  static const std::regex number("^-?[0-9]+$");
  static const std::regex table("^Object\\.freeze\\(\\[([^\\]]*)\\]\\)$");
  static const std::regex item_re("\\s*('([^']*)'|null|-?[0-9]+)\\s*(,|$)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), any_export); it != std::sregex_iterator(); ++it) {
    const std::string name = (*it)[1].str();
    std::string value = std::regex_replace((*it)[2].str(), std::regex("^\\s+|\\s+$"), "");
    std::smatch m;
    if (std::regex_match(value, number)) {
      js.numbers[name] = std::stoll(value);
    } else if (std::regex_match(value, m, table)) {
      std::vector<Item> items;
      const std::string body = m[1].str();
      size_t consumed = 0;
      for (auto i = std::sregex_iterator(body.begin(), body.end(), item_re); i != std::sregex_iterator(); ++i) {
        if (static_cast<size_t>(i->position()) != consumed) break;  // garbage between items
        consumed += i->length();
        Item item;
        const std::string token = (*i)[1].str();
        if (token == "null") item.null = true;
        else if (token[0] == '\'') item.text = (*i)[2].str();
        else item.number = std::stoll(token);
        items.push_back(item);
        if ((*i)[3].str().empty()) break;
      }
      if (body.find_first_not_of(" \n\t", consumed) != std::string::npos) js.unparsed.push_back(name);
      else js.tables[name] = items;
    } else {
      js.unparsed.push_back(name);
    }
  }
  return js;
}

const WireJs& wire_js() {
  static const WireJs js = read_wire_js(read_source("web/wire.js"));
  return js;
}

// The numbers of wire.js whose name starts with `prefix`, minus `except`.
std::map<std::string, long long> numbers_with_prefix(const std::string& prefix, const std::set<std::string>& except = {}) {
  std::map<std::string, long long> found;
  for (const auto& [name, value] : wire_js().numbers) {
    if (name.rfind(prefix, 0) == 0 && !except.count(name)) found[name] = value;
  }
  return found;
}

// A JavaScript table of strings (null read as "") by index.
std::vector<std::string> string_table(const std::string& name) {
  std::vector<std::string> out;
  const auto it = wire_js().tables.find(name);
  EXPECT_NE(it, wire_js().tables.end()) << name << " is not a table in web/wire.js";
  if (it == wire_js().tables.end()) return out;
  for (const Item& item : it->second) {
    EXPECT_TRUE(item.null || item.text) << name << " holds a non-string";
    out.push_back(item.text.value_or(""));
  }
  return out;
}

std::vector<long long> number_table(const std::string& name) {
  std::vector<long long> out;
  const auto it = wire_js().tables.find(name);
  EXPECT_NE(it, wire_js().tables.end()) << name << " is not a table in web/wire.js";
  if (it == wire_js().tables.end()) return out;
  for (const Item& item : it->second) {
    EXPECT_TRUE(!item.null && !item.text) << name << " holds a non-number";
    out.push_back(item.number);
  }
  return out;
}

// A C++ list of (value, string) as an index table (gaps are "<none>").
template <typename Pairs>
std::vector<std::string> indexed(const Pairs& pairs) {
  std::vector<std::string> out;
  for (const auto& [value, text] : pairs) {
    if (out.size() <= value) out.resize(value + 1, "<none>");
    out[value] = text;
  }
  return out;
}

TEST(WireContract, WireJsIsInTheFormatThisTestReads) {
  EXPECT_TRUE(wire_js().unparsed.empty()) << "unreadable export: " << wire_js().unparsed.front();
  EXPECT_FALSE(wire_js().numbers.empty());
  EXPECT_FALSE(wire_js().tables.empty());
}

TEST(WireContract, EveryExportOfWireJsBelongsToAC__List) {
  static const std::set<std::string> tables = {"SSE_ERROR_CODES", "STATUS", "TOOL_STATE", "OP_WORDS"};
  static const std::vector<std::string> prefixes = {"HEADER_", "EVENT_", "OP_", "JSON_"};
  for (const auto& [name, value] : wire_js().numbers) {
    bool known = false;
    for (const std::string& prefix : prefixes) known = known || name.rfind(prefix, 0) == 0;
    EXPECT_TRUE(known) << name << " = " << value << " has no C++ list in src/wire.h";
  }
  for (const auto& [name, items] : wire_js().tables) {
    EXPECT_TRUE(tables.count(name)) << name << " has no C++ list in src/wire.h";
  }
}

TEST(WireContract, BatchHeaderWordOffsets) {
  std::map<std::string, long long> cpp;
#define SSEW_TEST_FIELD(field, js) cpp[js] = offsetof(BatchHeader, field) / sizeof(uint32_t);
  SSEW_BATCH_HEADER_FIELDS(SSEW_TEST_FIELD)
#undef SSEW_TEST_FIELD
  cpp["HEADER_WORDS"] = kBatchHeaderWords;
  EXPECT_EQ(numbers_with_prefix("HEADER_"), cpp);
  EXPECT_EQ(sizeof(BatchHeader), kBatchHeaderWords * sizeof(uint32_t));
  EXPECT_EQ(cpp.size(), kBatchHeaderWords + 1) << "every header word is a listed field";
}

TEST(WireContract, SseEventRecordWords) {
  std::map<std::string, long long> cpp;
#define SSEW_TEST_ENTRY(name, value, js) cpp[js] = value;
  SSEW_SSE_EVENT_WORDS(SSEW_TEST_ENTRY)
#undef SSEW_TEST_ENTRY
  EXPECT_EQ(cpp.size(), kSseEventWords);
  cpp["EVENT_WORDS"] = kSseEventWords;
  EXPECT_EQ(numbers_with_prefix("EVENT_"), cpp);
}

TEST(WireContract, SseSessionWritesEventsAsTheListSays) {
  SseSession session(SseParser::Options{});
  const std::string stream = "event: a\nid: 7\ndata: one\n\ndata: two\n\n";
  ASSERT_EQ(session.feed(reinterpret_cast<const uint8_t*>(stream.data()), stream.size()), 2u);
  const auto& words = session.batch().words();
  const std::string& text = session.batch().text();  // ASCII: UTF-16 offsets are byte offsets
  ASSERT_EQ(words.size(), 2 * kSseEventWords);
  auto field = [&](size_t event, SseEventWord start, SseEventWord end) {
    const uint32_t* record = words.data() + event * kSseEventWords;
    return text.substr(record[static_cast<uint32_t>(start)],
                       record[static_cast<uint32_t>(end)] - record[static_cast<uint32_t>(start)]);
  };
  EXPECT_EQ(field(0, SseEventWord::kTypeStart, SseEventWord::kTypeEnd), "a");
  EXPECT_EQ(field(0, SseEventWord::kDataStart, SseEventWord::kDataEnd), "one");
  EXPECT_EQ(field(0, SseEventWord::kIdStart, SseEventWord::kIdEnd), "7");
  EXPECT_EQ(field(1, SseEventWord::kTypeStart, SseEventWord::kTypeEnd), "message");
  EXPECT_EQ(field(1, SseEventWord::kDataStart, SseEventWord::kDataEnd), "two");
  EXPECT_EQ(field(1, SseEventWord::kIdStart, SseEventWord::kIdEnd), "7");
}

TEST(WireContract, SseErrorCodes) {
  std::vector<std::pair<uint32_t, std::string>> cpp;
#define SSEW_TEST_ENTRY(name, value, js) cpp.emplace_back(value, js);
  SSEW_SSE_ERRORS(SSEW_TEST_ENTRY)
#undef SSEW_TEST_ENTRY
  EXPECT_EQ(string_table("SSE_ERROR_CODES"), indexed(cpp));
  EXPECT_EQ(cpp.at(static_cast<uint32_t>(SseError::kEventTooLarge)).second, errc::kEventTooLarge)
      << "SSEParser's code and the MessageSession error code are one";
}

TEST(WireContract, StatusesAndToolStates) {
  std::vector<std::pair<uint32_t, std::string>> statuses, states;
#define SSEW_TEST_STATUS(name, value, js) statuses.emplace_back(value, js);
#define SSEW_TEST_STATE(name, value, js) states.emplace_back(value, js);
  SSEW_STATUSES(SSEW_TEST_STATUS)
  SSEW_TOOL_STATES(SSEW_TEST_STATE)
#undef SSEW_TEST_STATUS
#undef SSEW_TEST_STATE
  EXPECT_EQ(string_table("STATUS"), indexed(statuses));
  EXPECT_EQ(string_table("TOOL_STATE"), indexed(states));
}

std::map<uint32_t, uint32_t> patch_widths() {
  std::map<uint32_t, uint32_t> widths;
#define SSEW_TEST_ENTRY(name, value, js, words) widths[value] = words;
  SSEW_PATCH_OPS(SSEW_TEST_ENTRY)
#undef SSEW_TEST_ENTRY
  return widths;
}

TEST(WireContract, PatchOpsAndRecordWidths) {
  std::map<std::string, long long> cpp;
  std::vector<long long> widths;
#define SSEW_TEST_ENTRY(name, value, js, words)          \
  cpp[js] = value;                                       \
  if (widths.size() <= (value)) widths.resize((value) + 1, 0); \
  widths[value] = words;
  SSEW_PATCH_OPS(SSEW_TEST_ENTRY)
#undef SSEW_TEST_ENTRY
  EXPECT_EQ(numbers_with_prefix("OP_"), cpp);
  EXPECT_EQ(number_table("OP_WORDS"), widths) << "index: op; 0 where no op";
}

// Walks a patch with the listed widths; returns the ops seen (fails if a record is
// unknown or the walk does not end exactly at the last word).
std::set<uint32_t> walk_patch(const std::vector<uint32_t>& words) {
  const auto widths = patch_widths();
  std::set<uint32_t> seen;
  size_t i = 0;
  while (i < words.size()) {
    const auto it = widths.find(words[i]);
    EXPECT_NE(it, widths.end()) << "unlisted op " << words[i] << " at word " << i;
    if (it == widths.end()) return seen;
    seen.insert(words[i]);
    i += it->second;
  }
  EXPECT_EQ(i, words.size()) << "the last record is cut short";
  return seen;
}

TEST(WireContract, MessageStateWritesRecordsOfTheListedWidths) {
  std::set<uint32_t> seen;
  {
    MessageState s;
    s.set_protocol("native");
    s.set_last_event_id("1");
    s.append_text("a");
    s.append_text("b");  // same patch: extends the record
    seen.merge(walk_patch(s.patch().words()));
    s.clear_patch();
    s.append_text("c");  // new patch: an append record
    s.append_reasoning("r");
    s.tool_start("t1", "search");
    s.tool_input_delta("t1", "{\"q\":");
    seen.merge(walk_patch(s.patch().words()));
    s.clear_patch();
    s.tool_input_delta("t1", "1}");
    s.tool_output("t1", "{\"ok\":true}");
    s.tool_start("t2", "fail", "{}");
    s.tool_error("t2", "nope");
    s.warn("some_warning", "a warning");
    s.set_usage(1, 2);
    s.set_finish_reason("stop");
    s.set_error("boom", "server_error", false);
    seen.merge(walk_patch(s.patch().words()));
  }
  std::set<uint32_t> expected;
  for (const auto& [op, width] : patch_widths()) expected.insert(op);
  // kToolState is in the contract (web/ applies it) but no change of today's core
  // writes it: the states follow from the other records.
  expected.erase(static_cast<uint32_t>(PatchOp::kToolState));
  EXPECT_EQ(seen, expected);
}

TEST(WireContract, PartialJsonOps) {
  std::map<std::string, long long> cpp;
  long long first_text = -1, last_text = -1;
  size_t text_ops = 0;
#define SSEW_TEST_ENTRY(name, value, js, text) \
  cpp[js] = value;                             \
  if (text) {                                  \
    if (first_text < 0) first_text = value;    \
    last_text = value;                         \
    ++text_ops;                                \
  }
  SSEW_PARTIAL_JSON_OPS(SSEW_TEST_ENTRY)
#undef SSEW_TEST_ENTRY
  EXPECT_EQ(static_cast<size_t>(last_text - first_text + 1), text_ops) << "the ops with a text are contiguous";
  cpp["JSON_TEXT_FIRST"] = first_text;
  cpp["JSON_TEXT_LAST"] = last_text;
  EXPECT_EQ(numbers_with_prefix("JSON_"), cpp);
}

TEST(WireContract, PartialJsonWritesTextsForTheListedOpsOnly) {
  std::map<uint32_t, bool> has_text;
#define SSEW_TEST_ENTRY(name, value, js, text) has_text[value] = text;
  SSEW_PARTIAL_JSON_OPS(SSEW_TEST_ENTRY)
#undef SSEW_TEST_ENTRY
  PartialJson json;
  ASSERT_EQ(json.append("{\"a\":[1.5,\"x"), PartialJsonError::kNone);
  ASSERT_EQ(json.append("y\",true,false,null],\"b\":2"), PartialJsonError::kNone);
  ASSERT_EQ(json.append("5}"), PartialJsonError::kNone);
  const std::string& ops = json.ops();
  std::set<uint32_t> seen;
  size_t i = 0;
  while (i < ops.size()) {
    const uint32_t op = static_cast<uint8_t>(ops[i++]);
    ASSERT_TRUE(has_text.count(op)) << "unlisted op " << op;
    seen.insert(op);
    if (has_text[op]) {
      ASSERT_LE(i + 4, ops.size());
      const uint32_t length = static_cast<uint8_t>(ops[i]) | static_cast<uint8_t>(ops[i + 1]) << 8 |
                              static_cast<uint8_t>(ops[i + 2]) << 16 | static_cast<uint32_t>(static_cast<uint8_t>(ops[i + 3])) << 24;
      i += 4 + length;
    }
  }
  EXPECT_EQ(i, ops.size());
  std::set<uint32_t> all;
  for (const auto& [op, text] : has_text) all.insert(op);
  EXPECT_EQ(seen, all) << "the value above makes every op";
}

}  // namespace
}  // namespace ssew
