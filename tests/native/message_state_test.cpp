// MessageState and MessageSession with the native vocabulary: the fixtures shared
// with the Node tests, and the state machine's rules called directly.
#include <gtest/gtest.h>

#include <string>

#include "fixture_replay.h"
#include "json_string.h"
#include "message_session.h"
#include "message_state.h"
#include "utf8_oracle.h"

namespace ssew {
namespace {


TEST(NativeFixtures, AllReplayAtEverySplit) { testing::check_all_fixtures("native", 5); }

TEST(MessageState, TextAfterToolStartsANewPart) {
  MessageState s;
  s.append_text("a");
  s.append_text("b");
  s.tool_start("t", "x", "{}");
  s.append_text("c");
  ASSERT_EQ(s.part_count(), 3u);
  EXPECT_EQ(s.part(0).text, "ab");
  EXPECT_EQ(s.part(2).text, "c");
  EXPECT_EQ(s.text(), "abc");
}

TEST(MessageState, BreakPartSeparatesBlocksOfTheSameType) {
  MessageState s;
  s.append_text("a");
  s.break_part();
  s.append_text("b");
  EXPECT_EQ(s.part_count(), 2u);
}

TEST(MessageState, StreamedInputBecomesAvailableWhenComplete) {
  MessageState s;
  s.tool_start("t", "search");
  s.tool_input_delta("t", "{\"q\": \"c");
  EXPECT_EQ(s.part(0).state, ToolState::kInputStreaming);
  EXPECT_EQ(s.part(0).input_json, "{\"q\":\"c\"}");
  s.tool_input_delta("t", "ats\"}");
  EXPECT_EQ(s.part(0).state, ToolState::kInputAvailable);
  EXPECT_EQ(s.part(0).input_json, "{\"q\": \"cats\"}");
}

TEST(MessageState, ResultSettlesAStreamingInputAndKeepsIt) {
  MessageState s;
  s.tool_start("t", "f");
  s.tool_input_delta("t", "{\"a\": [1, 2");
  s.tool_output("t", "\"ok\"");
  const auto p = s.part(0);
  EXPECT_EQ(p.state, ToolState::kOutputAvailable);
  EXPECT_EQ(p.input_json, "{\"a\":[1,2]}");
  EXPECT_EQ(s.warning_count(), 1u);  // incomplete_tool_input
}

TEST(MessageState, EndWithoutDoneIsInterruptedAndKeepsText) {
  MessageState s;
  s.append_text("partial");
  s.end_of_stream();
  EXPECT_EQ(s.status(), Status::kError);
  EXPECT_EQ(s.error_code(), "interrupted");
  EXPECT_TRUE(s.error_retryable());
  EXPECT_EQ(s.text(), "partial");
}

TEST(MessageState, TerminalStatusIgnoresContentButTakesUsage) {
  MessageState s;
  s.append_text("x");
  s.finish();
  s.append_text("y");
  s.set_error("late", "late", false);
  s.set_usage(1, 2);
  EXPECT_EQ(s.status(), Status::kDone);
  EXPECT_EQ(s.text(), "x");
  ASSERT_TRUE(s.usage());
  EXPECT_EQ(s.usage()->second, 2u);
}

TEST(MessageState, LimitsEndTheMessageAndKeepWhatCameBefore) {
  MessageState::Limits limits;
  limits.max_parts = 2;
  {
    MessageState s(limits);
    s.append_text("a");
    s.tool_start("t", "x", "{}");
    s.tool_start("u", "y", "{}");
    EXPECT_EQ(s.error_code(), "too_many_parts");
    EXPECT_EQ(s.part_count(), 2u);
  }
  limits = {};
  limits.max_tool_input_bytes = 8;
  {
    MessageState s(limits);
    s.tool_start("t", "x");
    s.tool_input_delta("t", "{\"a\":");
    s.tool_input_delta("t", "\"0123456789\"}");
    EXPECT_EQ(s.error_code(), "tool_input_too_large");
    EXPECT_EQ(s.part(0).input_text, "{\"a\":");
  }
  limits = {};
  limits.max_json_depth = 3;
  {
    MessageState s(limits);
    s.tool_start("t", "x");
    s.tool_input_delta("t", "[[[[1]]]]");
    EXPECT_EQ(s.error_code(), "json_too_deep");
  }
  limits = {};
  limits.max_message_bytes = 10;
  {
    MessageState s(limits);
    s.append_text("0123456789");
    s.append_text("!");
    EXPECT_EQ(s.error_code(), "message_too_large");
    EXPECT_EQ(s.text(), "0123456789");
  }
}

TEST(MessageState, WarningsAreCappedButCounted) {
  MessageState::Limits limits;
  limits.max_warnings = 3;
  MessageState s(limits);
  for (int i = 0; i < 10; ++i) s.tool_input_delta("nope", "1");
  EXPECT_EQ(s.warning_count(), 10u);
  EXPECT_EQ(s.status(), Status::kStreaming);
}

// --- surrogate pairs split across deltas ---------------------------------------------
// Servers that slice text by UTF-16 units send "\ud83d" at the end of one delta and
// "\ude00" at the start of the next. Deltas are decoded as the protocols decode them.

const std::string kEmoji = "\xF0\x9F\x98\x80";  // U+1F600, "\ud83d\ude00"
const std::string kFffd = "\xEF\xBF\xBD";

std::string delta(const std::string& literal) {
  std::string out;
  EXPECT_TRUE(decode_json_string(literal, out, LoneSurrogates::kKeepAtEdges)) << literal;
  return out;
}

size_t count_of(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

// What reaches JavaScript must be valid UTF-8 at every moment.
void expect_valid_patch(MessageState& s) {
  EXPECT_TRUE(testing::is_valid_utf8(s.patch().text())) << "the patch text is not valid UTF-8";
  for (size_t i = 0; i < s.part_count(); ++i) {
    const auto p = s.part(i);
    EXPECT_TRUE(testing::is_valid_utf8(p.text) && testing::is_valid_utf8(p.input_text)) << "part " << i;
  }
  s.clear_patch();
}

TEST(MessageStateSurrogates, PairSplitAcrossTextDeltasJoins) {
  MessageState s;
  s.append_text(delta(R"("Split pairs: \ud83d")"));
  EXPECT_EQ(s.text(), "Split pairs: ");  // held back, not shown as U+FFFD
  expect_valid_patch(s);
  s.append_text(delta(R"("\ude00 end")"));
  expect_valid_patch(s);
  EXPECT_EQ(s.text(), "Split pairs: " + kEmoji + " end");
  EXPECT_EQ(count_of(s.text(), kEmoji), 1u);
  EXPECT_EQ(count_of(s.text(), kFffd), 0u);
  EXPECT_EQ(s.part_count(), 1u);
  s.finish();
  EXPECT_EQ(s.text(), "Split pairs: " + kEmoji + " end");
}

TEST(MessageStateSurrogates, PairSplitAcrossReasoningDeltasJoins) {
  MessageState s;
  s.append_reasoning(delta(R"("think \ud83d")"));
  EXPECT_EQ(s.part(0).text, "think ");
  expect_valid_patch(s);
  s.append_reasoning(delta(R"("\ude00")"));
  expect_valid_patch(s);
  ASSERT_EQ(s.part_count(), 1u);
  EXPECT_EQ(s.part(0).kind, MessageState::PartView::kReasoning);
  EXPECT_EQ(s.part(0).text, "think " + kEmoji);
}

TEST(MessageStateSurrogates, PairSplitAcrossToolInputFragmentsJoins) {
  // OpenAI-style: the arguments' JSON text, itself sliced by UTF-16 units.
  MessageState s;
  s.tool_start("t", "f");
  s.tool_input_delta("t", delta(R"("{\"q\": \"a\ud83d")"));
  EXPECT_EQ(s.part(0).input_text, "{\"q\": \"a");
  EXPECT_EQ(s.part(0).input_json, "{\"q\":\"a\"}");
  expect_valid_patch(s);
  s.tool_input_delta("t", delta(R"("\ude00b\"}")"));
  expect_valid_patch(s);
  const auto p = s.part(0);
  EXPECT_EQ(p.state, ToolState::kInputAvailable);
  EXPECT_EQ(p.input_text, "{\"q\": \"a" + kEmoji + "b\"}");
  EXPECT_EQ(count_of(p.input_text, kEmoji), 1u);
  EXPECT_EQ(s.warning_count(), 0u);
}

TEST(MessageStateSurrogates, EachToolHoldsItsOwnSurrogate) {
  MessageState s;
  s.tool_start("a", "f");
  s.tool_start("b", "g");
  s.tool_input_delta("a", delta(R"("{\"x\": \"\ud83d")"));
  s.tool_input_delta("b", delta(R"("{\"y\": \"\ud83d")"));
  s.tool_input_delta("a", delta(R"("\ude00\"}")"));
  s.tool_input_delta("b", delta(R"("z\"}")"));
  expect_valid_patch(s);
  EXPECT_EQ(s.part(0).input_text, "{\"x\": \"" + kEmoji + "\"}");
  EXPECT_EQ(s.part(1).input_text, "{\"y\": \"" + kFffd + "z\"}");
}

TEST(MessageStateSurrogates, HeldSurrogateIsReplacedAtAPartBreak) {
  MessageState s;
  s.append_text(delta(R"("a\ud83d")"));
  s.break_part();
  expect_valid_patch(s);
  EXPECT_EQ(s.part(0).text, "a" + kFffd);  // shown as soon as the part is over
  s.append_text(delta(R"("\ude00b")"));   // another part: nothing to pair with
  expect_valid_patch(s);
  ASSERT_EQ(s.part_count(), 2u);
  EXPECT_EQ(s.part(1).text, kFffd + "b");
  EXPECT_EQ(count_of(s.text(), kFffd), 2u);
}

TEST(MessageStateSurrogates, HeldSurrogateIsReplacedWhenAnotherPartStarts) {
  MessageState s;
  s.append_text(delta(R"("a\ud83d")"));
  s.append_reasoning(delta(R"("\ude00r")"));
  expect_valid_patch(s);
  ASSERT_EQ(s.part_count(), 2u);
  EXPECT_EQ(s.part(0).text, "a" + kFffd);
  EXPECT_EQ(s.part(1).text, kFffd + "r");

  MessageState t;
  t.append_reasoning(delta(R"("r\ud83d")"));
  t.tool_start("x", "f");
  expect_valid_patch(t);
  EXPECT_EQ(t.part(0).text, "r" + kFffd);
}

TEST(MessageStateSurrogates, HeldSurrogateIsReplacedAtTheEnd) {
  MessageState done;
  done.append_text(delta(R"("a\ud83d")"));
  done.finish();
  expect_valid_patch(done);
  EXPECT_EQ(done.text(), "a" + kFffd);

  MessageState cut;
  cut.append_text(delta(R"("a\ud83d")"));
  cut.end_of_stream();
  expect_valid_patch(cut);
  EXPECT_EQ(cut.error_code(), "interrupted");
  EXPECT_EQ(cut.text(), "a" + kFffd);

  MessageState failed;
  failed.append_reasoning(delta(R"("a\ud83d")"));
  failed.set_error("boom", "server_error", false);
  expect_valid_patch(failed);
  EXPECT_EQ(failed.part(0).text, "a" + kFffd);

  MessageState aborted;
  aborted.append_text(delta(R"("a\ud83d")"));
  aborted.tool_start("t", "f");
  aborted.tool_input_delta("t", delta(R"("{\"q\": \"\ud83d")"));
  aborted.abort();
  expect_valid_patch(aborted);
  EXPECT_EQ(aborted.status(), Status::kAborted);
  EXPECT_EQ(aborted.text(), "a" + kFffd);
  EXPECT_EQ(aborted.part(1).input_text, "{\"q\": \"" + kFffd);
  EXPECT_EQ(aborted.part(1).input_json, "{\"q\":\"" + kFffd + "\"}");
  aborted.append_text(delta(R"("\ude00")"));  // terminal: ignored
  EXPECT_EQ(aborted.text(), "a" + kFffd);
}

TEST(MessageStateSurrogates, HeldSurrogateIsReplacedWhenTheToolInputEnds) {
  MessageState s;
  s.tool_start("t", "f");
  s.tool_input_delta("t", delta(R"("\"a\ud83d")"));
  s.tool_input_complete("t");
  expect_valid_patch(s);
  EXPECT_EQ(s.part(0).state, ToolState::kInputAvailable);
  EXPECT_EQ(s.part(0).input_json, "\"a" + kFffd + "\"");
  s.tool_input_delta("t", delta(R"("\ude00\"")"));  // late: ignored
  EXPECT_EQ(s.part(0).input_json, "\"a" + kFffd + "\"");

  // A complete input given by the server replaces the streamed text, surrogate too.
  MessageState r;
  r.tool_start("t", "f");
  r.tool_input_delta("t", delta(R"("{\"q\": \"\ud83d")"));
  r.tool_input_complete("t", std::string_view("{\"q\":\"" + kEmoji + "\"}"));
  expect_valid_patch(r);
  EXPECT_EQ(r.part(0).input_json, "{\"q\":\"" + kEmoji + "\"}");
  r.finish();
  EXPECT_EQ(r.part(0).input_json, "{\"q\":\"" + kEmoji + "\"}");
  EXPECT_EQ(count_of(r.patch().text(), kFffd), 0u);
}

TEST(MessageStateSurrogates, HighSurrogateFollowedByOtherTextIsReplaced) {
  MessageState s;
  s.append_text(delta(R"("a\ud83d")"));
  s.append_text(delta(R"("b")"));  // escape-free: the fast path
  expect_valid_patch(s);
  EXPECT_EQ(s.text(), "a" + kFffd + "b");
  s.append_text(delta(R"("\ud83d")"));
  s.append_text(delta(R"("\ud83d")"));
  s.append_text(delta(R"("\u0041")"));
  expect_valid_patch(s);
  EXPECT_EQ(s.text(), "a" + kFffd + "b" + kFffd + kFffd + "A");
}

TEST(MessageStateSurrogates, LoneLowSurrogateIsReplaced) {
  MessageState s;
  s.append_text(delta(R"("\ude00x")"));
  EXPECT_EQ(s.text(), kFffd + "x");
  s.append_text(delta(R"("\ude00")"));  // nothing held before it
  s.append_text(delta(R"("y\ude00")"));
  expect_valid_patch(s);
  EXPECT_EQ(s.text(), kFffd + "x" + kFffd + "y" + kFffd);
}

TEST(MessageStateSurrogates, PairsInsideOneDeltaAreUnchanged) {
  MessageState s;
  s.append_text(delta(R"("\ud83d\ude00")"));
  s.append_text(delta(R"(" \ud83d\ud83d\ude00")"));
  s.append_text(delta(R"(" \ude00\ud83d")"));
  s.append_text(delta(R"("\ude00!")"));
  expect_valid_patch(s);
  EXPECT_EQ(s.text(), kEmoji + " " + kFffd + kEmoji + " " + kFffd + kEmoji + "!");
  EXPECT_EQ(count_of(s.text(), kEmoji), 3u);
}

TEST(MessageStateSurrogates, AHeldBackSurrogateAloneStillStartsItsPart) {
  MessageState s;
  s.append_text("a");
  s.tool_start("t", "f", "{}");
  s.append_text(delta(R"("\ud83d")"));
  EXPECT_EQ(s.part_count(), 3u);  // part numbers stay in step with JavaScript
  EXPECT_EQ(s.part(2).text, "");
  expect_valid_patch(s);
  s.append_text(delta(R"("\ude00")"));
  expect_valid_patch(s);
  EXPECT_EQ(s.part(2).text, kEmoji);
  EXPECT_EQ(s.text(), "a" + kEmoji);
}

TEST(MessageSessionSurrogates, NativeEventsJoinASplitPair) {
  const std::string stream =
      "event: text_delta\ndata: \"Split pairs: \\ud83d\"\n\n"
      "event: text_delta\ndata: {\"text\":\"\\ude00 end\"}\n\n"
      "event: done\ndata: {}\n\n";
  auto session = testing::decode(stream, "native");
  EXPECT_EQ(session->state().text(), "Split pairs: " + kEmoji + " end");
}

TEST(MessageSession, OversizedEventIsAnErrorThatKeepsEarlierText) {
  MessageSession::Options options;
  options.protocol = "native";
  options.sse.max_event_bytes = 64;
  MessageSession session(options);
  session.feed("event: text_delta\ndata: \"kept\"\n\nevent: text_delta\ndata: \"" + std::string(200, 'x') + "\"\n\n");
  EXPECT_EQ(session.state().status(), Status::kError);
  EXPECT_EQ(session.state().error_code(), "event_too_large");
  EXPECT_EQ(session.state().text(), "kept");
}

TEST(MessageSession, EndConnectionKeepsTheMessageStreamingForAResume) {
  MessageSession session(MessageSession::Options{});
  session.feed("id: 1\nevent: text_delta\ndata: \"a\"\n\nevent: text_delta\ndata: \"incomplete");
  session.end_connection();
  EXPECT_EQ(session.state().status(), Status::kStreaming);
  EXPECT_EQ(session.parser().last_event_id(), "1");
  session.feed("id: 2\nevent: text_delta\ndata: \"b\"\n\nevent: done\ndata: {}\n\n");
  session.end();
  EXPECT_EQ(session.state().status(), Status::kDone);
  EXPECT_EQ(session.state().text(), "ab");
}

TEST(MessageSession, UnknownProtocolNameFallsBackToDetection) {
  MessageSession::Options options;
  options.protocol = "klingon";
  MessageSession session(options);
  session.feed("event: text_delta\ndata: \"hi\"\n\n");
  EXPECT_EQ(session.protocol(), "native");
  EXPECT_EQ(session.state().warning_count(), 1u);
}


// --- hostile servers (issue 12) ---------------------------------------------------------

std::unique_ptr<MessageSession> decode_with(const std::string& sse, const std::string& protocol,
                                            const MessageState::Limits& limits, bool end = true) {
  MessageSession::Options options;
  options.protocol = protocol;
  options.limits = limits;
  auto session = std::make_unique<MessageSession>(options);
  session->feed(sse);
  if (end) session->end();
  return session;
}

std::string sse_event(const std::string& type, const std::string& data) {
  return (type.empty() ? "" : "event: " + type + "\n") + "data: " + data + "\n\n";
}

// A JSON object of exactly `bytes` bytes: {"s":"xxx…"}.
std::string object_of_size(size_t bytes) { return "{\"s\":\"" + std::string(bytes - 8, 'x') + "\"}"; }

// One tool call with its complete input, in each protocol's words.
std::string complete_tool_call(const std::string& protocol, int n, const std::string& input) {
  const std::string id = "call" + std::to_string(n);
  if (protocol == "native") {
    return sse_event("tool_start", "{\"id\":\"" + id + "\",\"name\":\"f\",\"input\":" + input + "}");
  }
  if (protocol == "ai-sdk") {
    return sse_event("", "{\"type\":\"tool-input-available\",\"toolCallId\":\"" + id +
                             "\",\"toolName\":\"f\",\"input\":" + input + "}");
  }
  return sse_event("", R"({"candidates":[{"content":{"parts":[{"functionCall":{"id":")" + id +
                           R"(","name":"f","args":)" + input + R"(}}],"role":"model"},"index":0}]})");
}

std::string text_event(const std::string& protocol, const std::string& text) {
  if (protocol == "native") return sse_event("text_delta", "\"" + text + "\"");
  if (protocol == "ai-sdk") {
    return sse_event("", R"({"type":"text-start","id":"t"})") +
           sse_event("", R"({"type":"text-delta","id":"t","delta":")" + text + "\"}") +
           sse_event("", R"({"type":"text-end","id":"t"})");
  }
  return sse_event("", R"({"candidates":[{"content":{"parts":[{"text":")" + text + R"("}],"role":"model"},"index":0}]})");
}

std::string end_event(const std::string& protocol) {
  if (protocol == "native") return sse_event("done", "{}");
  if (protocol == "ai-sdk") return sse_event("", R"({"type":"finish"})") + "data: [DONE]\n\n";
  return sse_event("", R"({"candidates":[{"content":{"parts":[{"text":""}],"role":"model"},"finishReason":"STOP","index":0}]})");
}

const char* const kCompleteInputProtocols[] = {"native", "ai-sdk", "gemini"};

TEST(MessageStateLimits, CompleteInputOverMaxToolInputBytesIsTooLarge) {
  for (const std::string protocol : kCompleteInputProtocols) {
    SCOPED_TRACE(protocol);
    MessageState::Limits limits;
    limits.max_tool_input_bytes = 1000;
    const std::string sse = text_event(protocol, "before") + complete_tool_call(protocol, 0, object_of_size(900)) +
                            complete_tool_call(protocol, 1, object_of_size(5008)) + end_event(protocol);
    auto session = decode_with(sse, protocol, limits);
    MessageState& s = session->state();
    EXPECT_EQ(s.status(), Status::kError);
    EXPECT_EQ(s.error_code(), "tool_input_too_large");
    EXPECT_EQ(s.error_message(), "A tool call is too large to show (maxToolInputBytes).");
    EXPECT_EQ(s.text(), "before");
    ASSERT_EQ(s.part_count(), 3u);
    EXPECT_EQ(s.part(1).input_text, object_of_size(900));  // what came before stays
    EXPECT_EQ(s.part(2).input_text, "");                   // the input too large is not stored
  }
}

TEST(MessageStateLimits, NoDepthLimitMeansTheCeilingForCompleteAndStreamedInputsAlike) {
  const auto nested = [](size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  MessageState::Limits limits;
  limits.max_json_depth = SIZE_MAX;  // what JavaScript passes for Infinity
  for (const size_t depth : {MessageState::kMaxJsonDepth, MessageState::kMaxJsonDepth + 1}) {
    const bool fits = depth <= MessageState::kMaxJsonDepth;
    for (const std::string protocol : kCompleteInputProtocols) {
      SCOPED_TRACE(protocol + " " + std::to_string(depth));
      auto session = decode_with(text_event(protocol, "before") + complete_tool_call(protocol, 0, nested(depth)) +
                                     end_event(protocol),
                                 protocol, limits);
      MessageState& s = session->state();
      EXPECT_EQ(s.status(), fits ? Status::kDone : Status::kError);
      if (!fits) EXPECT_EQ(s.error_code(), "json_too_deep");
      EXPECT_EQ(s.text(), "before");
    }
    SCOPED_TRACE("streamed " + std::to_string(depth));
    MessageState s(limits);
    s.tool_start("t", "f");
    const std::string json = nested(depth);
    for (size_t i = 0; i < json.size(); i += 7) s.tool_input_delta("t", std::string_view(json).substr(i, 7));
    s.finish();
    EXPECT_EQ(s.status(), fits ? Status::kDone : Status::kError);
    if (fits) EXPECT_EQ(s.part(0).state, ToolState::kInputAvailable);
    if (!fits) EXPECT_EQ(s.error_code(), "json_too_deep");
  }
}

TEST(MessageStateLimits, CompleteInputsCountAgainstMaxMessageBytes) {
  for (const std::string protocol : kCompleteInputProtocols) {
    SCOPED_TRACE(protocol);
    MessageState::Limits limits;
    limits.max_message_bytes = 10000;
    std::string sse = text_event(protocol, "before");
    for (int i = 0; i < 10; ++i) sse += complete_tool_call(protocol, i, object_of_size(3000));
    auto session = decode_with(sse + end_event(protocol), protocol, limits);
    MessageState& s = session->state();
    EXPECT_EQ(s.status(), Status::kError);
    EXPECT_EQ(s.error_code(), "message_too_large");
    EXPECT_EQ(s.error_message(), "The answer is too long to show in full (maxMessageBytes).");
    EXPECT_EQ(s.text(), "before");
    ASSERT_EQ(s.part_count(), 5u);  // the text, three inputs kept, the fourth part without its input
    for (size_t i = 1; i <= 3; ++i) EXPECT_EQ(s.part(i).input_text, object_of_size(3000));
    EXPECT_EQ(s.part(4).input_text, "");
  }
}

TEST(MessageStateLimits, ACompleteInputReplacingTheStreamedOneIsChargedOnlyForWhatItAdds) {
  MessageState::Limits limits;
  limits.max_message_bytes = 10000;
  const std::string input = object_of_size(6000);
  {
    MessageState s(limits);
    s.tool_start("t", "f");
    s.tool_input_delta("t", input.substr(0, 5000));
    s.tool_input_complete("t", input);  // 6,000 bytes kept in all, not 11,000
    EXPECT_EQ(s.status(), Status::kStreaming);
    EXPECT_EQ(s.part(0).input_text, input);
    s.append_text(std::string(3900, 'a'));
    EXPECT_EQ(s.status(), Status::kStreaming);
    s.append_text(std::string(200, 'a'));
    EXPECT_EQ(s.error_code(), "message_too_large");
  }
  // The AI SDK repeats the streamed input in tool-input-available.
  const std::string sse =
      sse_event("", R"({"type":"tool-input-start","toolCallId":"c","toolName":"f"})") +
      sse_event("", R"({"type":"tool-input-delta","toolCallId":"c","inputTextDelta":")" +
                        std::string("{\\\"s\\\":\\\"") + std::string(5992, 'x') + "\\\"}\"}") +
      sse_event("", R"({"type":"tool-input-available","toolCallId":"c","toolName":"f","input":)" + input + "}") +
      end_event("ai-sdk");
  auto session = decode_with(sse, "ai-sdk", limits);
  EXPECT_EQ(session->state().status(), Status::kDone) << session->state().error_code();
  EXPECT_EQ(session->state().part(0).input_text, input);
}

TEST(MessageStateLimits, ToolOutputsCountAgainstMaxMessageBytes) {
  // Audit: outputs and tool errors were charged before issue 12 already.
  MessageState::Limits limits;
  limits.max_message_bytes = 10000;
  MessageState s(limits);
  for (int i = 0; i < 10 && !s.terminal(); ++i) s.tool_output("t" + std::to_string(i), object_of_size(3000));
  EXPECT_EQ(s.error_code(), "message_too_large");
  MessageState e(limits);
  for (int i = 0; i < 10 && !e.terminal(); ++i) e.tool_error("t" + std::to_string(i), std::string(3000, 'e'));
  EXPECT_EQ(e.error_code(), "message_too_large");
}

// The patch text of the last call: here, only warnings were recorded.
size_t patch_text_bytes(MessageState& s) { return s.patch().text().size(); }

TEST(MessageStateWarnings, HugeIdsAreCutInWarnings) {
  // 100 tool_delta events whose ids are 1 MiB each: 100 warnings of a hundred bytes.
  const std::string id(1 << 20, 'i');
  std::string sse;
  for (int i = 0; i < 100; ++i) sse += sse_event("tool_delta", "{\"id\":\"" + id + "\",\"delta\":\"x\"}");
  auto session = decode_with(sse, "native", MessageState::Limits{}, false);
  MessageState& s = session->state();
  EXPECT_EQ(s.status(), Status::kStreaming);
  EXPECT_EQ(s.warning_count(), 100u);
  EXPECT_LT(patch_text_bytes(s), 100u * 200u);
  const std::string text(s.patch().text());
  EXPECT_NE(text.find(std::string(64, 'i') + "\xE2\x80\xA6"), std::string::npos);
  EXPECT_EQ(text.find(std::string(65, 'i')), std::string::npos);
}

TEST(MessageStateWarnings, TheSessionsOwnWarningsCutWhatTheyEcho) {
  // An unknown protocol name (the caller's) and a transport hint that the events
  // contradict are echoed like any input: at most 64 bytes of them.
  MessageSession::Options options;
  options.protocol = std::string(1 << 20, 'p');
  MessageSession session(options);
  EXPECT_EQ(session.state().warning_count(), 1u);
  EXPECT_LT(patch_text_bytes(session.state()), 300u);
  session.hint_protocol("ai-sdk");
  session.feed(sse_event("text_delta", "\"hi\""));
  EXPECT_EQ(session.protocol(), "native");
  EXPECT_EQ(session.state().warning_count(), 2u);
  EXPECT_EQ(session.state().text(), "hi");
}

TEST(MessageStateWarnings, EchoCutsAtACharacterBoundary) {
  const std::string euro = "\xE2\x82\xAC";  // 3 bytes
  std::string long_value;
  for (int i = 0; i < 30; ++i) long_value += euro;
  const std::string cut = MessageState::echo(long_value);
  EXPECT_EQ(cut.size(), 63u + 3u);  // 21 whole characters, then "…"
  EXPECT_TRUE(testing::is_valid_utf8(cut));
  EXPECT_EQ(cut.substr(63), "\xE2\x80\xA6");
  EXPECT_EQ(MessageState::echo("short"), "short");
  EXPECT_EQ(MessageState::echo(std::string(64, 'a')), std::string(64, 'a'));
}

TEST(MessageStateWarnings, EchoingWarningsOfEveryProtocolAreCut) {
  const std::string huge(1 << 16, 'q');
  struct Case {
    const char* protocol;
    std::string sse;
  };
  const Case cases[] = {
      {"native", sse_event("tool_delta", "{\"id\":\"" + huge + "\",\"delta\":\"x\"}")},
      {"ai-sdk", sse_event("", R"({"type":"text-delta","id":")" + huge + R"(","delta":"x"})")},
      {"ai-sdk", sse_event("", R"({"type":"tool-input-delta","toolCallId":")" + huge + R"(","inputTextDelta":"x"})")},
      {"anthropic", sse_event("content_block_start",
                              R"({"type":"content_block_start","index":0,"content_block":{"type":")" + huge +
                                  R"(tool_use","name":"f"}})")},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.protocol);
    auto session = decode_with(c.sse, c.protocol, MessageState::Limits{}, false);
    EXPECT_GE(session->state().warning_count(), 1u);
    EXPECT_LT(patch_text_bytes(session->state()), 1000u) << session->state().patch().text().substr(0, 300);
  }
}

TEST(MessageStateWarnings, RecordedWarningsAreChargedToTheMessage) {
  MessageState::Limits limits;
  limits.max_message_bytes = 1000;
  MessageState s(limits);
  s.append_text("kept");
  for (int i = 0; i < 50 && !s.terminal(); ++i) s.tool_input_delta("nope" + std::to_string(i), "1");
  EXPECT_EQ(s.error_code(), "message_too_large");
  EXPECT_EQ(s.text(), "kept");
  // Warnings beyond max_warnings are counted only, and cost nothing.
  limits.max_warnings = 2;
  MessageState t(limits);
  for (int i = 0; i < 200; ++i) t.tool_input_delta("nope", "1");
  EXPECT_EQ(t.status(), Status::kStreaming);
  EXPECT_EQ(t.warning_count(), 200u);
}

TEST(NativeToolResult, ANumericIdIsItsJsonText) {
  auto session = testing::decode(sse_event("tool_start", R"({"id":7,"name":"f"})") +
                                     sse_event("tool_delta", R"({"id":7,"delta":"{\"a\":1}"})") +
                                     sse_event("tool_result", R"({"id":7,"result":"seven"})") +
                                     sse_event("tool_result", R"({"id":8,"result":"eight"})") + sse_event("done", "{}"),
                                 "native");
  MessageState& s = session->state();
  ASSERT_EQ(s.part_count(), 2u);
  EXPECT_EQ(s.part(0).id, "7");
  EXPECT_EQ(s.part(0).name, "f");
  EXPECT_EQ(s.part(0).input_json, "{\"a\":1}");
  EXPECT_EQ(s.part(0).output_json, "\"seven\"");
  EXPECT_EQ(s.part(1).id, "8");
  EXPECT_EQ(s.part(1).output_json, "\"eight\"");
  EXPECT_EQ(s.warning_count(), 0u);
}

TEST(NativeToolResult, ResultsWithoutAnIdEachGetAPartOfTheirOwn) {
  auto session = testing::decode(sse_event("tool_result", R"({"result":1})") +
                                     sse_event("tool_result", R"({"id":null,"error":"two"})") +
                                     sse_event("tool_result", R"({"result":3})") + sse_event("done", "{}"),
                                 "native");
  MessageState& s = session->state();
  EXPECT_EQ(s.status(), Status::kDone);
  ASSERT_EQ(s.part_count(), 3u);
  EXPECT_EQ(s.part(0).output_json, "1");
  EXPECT_EQ(s.part(1).state, ToolState::kOutputError);
  EXPECT_EQ(s.part(1).error_text, "two");
  EXPECT_EQ(s.part(2).output_json, "3");
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(s.part(i).id, "");
    EXPECT_EQ(s.part(i).input_json, "{}");
  }
  EXPECT_EQ(s.warning_count(), 3u);
}

TEST(MessageStateSurrogates, LoneSurrogateEscapesAreReplacementCharactersOnceComplete) {
  // Streaming, the value shows U+FFFD; complete, the JSON text handed to JSON.parse
  // says \ufffd too.
  MessageState s;
  s.tool_start("t", "f");
  s.tool_input_delta("t", R"({"s":"a\ud800b","k":"\udc00)");
  EXPECT_EQ(s.part(0).input_json, "{\"s\":\"a" + kFffd + "b\",\"k\":\"" + kFffd + "\"}");
  s.tool_input_delta("t", R"(","p":"\ud83d\ude00","e":"\\ud800"})");
  EXPECT_EQ(s.part(0).state, ToolState::kInputAvailable);
  const std::string expected = R"({"s":"a\ufffdb","k":"\ufffd","p":"\ud83d\ude00","e":"\\ud800"})";
  EXPECT_EQ(s.part(0).input_json, expected);
  EXPECT_NE(std::string(s.patch().text()).find(expected), std::string::npos);
  // A complete input given at once, and an output.
  s.tool_start("u", "f", R"(["\uD800\uD800\uDFFF", "\uDBFF"])");
  EXPECT_EQ(s.part(1).input_json, R"(["\ufffd\uD800\uDFFF", "\ufffd"])");
  s.tool_output("u", R"({"out":"\udfff"})");
  EXPECT_EQ(s.part(1).output_json, R"({"out":"\ufffd"})");
  EXPECT_NE(std::string(s.patch().text()).find(R"({"out":"\ufffd"})"), std::string::npos);
}

TEST(JsonString, ReplaceLoneSurrogateEscapes) {
  const auto replaced = [](std::string json) {
    replace_lone_surrogate_escapes(json);
    return json;
  };
  EXPECT_EQ(replaced(R"("plain")"), R"("plain")");
  EXPECT_EQ(replaced(R"("\ud83d\ude00")"), R"("\ud83d\ude00")");
  EXPECT_EQ(replaced(R"("\ud800")"), R"("\ufffd")");
  EXPECT_EQ(replaced(R"("\ud800\u0041")"), R"("\ufffd\u0041")");
  EXPECT_EQ(replaced(R"("\ude00\ud83d")"), R"("\ufffd\ufffd")");
  EXPECT_EQ(replaced(R"("\\ud800")"), R"("\\ud800")");
  EXPECT_EQ(replaced(R"("\\\ud800")"), R"("\\\ufffd")");
  EXPECT_EQ(replaced(R"("\n\u00e9\t")"), R"("\n\u00e9\t")");
  EXPECT_EQ(replaced(R"("\ud8)"), R"("\ud8)");  // cut short: no escape to replace
  EXPECT_EQ(replaced("\\"), "\\");
}

TEST(Usage, CountsSaturateAndNegativeOrFractionalCountsAreZero) {
  const auto usage_of = [](const std::string& sse, const std::string& protocol) {
    auto session = testing::decode(sse, protocol);
    const auto usage = session->state().usage();
    EXPECT_TRUE(usage.has_value());
    return usage.value_or(std::make_pair(uint64_t{1}, uint64_t{1}));
  };
  const auto native = [&](const std::string& in, const std::string& out) {
    return usage_of(sse_event("done", "{\"usage\":{\"input_tokens\":" + in + ",\"output_tokens\":" + out + "}}"),
                    "native");
  };
  const auto max = std::make_pair(UINT64_MAX, UINT64_MAX);
  EXPECT_EQ(native("1e20", "18446744073709551616"), max);
  EXPECT_EQ(native("184467440737095516150", "1.5e400"), max);
  EXPECT_EQ(native("4294967296", "12.0"), std::make_pair(uint64_t{4294967296}, uint64_t{12}));
  EXPECT_EQ(native("-3", "12.5"), std::make_pair(uint64_t{0}, uint64_t{0}));
  EXPECT_EQ(native("-1e20", "1e-3"), std::make_pair(uint64_t{0}, uint64_t{0}));
  const auto openai = [&](const std::string& in, const std::string& out) {
    return usage_of("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":" + in + ",\"completion_tokens\":" + out +
                        "}}\n\ndata: [DONE]\n\n",
                    "openai-chat");
  };
  EXPECT_EQ(openai("1e20", "18446744073709551616"), max);
  EXPECT_EQ(openai("-3", "7"), std::make_pair(uint64_t{0}, uint64_t{7}));
  const auto gemini = usage_of(
      sse_event("", R"({"candidates":[{"content":{"parts":[{"text":"a"}],"role":"model"},"finishReason":"STOP","index":0}],)"
                    R"("usageMetadata":{"promptTokenCount":1e20,"candidatesTokenCount":18446744073709551616,"thoughtsTokenCount":5}})"),
      "gemini");
  EXPECT_EQ(gemini, max);
  // The snapshot's words saturate at 2^32-1 (kUsage).
  MessageState s;
  s.set_usage(UINT64_MAX, 5);
  const auto words = s.patch().words();
  ASSERT_GE(words.size(), 3u);
  EXPECT_EQ(words[words.size() - 2], 0xFFFFFFFFu);
  EXPECT_EQ(words[words.size() - 1], 5u);
}

}  // namespace
}  // namespace ssew
