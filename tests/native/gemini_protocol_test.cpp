// The "gemini" protocol (streamGenerateContent?alt=sse): the fixtures of
// tests/fixtures/gemini replayed whole, with "auto", at every split point and byte by
// byte; then the decoder's rules one by one, including bare JSON error lines
// (on_stray_line, called directly here).
#include <gtest/gtest.h>

#include <string>

#include "fixture_replay.h"
#include "protocols/gemini_protocol.h"
#include "message_session.h"
#include "protocols/protocol.h"

namespace ssew {
namespace {


std::unique_ptr<MessageSession> Decode(const std::string& sse, const std::string& protocol = "gemini") {
  return testing::decode(sse, protocol);
}

std::string Data(const std::string& json) { return "data: " + json + "\r\n\r\n"; }

std::string Text(const std::string& text, const std::string& extra = "") {
  return Data(R"({"candidates":[{"content":{"parts":[{"text":")" + text + R"("}],"role":"model"},"index":0)" + extra +
              "}]}");
}

TEST(GeminiFixtures, AllReplayAtEverySplit) { testing::check_all_fixtures("gemini", 8); }

TEST(GeminiProtocol, IsKnownByName) {
  ASSERT_TRUE(is_known_protocol("gemini"));
  EXPECT_EQ(make_protocol("gemini")->name(), "gemini");
}

TEST(GeminiDetection, ResponsesAndGoogleErrors) {
  const auto detect = [](const char* type, const char* data) {
    return std::string(detect_protocol(SseEvent{type, data, ""}));
  };
  EXPECT_EQ(detect("message", R"({"candidates":[]})"), "gemini");
  EXPECT_EQ(detect("message", R"({"usageMetadata":{"promptTokenCount":1}})"), "gemini");
  EXPECT_EQ(detect("message", R"({"promptFeedback":{"blockReason":"SAFETY"}})"), "gemini");
  EXPECT_EQ(detect("message", R"([{"candidates":[]}])"), "gemini");
  EXPECT_EQ(detect("message", R"({"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED"}})"), "gemini");
  // An error without Google's status is not evidence of Gemini.
  EXPECT_FALSE(GeminiProtocol::is_gemini_event(SseEvent{"message", R"({"error":{"message":"x","type":"y"}})", ""}));
  EXPECT_FALSE(GeminiProtocol::is_gemini_event(SseEvent{"custom", R"({"candidates":[]})", ""}));
  EXPECT_FALSE(GeminiProtocol::is_gemini_event(SseEvent{"message", R"({"candidates":)", ""}));
}

TEST(GeminiProtocol, ConsecutiveTextChunksExtendOnePart) {
  auto s = Decode(Text("a") + Text("b") + Text("c", R"(,"finishReason":"STOP")"));
  EXPECT_EQ(s->state().part_count(), 1u);
  EXPECT_EQ(s->state().text(), "abc");
  EXPECT_EQ(s->state().status(), Status::kDone);
}

TEST(GeminiProtocol, EndWithoutFinishReasonIsInterrupted) {
  auto s = Decode(Text("a"));
  EXPECT_EQ(s->state().status(), Status::kError);
  EXPECT_EQ(s->state().error_code(), "interrupted");
  EXPECT_TRUE(s->state().error_retryable());
}

TEST(GeminiProtocol, OnlyTheFirstCandidateCounts) {
  auto s = Decode(Data(R"({"candidates":[{"content":{"parts":[{"text":"second"}]},"index":1},)"
                    R"({"content":{"parts":[{"text":"first"}]},"index":0,"finishReason":"STOP"}]})"));
  EXPECT_EQ(s->state().text(), "first");
}

TEST(GeminiProtocol, UsageIsCumulativeLastWins) {
  auto s = Decode(Data(R"({"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":2,"thoughtsTokenCount":10}})") +
               Data(R"({"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":4}})"));
  ASSERT_TRUE(s->state().usage());
  EXPECT_EQ(*s->state().usage(), std::make_pair(uint64_t{5}, uint64_t{4}));
}

TEST(GeminiProtocol, ErrorCodesAndRetryability) {
  auto s = Decode(Text("a") + Data(R"({"error":{"code":400,"message":"Bad request","status":"INVALID_ARGUMENT"}})"));
  EXPECT_EQ(s->state().error_code(), "INVALID_ARGUMENT");
  EXPECT_FALSE(s->state().error_retryable());
  EXPECT_EQ(s->state().error_message(), "Bad request");
  s = Decode(Data(R"({"error":{"code":429,"message":"Quota"}})"));
  EXPECT_EQ(s->state().error_code(), "429");
  EXPECT_TRUE(s->state().error_retryable());
  s = Decode(Data(R"([{"error":{"code":500,"message":"Internal","status":"INTERNAL"}}])"));
  EXPECT_EQ(s->state().error_code(), "INTERNAL");
  EXPECT_TRUE(s->state().error_retryable());
}

TEST(GeminiProtocol, InvalidJsonWarnsAndIsIgnored) {
  auto s = Decode(Text("a") + Data(R"({"candidates":[)") + Text("b", R"(,"finishReason":"STOP")"));
  EXPECT_EQ(s->state().text(), "ab");
  EXPECT_EQ(s->state().warning_count(), 1u);
  EXPECT_EQ(s->state().status(), Status::kDone);
}

TEST(GeminiProtocol, FailedCodeExecutionIsAToolError) {
  auto s = Decode(Data(R"({"candidates":[{"content":{"parts":[{"executableCode":{"language":"PYTHON","code":"1/0"}},)"
                    R"({"codeExecutionResult":{"outcome":"OUTCOME_FAILED","output":"ZeroDivisionError"}}]},"finishReason":"STOP"}]})"));
  ASSERT_EQ(s->state().part_count(), 1u);
  EXPECT_EQ(s->state().part(0).id, "gemini-code-0");
  EXPECT_EQ(s->state().part(0).state, ToolState::kOutputError);
  EXPECT_EQ(s->state().part(0).error_text, "ZeroDivisionError");
}

// Bare JSON outside SSE fields reaches the protocol through on_stray_line, one line
// at a time (the SSE parser's hook for it is wired separately).
TEST(GeminiStrayLines, PrettyPrintedErrorBody) {
  MessageState state;
  GeminiProtocol protocol;
  protocol.on_event(SseEvent{"message", R"({"candidates":[{"content":{"parts":[{"text":"partial"}]}}]})", ""}, state);
  for (const char* line : {"{", R"(  "error": {)", R"(    "code": 503,)",
                           R"(    "message": "The model is overloaded. {Please} retry.",)",
                           R"(    "status": "UNAVAILABLE")", "  }"}) {
    protocol.on_stray_line(line, state);
    EXPECT_EQ(state.status(), Status::kStreaming) << line;
  }
  protocol.on_stray_line("}", state);
  EXPECT_EQ(state.status(), Status::kError);
  EXPECT_EQ(state.error_code(), "UNAVAILABLE");
  EXPECT_EQ(state.error_message(), "The model is overloaded. {Please} retry.");
  EXPECT_EQ(state.text(), "partial");
}

TEST(GeminiStrayLines, OneLineErrorAndArrayFraming) {
  {
    MessageState state;
    GeminiProtocol protocol;
    protocol.on_stray_line(R"({"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED"}})", state);
    EXPECT_EQ(state.error_code(), "RESOURCE_EXHAUSTED");
    EXPECT_TRUE(state.error_retryable());
  }
  {
    MessageState state;
    GeminiProtocol protocol;
    for (const char* line : {"[{", R"(  "error": {"code": 500, "message": "x", "status": "INTERNAL"})", "}", "]"}) {
      protocol.on_stray_line(line, state);
    }
    EXPECT_EQ(state.error_code(), "INTERNAL");
  }
}

TEST(GeminiStrayLines, NoiseIsIgnoredAndDoesNotPoisonWhatFollows) {
  MessageState state;
  GeminiProtocol protocol;
  for (const char* line : {"<html>", "}", "]]", R"({"candidates": [})", "not json {", "} trailing"}) {
    protocol.on_stray_line(line, state);
  }
  EXPECT_EQ(state.status(), Status::kIdle);
  // Oversized bare text is dropped, then a real error still comes through.
  const std::string big(GeminiProtocol::kMaxStrayBytes, 'x');
  protocol.on_stray_line("{", state);
  protocol.on_stray_line("\"" + big + "\"", state);
  protocol.on_stray_line("}", state);
  EXPECT_EQ(state.status(), Status::kIdle);
  protocol.on_stray_line(R"({"error":{"code":503,"message":"m","status":"UNAVAILABLE"}})", state);
  EXPECT_EQ(state.error_code(), "UNAVAILABLE");
}

}  // namespace
}  // namespace ssew
