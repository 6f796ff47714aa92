// Detection ("auto"), Gemini's end marker and OpenAI Responses sequence numbers
// under hostile servers (issue 12, items 3, 9, 10, 11):
//
//  * Detection.*: the detection queue is bounded in bytes and charged to the
//    message budget; an error sent first (OpenAI shape, after a comment, nested in
//    an `error` event) is read, not lost; text after many undetectable events is
//    kept; a protocol hint does not override what the events say; undetectable
//    events are never dropped without a warning.
//  * GeminiEnd.*: a finishReason ends the message (done) at once, so a connection
//    held open, reset or replayed after it changes nothing; later usage counts.
//  * ResponsesSequence.*: jumps, steps back and restarted numbering keep every
//    event (with a warning); exact replays on a resumed connection are dropped.
#include <gtest/gtest.h>

#include <string>

#include "fixture_replay.h"
#include "message_session.h"
#include "protocols/openai_responses_protocol.h"

namespace ssew {
namespace {

std::unique_ptr<MessageSession> Session(const std::string& protocol = "auto", size_t max_message_bytes = 0) {
  MessageSession::Options options;
  options.protocol = protocol;
  if (max_message_bytes) options.limits.max_message_bytes = max_message_bytes;
  return std::make_unique<MessageSession>(options);
}

std::string Data(const std::string& json) { return "data: " + json + "\n\n"; }
std::string Named(const std::string& type, const std::string& data) { return "event: " + type + "\n" + Data(data); }

std::string ChatText(const std::string& text) {
  return Data(R"({"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":")" + text +
              R"("},"finish_reason":null}]})");
}
const std::string kChatDone = Data("[DONE]");

const std::string kRateLimit =
    R"({"error":{"message":"Rate limit reached for gpt-4o","type":"requests","param":null,"code":"rate_limit_exceeded"}})";

// --- item 3: the detection queue --------------------------------------------------------

TEST(Detection, QueueIsChargedToTheMessageBudget) {
  // Four unknown events of 3,000 bytes under maxMessageBytes 10,000: the queue may
  // not hold them all.
  auto s = Session("auto", 10000);
  for (int i = 0; i < 4; ++i) s->feed(Named("blob", std::string(3000, 'x')));
  EXPECT_EQ(s->state().status(), Status::kError);
  EXPECT_EQ(s->state().error_code(), "message_too_large");
  EXPECT_EQ(s->pending_bytes(), 0u);
}

TEST(Detection, QueueIsCappedInBytesAndDetectionGoesOn) {
  // 40 unknown events of 512 KiB (20 MiB): the queue never holds more than its cap,
  // and a later event still chooses the protocol and shows its text.
  auto s = Session();
  const std::string blob = Named("blob", std::string(512 << 10, 'x'));
  for (int i = 0; i < 40; ++i) {
    s->feed(blob);
    ASSERT_LE(s->pending_bytes(), MessageSession::kMaxPendingBytes);
  }
  EXPECT_EQ(s->protocol(), "");
  s->feed(ChatText("Hello") + kChatDone);
  s->end();
  EXPECT_EQ(s->protocol(), "openai-chat");
  EXPECT_EQ(s->state().status(), Status::kDone);
  EXPECT_EQ(s->state().text(), "Hello");
  EXPECT_GE(s->state().warning_count(), 1u);  // undetected_events: the blobs were ignored
}

// --- item 10: detection never loses text or an error ------------------------------------

TEST(Detection, OpenAiErrorAsTheFirstEvent) {
  for (const std::string& prefix : {std::string(), std::string(": OPENROUTER PROCESSING\n\n")}) {
    auto s = Session();
    s->feed(prefix + Data(kRateLimit));
    s->end();
    EXPECT_EQ(s->protocol(), "openai-chat");
    EXPECT_EQ(s->state().status(), Status::kError);
    EXPECT_EQ(s->state().error_message(), "Rate limit reached for gpt-4o");
    EXPECT_EQ(s->state().error_code(), "rate_limit_exceeded");
  }
}

TEST(Detection, NestedErrorInAnErrorEvent) {
  auto s = Session();
  s->feed(Named("error", kRateLimit));
  s->end();
  EXPECT_EQ(s->state().status(), Status::kError);
  EXPECT_EQ(s->state().error_message(), "Rate limit reached for gpt-4o");
  EXPECT_EQ(s->state().error_code(), "rate_limit_exceeded");
  // A flat error event stays native.
  auto flat = Session();
  flat->feed(Named("error", R"({"message":"boom","code":"x"})"));
  EXPECT_EQ(flat->protocol(), "native");
  EXPECT_EQ(flat->state().error_message(), "boom");
}

TEST(Detection, StringErrorAsTheFirstEvent) {
  auto s = Session();
  s->feed(Data(R"({"error":"Upstream timed out"})"));
  s->end();
  EXPECT_EQ(s->state().status(), Status::kError);
  EXPECT_EQ(s->state().error_message(), "Upstream timed out");
}

TEST(Detection, ResponsesErrorWithoutItsEventName) {
  auto s = Session();
  s->feed(Data(R"({"type":"error","code":"server_error","message":"The server had an error","param":null,"sequence_number":2})"));
  s->end();
  EXPECT_EQ(s->protocol(), "openai-responses");
  EXPECT_EQ(s->state().status(), Status::kError);
  EXPECT_EQ(s->state().error_message(), "The server had an error");
}

TEST(Detection, BareJsonErrorLine) {
  // No SSE at all: a JSON error body on one line.
  auto s = Session();
  s->feed(kRateLimit + std::string("\n"));
  s->end();
  EXPECT_EQ(s->state().status(), Status::kError);
  EXPECT_EQ(s->state().error_message(), "Rate limit reached for gpt-4o");
}

TEST(Detection, PrettyPrintedJsonErrorBodies) {
  // No SSE at all: a JSON error body over several lines, Google's and OpenAI's.
  auto google = Session();
  google->feed("{\n  \"error\": {\n    \"code\": 429,\n    \"message\": \"Quota exceeded\",\n"
               "    \"status\": \"RESOURCE_EXHAUSTED\"\n  }\n}\n");
  google->end();
  EXPECT_EQ(google->protocol(), "gemini");
  EXPECT_EQ(google->state().status(), Status::kError);
  EXPECT_EQ(google->state().error_message(), "Quota exceeded");
  EXPECT_EQ(google->state().error_code(), "RESOURCE_EXHAUSTED");

  auto openai = Session();
  openai->feed("{\n  \"error\": {\n    \"message\": \"Invalid API key\",\n    \"code\": \"invalid_api_key\"\n  }\n}\n");
  openai->end();
  EXPECT_EQ(openai->protocol(), "openai-chat");
  EXPECT_EQ(openai->state().status(), Status::kError);
  EXPECT_EQ(openai->state().error_message(), "Invalid API key");
  EXPECT_EQ(openai->state().error_code(), "invalid_api_key");

  // Lines no protocol knows: native, with a warning.
  auto html = Session();
  html->feed("<html>\n<body>Bad gateway</body>\n</html>\n");
  html->end();
  EXPECT_EQ(html->protocol(), "native");
  EXPECT_EQ(html->state().error_code(), "interrupted");
  EXPECT_EQ(html->state().warning_count(), 1u);
}

TEST(Detection, TextAfterManyUndetectableEvents) {
  auto s = Session();
  for (int i = 0; i < 100; ++i) s->feed(Named("ping", "{}"));
  s->feed(ChatText("Hel") + ChatText("lo") + kChatDone);
  s->end();
  EXPECT_EQ(s->protocol(), "openai-chat");
  EXPECT_EQ(s->state().status(), Status::kDone);
  EXPECT_EQ(s->state().text(), "Hello");
}

TEST(Detection, UndetectableEventsAreNotDroppedSilently) {
  auto s = Session();
  s->feed(Data("plain text, no protocol"));
  s->end();
  EXPECT_EQ(s->protocol(), "native");
  EXPECT_EQ(s->state().status(), Status::kError);  // interrupted
  EXPECT_EQ(s->state().warning_count(), 1u);       // undetected_events
}

TEST(Detection, HintDoesNotOverrideTheEvents) {
  // The AI SDK header on an OpenAI chat stream (a proxy): the events decide.
  auto s = Session();
  s->hint_protocol("ai-sdk");
  EXPECT_EQ(s->protocol(), "");
  s->feed(ChatText("Hel") + ChatText("lo") + kChatDone);
  s->end();
  EXPECT_EQ(s->protocol(), "openai-chat");
  EXPECT_EQ(s->state().status(), Status::kDone);
  EXPECT_EQ(s->state().text(), "Hello");
  EXPECT_EQ(s->state().warning_count(), 1u);  // protocol_hint_mismatch
}

TEST(Detection, HintDecidesWhenNoEventTells) {
  auto s = Session();
  s->hint_protocol("ai-sdk");
  s->feed(Data(R"({"type":"text-start","id":"a"})") + Data(R"({"type":"text-delta","id":"a","delta":"Hi"})") +
          Data("[DONE]"));
  s->end();
  EXPECT_EQ(s->protocol(), "ai-sdk");
  EXPECT_EQ(s->state().text(), "Hi");
  EXPECT_EQ(s->state().warning_count(), 0u);
  // Only an event the detectors do not know: the hint takes it at the end.
  auto only_done = Session();
  only_done->hint_protocol("ai-sdk");
  only_done->feed(Data("[DONE]"));
  only_done->end();
  EXPECT_EQ(only_done->protocol(), "ai-sdk");
  EXPECT_EQ(only_done->state().status(), Status::kDone);
}

// --- item 9: a Gemini finishReason ends the message --------------------------------------

std::string GeminiChunk(const std::string& text, const std::string& extra = "") {
  return Data(R"({"candidates":[{"content":{"parts":[{"text":")" + text + R"("}],"role":"model"},"index":0)" + extra +
              "}]}");
}
const std::string kGeminiAnswer = GeminiChunk("The answer") + GeminiChunk(" is 42.", R"(,"finishReason":"STOP")");

TEST(GeminiEnd, DoneAtTheFinishReasonWhileTheConnectionStaysOpen) {
  auto s = Session("gemini");
  s->feed(kGeminiAnswer);
  EXPECT_EQ(s->state().status(), Status::kDone);  // no end() yet: the server holds the connection
  // The transport's idle timeout then fails the stream: nothing changes.
  s->fail("No data arrived for 30000 ms", "stalled", true);
  EXPECT_EQ(s->state().status(), Status::kDone);
  EXPECT_EQ(s->state().text(), "The answer is 42.");
  EXPECT_EQ(s->state().finish_reason(), "STOP");
}

TEST(GeminiEnd, ResetOrReplayAfterTheFinishReason) {
  auto s = Session();  // auto-detected as well
  s->feed(kGeminiAnswer);
  s->end_connection();  // reset
  s->feed(kGeminiAnswer + kGeminiAnswer);  // a resume that replays, twice
  s->end_connection();
  s->end();  // a resume answered with an empty body
  EXPECT_EQ(s->state().status(), Status::kDone);
  EXPECT_EQ(s->state().text(), "The answer is 42.");
}

TEST(GeminiEnd, UsageInTheSameOrALaterChunk) {
  auto same = Session("gemini");
  same->feed(Data(R"({"candidates":[{"content":{"parts":[{"text":"x"}]},"finishReason":"STOP"}],)"
                  R"("usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":4}})"));
  EXPECT_EQ(same->state().status(), Status::kDone);
  ASSERT_TRUE(same->state().usage());
  EXPECT_EQ(*same->state().usage(), std::make_pair(uint64_t{3}, uint64_t{4}));

  auto later = Session("gemini");
  later->feed(GeminiChunk("x", R"(,"finishReason":"MAX_TOKENS")"));
  later->feed(Data(R"({"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":6}})"));
  EXPECT_EQ(later->state().status(), Status::kDone);
  EXPECT_EQ(later->state().finish_reason(), "MAX_TOKENS");
  ASSERT_TRUE(later->state().usage());
  EXPECT_EQ(*later->state().usage(), std::make_pair(uint64_t{5}, uint64_t{6}));
}

// --- item 11: OpenAI Responses sequence numbers -------------------------------------------

std::string Delta(const std::string& text, long long sequence, const std::string& extra = "") {
  return Named("response.output_text.delta", R"({"type":"response.output_text.delta","sequence_number":)" +
                                                 std::to_string(sequence) +
                                                 R"(,"item_id":"msg_1","output_index":0,"content_index":0,"delta":")" +
                                                 text + "\"" + extra + "}");
}
std::string Completed(long long sequence) {
  return Named("response.completed", R"({"type":"response.completed","sequence_number":)" + std::to_string(sequence) +
                                         R"(,"response":{"status":"completed"}})");
}

TEST(ResponsesSequence, AJumpKeepsEveryEvent) {
  auto s = Session();
  s->feed(Delta("a", 0) + Delta("b", 1) + Delta("c", 1000000000000000LL) + Delta("d", 3) + Delta("e", 4) +
          Delta("f", 5) + Completed(6));
  s->end();
  EXPECT_EQ(s->state().status(), Status::kDone);
  EXPECT_EQ(s->state().text(), "abcdef");
  EXPECT_EQ(s->state().warning_count(), 1u);  // sequence_out_of_order, once
}

TEST(ResponsesSequence, AStepBackKeepsEveryEvent) {
  auto s = Session("openai-responses");
  s->feed(Delta("a", 0) + Delta("b", 1) + Delta("d", 3) + Delta("c", 2) + Completed(4));
  s->end();
  EXPECT_EQ(s->state().text(), "abdc");
  EXPECT_EQ(s->state().warning_count(), 1u);
}

TEST(ResponsesSequence, NumberingRestartedOnANewConnection) {
  auto s = Session();
  s->feed(Delta("Hel", 0) + Delta("lo", 1));
  s->end_connection();  // resumed by Last-Event-ID; the server numbers from 0 again
  s->feed(Delta(" wor", 0) + Delta("ld", 1) + Completed(2));
  s->end();
  EXPECT_EQ(s->state().status(), Status::kDone);
  EXPECT_EQ(s->state().text(), "Hello world");
  EXPECT_EQ(s->state().warning_count(), 1u);  // sequence_restarted
}

TEST(ResponsesSequence, ExactReplayOnAResumedConnectionIsDropped) {
  auto s = Session();
  s->feed(Delta("Hel", 0) + Delta("lo", 1));
  s->end_connection();
  // From the start again, with fresh obfuscation padding, then new events.
  s->feed(Delta("Hel", 0, R"(,"obfuscation":"q1")") + Delta("lo", 1, R"(,"obfuscation":"z9")") + Delta(" world", 2) +
          Completed(3));
  s->end();
  EXPECT_EQ(s->state().text(), "Hello world");
  EXPECT_EQ(s->state().warning_count(), 0u);
}

TEST(ResponsesSequence, ProperResumeContinues) {
  auto s = Session();
  s->feed(Delta("Hel", 0) + Delta("lo", 1));
  s->end_connection();
  s->feed(Delta(" world", 2) + Completed(3));
  s->end();
  EXPECT_EQ(s->state().text(), "Hello world");
  EXPECT_EQ(s->state().warning_count(), 0u);
}

TEST(ResponsesSequence, HostileNumberingStopsTrackingWithoutDropping) {
  // Every event its own run (descending numbers): past the cap nothing is tracked,
  // and nothing is ever dropped.
  auto s = Session("openai-responses");
  std::string bytes;
  const int n = static_cast<int>(OpenAiResponsesProtocol::kMaxSequenceRuns) + 100;
  for (int i = 0; i < n; ++i) bytes += Delta("x", 1000000 - 2 * i);
  s->feed(bytes);
  EXPECT_EQ(s->state().text(), std::string(n, 'x'));
  EXPECT_EQ(s->state().warning_count(), 2u);  // sequence_out_of_order, sequence_untracked
}

}  // namespace
}  // namespace ssew
