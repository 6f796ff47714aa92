// OpenAiChatProtocol ("openai-chat"):
//
//  * OpenAiChatFixtures/OpenAiChatReplay.Fixture/<name>: every tests/fixtures/openai-chat/*.sse
//    replayed through MessageSession whole, with protocol "auto" (detection must pick
//    openai-chat), split into two chunks at every point, byte by byte and in random
//    chunkings; each final state must match the expected file, and every replay must
//    give exactly the state of the whole replay. Text never shrinks between feeds.
//  * OpenAiChatProtocol.*: direct cases (warnings, detection, error shapes, compat).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "fixture_replay.h"
#include "message_session.h"
#include "protocols/openai_chat_protocol.h"
#include "protocols/protocol.h"
#include "sse_parser.h"

namespace ssew {
namespace {

using nlohmann::json;

// Replays `bytes` cut at `cuts` and returns the final state; checks on the way that
// the text never shrinks.
json Replay(const std::string& protocol, const std::string& bytes, const std::vector<size_t>& cuts,
            std::string* detected = nullptr, size_t* warnings = nullptr) {
  return testing::final_state(protocol, bytes, cuts, detected, warnings);
}

void CheckFixtureEverywhere(const testing::Fixture& f) {
  testing::check_fixture(f);
}

std::vector<std::string> FixtureNames() {
  std::vector<std::string> names;
  for (const auto& f : testing::load_fixtures("openai-chat")) names.push_back(f.name);
  return names;
}

class OpenAiChatReplay : public ::testing::TestWithParam<std::string> {};

TEST_P(OpenAiChatReplay, Fixture) {
  for (const auto& f : testing::load_fixtures("openai-chat")) {
    if (f.name == GetParam()) return CheckFixtureEverywhere(f);
  }
  FAIL() << "fixture not found";
}

INSTANTIATE_TEST_SUITE_P(OpenAiChatFixtures, OpenAiChatReplay, ::testing::ValuesIn(FixtureNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST(OpenAiChatProtocol, HasFixtures) { EXPECT_GE(FixtureNames().size(), 15u); }

// --- direct cases -------------------------------------------------------------------

std::string Chunk(const std::string& choices_and_more) {
  return "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\"," +
         choices_and_more + "}\n\n";
}

std::string Delta(const std::string& delta, const std::string& finish = "null") {
  return Chunk("\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + finish + "}]");
}

struct Outcome {
  json state;
  size_t warnings;
  std::string protocol;
};

Outcome Feed(const std::string& bytes, const std::string& protocol = "openai-chat") {
  Outcome run;
  run.state = Replay(protocol, bytes, {}, &run.protocol, &run.warnings);
  return run;
}

TEST(OpenAiChatProtocol, InvalidJsonChunkIsAWarningAndHasNoEffect) {
  const Outcome run = Feed(Delta(R"({"content":"a"})") +
                       "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lost\"}}],}\n\n" +
                       "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lost\"}}]} trailing\n\n" +
                       "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\\x\"}}]}\n\n" +
                       Delta(R"({"content":"b"})", "\"stop\"") + "data: [DONE]\n\n");
  EXPECT_EQ(run.state["text"], "ab");
  EXPECT_EQ(run.state["status"], "done");
  EXPECT_EQ(run.warnings, 3u);
}

TEST(OpenAiChatProtocol, NonObjectChunkIsAWarning) {
  const Outcome run = Feed(Delta(R"({"content":"a"})") + "data: [1,2]\n\ndata: \"text\"\n\ndata: [DONE]\n\n");
  EXPECT_EQ(run.state["text"], "a");
  EXPECT_EQ(run.warnings, 2u);
}

TEST(OpenAiChatProtocol, NamedEventsWithOtherDataAreIgnoredQuietly) {
  const Outcome run = Feed(Delta(R"({"content":"a"})") + "event: ping\ndata: ping\n\ndata: [DONE]\n\n");
  EXPECT_EQ(run.state["text"], "a");
  EXPECT_EQ(run.warnings, 0u);
}

TEST(OpenAiChatProtocol, ErrorEventShapes) {
  {
    const Outcome run = Feed(Delta(R"({"content":"a"})") +
                         "event: error\ndata: {\"error\":{\"message\":\"Overloaded\",\"type\":\"overloaded_error\"}}\n\n");
    EXPECT_EQ(run.state["status"], "error");
    EXPECT_EQ(run.state["error"]["code"], "overloaded_error");
    EXPECT_EQ(run.state["error"]["retryable"], true);
    EXPECT_EQ(run.state["error"]["message"], "Overloaded");
  }
  {
    const Outcome run = Feed(Delta(R"({"content":"a"})") + "event: error\ndata: upstream connect error\n\n");
    EXPECT_EQ(run.state["status"], "error");
    EXPECT_EQ(run.state["error"]["message"], "upstream connect error");
  }
  {
    const Outcome run = Feed(Delta(R"({"content":"a"})") + "data: {\"error\":{\"message\":\"x\",\"code\":503}}\n\n");
    EXPECT_EQ(run.state["error"]["code"], "503");
    EXPECT_EQ(run.state["error"]["retryable"], true);
  }
  {
    const Outcome run = Feed(Delta(R"({"content":"a"})") + "data: {\"error\":\"plain message\"}\n\n");
    EXPECT_EQ(run.state["error"]["message"], "plain message");
    EXPECT_EQ(run.state["error"]["code"], "server_error");
  }
  {
    const Outcome run = Feed(Delta(R"({"content":"a"})") +
                         "data: {\"error\":{\"message\":\"quota\",\"type\":\"insufficient_quota\",\"code\":\"insufficient_quota\"}}\n\n");
    EXPECT_EQ(run.state["error"]["retryable"], false);
  }
  {
    const Outcome run = Feed(Delta(R"({"content":"a"})") + "data: {\"error\":null,\"choices\":[]}\n\ndata: [DONE]\n\n");
    EXPECT_EQ(run.state["status"], "done");  // "error": null is no error
  }
}

TEST(OpenAiChatProtocol, UsageVariants) {
  // Usage on every chunk (cumulative): the last one counts; null usage is ignored.
  Outcome run = Feed(Chunk(R"("choices":[{"index":0,"delta":{"content":"a"}}],"usage":{"prompt_tokens":3,"completion_tokens":1})") +
                 Chunk(R"("choices":[{"index":0,"delta":{"content":"b"}}],"usage":null)") +
                 Chunk(R"("choices":null,"usage":{"prompt_tokens":3,"completion_tokens":2})") + "data: [DONE]\n\n");
  EXPECT_EQ(run.state["usage"], json({{"inputTokens", 3}, {"outputTokens", 2}}));
  // Usage without "choices" at all, and after [DONE].
  run = Feed(Delta(R"({"content":"a"})", "\"stop\"") + "data: [DONE]\n\n" +
             "data: {\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":5}}\n\n");
  EXPECT_EQ(run.state["status"], "done");
  EXPECT_EQ(run.state["usage"], json({{"inputTokens", 7}, {"outputTokens", 5}}));
}

TEST(OpenAiChatProtocol, DetectionRules) {
  const auto detect = [](std::string_view type, std::string_view data) {
    SseEvent e{type, data, ""};
    return std::string(detect_protocol(e));
  };
  EXPECT_EQ(detect("message", R"({"id":"x","object":"chat.completion.chunk","choices":[]})"), "openai-chat");
  EXPECT_EQ(detect("message", R"({"object" : "chat.completion.chunk"})"), "openai-chat");
  EXPECT_EQ(detect("message", R"({"choices":[{"index":0,"delta":{}}]})"), "openai-chat");
  EXPECT_EQ(detect("message", R"( { "choices" : [ ] } )"), "openai-chat");
  // Not a chunk: the markers inside strings, nested, or of the wrong type.
  EXPECT_FALSE(OpenAiChatProtocol::looks_like_chunk(R"({"type":"text-delta","delta":"\"choices\":[1]"})"));
  EXPECT_FALSE(OpenAiChatProtocol::looks_like_chunk(R"({"type":"text-delta","delta":"chat.completion.chunk"})"));
  EXPECT_FALSE(OpenAiChatProtocol::looks_like_chunk(R"({"x\"choices":[1]})"));
  EXPECT_FALSE(OpenAiChatProtocol::looks_like_chunk(R"({"data":{"choices":[]}})"));
  EXPECT_FALSE(OpenAiChatProtocol::looks_like_chunk(R"({"choices":null})"));
  EXPECT_FALSE(OpenAiChatProtocol::looks_like_chunk(R"({"object":"chat.completion"})"));
  EXPECT_FALSE(OpenAiChatProtocol::looks_like_chunk(R"(["choices"])"));
  EXPECT_FALSE(OpenAiChatProtocol::looks_like_chunk("[DONE]"));
  // Only message-typed events.
  EXPECT_NE(detect("chunk", R"({"choices":[]})"), "openai-chat");
}

TEST(OpenAiChatProtocol, AutoWaitsForAChunkThenReplaysWhatCameBefore) {
  const Outcome run = Feed(": comment\n\nevent: ping\ndata: {}\n\n" + Delta(R"({"content":"Hi"})", "\"stop\"") +
                           "data: [DONE]\n\n",
                       "auto");
  EXPECT_EQ(run.protocol, "openai-chat");
  EXPECT_EQ(run.state["text"], "Hi");
  EXPECT_EQ(run.state["status"], "done");
}

TEST(OpenAiChatProtocol, ContentAsAnArrayOfTextParts) {
  const Outcome run = Feed(Delta(R"({"content":[{"type":"text","text":"a"},{"type":"image_url"},{"type":"text","text":"b"}]})") +
                       "data: [DONE]\n\n");
  EXPECT_EQ(run.state["text"], "ab");
}

TEST(OpenAiChatProtocol, EscapedKeysAreRecognised) {
  const Outcome run = Feed(Chunk(R"("ch\u006fices":[{"ind\u0065x":0,"delta":{"c\u006fn\u0074ent":"x"}}])") +
                       "data: [DONE]\n\n");
  EXPECT_EQ(run.state["text"], "x");
}

TEST(OpenAiChatProtocol, ChoiceWithoutIndexIsTheMessageAndOtherIndexesAreNot) {
  const Outcome run = Feed(Chunk(R"("choices":[{"delta":{"content":"a"}},{"index":1,"delta":{"content":"X"}},{"index":"0","delta":{"content":"Y"}}])") +
                       "data: [DONE]\n\n");
  EXPECT_EQ(run.state["text"], "a");
}

TEST(OpenAiChatProtocol, ToolCallAnnouncedBeforeItsName) {
  // id first, name and arguments later; the call shows once the name is known.
  const Outcome run = Feed(Delta(R"({"tool_calls":[{"index":0,"id":"call_1","type":"function"}]})") +
                       Delta(R"({"tool_calls":[{"index":0,"function":{"name":"f","arguments":"{\"a\""}}]})") +
                       Delta(R"({"tool_calls":[{"index":0,"function":{"arguments":":1}"}}]})", "\"tool_calls\"") +
                       "data: [DONE]\n\n");
  ASSERT_EQ(run.state["parts"].size(), 1u);
  EXPECT_EQ(run.state["parts"][0]["id"], "call_1");
  EXPECT_EQ(run.state["parts"][0]["name"], "f");
  EXPECT_EQ(run.state["parts"][0]["input"], json({{"a", 1}}));
}

TEST(OpenAiChatProtocol, StopCompletesAStreamingToolInput) {
  // Arguments that never form complete JSON are completed best-effort at "stop".
  const Outcome run = Feed(Delta(R"({"tool_calls":[{"index":0,"id":"c","function":{"name":"f","arguments":"{\"a\":[1,2"}}]})") +
                       Delta("{}", "\"stop\"") + "data: [DONE]\n\n");
  ASSERT_EQ(run.state["parts"].size(), 1u);
  EXPECT_EQ(run.state["parts"][0]["state"], "input-available");
  EXPECT_EQ(run.state["parts"][0]["input"], json::parse(R"({"a":[1,2]})"));
  // A call with no arguments at all gets {}.
  const Outcome empty = Feed(Delta(R"({"tool_calls":[{"index":0,"id":"c","function":{"name":"f","arguments":""}}]})") +
                         Delta("{}", "\"tool_calls\"") + "data: [DONE]\n\n");
  EXPECT_EQ(empty.state["parts"][0]["input"], json::object());
}

TEST(OpenAiChatProtocol, StrayJsonErrorLine) {
  MessageState state;
  OpenAiChatProtocol protocol;
  protocol.on_stray_line(R"({"error":{"message":"Bad gateway","type":"server_error","code":"502"}})", state);
  EXPECT_EQ(state.status(), Status::kError);
  EXPECT_EQ(state.error_code(), "502");
  EXPECT_TRUE(state.error_retryable());
}

TEST(OpenAiChatProtocol, DeepNestingIsJsonTooDeepNotACrash) {
  // The rule of every decoder (protocols/kit.h): an unreadable event nested deeper
  // than maxJsonDepth ends the message in json_too_deep; what came before stays.
  std::string deep = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"},\"x\":";
  for (int i = 0; i < 100000; ++i) deep += '[';
  deep += "\n\n";
  const Outcome run = Feed(Delta(R"({"content":"z"})") + deep + Delta(R"({"content":"b"})") + "data: [DONE]\n\n");
  EXPECT_EQ(run.state["text"], "z");
  EXPECT_EQ(run.state["error"]["code"], "json_too_deep");
  EXPECT_EQ(run.warnings, 0u);
}

// --- the memos (prefix resume, chunk templates) change nothing -----------------------

struct Events : SseHandler {
  std::vector<std::pair<std::string, std::string>> list;  // type, data
  void on_event(const SseEvent& e) override { list.emplace_back(std::string(e.type), std::string(e.data)); }
};

// Feeds the events of `bytes` to the decoder with and without memos; the states
// must be identical after every event.
void ExpectMemosChangeNothing(const std::string& bytes, const std::string& label) {
  Events events;
  SseParser parser;
  parser.feed(bytes, events);
  OpenAiChatProtocol fast(true), plain(false);
  MessageState a, b;
  for (size_t i = 0; i < events.list.size(); ++i) {
    const SseEvent e{events.list[i].first, events.list[i].second, ""};
    fast.on_event(e, a);
    plain.on_event(e, b);
    const json sa = testing::state_json(a), sb = testing::state_json(b);
    ASSERT_EQ(sa, sb) << label << ": after event " << i << ": " << events.list[i].second;
    ASSERT_EQ(a.warning_count(), b.warning_count()) << label << ": warnings after event " << i;
  }
}

TEST(OpenAiChatProtocol, MemosChangeNothingOnFixtures) {
  for (const auto& f : testing::load_fixtures("openai-chat")) ExpectMemosChangeNothing(f.bytes, f.name);
}

TEST(OpenAiChatProtocol, MemosChangeNothingOnNearMisses) {
  // A chunk shape repeated, then the same bytes around a middle that is not a plain
  // string, or a shape that differs just next to the string.
  const std::string head = R"(data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":)";
  const std::string tail = R"(},"logprobs":null,"finish_reason":null}]})";
  const std::vector<std::string> middles = {
      R"("a")", R"("b")", R"("")", R"(null)", R"(1)", R"(["x"])", R"({"type":"text"})", R"("c\u00e9")",
      R"( "spaced" )", R"("a","refusal":"R")", R"("a","content":"last")", R"("a"},"delta":{"content":"d2")",
      R"("a"}},{"index":0,"delta":{"content":"second choice")",
      R"("a"}}],"usage":{"prompt_tokens":1,"completion_tokens":2},"x":[{"y":{)",
      R"("unterminated)", R"("bad \x")", R"("a" "b")", R"("a\")", R"("\ud83d\ude00")",
      R"("a","tool_calls":[{"index":0,"id":"t","function":{"name":"f","arguments":"{}"}}])",
  };
  std::string bytes;
  for (int round = 0; round < 2; ++round) {
    for (const std::string& m : middles) bytes += head + m + tail + "\n\n";
  }
  ExpectMemosChangeNothing(bytes, "content middles");

  // The same for tool arguments, with calls created in between (duplicated index).
  const std::string thead = R"(data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":)";
  const std::string ttail = R"(}}]},"finish_reason":null}]})";
  std::string tools = Delta(R"({"tool_calls":[{"index":0,"id":"a","type":"function","function":{"name":"f","arguments":""}}]})");
  for (const char* m : {R"("{\"x\":")", R"("1")", R"("")", R"(null)", R"("2}")"}) tools += thead + m + ttail + "\n\n";
  tools += Delta(R"({"tool_calls":[{"index":0,"id":"b","type":"function","function":{"name":"g","arguments":""}}]})");
  for (const char* m : {R"("[")", R"("true")", R"("]")", R"("extra")"}) tools += thead + m + ttail + "\n\n";
  // Fragments without an index go to the latest call.
  tools += "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"function\":{\"arguments\":\"x\"}}]}}]}\n\n";
  tools += "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"function\":{\"arguments\":\"y\"}}]}}]}\n\n";
  ExpectMemosChangeNothing(tools, "tool middles");

  // Reasoning with both fields, the template on one of them.
  std::string reasoning;
  for (const char* pair : {R"("reasoning_content":"a","reasoning":null)", R"("reasoning_content":"b","reasoning":null)",
                           R"("reasoning_content":"","reasoning":null)", R"("reasoning_content":"c","reasoning":"c")",
                           R"("reasoning_content":null,"reasoning":"d")", R"("reasoning_content":null,"reasoning":"e")",
                           R"("reasoning_content":null,"reasoning":"")"}) {
    reasoning += Delta("{" + std::string(pair) + "}");
  }
  ExpectMemosChangeNothing(reasoning, "reasoning");
}

TEST(OpenAiChatProtocol, ManyChunksStayCheap) {
  // A long text stream: one part, exact text.
  std::string bytes;
  std::string expected;
  for (int i = 0; i < 20000; ++i) {
    const std::string piece = " w" + std::to_string(i);
    expected += piece;
    bytes += Delta("{\"content\":\"" + piece + "\"}");
  }
  bytes += Delta("{}", "\"stop\"") + "data: [DONE]\n\n";
  const Outcome run = Feed(bytes);
  EXPECT_EQ(run.state["text"], expected);
  EXPECT_EQ(run.state["parts"].size(), 1u);
}

}  // namespace
}  // namespace ssew
