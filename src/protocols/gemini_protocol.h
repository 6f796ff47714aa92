// gemini_protocol.h — Google Gemini's streamGenerateContent?alt=sse ("gemini"): every
// event's data is one GenerateContentResponse, and the stream has no end marker.
//
//   candidates[0].content.parts[]
//     {text}                      text
//     {text, thought: true}       reasoning
//     {functionCall: {name, args, id?}}
//                                 a tool with its complete input (args, or {}); an id
//                                 "gemini-call-<n>" (n = 0, 1, ... per stream) when the
//                                 API sends none
//     {executableCode} / {codeExecutionResult}
//                                 the built-in code execution tool: a tool
//                                 "code_execution" (id "gemini-code-<n>") with the code
//                                 as input and the result as output (or its error)
//   candidates[0].finishReason    the finish reason (STOP, MAX_TOKENS, SAFETY, ...)
//   usageMetadata                 cumulative; the last one wins.
//                                   inputTokens  = promptTokenCount + toolUsePromptTokenCount
//                                   outputTokens = candidatesTokenCount + thoughtsTokenCount
//                                 (thinking tokens are billed as output, and Anthropic's
//                                 and OpenAI's output counts include them; the two sum
//                                 to totalTokenCount)
//   promptFeedback.blockReason    (no candidates) the prompt was blocked: finish reason
//                                 blockReason, error "prompt_blocked"
//   {"error": {code, message, status}}
//                                 the message error, code `status` (or the numeric
//                                 code), retryable for UNAVAILABLE, RESOURCE_EXHAUSTED,
//                                 INTERNAL, DEADLINE_EXCEEDED (and 429/500/503/504)
//
// The same error object sent as bare JSON lines outside any SSE field (as Google's
// front ends do for some failures) is read by on_stray_line(). A data event holding a
// JSON array of responses is read element by element.
//
// A finishReason is the end marker: the message is done at that chunk (whatever
// the reason: STOP, MAX_TOKENS, SAFETY, ...), so a connection that then stays open,
// is reset or is resumed changes nothing. usageMetadata in the same chunk or a later
// one is still recorded; later text is ignored. Bytes that end before any
// finishReason are an interruption.
#pragma once

#include <cstdint>
#include <string>

#include "protocol.h"
#include "protocols/kit.h"

namespace ssew {

class GeminiProtocol : public Protocol {
 public:
  std::string_view name() const override { return "gemini"; }
  void on_event(const SseEvent& event, MessageState& state) override;
  void on_stray_line(std::string_view line, MessageState& state) override;
  void on_end(MessageState& state) override;
  // Detection: a "message" event whose data is a GenerateContentResponse (it has
  // candidates, usageMetadata or promptFeedback) or a Google error object (error
  // with a string status).
  static bool is_gemini_event(const SseEvent& event);

  // Bare JSON kept for on_stray_line, at most this many bytes.
  static constexpr size_t kMaxStrayBytes = 64 * 1024;

 private:
  // One GenerateContentResponse (or error body); false when it is not a JSON object.
  bool on_response(std::string_view json, MessageState& state);
  void on_candidate(std::string_view candidate, MessageState& state);
  void on_part(std::string_view part, MessageState& state);
  void on_usage(std::string_view usage, MessageState& state);
  void on_error(std::string_view error, MessageState& state);
  void reset_stray();

  bool finish_seen_ = false;
  uint64_t next_call_ = 0;
  uint64_t next_code_ = 0;
  std::string code_id_;  // the last code execution tool, for its result
  std::string scratch_;

  // Bare JSON lines (on_stray_line): the text so far and a bracket scanner over it.
  std::string stray_;
  std::string stray_closers_;  // the closing brackets the open ones expect, innermost last
  JsonBracketScanner stray_scanner_;
  ChargedBuffer stray_bytes_;
};

}  // namespace ssew
