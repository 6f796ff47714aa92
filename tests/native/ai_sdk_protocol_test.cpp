// The "ai-sdk" protocol (Vercel AI SDK UI message stream v1): the fixtures of
// tests/fixtures/ai-sdk replayed whole, with "auto", at every split point and byte by
// byte; then the decoder's rules one by one.
#include <gtest/gtest.h>

#include <string>

#include "protocols/ai_sdk_protocol.h"
#include "fixture_replay.h"
#include "message_session.h"
#include "protocols/protocol.h"

namespace ssew {
namespace {


std::unique_ptr<MessageSession> Decode(const std::string& sse, const std::string& protocol = "ai-sdk") {
  return testing::decode(sse, protocol);
}

std::string Chunk(const std::string& json) { return "data: " + json + "\n\n"; }

const std::string kDone = "data: [DONE]\n\n";

TEST(AiSdkFixtures, AllReplayAtEverySplit) { testing::check_all_fixtures("ai-sdk", 8); }

TEST(AiSdkProtocol, PlainTextInputJoinsASplitSurrogatePair) {
  // inputEncoding "text" streams the input as the body of a JSON string; the opening
  // quote must not keep a leading low surrogate from becoming U+FFFD.
  MessageSession::Options options;
  options.protocol = "ai-sdk";
  MessageSession session(options);
  session.feed(Chunk(R"({"type":"start"})") +
               Chunk(R"({"type":"tool-input-start","toolCallId":"c","toolName":"sh","inputEncoding":"text"})") +
               Chunk(R"({"type":"tool-input-delta","toolCallId":"c","inputTextDelta":"\ude00a \ud83d"})"));
  EXPECT_EQ(session.state().part(0).input_text, "\"\xEF\xBF\xBD" "a ");
  session.feed(Chunk(R"({"type":"tool-input-delta","toolCallId":"c","inputTextDelta":"\ude00"})"));
  const auto p = session.state().part(0);
  EXPECT_EQ(p.input_text, "\"\xEF\xBF\xBD" "a \xF0\x9F\x98\x80");
  EXPECT_EQ(p.input_json, "\"\xEF\xBF\xBD" "a \xF0\x9F\x98\x80\"");
}

TEST(AiSdkProtocol, IsKnownByName) {
  ASSERT_TRUE(is_known_protocol("ai-sdk"));
  EXPECT_EQ(make_protocol("ai-sdk")->name(), "ai-sdk");
}

TEST(AiSdkDetection, ChunkVocabularyInMessageEvents) {
  const auto detect = [](const char* type, const char* data) {
    return std::string(detect_protocol(SseEvent{type, data, ""}));
  };
  EXPECT_EQ(detect("message", R"({"type":"start","messageId":"m"})"), "ai-sdk");
  EXPECT_EQ(detect("message", R"({"type":"start-step"})"), "ai-sdk");
  EXPECT_EQ(detect("message", R"({"type":"text-delta","id":"0","delta":"x"})"), "ai-sdk");
  EXPECT_EQ(detect("message", R"({"type":"tool-input-available","toolCallId":"c","toolName":"t","input":{}})"),
            "ai-sdk");
  EXPECT_EQ(detect("message", R"({"type":"data-weather","data":{}})"), "ai-sdk");
  EXPECT_EQ(detect("message", R"({"type":"error","errorText":"boom"})"), "ai-sdk");
  // Not the vocabulary, or not a message event.
  EXPECT_EQ(detect("message", R"({"type":"error","message":"boom"})"), "");
  EXPECT_EQ(detect("message", R"({"type":"data-"})"), "");
  EXPECT_EQ(detect("message", "[DONE]"), "");
  EXPECT_EQ(detect("message", R"({"type":"something"})"), "");
  EXPECT_FALSE(AiSdkProtocol::is_ai_sdk_event(SseEvent{"custom", R"({"type":"start"})", ""}));
}

TEST(AiSdkProtocol, EventNamesAreIgnoredAsByTheSdk) {
  auto s = Decode("event: whatever\n" + Chunk(R"({"type":"text-start","id":"a"})") + "event: x\n" +
               Chunk(R"({"type":"text-delta","id":"a","delta":"hi"})") + kDone);
  EXPECT_EQ(s->state().text(), "hi");
  EXPECT_EQ(s->state().status(), Status::kDone);
}

TEST(AiSdkProtocol, EachTextStartIsANewPart) {
  auto s = Decode(Chunk(R"({"type":"text-start","id":"a"})") + Chunk(R"({"type":"text-delta","id":"a","delta":"x"})") +
               Chunk(R"({"type":"text-end","id":"a"})") + Chunk(R"({"type":"text-start","id":"a"})") +
               Chunk(R"({"type":"text-delta","id":"a","delta":"y"})") + Chunk(R"({"type":"finish"})"));
  ASSERT_EQ(s->state().part_count(), 2u);
  EXPECT_EQ(s->state().part(0).text, "x");
  EXPECT_EQ(s->state().part(1).text, "y");
  EXPECT_EQ(s->state().warning_count(), 0u);
}

TEST(AiSdkProtocol, InterleavedIdsNeverMixTheirText) {
  auto s = Decode(Chunk(R"({"type":"text-start","id":"a"})") + Chunk(R"({"type":"text-start","id":"b"})") +
               Chunk(R"({"type":"text-delta","id":"a","delta":"1"})") +
               Chunk(R"({"type":"text-delta","id":"b","delta":"2"})") +
               Chunk(R"({"type":"text-delta","id":"a","delta":"3"})") + kDone);
  ASSERT_EQ(s->state().part_count(), 3u);
  EXPECT_EQ(s->state().text(), "123");
}

TEST(AiSdkProtocol, DeltaForAnEndedPartIsShownWithAWarning) {
  auto s = Decode(Chunk(R"({"type":"text-start","id":"a"})") + Chunk(R"({"type":"text-end","id":"a"})") +
               Chunk(R"({"type":"text-delta","id":"a","delta":"late"})") + kDone);
  EXPECT_EQ(s->state().text(), "late");
  EXPECT_EQ(s->state().warning_count(), 1u);
}

TEST(AiSdkProtocol, ErrorChunkEndsTheMessageAndKeepsItsText) {
  auto s = Decode(Chunk(R"({"type":"text-start","id":"a"})") + Chunk(R"({"type":"text-delta","id":"a","delta":"part"})") +
               Chunk(R"({"type":"error","errorText":"Rate limited"})") +
               Chunk(R"({"type":"text-delta","id":"a","delta":" more"})") + kDone);
  EXPECT_EQ(s->state().status(), Status::kError);
  EXPECT_EQ(s->state().error_code(), "server_error");
  EXPECT_EQ(s->state().error_message(), "Rate limited");
  EXPECT_EQ(s->state().text(), "part");
}

TEST(AiSdkProtocol, FinishThenDoneIsDoneOnce) {
  auto s = Decode(Chunk(R"({"type":"finish","finishReason":"length"})") + kDone);
  EXPECT_EQ(s->state().status(), Status::kDone);
  EXPECT_EQ(s->state().finish_reason(), "length");
}

TEST(AiSdkProtocol, NoFinishNoDoneIsInterrupted) {
  auto s = Decode(Chunk(R"({"type":"start"})") + Chunk(R"({"type":"text-start","id":"a"})"));
  EXPECT_EQ(s->state().status(), Status::kError);
  EXPECT_EQ(s->state().error_code(), "interrupted");
}

TEST(AiSdkProtocol, ToolOutputDeniedIsAToolError) {
  auto s = Decode(Chunk(R"({"type":"tool-input-available","toolCallId":"c","toolName":"rm","input":{"path":"/"}})") +
               Chunk(R"({"type":"tool-approval-request","approvalId":"a1","toolCallId":"c"})") +
               Chunk(R"({"type":"tool-output-denied","toolCallId":"c"})") + kDone);
  ASSERT_EQ(s->state().part_count(), 1u);
  EXPECT_EQ(s->state().part(0).state, ToolState::kOutputError);
  EXPECT_FALSE(s->state().part(0).error_text.empty());
}

TEST(AiSdkProtocol, TextEncodedInputStreamsAsAString) {
  MessageState state;
  AiSdkProtocol protocol;
  const auto feed = [&](const std::string& json) { protocol.on_event(SseEvent{"message", json, ""}, state); };
  feed(R"({"type":"tool-input-start","toolCallId":"c","toolName":"sh","inputEncoding":"text"})");
  feed(R"({"type":"tool-input-delta","toolCallId":"c","inputTextDelta":"ls \"a"})");
  EXPECT_EQ(state.part(0).state, ToolState::kInputStreaming);
  EXPECT_EQ(state.part(0).input_json, R"("ls \"a")");
  feed(R"({"type":"tool-input-delta","toolCallId":"c","inputTextDelta":"b\"\n"})");
  EXPECT_EQ(state.part(0).input_json, R"("ls \"ab\"\n")");
  EXPECT_EQ(state.warning_count(), 0u);
}

TEST(AiSdkProtocol, UsageFromMessageMetadataShapes) {
  auto s = Decode(Chunk(R"({"type":"finish","messageMetadata":{"totalUsage":{"inputTokens":3,"outputTokens":4}}})"));
  ASSERT_TRUE(s->state().usage());
  EXPECT_EQ(*s->state().usage(), std::make_pair(uint64_t{3}, uint64_t{4}));
  s = Decode(Chunk(R"({"type":"finish","messageMetadata":{"createdAt":1}})"));
  EXPECT_FALSE(s->state().usage());
}

TEST(AiSdkProtocol, InvalidJsonAndBadChunksWarn) {
  auto s = Decode(Chunk(R"({"type":"text-delta","id":"a",)") + Chunk(R"({"type":"text-delta","id":"a","delta":5})") +
               Chunk(R"({"type":"tool-input-delta","inputTextDelta":"{"})") + Chunk("[1,2]") + kDone);
  EXPECT_EQ(s->state().warning_count(), 4u);
  EXPECT_EQ(s->state().part_count(), 0u);
  EXPECT_EQ(s->state().status(), Status::kDone);
}

}  // namespace
}  // namespace ssew
