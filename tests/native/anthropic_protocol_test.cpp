// The "anthropic" protocol (Messages API streaming): the fixtures of
// tests/fixtures/anthropic replayed whole, with "auto", at every split point and byte
// by byte; then the decoder's rules one by one.
#include <gtest/gtest.h>

#include <string>

#include "protocols/anthropic_protocol.h"
#include "fixture_replay.h"
#include "message_session.h"
#include "protocols/protocol.h"

namespace ssew {
namespace {


// Runs `sse` through a session with `protocol` and ends it.
std::unique_ptr<MessageSession> Decode(const std::string& sse, const std::string& protocol = "anthropic") {
  return testing::decode(sse, protocol);
}

std::string Event(const std::string& name, const std::string& data) {
  return "event: " + name + "\ndata: " + data + "\n\n";
}

const std::string kStart =
    Event("message_start", R"({"type":"message_start","message":{"id":"m","usage":{"input_tokens":5,"output_tokens":1}}})");
const std::string kStop = Event("message_stop", R"({"type":"message_stop"})");

std::string TextStart(int index) {
  return Event("content_block_start", R"({"type":"content_block_start","index":)" + std::to_string(index) +
                                          R"(,"content_block":{"type":"text","text":""}})");
}
std::string TextDelta(int index, const std::string& text) {
  return Event("content_block_delta", R"({"type":"content_block_delta","index":)" + std::to_string(index) +
                                          R"(,"delta":{"type":"text_delta","text":")" + text + R"("}})");
}
std::string BlockStop(int index) {
  return Event("content_block_stop", R"({"type":"content_block_stop","index":)" + std::to_string(index) + "}");
}

TEST(AnthropicFixtures, AllReplayAtEverySplit) { testing::check_all_fixtures("anthropic", 8); }

TEST(AnthropicProtocol, IsKnownByName) {
  ASSERT_TRUE(is_known_protocol("anthropic"));
  EXPECT_EQ(make_protocol("anthropic")->name(), "anthropic");
}

TEST(AnthropicDetection, StreamEventsAndShapedPingAndError) {
  const auto detect = [](const char* type, const char* data) {
    return std::string(detect_protocol(SseEvent{type, data, ""}));
  };
  EXPECT_EQ(detect("message_start", R"({"type":"message_start","message":{}})"), "anthropic");
  EXPECT_EQ(detect("content_block_delta", "{}"), "anthropic");
  EXPECT_EQ(detect("message_stop", R"({"type":"message_stop"})"), "anthropic");
  // A ping is Anthropic's only with exactly its data; any other ping does not tell.
  EXPECT_EQ(detect("ping", R"({"type": "ping"})"), "anthropic");
  EXPECT_EQ(detect("ping", R"({"type":"ping","t":1})"), "");
  EXPECT_EQ(detect("ping", "keepalive"), "");
  // Event names stripped by a proxy: the JSON type tells.
  EXPECT_EQ(detect("message", R"({"type":"content_block_start","index":0,"content_block":{"type":"text"}})"),
            "anthropic");
  EXPECT_EQ(detect("message", R"({"type":"ping"})"), "");
  // The error shape alone (is_anthropic_event; detect_protocol gives "error" events to
  // the native vocabulary first).
  EXPECT_TRUE(AnthropicProtocol::is_anthropic_event(
      SseEvent{"error", R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})", ""}));
  EXPECT_FALSE(AnthropicProtocol::is_anthropic_event(
      SseEvent{"error", R"({"type":"error","code":"server_error","message":"x"})", ""}));
  EXPECT_FALSE(AnthropicProtocol::is_anthropic_event(SseEvent{"error", "oops", ""}));
}

TEST(AnthropicProtocol, EventNameIsTheFallbackForDataWithoutType) {
  auto s = Decode(kStart + Event("content_block_start", R"({"index":0,"content_block":{"type":"text","text":""}})") +
               Event("content_block_delta", R"({"index":0,"delta":{"type":"text_delta","text":"hi"}})") +
               Event("message_stop", "{}"));
  EXPECT_EQ(s->state().text(), "hi");
  EXPECT_EQ(s->state().status(), Status::kDone);
}

TEST(AnthropicProtocol, WorksWithoutEventNames) {
  // A proxy that strips the event names: the JSON type tells, also for detection.
  std::string sse;
  for (const std::string& e : {kStart, TextStart(0), TextDelta(0, "a"), kStop}) {
    sse += e.substr(e.find("data:"));
  }
  auto s = Decode(sse, "auto");
  EXPECT_EQ(s->protocol(), "anthropic");
  EXPECT_EQ(s->state().text(), "a");
  EXPECT_EQ(s->state().status(), Status::kDone);
}

TEST(AnthropicProtocol, EachTextBlockIsAPart) {
  auto s = Decode(kStart + TextStart(0) + TextDelta(0, "a") + BlockStop(0) + TextStart(1) + TextDelta(1, "b") +
               BlockStop(1) + kStop);
  ASSERT_EQ(s->state().part_count(), 2u);
  EXPECT_EQ(s->state().part(0).text, "a");
  EXPECT_EQ(s->state().part(1).text, "b");
}

TEST(AnthropicProtocol, InterleavedBlocksNeverMixTheirText) {
  auto s = Decode(kStart + TextStart(0) + TextDelta(0, "a") + TextStart(1) + TextDelta(1, "b") + TextDelta(0, "c") +
               kStop);
  ASSERT_EQ(s->state().part_count(), 3u);
  EXPECT_EQ(s->state().part(0).text, "a");
  EXPECT_EQ(s->state().part(1).text, "b");
  EXPECT_EQ(s->state().part(2).text, "c");
}

TEST(AnthropicProtocol, DeltaWithoutStartIsShown) {
  auto s = Decode(kStart + TextDelta(3, "orphan") + kStop);
  EXPECT_EQ(s->state().text(), "orphan");
}

TEST(AnthropicProtocol, MismatchedAndUnknownDeltasWarn) {
  auto s = Decode(kStart + TextStart(0) +
               Event("content_block_delta",
                     R"({"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{"}})") +
               Event("content_block_delta",
                     R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"x"}})") +
               kStop);
  EXPECT_EQ(s->state().part_count(), 0u);
  EXPECT_EQ(s->state().warning_count(), 2u);
  EXPECT_EQ(s->state().status(), Status::kDone);
}

TEST(AnthropicProtocol, InvalidJsonWarnsAndIsIgnored) {
  auto s = Decode(kStart + TextStart(0) + Event("content_block_delta", R"({"type":"content_block_delta",)") +
               TextDelta(0, "ok") + kStop);
  EXPECT_EQ(s->state().text(), "ok");
  EXPECT_EQ(s->state().warning_count(), 1u);
}

TEST(AnthropicProtocol, ToolWithoutDeltasKeepsANonEmptyStartInput) {
  auto s = Decode(kStart +
               Event("content_block_start",
                     R"({"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t1","name":"f","input":{"a":1}}})") +
               BlockStop(0) + kStop);
  ASSERT_EQ(s->state().part_count(), 1u);
  EXPECT_EQ(s->state().part(0).state, ToolState::kInputAvailable);
  EXPECT_EQ(nlohmann::json::parse(s->state().part(0).input_json), nlohmann::json::parse(R"({"a":1})"));
}

TEST(AnthropicProtocol, ServerToolResultErrorIsAToolError) {
  auto s = Decode(kStart +
               Event("content_block_start",
                     R"({"type":"content_block_start","index":0,"content_block":{"type":"server_tool_use","id":"srv1","name":"web_search","input":{}}})") +
               Event("content_block_delta",
                     R"({"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"query\":\"x\"}"}})") +
               BlockStop(0) +
               Event("content_block_start",
                     R"({"type":"content_block_start","index":1,"content_block":{"type":"web_search_tool_result","tool_use_id":"srv1","content":{"type":"web_search_tool_result_error","error_code":"max_uses_exceeded"}}})") +
               BlockStop(1) + kStop);
  ASSERT_EQ(s->state().part_count(), 1u);
  EXPECT_EQ(s->state().part(0).state, ToolState::kOutputError);
  EXPECT_EQ(s->state().part(0).error_text, "max_uses_exceeded");
  EXPECT_EQ(s->state().part(0).input_json, R"({"query":"x"})");
}

TEST(AnthropicProtocol, McpToolResultWithIsError) {
  auto s = Decode(kStart +
               Event("content_block_start",
                     R"({"type":"content_block_start","index":0,"content_block":{"type":"mcp_tool_use","id":"mcp1","name":"lookup","server_name":"crm","input":{"id":7}}})") +
               BlockStop(0) +
               Event("content_block_start",
                     R"({"type":"content_block_start","index":1,"content_block":{"type":"mcp_tool_result","tool_use_id":"mcp1","is_error":true,"content":"not found"}})") +
               BlockStop(1) + kStop);
  ASSERT_EQ(s->state().part_count(), 1u);
  EXPECT_EQ(s->state().part(0).name, "lookup");
  EXPECT_EQ(s->state().part(0).state, ToolState::kOutputError);
  EXPECT_EQ(s->state().part(0).error_text, "not found");
}

TEST(AnthropicProtocol, UsageCountersAreRunningTotals) {
  // message_delta without input_tokens keeps message_start's; a later one overwrites.
  auto s = Decode(kStart + Event("message_delta", R"({"type":"message_delta","delta":{},"usage":{"output_tokens":9}})"));
  ASSERT_TRUE(s->state().usage());
  EXPECT_EQ(*s->state().usage(), std::make_pair(uint64_t{5}, uint64_t{9}));
  s = Decode(kStart + Event("message_delta", R"({"type":"message_delta","delta":{},"usage":{"output_tokens":9}})") +
          Event("message_delta", R"({"type":"message_delta","delta":{},"usage":{"input_tokens":6,"output_tokens":12}})"));
  EXPECT_EQ(*s->state().usage(), std::make_pair(uint64_t{6}, uint64_t{12}));
}

TEST(AnthropicProtocol, ErrorTypesAndRetryability) {
  const auto error = [](const std::string& data) { return Decode(kStart + Event("error", data)); };
  auto s = error(R"({"type":"error","error":{"type":"rate_limit_error","message":"slow down"}})");
  EXPECT_EQ(s->state().status(), Status::kError);
  EXPECT_EQ(s->state().error_code(), "rate_limit_error");
  EXPECT_EQ(s->state().error_message(), "slow down");
  EXPECT_TRUE(s->state().error_retryable());
  s = error(R"({"type":"error","error":{"type":"invalid_request_error","message":"bad"}})");
  EXPECT_EQ(s->state().error_code(), "invalid_request_error");
  EXPECT_FALSE(s->state().error_retryable());
  s = error(R"({"type":"error","error":{"type":"api_error","message":"Internal server error"}})");
  EXPECT_TRUE(s->state().error_retryable());
  s = error("Service Unavailable");  // not JSON: the text is the message; no code (errors.h)
  EXPECT_EQ(s->state().error_code(), "server_error");
  EXPECT_TRUE(s->state().error_retryable());
  EXPECT_EQ(s->state().error_message(), "Service Unavailable");
  s = error(R"({"message":"flat"})");  // no nested error object
  EXPECT_EQ(s->state().error_message(), "flat");
  EXPECT_EQ(s->state().status(), Status::kError);
  // Stripped event names: the JSON type alone makes it an error.
  s = Decode(kStart + R"(data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})" "\n\n");
  EXPECT_EQ(s->state().error_code(), "overloaded_error");
}

TEST(AnthropicProtocol, EventsAfterMessageStopChangeNothing) {
  auto s = Decode(kStart + TextStart(0) + TextDelta(0, "a") + kStop + TextDelta(0, "b") +
               Event("error", R"({"type":"error","error":{"type":"api_error","message":"late"}})"));
  EXPECT_EQ(s->state().text(), "a");
  EXPECT_EQ(s->state().status(), Status::kDone);
}

}  // namespace
}  // namespace ssew
