// ai_sdk_protocol.h — the Vercel AI SDK UI message stream, v1 ("ai-sdk"): every
// event's data is one JSON chunk with a "type" (the SSE event name is not used, as
// in the SDK), and the stream ends with `data: [DONE]`.
//
//   text-start / text-delta / text-end        text; each text-start (id) begins a
//                                             new part
//   reasoning-start / -delta / -end           reasoning, likewise
//   tool-input-start {toolCallId, toolName}   a tool whose input streams in
//   tool-input-delta {inputTextDelta}         the next fragment of the input JSON
//                                             (with inputEncoding "text" the input
//                                             is plain text: it streams as a JSON
//                                             string)
//   tool-input-available {input}              the complete input (also without a
//                                             start: a tool call that was not
//                                             streamed)
//   tool-input-error {input?, errorText}      the input was invalid: output-error
//   tool-output-available {output}            output-available
//   tool-output-error {errorText}             output-error
//   tool-output-denied                        output-error ("denied")
//   error {errorText}                         the message error (code server_error)
//   finish {finishReason?, messageMetadata?}  done
//   [DONE]                                    done, if no finish came before
//   start, start-step, finish-step, message-metadata: no part; messageMetadata that
//     carries token counts ({usage|totalUsage: {inputTokens, outputTokens}} or
//     {inputTokens, outputTokens}) sets the usage
//   source-*, file, data-*, abort, tool-approval-request and unknown types add no
//     part and raise no error.
//
// A text or reasoning delta whose part never started (or already ended) is shown
// all the same, with a warning; the SDK rejects it and stops reading the stream.
#pragma once

#include <cstdint>
#include <string>

#include "hash_index.h"
#include "protocol.h"
#include "protocols/kit.h"

namespace ssew {

class AiSdkProtocol : public Protocol {
 public:
  std::string_view name() const override { return "ai-sdk"; }
  void on_event(const SseEvent& event, MessageState& state) override;
  // Detection: a "message" event whose data is a chunk of the UI message stream
  // vocabulary.
  static bool is_ai_sdk_event(const SseEvent& event);

 private:
  enum class Owner { kNone, kText, kReasoning };
  void append(Owner kind, std::string_view id, std::string_view chunk, MessageState& state);
  void on_metadata(std::string_view metadata, MessageState& state);

  // The text or reasoning part that the last append went to, by chunk id: a delta
  // of another id starts a new part.
  Owner owner_ = Owner::kNone;
  std::string owner_id_;
  // Flags by id (1 or 0), in the index type every map by id or number uses.
  using FlagMap = HashIndex;
  // Text and reasoning parts started, not ended, by id -> whether the part shows
  // yet; one that does not is a pending part (counted against maxParts).
  FlagMap open_text_, open_reasoning_;
  PendingParts pending_;
  ChargedBuffer owner_id_bytes_;
  bool keep_open(FlagMap& open, std::string_view id, bool shown, MessageState& state);
  void forget_open(FlagMap& open, std::string_view id);
  // Tools with inputEncoding "text" -> whether the opening quote was sent.
  FlagMap text_inputs_;
  uint64_t input_tokens_ = 0;
  uint64_t output_tokens_ = 0;
  std::string scratch_, scratch2_, fragment_;
};

}  // namespace ssew
