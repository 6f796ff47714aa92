// Per-stream decoder state (issue 12, item 5): every byte a decoder keeps for the
// rest of a stream (maps of ids, buffered fragments) is charged to the message
// budget (maxMessageBytes), every entry that stands for a part not created yet
// counts against maxParts, and lookups are hash maps, not linear scans.
#include <gtest/gtest.h>

#include <string>

#include "fixture_replay.h"
#include "message_session.h"
#include "protocols/gemini_protocol.h"
#include "protocols/openai_chat_protocol.h"

namespace ssew {
namespace {

constexpr size_t KiB = 1024, MiB = 1024 * 1024;

std::unique_ptr<MessageSession> decode(const std::string& sse, const std::string& protocol,
                                       MessageState::Limits limits = {}) {
  return testing::decode(sse, protocol, limits);
}

MessageState::Limits budget(size_t bytes) {
  MessageState::Limits limits;
  limits.max_message_bytes = bytes;
  return limits;
}

MessageState::Limits parts(size_t count) {
  MessageState::Limits limits;
  limits.max_parts = count;
  return limits;
}

std::string data(const std::string& json) { return "data: " + json + "\n\n"; }
std::string event(const std::string& type, const std::string& json) {
  return "event: " + type + "\ndata: " + json + "\n\n";
}
std::string big_id(size_t i, size_t size) {
  std::string id = "id" + std::to_string(i) + "-";
  id.resize(size, 'x');
  return id;
}

// --- AI SDK: text-start / reasoning-start ids --------------------------------------

std::string ai_text(const std::string& id, const std::string& text) {
  return data(R"({"type":"text-delta","id":")" + id + R"(","delta":")" + text + R"("})");
}

TEST(DecoderState, AiSdkTextStartIdsAreChargedToTheMessageBudget) {
  // The issue's 200 x 1 MiB ids held 200 MiB with no part; here 200 x 64 KiB under 1 MiB.
  std::string sse = ai_text("a", "kept");
  for (size_t i = 0; i < 200; ++i) sse += data(R"({"type":"text-start","id":")" + big_id(i, 64 * KiB) + R"("})");
  sse += data(R"({"type":"finish"})");
  const auto s = decode(sse, "ai-sdk", budget(MiB));
  EXPECT_EQ(s->state().error_code(), "message_too_large");
  EXPECT_EQ(s->state().text(), "kept");
}

TEST(DecoderState, AiSdkTextStartsWithoutAPartCountAgainstMaxParts) {
  std::string sse = ai_text("a", "kept");
  for (size_t i = 0; i < 20; ++i) sse += data(R"({"type":"reasoning-start","id":"r)" + std::to_string(i) + R"("})");
  sse += data(R"({"type":"finish"})");
  const auto s = decode(sse, "ai-sdk", parts(10));
  EXPECT_EQ(s->state().error_code(), "too_many_parts");
  EXPECT_EQ(s->state().text(), "kept");
}

TEST(DecoderState, AiSdkStartedPartsThatShowAreNotCountedTwice) {
  std::string sse;
  for (size_t i = 0; i < 10; ++i) {
    const std::string id = "t" + std::to_string(i);
    sse += data(R"({"type":"text-start","id":")" + id + R"("})") + ai_text(id, "x") + data(R"({"type":"text-start","id":"next"})");
    sse += data(R"({"type":"text-end","id":"next"})");
  }
  sse += data(R"({"type":"finish"})");
  // Ten parts shown, their ids still open, and one more start that ends unused: 11
  // fit (an open id whose part shows is not counted again).
  const auto s = decode(sse, "ai-sdk", parts(11));
  EXPECT_EQ(s->state().status(), Status::kDone) << s->state().error_code();
  EXPECT_EQ(s->state().part_count(), 10u);
}

// --- OpenAI chat: tool-call fragments with an id and no name -----------------------

std::string id_only_chunk(const std::string& id, size_t index) {
  return data(R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":)" + std::to_string(index) + R"(,"id":")" +
              id + R"("}]}}]})");
}

TEST(DecoderState, OpenAiChatCallsWithoutANameCountAgainstMaxParts) {
  std::string sse = data(R"({"choices":[{"index":0,"delta":{"content":"kept"}}]})");
  for (size_t i = 0; i < 20; ++i) sse += id_only_chunk("call_" + std::to_string(i), i);
  sse += "data: [DONE]\n\n";
  const auto s = decode(sse, "openai-chat", parts(10));
  EXPECT_EQ(s->state().error_code(), "too_many_parts");
  EXPECT_EQ(s->state().text(), "kept");
}

TEST(DecoderState, OpenAiChatCallIdsAreChargedToTheMessageBudget) {
  std::string sse = data(R"({"choices":[{"index":0,"delta":{"content":"kept"}}]})");
  for (size_t i = 0; i < 40; ++i) sse += id_only_chunk(big_id(i, 64 * KiB), i);
  sse += "data: [DONE]\n\n";
  const auto s = decode(sse, "openai-chat", budget(MiB));
  EXPECT_EQ(s->state().error_code(), "message_too_large");
  EXPECT_EQ(s->state().text(), "kept");
}

TEST(DecoderState, OpenAiChatFragmentMatchingIsNotALinearScan) {
  // 40,000 calls by id and no name (1.7 s natively when each was matched by a scan
  // of all calls), then a fragment for each by id and by index: the calls examined
  // stay proportional to the fragments.
  MessageState::Limits limits;
  limits.max_parts = 100000;
  MessageState state(limits);
  OpenAiChatProtocol protocol;
  constexpr size_t kCalls = 40000;
  const auto feed = [&](const std::string& json) { protocol.on_event(SseEvent{"message", json, ""}, state); };
  for (size_t i = 0; i < kCalls; ++i) {
    feed(R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":)" + std::to_string(i) + R"(,"id":"c)" +
         std::to_string(i) + R"("}]}}]})");
  }
  for (size_t i = 0; i < kCalls; ++i) {
    feed(R"({"choices":[{"index":0,"delta":{"tool_calls":[{"id":"c)" + std::to_string(i) +
         R"(","function":{"name":"f"}}]}}]})");
    feed(R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":)" + std::to_string(i) +
         R"(,"function":{"arguments":"{}"}}]}}]})");
  }
  EXPECT_FALSE(state.terminal()) << state.error_code();
  EXPECT_EQ(state.part_count(), kCalls);
  EXPECT_LE(protocol.match_probes(), 4 * 3 * kCalls);
}

// --- Anthropic: open content blocks ------------------------------------------------

const std::string kAnthropicStart =
    event("message_start", R"({"type":"message_start","message":{"usage":{"input_tokens":1}}})") +
    event("content_block_start", R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":"kept"}})") +
    event("content_block_stop", R"({"type":"content_block_stop","index":0})");

TEST(DecoderState, AnthropicOpenTextBlocksCountAgainstMaxParts) {
  std::string sse = kAnthropicStart;
  for (size_t i = 1; i <= 20; ++i) {
    sse += event("content_block_start", R"({"type":"content_block_start","index":)" + std::to_string(i) +
                                            R"(,"content_block":{"type":"thinking","thinking":""}})");
  }
  sse += event("message_stop", R"({"type":"message_stop"})");
  const auto s = decode(sse, "anthropic", parts(10));
  EXPECT_EQ(s->state().error_code(), "too_many_parts");
  EXPECT_EQ(s->state().text(), "kept");
}

TEST(DecoderState, AnthropicToolStartInputsAreChargedToTheMessageBudget) {
  std::string sse = kAnthropicStart;
  const std::string input = R"({"x":")" + std::string(64 * KiB, 'i') + R"("})";
  for (size_t i = 1; i <= 40; ++i) {
    sse += event("content_block_start", R"({"type":"content_block_start","index":)" + std::to_string(i) +
                                            R"(,"content_block":{"type":"tool_use","id":"t)" + std::to_string(i) +
                                            R"(","name":"n","input":)" + input + "}}");
  }
  sse += event("message_stop", R"({"type":"message_stop"})");
  const auto s = decode(sse, "anthropic", budget(MiB));
  EXPECT_EQ(s->state().error_code(), "message_too_large");
  EXPECT_EQ(s->state().text(), "kept");
}

// --- OpenAI Responses: function calls by item and call id --------------------------

TEST(DecoderState, OpenAiResponsesCallIdsAreChargedToTheMessageBudget) {
  // MessageState charges each call id once (2.5 MiB here); the decoder's own copies
  // of item and call ids are charged too.
  std::string sse = event("response.output_text.delta", R"({"type":"response.output_text.delta","delta":"kept"})");
  for (size_t i = 0; i < 40; ++i) {
    sse += event("response.output_item.added", R"({"type":"response.output_item.added","output_index":)" +
                                                   std::to_string(i + 1) + R"(,"item":{"type":"function_call","id":")" +
                                                   big_id(i, 64 * KiB) + R"(","call_id":"c)" + big_id(i, 64 * KiB) +
                                                   R"(","name":"f"}})");
  }
  sse += event("response.completed", R"({"type":"response.completed","response":{}})");
  const auto s = decode(sse, "openai-responses", budget(4 * MiB));
  EXPECT_EQ(s->state().error_code(), "message_too_large");
  EXPECT_EQ(s->state().text(), "kept");
}

// --- Gemini: a bare JSON error body collected line by line -------------------------

TEST(DecoderState, GeminiStrayJsonLinesAreChargedToTheMessageBudget) {
  MessageState state(budget(16 * KiB));
  GeminiProtocol protocol;
  state.append_text("kept");
  protocol.on_stray_line("{", state);
  for (int i = 0; i < 40 && !state.terminal(); ++i) protocol.on_stray_line("\"x\": \"" + std::string(KiB, 'y') + "\",", state);
  EXPECT_EQ(state.error_code(), "message_too_large");
  EXPECT_EQ(state.text(), "kept");
}

}  // namespace
}  // namespace ssew
