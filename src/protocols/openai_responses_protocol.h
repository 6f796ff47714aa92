// openai_responses_protocol.h — OpenAI Responses API streaming ("openai-responses").
//
// The stream is a sequence of typed events; the SSE event name repeats the data's
// "type", and every data object carries a "sequence_number":
//
//   event: response.output_text.delta
//   data: {"type":"response.output_text.delta","sequence_number":5,"item_id":"msg_…",
//          "output_index":0,"content_index":0,"delta":"Hel"}
//
// What becomes of it (the data's "type" decides; the event name is used only when
// the data has none):
//   response.output_item.added         a "function_call" item starts a tool call:
//                                      id = the item's call_id (its id if none),
//                                      name; its item id is remembered for the
//                                      argument events. Other items wait for their
//                                      deltas.
//   response.output_text.delta         text
//   response.refusal.delta             text
//   response.reasoning_summary_text.delta, response.reasoning_text.delta
//                                      reasoning
//   response.function_call_arguments.delta
//                                      tool input (item_id -> call_id)
//   response.function_call_arguments.done, response.output_item.done (function_call)
//                                      tool input complete, with the final arguments
//   response.completed                 usage; finish reason "tool_calls" when a
//                                      function call was made, else "stop";
//                                      remaining tool inputs complete; done
//   response.incomplete                usage; finish reason
//                                      incomplete_details.reason; done
//   response.failed                    usage; error from response.error
//   error                              error, nested {"error":{message,code}} or
//                                      flat {message, code}
//   anything else                      ignored (created, in_progress, content_part.*,
//                                      *.done texts, web search, …)
//
// Parts: each content part of a message item (item_id + content_index), each
// summary part and each reasoning-text part of a reasoning item is its own part, as
// the official SDK's final output keeps them as separate entries; consecutive
// deltas of the same one extend it.
//
// Sequence numbers are used for one thing only: dropping exact replays, as a
// server or proxy sends them when it starts the stream again (on a resumed
// connection, one after end_connection(), or within one connection). Nothing else
// is ever dropped for its number:
//   * Numbers need not be contiguous or increasing. A jump or a step back
//     (0, 1, 10^15, 3, ... or 0, 1, 3, 2) keeps every event, in arrival order, with
//     one warning "sequence_out_of_order" per message (a constant number too).
//   * A replay: an event whose number was already seen on this message and whose
//     content (the members this decoder reads, so a per-event "obfuscation" padding
//     does not count) is the same as that event's. Events are dropped as replays
//     from the first event of a resumed connection, or from a step back to a
//     number whose content matches, until an event with a new number or other
//     content; the drops are not warned about (a replay is the same event again).
//   * On a resumed connection, an event with a seen number but other content
//     before any new number means the server numbers the new connection anew
//     (e.g. from 0 again): warning "sequence_restarted", and the events of that
//     connection are kept.
//   * What is kept per number is a 32-bit hash, in runs of consecutive numbers;
//     4 bytes a number plus 64 a run are charged to the message budget. Past
//     kMaxSequenceRuns runs (a hostile numbering), numbers are no longer tracked:
//     warning "sequence_untracked", nothing is dropped from then on.
// Events without a number are never dropped.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "hash_index.h"
#include "json_reader.h"
#include "protocol.h"
#include "protocols/kit.h"

namespace ssew {

class OpenAiResponsesProtocol : public Protocol {
 public:
  std::string_view name() const override { return "openai-responses"; }
  void on_event(const SseEvent& event, MessageState& state) override;
  void on_end_connection(MessageState& state) override;

  static constexpr size_t kMaxSequenceRuns = 4096;

  // Detection: an event named "response.*", or whose data's top-level "type" starts
  // with "response." (a substring test first, then a walk of the top-level members),
  // or a `message` event whose data is {"type":"error", "sequence_number": n, ...}
  // (this API's error event with its name stripped by a proxy).
  static bool looks_like_event(const SseEvent& event);

 private:
  struct Call {
    std::string item_id, call_id;
    int64_t output_index = -1;
  };
  // Which text or reasoning part the last delta extended.
  enum class Slot : uint8_t { kNone, kText, kSummary, kReasoningText };

  void append(Slot slot, std::string_view item_id, int64_t output_index, int64_t sub_index,
              std::string_view text, MessageState& state);
  Call* find_call(std::string_view item_id, int64_t output_index);
  // A new call, charged to the message budget; nullptr (the message has ended) when
  // it does not fit.
  Call* add_call(Call call, MessageState& state);
  void start_call(std::string_view item_raw, int64_t output_index, MessageState& state);
  void finish_call(std::string_view item_raw, int64_t output_index, MessageState& state);
  void complete_arguments(const std::string& call_id, const JsonValueRef& arguments, MessageState& state);
  void read_response(std::string_view raw, MessageState& state, std::string_view type);

  std::vector<Call> calls_;
  HashIndex by_id_;      // item id and call id -> call
  HashIndex by_output_;  // output index (uint64_t keys) -> call
  ChargedBuffer last_item_bytes_;
  bool function_called_ = false;
  Slot last_slot_ = Slot::kNone;
  std::string last_item_;
  int64_t last_output_index_ = -1, last_sub_index_ = -1;
  // Whether to apply the event numbered `number` whose content hashes to `hash`
  // (false: an exact replay on a resumed connection), recording it.
  bool admit(int64_t number, uint32_t hash, MessageState& state);

  std::map<int64_t, std::vector<uint32_t>> seen_;  // first number of a run -> hashes
  bool sequence_untracked_ = false;
  bool resumed_ = false;      // this connection follows another one
  bool renumbered_ = false;   // this (resumed) connection numbers its events anew
  bool replaying_ = false;    // dropping exact replays (see the rule above)
  bool has_last_ = false;     // a number arrived on this connection
  int64_t last_sequence_ = 0;
  bool order_warned_ = false;
  std::string scratch_, scratch2_;
};

}  // namespace ssew
