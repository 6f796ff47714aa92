// OpenAiResponsesProtocol ("openai-responses"):
//
//  * OpenAiResponsesFixtures/OpenAiResponsesReplay.Fixture/<name>: every
//    tests/fixtures/openai-responses/*.sse replayed through MessageSession whole,
//    with protocol "auto" (detection must pick openai-responses), split into two
//    chunks at every point, byte by byte and in random chunkings; each final state
//    must match the expected file, and every replay must give exactly the state of
//    the whole replay. Text never shrinks between feeds.
//  * OpenAiResponsesProtocol.*: direct cases (detection, error shapes, compat).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "fixture_replay.h"
#include "message_session.h"
#include "protocols/openai_responses_protocol.h"
#include "protocols/protocol.h"

namespace ssew {
namespace {

using nlohmann::json;

json Replay(const std::string& protocol, const std::string& bytes, const std::vector<size_t>& cuts,
            std::string* detected = nullptr, size_t* warnings = nullptr) {
  return testing::final_state(protocol, bytes, cuts, detected, warnings);
}

void CheckFixtureEverywhere(const testing::Fixture& f) {
  testing::check_fixture(f);
  size_t warnings = 0;
  Replay(f.protocol, f.bytes, {}, nullptr, &warnings);
  EXPECT_EQ(warnings, 0u) << f.name << ": warnings";
}

std::vector<std::string> FixtureNames() {
  std::vector<std::string> names;
  for (const auto& f : testing::load_fixtures("openai-responses")) names.push_back(f.name);
  return names;
}

class OpenAiResponsesReplay : public ::testing::TestWithParam<std::string> {};

TEST_P(OpenAiResponsesReplay, Fixture) {
  for (const auto& f : testing::load_fixtures("openai-responses")) {
    if (f.name == GetParam()) return CheckFixtureEverywhere(f);
  }
  FAIL() << "fixture not found";
}

INSTANTIATE_TEST_SUITE_P(OpenAiResponsesFixtures, OpenAiResponsesReplay, ::testing::ValuesIn(FixtureNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST(OpenAiResponsesProtocol, HasFixtures) { EXPECT_GE(FixtureNames().size(), 12u); }

// --- direct cases -------------------------------------------------------------------

std::string Event(const std::string& type, const std::string& fields, int sequence = -1) {
  std::string data = "{\"type\":\"" + type + "\"";
  if (sequence >= 0) data += ",\"sequence_number\":" + std::to_string(sequence);
  if (!fields.empty()) data += "," + fields;
  data += "}";
  return "event: " + type + "\ndata: " + data + "\n\n";
}

std::string TextDelta(const std::string& item, int content_index, const std::string& delta, int sequence = -1) {
  return Event("response.output_text.delta",
               "\"item_id\":\"" + item + "\",\"output_index\":0,\"content_index\":" + std::to_string(content_index) +
                   ",\"delta\":\"" + delta + "\"",
               sequence);
}

const std::string kCompleted =
    Event("response.completed", R"("response":{"status":"completed","usage":{"input_tokens":1,"output_tokens":2}})");

struct Outcome {
  json state;
  size_t warnings;
  std::string protocol;
};

Outcome Feed(const std::string& bytes, const std::string& protocol = "openai-responses") {
  Outcome run;
  run.state = Replay(protocol, bytes, {}, &run.protocol, &run.warnings);
  return run;
}

TEST(OpenAiResponsesProtocol, DetectionRules) {
  const auto detect = [](std::string_view type, std::string_view data) {
    SseEvent e{type, data, ""};
    return std::string(detect_protocol(e));
  };
  EXPECT_EQ(detect("response.created", "{}"), "openai-responses");
  EXPECT_EQ(detect("response.anything", ""), "openai-responses");
  EXPECT_EQ(detect("message", R"({"type":"response.output_text.delta","delta":"x"})"), "openai-responses");
  EXPECT_EQ(detect("message", R"({"sequence_number":1, "type" : "response.created"})"), "openai-responses");
  // Not ours: the marker in a string value, nested, or not a prefix.
  EXPECT_FALSE(OpenAiResponsesProtocol::looks_like_event(SseEvent{"message", R"({"type":"text-delta","delta":"\"response.created"})", ""}));
  EXPECT_FALSE(OpenAiResponsesProtocol::looks_like_event(SseEvent{"message", R"({"data":{"type":"response.created"}})", ""}));
  EXPECT_FALSE(OpenAiResponsesProtocol::looks_like_event(SseEvent{"message", R"({"type":"my.response.created"})", ""}));
  EXPECT_FALSE(OpenAiResponsesProtocol::looks_like_event(SseEvent{"responses", "{}", ""}));
  // An error event alone does not tell.
  EXPECT_FALSE(OpenAiResponsesProtocol::looks_like_event(SseEvent{"error", R"({"type":"error","message":"y"})", ""}));
  EXPECT_FALSE(OpenAiResponsesProtocol::looks_like_event(SseEvent{"message", R"({"type":"error","message":"y"})", ""}));
}

TEST(OpenAiResponsesProtocol, ContentPartsAndItemsAreSeparateParts) {
  const Outcome run = Feed(TextDelta("m1", 0, "a") + TextDelta("m1", 0, "b") + TextDelta("m1", 1, "c") +
                       TextDelta("m2", 0, "d") + kCompleted);
  ASSERT_EQ(run.state["parts"].size(), 3u);
  EXPECT_EQ(run.state["parts"][0]["text"], "ab");
  EXPECT_EQ(run.state["parts"][1]["text"], "c");
  EXPECT_EQ(run.state["parts"][2]["text"], "d");
  EXPECT_EQ(run.state["text"], "abcd");
  EXPECT_EQ(run.state["finishReason"], "stop");
}

TEST(OpenAiResponsesProtocol, ArgumentsWithoutAddedItemAndDoneOnly) {
  // A server that skips output_item.added: .done starts the call with its name.
  const Outcome run = Feed(Event("response.function_call_arguments.done",
                             R"("item_id":"fc_1","output_index":0,"name":"f","arguments":"{\"x\":1}")") +
                       kCompleted);
  ASSERT_EQ(run.state["parts"].size(), 1u);
  EXPECT_EQ(run.state["parts"][0]["id"], "fc_1");
  EXPECT_EQ(run.state["parts"][0]["name"], "f");
  EXPECT_EQ(run.state["parts"][0]["input"], json({{"x", 1}}));
  EXPECT_EQ(run.state["finishReason"], "tool_calls");
}

TEST(OpenAiResponsesProtocol, FunctionCallOnlyInTheCompletedOutput) {
  const Outcome run = Feed(Event("response.completed",
                             R"("response":{"status":"completed","output":[{"type":"function_call","id":"fc_9","call_id":"call_9","name":"g","arguments":"{}"}],"usage":null})"));
  ASSERT_EQ(run.state["parts"].size(), 1u);
  EXPECT_EQ(run.state["parts"][0]["id"], "call_9");
  EXPECT_EQ(run.state["parts"][0]["state"], "input-available");
  EXPECT_EQ(run.state["finishReason"], "tool_calls");
  EXPECT_EQ(run.state["status"], "done");
}

TEST(OpenAiResponsesProtocol, DoneWithInvalidArgumentsFallsBackToTheStreamedText) {
  const Outcome run =
      Feed(Event("response.output_item.added",
                 R"("output_index":0,"item":{"type":"function_call","id":"fc_1","call_id":"c1","name":"f","arguments":""})") +
           Event("response.function_call_arguments.delta", R"("item_id":"fc_1","output_index":0,"delta":"{\"a\":")") +
           Event("response.function_call_arguments.done", R"("item_id":"fc_1","output_index":0,"arguments":"{\"a\":")") +
           kCompleted);
  ASSERT_EQ(run.state["parts"].size(), 1u);
  EXPECT_EQ(run.state["parts"][0]["state"], "input-available");
  EXPECT_EQ(run.warnings, 1u);  // incomplete_tool_input
}

TEST(OpenAiResponsesProtocol, SequenceNumbersThatNeverIncreaseAreNotDeduplicated) {
  const Outcome run = Feed(TextDelta("m", 0, "a", 0) + TextDelta("m", 0, "b", 0) + TextDelta("m", 0, "c", 0) + kCompleted);
  EXPECT_EQ(run.state["text"], "abc");
}

TEST(OpenAiResponsesProtocol, TerminalEventsWithoutAResponseObject) {
  EXPECT_EQ(Feed(TextDelta("m", 0, "a") + Event("response.completed", "")).state["status"], "done");
  const Outcome incomplete = Feed(TextDelta("m", 0, "a") + Event("response.incomplete", "\"response\":null"));
  EXPECT_EQ(incomplete.state["status"], "done");
  EXPECT_EQ(incomplete.state["finishReason"], "incomplete");
  const Outcome failed = Feed(TextDelta("m", 0, "a") + Event("response.failed", ""));
  EXPECT_EQ(failed.state["status"], "error");
  EXPECT_EQ(failed.state["error"]["code"], "server_error");
}

TEST(OpenAiResponsesProtocol, ErrorShapes) {
  Outcome run = Feed(TextDelta("m", 0, "a") + "event: error\ndata: {\"type\":\"error\",\"code\":null,\"message\":\"boom\",\"param\":null}\n\n");
  EXPECT_EQ(run.state["status"], "error");
  EXPECT_EQ(run.state["error"]["message"], "boom");
  EXPECT_EQ(run.state["error"]["code"], "server_error");
  EXPECT_EQ(run.state["error"]["retryable"], true);
  run = Feed(TextDelta("m", 0, "a") + "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"server_error\",\"code\":null,\"message\":\"m\"}}\n\n");
  EXPECT_EQ(run.state["error"]["code"], "server_error");
  // A flat error without an event name.
  run = Feed(TextDelta("m", 0, "a") + "data: {\"type\":\"error\",\"code\":\"invalid_prompt\",\"message\":\"no\"}\n\n");
  EXPECT_EQ(run.state["error"]["code"], "invalid_prompt");
  EXPECT_EQ(run.state["error"]["retryable"], false);
  // Plain text, or a JSON string, in an error event.
  run = Feed(TextDelta("m", 0, "a") + "event: error\ndata: Internal Server Error\n\n");
  EXPECT_EQ(run.state["error"]["message"], "Internal Server Error");
  run = Feed(TextDelta("m", 0, "a") + "event: error\ndata: \"Bad \\\"gateway\\\"\"\n\n");
  EXPECT_EQ(run.state["error"]["message"], "Bad \"gateway\"");
}

TEST(OpenAiResponsesProtocol, InvalidJsonIsAWarningAndUnknownEventsAreIgnored) {
  const Outcome run = Feed(TextDelta("m", 0, "a") + "event: response.output_text.delta\ndata: {\"type\":\n\n" +
                       Event("response.audio.delta", R"("delta":"AAAA")") + Event("keepalive", "") +
                       "data: [DONE]\n\n" + TextDelta("m", 0, "b") + kCompleted);
  EXPECT_EQ(run.state["text"], "ab");
  EXPECT_EQ(run.warnings, 1u);
  EXPECT_EQ(run.state["status"], "done");
}

TEST(OpenAiResponsesProtocol, EventNameIsUsedWhenTheDataHasNoType) {
  const Outcome run = Feed("event: response.output_text.delta\ndata: {\"item_id\":\"m\",\"delta\":\"hi\"}\n\n" +
                       std::string("event: response.completed\ndata: {\"response\":{}}\n\n"));
  EXPECT_EQ(run.state["text"], "hi");
  EXPECT_EQ(run.state["status"], "done");
}

}  // namespace
}  // namespace ssew
