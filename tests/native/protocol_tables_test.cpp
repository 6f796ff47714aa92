// The tables the core keeps once (src/protocols/): the protocol registry and the
// error codes. Their copies elsewhere (web/index.d.ts, README.md, docs/protocol.md)
// must list the same entries; these tests fail when one drifts.
#include <gtest/gtest.h>

#include "source_text.h"

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "fixture_replay.h"
#include "message_session.h"
#include "protocols/errors.h"
#include "protocols/protocol.h"
#include "utf8.h"

namespace ssew {
namespace {

// The text from `start` up to the next `end` (both must be there).
std::string between(const std::string& text, const std::string& start, const std::string& end) {
  const size_t from = text.find(start);
  EXPECT_NE(from, std::string::npos) << start;
  if (from == std::string::npos) return "";
  const size_t to = text.find(end, from + start.size());
  EXPECT_NE(to, std::string::npos) << end;
  return text.substr(from + start.size(), to == std::string::npos ? std::string::npos : to - from - start.size());
}

std::set<std::string> all_matches(const std::string& text, const std::string& pattern) {
  std::set<std::string> found;
  const std::regex re(pattern);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it) {
    found.insert((*it)[1].str());
  }
  return found;
}

std::set<std::string> registry_names() {
  std::set<std::string> names;
  for (std::string_view name : protocol_names()) names.insert(std::string(name));
  return names;
}

TEST(ProtocolRegistry, EveryEntryMakesItsOwnDecoder) {
  size_t count = 0;
  const ProtocolEntry* entries = protocol_registry(&count);
  ASSERT_EQ(count, 6u);
  for (size_t i = 0; i < count; ++i) {
    const auto decoder = make_protocol(entries[i].name);
    ASSERT_NE(decoder, nullptr) << entries[i].name;
    EXPECT_EQ(decoder->name(), entries[i].name);
    EXPECT_TRUE(is_known_protocol(entries[i].name));
  }
  EXPECT_EQ(registry_names().size(), count) << "names are unique";
  EXPECT_FALSE(is_known_protocol("auto"));
  EXPECT_EQ(make_protocol("openai"), nullptr);
}

TEST(ProtocolRegistry, TheProtocolTypeOfIndexDtsListsTheRegistry) {
  const std::string type = between(read_source("web/index.d.ts"), "export type Protocol =", ";");
  std::set<std::string> expected = registry_names();
  expected.insert("auto");
  EXPECT_EQ(all_matches(type, "'([^']*)'"), expected) << type;
}

TEST(ProtocolRegistry, TheReadmeProtocolTableListsTheRegistry) {
  const std::string table = between(read_source("README.md"), "## Protocols\n\n", "\n\n");
  EXPECT_EQ(all_matches(table, "\\n\\| `([^`]*)` \\|"), registry_names()) << table;
}

}  // namespace
}  // namespace ssew

namespace ssew {
namespace {

std::unique_ptr<MessageSession> decode(const std::string& sse, const std::string& protocol,
                                       MessageState::Limits limits = {}) {
  return testing::decode(sse, protocol, limits);
}

// The rows of the markdown table that follows `heading` in `doc`: each row's cells.
std::vector<std::vector<std::string>> table_rows(const std::string& doc, const std::string& heading) {
  std::vector<std::vector<std::string>> rows;
  const size_t at = doc.find(heading);
  EXPECT_NE(at, std::string::npos) << heading;
  std::stringstream in(at == std::string::npos ? std::string() : doc.substr(at));
  std::string line;
  bool in_table = false;
  while (std::getline(in, line)) {
    if (line.rfind("|", 0) != 0) {
      if (in_table) break;
      continue;
    }
    in_table = true;
    std::vector<std::string> cells;
    std::stringstream row(line.substr(1));
    std::string cell;
    while (std::getline(row, cell, '|')) {
      const size_t a = cell.find_first_not_of(' '), b = cell.find_last_not_of(' ');
      cells.push_back(a == std::string::npos ? "" : cell.substr(a, b - a + 1));
    }
    if (!cells.empty() && cells[0].find("---") == std::string::npos && cells[0] != "code") rows.push_back(cells);
  }
  return rows;
}

std::string unquote(const std::string& cell) {
  return cell.size() >= 2 && cell.front() == '`' && cell.back() == '`' ? cell.substr(1, cell.size() - 2) : cell;
}

TEST(ErrorCodes, DocsProtocolMdListsTheTable) {
  const auto rows = table_rows(read_source("docs/protocol.md"), "## Error codes");
  std::vector<std::pair<std::string, bool>> documented, table;
  for (const auto& cells : rows) {
    ASSERT_GE(cells.size(), 3u);
    const std::string& retryable = cells[2];
    EXPECT_TRUE(retryable.rfind("yes", 0) == 0 || retryable.rfind("no", 0) == 0) << retryable;
    documented.emplace_back(unquote(cells[0]), retryable.rfind("yes", 0) == 0);
  }
  for (const ErrorCodeInfo& info : kErrorCodes) table.emplace_back(std::string(info.code), info.retryable);
  EXPECT_EQ(documented, table);
}

TEST(ErrorCodes, TheMessageErrorCodeTypeListsTheTableAndTheTransportCodes) {
  const std::string type = between(read_source("web/index.d.ts"), "export type MessageErrorCode =", ";");
  std::set<std::string> expected;
  for (const ErrorCodeInfo& info : kErrorCodes) expected.insert(std::string(info.code));
  // The transport's codes (docs/transport.md, checked against web/transport/errors.js
  // by tests/node/transport-contract.test.js); `http_<status>` is the type's
  // template literal.
  for (const auto& cells : table_rows(read_source("docs/transport.md"), "| code | retryable | when |")) {
    const std::string code = unquote(cells[0]);
    if (code == "aborted") continue;  // used inside the run only (no message has it)
    expected.insert(code == "http_<status>" ? "http_${number}" : code);
  }
  std::set<std::string> listed = all_matches(type, "'([^']*)'");
  for (const std::string& t : all_matches(type, "`([^`]*)`")) listed.insert(t);
  EXPECT_EQ(listed, expected) << type;
}

TEST(ErrorCodes, ProviderCodesThatNameATransientCondition) {
  for (const char* code : {"server_error", "rate_limit_exceeded", "overloaded", "overloaded_error", "timeout", "429",
                           "500", "503", "529", "408", "service_unavailable", "internal_error", "api_error",
                           "rate_limit_error", "timeout_error", "UNAVAILABLE", "RESOURCE_EXHAUSTED", "INTERNAL",
                           "DEADLINE_EXCEEDED"}) {
    EXPECT_TRUE(provider_code_retryable(code)) << code;
  }
  for (const char* code : {"", "invalid_request_error", "context_length_exceeded", "insufficient_quota", "400",
                           "401", "404", "5000", "invalid_api_key", "content_filter", "INVALID_ARGUMENT",
                           "PERMISSION_DENIED", "authentication_error"}) {
    EXPECT_FALSE(provider_code_retryable(code)) << code;
  }
}

// One event of each protocol carrying a provider error with a message and no code.
struct Uncoded {
  const char* protocol;
  std::string sse;
};
const Uncoded kUncoded[] = {
    {"native", "event: error\ndata: {\"message\":\"boom\"}\n\n"},
    {"openai-chat", "data: {\"error\":{\"message\":\"boom\"}}\n\n"},
    {"openai-responses", "event: error\ndata: {\"type\":\"error\",\"message\":\"boom\"}\n\n"},
    {"anthropic", "event: error\ndata: {\"type\":\"error\",\"message\":\"boom\"}\n\n"},
    {"ai-sdk", "data: {\"type\":\"error\",\"errorText\":\"boom\"}\n\n"},
    {"gemini", "data: {\"error\":{\"message\":\"boom\"}}\n\n"},
};

TEST(ErrorPolicy, AProviderErrorWithoutACodeIsARetryableServerErrorInEveryProtocol) {
  for (const Uncoded& c : kUncoded) {
    const auto s = decode(c.sse, c.protocol);
    EXPECT_EQ(s->state().status(), Status::kError) << c.protocol;
    EXPECT_EQ(s->state().error_code(), "server_error") << c.protocol;
    EXPECT_TRUE(s->state().error_retryable()) << c.protocol;
    EXPECT_EQ(s->state().error_message(), "boom") << c.protocol;
  }
}

TEST(ErrorPolicy, ProviderCodesMapTheSameWayInEveryProtocol) {
  const struct {
    const char* protocol;
    std::string sse;
    const char* code;
    bool retryable;
  } cases[] = {
      {"native", "event: error\ndata: {\"message\":\"m\",\"code\":\"rate_limit_exceeded\"}\n\n", "rate_limit_exceeded", true},
      {"native", "event: error\ndata: {\"message\":\"m\",\"code\":\"overloaded\",\"retryable\":false}\n\n", "overloaded", false},
      {"native", "event: error\ndata: {\"message\":\"m\",\"code\":\"bad_request\"}\n\n", "bad_request", false},
      {"openai-chat", "data: {\"error\":{\"message\":\"m\",\"code\":503}}\n\n", "503", true},
      {"openai-responses", "event: error\ndata: {\"type\":\"error\",\"code\":\"rate_limit_exceeded\",\"message\":\"m\"}\n\n", "rate_limit_exceeded", true},
      {"anthropic", "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"m\"}}\n\n", "overloaded_error", true},
      {"gemini", "data: {\"error\":{\"code\":503,\"message\":\"m\",\"status\":\"UNAVAILABLE\"}}\n\n", "UNAVAILABLE", true},
      {"gemini", "data: {\"error\":{\"code\":504,\"message\":\"m\"}}\n\n", "504", true},
      {"gemini", "data: {\"error\":{\"code\":403,\"message\":\"m\",\"status\":\"PERMISSION_DENIED\"}}\n\n", "PERMISSION_DENIED", false},
  };
  for (const auto& c : cases) {
    const auto s = decode(c.sse, c.protocol);
    EXPECT_EQ(s->state().error_code(), c.code) << c.protocol << " " << c.sse;
    EXPECT_EQ(s->state().error_retryable(), c.retryable) << c.protocol << " " << c.sse;
  }
}

// One event of each protocol whose JSON nests `depth` levels inside `before`.
std::string nested(const char* protocol, size_t depth) {
  const std::string deep = std::string(depth, '[') + std::string(depth, ']');
  const std::string p = protocol;
  if (p == "native") return "event: tool_start\ndata: {\"id\":\"t\",\"name\":\"n\",\"input\":" + deep + "}\n\n";
  if (p == "openai-chat") return "data: {\"choices\":[{\"index\":0,\"delta\":{\"x\":" + deep + "}}]}\n\n";
  if (p == "openai-responses") return "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"x\":" + deep + "}\n\n";
  if (p == "anthropic") return "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":" + deep + "}\n\n";
  if (p == "ai-sdk") return "data: {\"type\":\"tool-input-available\",\"toolCallId\":\"t\",\"input\":" + deep + "}\n\n";
  return "data: {\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":\"n\",\"args\":" + deep + "}}]}}]}\n\n";
}

TEST(ErrorPolicy, JsonTooDeepIsOneRuleAgainstMaxJsonDepthInEveryProtocol) {
  for (const Uncoded& c : kUncoded) {
    const std::string text = c.protocol == std::string("native") ? "event: text_delta\ndata: \"kept\"\n\n"
                             : c.protocol == std::string("gemini")
                                 ? "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"kept\"}]}}]}\n\n"
                             : c.protocol == std::string("openai-chat")
                                 ? "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"kept\"}}]}\n\n"
                             : c.protocol == std::string("ai-sdk")
                                 ? "data: {\"type\":\"text-delta\",\"id\":\"a\",\"delta\":\"kept\"}\n\n"
                             : c.protocol == std::string("anthropic")
                                 ? "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                                   "\"delta\":{\"type\":\"text_delta\",\"text\":\"kept\"}}\n\n"
                                 : "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\","
                                   "\"delta\":\"kept\"}\n\n";
    // Deeper than the reader reads, at the default maxJsonDepth: json_too_deep,
    // never a warning; what came before stays.
    auto s = decode(text + nested(c.protocol, 100000), c.protocol);
    EXPECT_EQ(s->state().error_code(), "json_too_deep") << c.protocol;
    EXPECT_EQ(s->state().text(), "kept") << c.protocol;
    // maxJsonDepth 20: an event 40 deep that the decoder cannot read is the same error.
    MessageState::Limits limits;
    limits.max_json_depth = 20;
    std::string unreadable = nested(c.protocol, 40);
    unreadable.insert(unreadable.size() - 3, ",");  // invalid JSON
    s = decode(text + unreadable, c.protocol, limits);
    EXPECT_EQ(s->state().error_code(), "json_too_deep") << c.protocol;
    // The same event, not too deep, is an invalid_json warning and the stream goes on.
    unreadable = nested(c.protocol, 5);
    unreadable.insert(unreadable.size() - 3, ",");
    s = decode(text + unreadable, c.protocol, limits);
    EXPECT_NE(s->state().error_code(), "json_too_deep") << c.protocol;
    EXPECT_GE(s->state().warning_count(), 1u) << c.protocol;
  }
}

}  // namespace
}  // namespace ssew

namespace ssew {
namespace {

// utf8_sequence_length unrolls the lead table of utf8_lead() for speed: the two must
// agree on every lead byte and every first continuation byte.
TEST(Utf8Lead, TheTableAndUtf8SequenceLengthAgree) {
  for (unsigned lead = 0x80; lead <= 0xFF; ++lead) {
    const Utf8Lead info = utf8_lead(static_cast<uint8_t>(lead));
    for (unsigned second = 0; second <= 0xFF; ++second) {
      const uint8_t bytes[4] = {static_cast<uint8_t>(lead), static_cast<uint8_t>(second), 0x80, 0x80};
      const bool ok = info.need > 0 && second >= info.lower && second <= info.upper;
      EXPECT_EQ(utf8_sequence_length(bytes, 4), ok ? info.need + 1u : 0u) << std::hex << lead << " " << second;
    }
  }
}

}  // namespace
}  // namespace ssew
