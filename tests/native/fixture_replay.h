// Shared by the native protocol tests: loads tests/fixtures/<protocol>/*.sse with
// their *.expected.json, replays them through MessageSession in any chunking, and
// compares the final state with the expected one (fields absent from the expected
// file are not compared).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "message_session.h"

namespace ssew::testing {

struct Fixture {
  std::string protocol, name, bytes;
  nlohmann::json expected;
};

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::vector<Fixture> load_fixtures(const std::string& protocol) {
  std::vector<Fixture> out;
  const std::filesystem::path dir = std::filesystem::path(SSEW_FIXTURES_DIR) / protocol;
  if (!std::filesystem::exists(dir)) return out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".sse") continue;
    Fixture f;
    f.protocol = protocol;
    f.name = entry.path().stem().string();
    f.bytes = read_file(entry.path());
    auto expected_path = entry.path();
    expected_path.replace_extension(".expected.json");
    f.expected = nlohmann::json::parse(read_file(expected_path), nullptr, false);
    out.push_back(std::move(f));
  }
  std::sort(out.begin(), out.end(), [](const Fixture& a, const Fixture& b) { return a.name < b.name; });
  return out;
}

inline const char* status_name(Status s) {
  static const char* names[] = {"idle", "streaming", "done", "error", "aborted"};
  return names[static_cast<int>(s)];
}

inline const char* tool_state_name(ToolState s) {
  static const char* names[] = {"input-streaming", "input-available", "output-available", "output-error"};
  return names[static_cast<int>(s)];
}

// Feeds `bytes` in pieces that end at `cuts` (sorted offsets), then ends the stream;
// on the way, the text must only ever grow.
inline void replay(MessageSession& session, const std::string& bytes, const std::vector<size_t>& cuts) {
  size_t at = 0;
  std::string text;
  const auto feed_to = [&](size_t end) {
    session.feed(std::string_view(bytes).substr(at, end - at));
    at = end;
    const std::string now = session.state().text();
    EXPECT_EQ(now.compare(0, text.size(), text), 0) << "the text shrank or changed while streaming";
    text = now;
  };
  for (size_t cut : cuts) {
    if (cut > at && cut < bytes.size()) feed_to(cut);
  }
  feed_to(bytes.size());
  session.end();
}

inline nlohmann::json parse_or_null(const std::string& text) {
  if (text.empty()) return nullptr;
  auto v = nlohmann::json::parse(text, nullptr, false);
  return v.is_discarded() ? nlohmann::json(text) : v;
}

// The final state in the shape of the expected files.
inline nlohmann::json state_json(MessageState& state) {
  nlohmann::json out;
  out["status"] = status_name(state.status());
  out["text"] = state.text();
  out["finishReason"] = state.finish_reason().empty() ? nlohmann::json(nullptr) : nlohmann::json(state.finish_reason());
  if (auto usage = state.usage()) {
    out["usage"] = {{"inputTokens", usage->first}, {"outputTokens", usage->second}};
  } else {
    out["usage"] = nullptr;
  }
  if (state.status() == Status::kError) {
    out["error"] = {{"code", state.error_code()}, {"retryable", state.error_retryable()}, {"message", state.error_message()}};
  } else {
    out["error"] = nullptr;
  }
  out["parts"] = nlohmann::json::array();
  for (size_t i = 0; i < state.part_count(); ++i) {
    const auto p = state.part(i);
    nlohmann::json part;
    if (p.kind == MessageState::PartView::kTool) {
      part = {{"type", "tool"}, {"id", p.id}, {"name", p.name}, {"state", tool_state_name(p.state)},
              {"inputText", p.input_text}};
      part["input"] = parse_or_null(p.input_json);
      if (p.state == ToolState::kOutputAvailable) part["output"] = parse_or_null(p.output_json);
      if (p.state == ToolState::kOutputError) part["errorText"] = p.error_text;
    } else {
      part = {{"type", p.kind == MessageState::PartView::kText ? "text" : "reasoning"}, {"text", p.text}};
    }
    out["parts"].push_back(part);
  }
  return out;
}

// Every field of `expected` must match `actual` (objects recursively for error and
// parts; other values exactly).
inline void expect_matches(const nlohmann::json& actual, const nlohmann::json& expected, const std::string& label) {
  for (const auto& [key, want] : expected.items()) {
    if (key == "parts") {
      ASSERT_EQ(actual["parts"].size(), want.size()) << label << ": part count; got " << actual["parts"].dump();
      for (size_t i = 0; i < want.size(); ++i) {
        for (const auto& [k, v] : want[i].items()) {
          EXPECT_EQ(actual["parts"][i][k], v) << label << ": parts[" << i << "]." << k;
        }
      }
    } else if (key == "error" && want.is_object()) {
      ASSERT_TRUE(actual["error"].is_object()) << label << ": an error was expected";
      for (const auto& [k, v] : want.items()) EXPECT_EQ(actual["error"][k], v) << label << ": error." << k;
    } else {
      EXPECT_EQ(actual[key], want) << label << ": " << key;
    }
  }
}

// The final state of `bytes` fed in pieces ending at `cuts` (and the protocol that
// was used, for "auto").
inline nlohmann::json final_state(const std::string& protocol, const std::string& bytes,
                                  const std::vector<size_t>& cuts, std::string* used = nullptr,
                                  size_t* warnings = nullptr) {
  MessageSession::Options options;
  options.protocol = protocol;
  MessageSession session(options);
  replay(session, bytes, cuts);
  if (used) *used = std::string(session.protocol());
  if (warnings) *warnings = session.state().warning_count();
  return state_json(session.state());
}

// `sse` fed whole to a new session of `protocol`, then ended: for direct tests that
// inspect the session afterwards.
inline std::unique_ptr<MessageSession> decode(const std::string& sse, const std::string& protocol,
                                              MessageState::Limits limits = {}) {
  MessageSession::Options options;
  options.protocol = protocol;
  options.limits = limits;
  auto session = std::make_unique<MessageSession>(options);
  session->feed(sse);
  session->end();
  return session;
}

// Replays a fixture whole (it must match the expected file), with protocol "auto"
// (detection must pick the fixture's protocol), at every split point, byte by byte
// and in 20 random chunkings: every replay must end in exactly the whole-stream state.
inline void check_fixture(const Fixture& f) {
  ASSERT_FALSE(f.expected.is_discarded()) << f.name << ".expected.json is not valid JSON";
  const nlohmann::json whole = final_state(f.protocol, f.bytes, {});
  expect_matches(whole, f.expected, f.name + " (whole)");
  std::string detected;
  EXPECT_EQ(final_state("auto", f.bytes, {}, &detected), whole) << f.name << ": auto";
  EXPECT_EQ(detected, f.protocol) << f.name << ": detected protocol";
  for (size_t cut = 1; cut < f.bytes.size(); ++cut) {
    const nlohmann::json split = final_state(f.protocol, f.bytes, {cut});
    if (split != whole) {
      ADD_FAILURE() << f.name << ": split at " << cut << " gives " << split.dump() << "\nwhole: " << whole.dump();
      return;
    }
  }
  std::vector<size_t> every;
  for (size_t i = 1; i < f.bytes.size(); ++i) every.push_back(i);
  EXPECT_EQ(final_state(f.protocol, f.bytes, every), whole) << f.name << ": byte by byte";
  uint32_t seed = static_cast<uint32_t>(f.bytes.size());
  for (int round = 0; round < 20; ++round) {
    std::vector<size_t> cuts;
    for (size_t at = 0; at < f.bytes.size();) {
      seed = seed * 1664525u + 1013904223u;
      at += 1 + (seed >> 16) % 64;
      cuts.push_back(at);
    }
    EXPECT_EQ(final_state("auto", f.bytes, cuts), whole) << f.name << ": random chunking " << round;
  }
}

// Every fixture of `protocol` (at least `at_least` of them) through check_fixture.
inline void check_all_fixtures(const std::string& protocol, size_t at_least) {
  const auto fixtures = load_fixtures(protocol);
  ASSERT_GE(fixtures.size(), at_least) << "fixtures of " << protocol;
  for (const auto& f : fixtures) {
    SCOPED_TRACE(f.name);
    check_fixture(f);
  }
}

}  // namespace ssew::testing
