// MessageState and MessageSession with the native vocabulary: the fixtures shared
// with the Node tests, and the state machine's rules called directly.
#include <gtest/gtest.h>

#include "fixture_replay.h"
#include "message_session.h"
#include "message_state.h"

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
