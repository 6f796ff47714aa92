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

}  // namespace
}  // namespace ssew
