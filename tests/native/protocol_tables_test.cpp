// The tables the core keeps once (src/protocols/): the protocol registry and the
// error codes. Their copies elsewhere (web/index.d.ts, README.md, docs/protocol.md)
// must list the same entries; these tests fail when one drifts.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "protocols/protocol.h"

namespace ssew {
namespace {

std::string read_source(const std::string& path) {
  std::ifstream in(std::string(SSEW_SOURCE_DIR) + "/" + path);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

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
