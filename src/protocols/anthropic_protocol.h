// anthropic_protocol.h — Anthropic's Messages API stream ("anthropic").
//
//   message_start        usage.input_tokens / output_tokens (running totals)
//   content_block_start  one content block: every block starts a new part
//                          text                -> text (its initial text, if any)
//                          thinking            -> reasoning
//                          redacted_thinking   -> nothing (encrypted)
//                          tool_use, server_tool_use, mcp_tool_use
//                                              -> a tool; the start's `input: {}` is a
//                                                 placeholder replaced by the streamed
//                                                 JSON
//                          *_tool_result (with tool_use_id)
//                                              -> that tool's output (or its error when
//                                                 is_error / an *_error content)
//   content_block_delta  text_delta -> text, thinking_delta -> reasoning,
//                        input_json_delta (partial_json) -> tool input;
//                        signature_delta and citations_delta are ignored
//   content_block_stop   a tool's input is complete (no deltas: the start's input,
//                        i.e. `{}`)
//   message_delta        delta.stop_reason -> finish reason; usage counters are
//                        running totals: present ones overwrite, input_tokens stays
//                        from message_start unless repeated
//   message_stop         done
//   ping                 ignored
//   error                {"type":"error","error":{"type","message"}} -> error with
//                        code error.type, retryable for overloaded_error, api_error,
//                        rate_limit_error and timeout_error
//
// The event is told by the JSON's "type" (as the official SDK does), or by the SSE
// event name when the JSON has none; an `event: error` is an error whatever its data.
// Events without an SSE event name (a proxy that strips them) are read by their JSON
// type; the SDK skips them. Usage input tokens are `input_tokens` as sent
// (cache reads and writes are not added), as the SDK reports them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hash_index.h"
#include "protocol.h"
#include "protocols/kit.h"

namespace ssew {

class AnthropicProtocol : public Protocol {
 public:
  std::string_view name() const override { return "anthropic"; }
  void on_event(const SseEvent& event, MessageState& state) override;
  // Detection: an event only the Messages API stream sends (message_start,
  // content_block_*, message_delta, message_stop; a ping or error event with
  // Anthropic's exact data shape).
  static bool is_anthropic_event(const SseEvent& event);

 private:
  struct Block {
    enum Kind { kText, kThinking, kTool, kIgnored } kind = kIgnored;
    std::string tool_id;
    std::string start_input;  // the start's input JSON (a placeholder, usually {})
    bool got_input = false;   // an input_json_delta arrived
    bool pending = false;     // a text or thinking block with no text yet: a part to come
    uint64_t index = 0;       // the block's index in the stream
  };
  // The block at `index`, new, charged to the message budget; nullptr (the message
  // has ended) when it does not fit.
  Block* open_block(uint64_t index, Block::Kind kind, MessageState& state);
  void close_block(Block& block);
  // The open block at `index`, or nullptr. Valid until a block opens or is removed.
  Block* find_block(uint64_t index);
  void enter(uint64_t index, MessageState& state);
  void on_block_start(uint64_t index, std::string_view block, MessageState& state);
  void on_block_delta(uint64_t index, std::string_view delta, MessageState& state);
  void on_block_stop(uint64_t index, MessageState& state);
  void on_usage(std::string_view usage, MessageState& state);
  void on_error(std::string_view data, std::string_view error, MessageState& state);

  std::vector<Block> blocks_;  // the open blocks, in no particular order
  HashIndex block_at_;         // a block's index -> its position in blocks_
  PendingParts pending_;                         // open blocks whose part is still to come
  bool has_current_ = false;
  uint64_t current_ = 0;  // the block that received content last
  uint64_t input_tokens_ = 0;
  uint64_t output_tokens_ = 0;
  std::string scratch_;
};

}  // namespace ssew
