#include "openai_responses_protocol.h"

#include "json_string.h"
#include "protocols/kit.h"

namespace ssew {
namespace {

// The members of one event's data that any event type may need, as views; keys in
// the order of their frequency on the hot path.
constexpr std::string_view kFields[] = {"type",      "delta", "item_id",  "output_index", "content_index",
                                        "sequence_number", "summary_index", "arguments", "item", "response",
                                        "name",      "error", "message",  "code"};
struct EventFields {
  JsonValueRef v[std::size(kFields)];
  JsonValueRef &type = v[0], &delta = v[1], &item_id = v[2], &output_index = v[3], &content_index = v[4],
               &sequence_number = v[5], &summary_index = v[6], &arguments = v[7], &item = v[8], &response = v[9],
               &name = v[10], &error = v[11], &message = v[12], &code = v[13];
};

int64_t int_or(const JsonValueRef& value, int64_t fallback) {
  int64_t n;
  return value.to_int64(n) ? n : fallback;
}

// The content of an event for telling a replay: the members this decoder reads,
// by their raw bytes (not sequence_number, not members it ignores such as the
// random "obfuscation" padding, which a replay need not repeat).
uint32_t content_hash(const EventFields& f) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a over each member and a separator
  const auto mix = [&](std::string_view bytes) {
    for (const char c : bytes) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    h = (h ^ 0xFFu) * 1099511628211ull;
  };
  for (const JsonValueRef* v : {&f.type, &f.item_id, &f.output_index, &f.content_index, &f.summary_index, &f.delta,
                                &f.arguments, &f.name, &f.item, &f.response, &f.error, &f.message, &f.code}) {
    mix(v->raw);
  }
  return static_cast<uint32_t>(h ^ (h >> 32));
}

}  // namespace

bool OpenAiResponsesProtocol::admit(int64_t number, uint32_t hash, MessageState& state) {
  if (sequence_untracked_) return true;
  // The run holding `number`, or the one it would extend.
  auto run = seen_.upper_bound(number);
  const bool has_prev = run != seen_.begin();
  if (has_prev) --run;
  // Differences as unsigned: exact even across the whole int64 range.
  const uint64_t offset = has_prev ? static_cast<uint64_t>(number) - static_cast<uint64_t>(run->first) : 0;
  uint32_t* seen = has_prev && offset < run->second.size() ? &run->second[offset] : nullptr;

  if (seen && !replaying_ && has_last_ && number < last_sequence_ && *seen == hash) replaying_ = true;
  if (replaying_) {
    if (seen && *seen == hash) {  // an exact replay
      has_last_ = true;
      last_sequence_ = number;
      return false;
    }
    replaying_ = false;
    if (seen && resumed_ && !renumbered_) {
      renumbered_ = true;
      state.warn("sequence_restarted", "The resumed connection numbers its events anew (sequence_number " +
                                           std::to_string(number) +
                                           " was already used for another event); its events are kept");
    }
  }
  if (has_last_ && !order_warned_ && !renumbered_ &&
      (last_sequence_ == INT64_MAX || number != last_sequence_ + 1)) {
    order_warned_ = true;
    state.warn("sequence_out_of_order", "Event sequence_number " + std::to_string(number) + " followed " +
                                            std::to_string(last_sequence_) +
                                            "; every event is kept, in the order it arrived");
  }
  has_last_ = true;
  last_sequence_ = number;

  if (seen) {
    *seen = hash;
  } else if (has_prev && offset == run->second.size()) {
    if (state.reserve(sizeof(uint32_t))) run->second.push_back(hash);
  } else if (seen_.size() >= kMaxSequenceRuns) {
    sequence_untracked_ = true;
    std::map<int64_t, std::vector<uint32_t>>().swap(seen_);
    state.warn("sequence_untracked", "Too many separate runs of sequence numbers; from here on no event is "
                                     "recognised as a replay (none is dropped)");
  } else if (state.reserve(64 + sizeof(uint32_t))) {
    seen_.emplace(number, std::vector<uint32_t>{hash});
  }
  return true;
}

void OpenAiResponsesProtocol::on_end_connection(MessageState& /*state*/) {
  resumed_ = true;
  renumbered_ = false;
  replaying_ = true;  // until an event shows otherwise: a replay from wherever the server restarts
  has_last_ = false;
}

bool OpenAiResponsesProtocol::looks_like_event(const SseEvent& event) {
  if (event.type.substr(0, 9) == "response.") return true;
  // An error event whose name a proxy stripped is told by its sequence_number.
  const bool maybe_error = event.type == "message" && event.data.find("\"sequence_number\"") != std::string_view::npos;
  if (!maybe_error && event.data.find("\"response.") == std::string_view::npos) return false;
  JsonReader reader(event.data);
  if (!reader.enter_object()) return false;
  JsonStringRef key;
  bool response_type = false, error_type = false, numbered = false;
  while (reader.next_member(key)) {
    if (key == "type") {
      JsonValueRef type;
      if (!reader.read_value(type)) return false;
      // A later duplicate "type" wins, as in JSON.parse.
      response_type = type.is_string() && type.string().starts_with("response.");
      error_type = type.is_string() && type.string() == "error";
      continue;
    }
    if (key == "sequence_number") numbered = reader.peek() == JsonType::kNumber;
    if (!reader.skip_value()) return false;
  }
  return response_type || (maybe_error && error_type && numbered);
}

OpenAiResponsesProtocol::Call* OpenAiResponsesProtocol::find_call(std::string_view item_id, int64_t output_index) {
  if (!item_id.empty()) {
    const size_t position = by_id_.find(item_id);
    if (position != HashIndex::kNone) return &calls_[position];
  }
  if (output_index >= 0) {
    const size_t position = by_output_.find(static_cast<uint64_t>(output_index));
    if (position != HashIndex::kNone) return &calls_[position];
  }
  return nullptr;
}

OpenAiResponsesProtocol::Call* OpenAiResponsesProtocol::add_call(Call call, MessageState& state) {
  // Kept for the rest of the stream: both ids, in calls_ and in by_id_, and the
  // output index (the first call found for an id or index wins, as it always did).
  if (!state.reserve(2 * (call.item_id.size() + call.call_id.size()) + 4 * kEntryBytes)) return nullptr;
  const size_t position = calls_.size();
  if (!call.item_id.empty()) by_id_.insert(call.item_id, position);
  if (!call.call_id.empty()) by_id_.insert(call.call_id, position);
  if (call.output_index >= 0) by_output_.insert(static_cast<uint64_t>(call.output_index), position);
  calls_.push_back(std::move(call));
  return &calls_.back();
}

void OpenAiResponsesProtocol::append(Slot slot, std::string_view item_id, int64_t output_index, int64_t sub_index,
                                     std::string_view text, MessageState& state) {
  if (slot != last_slot_ || output_index != last_output_index_ || sub_index != last_sub_index_ ||
      item_id != last_item_) {
    // A different content part, summary part or item: a part of its own.
    state.break_part();
    last_slot_ = slot;
    if (!last_item_bytes_.fits(state, item_id.size())) return;
    last_item_.assign(item_id);
    last_output_index_ = output_index;
    last_sub_index_ = sub_index;
  }
  if (slot == Slot::kText) {
    state.append_text(text);
  } else {
    state.append_reasoning(text);
  }
}

void OpenAiResponsesProtocol::start_call(std::string_view item_raw, int64_t output_index, MessageState& state) {
  static constexpr std::string_view kNames[] = {"type", "id", "call_id", "name"};
  JsonValueRef v[4];
  capture_members(item_raw, kNames, v);
  if (!v[0].is_string() || v[0].string() != "function_call") return;
  const std::string item_id = text_of(v[1]);
  std::string call_id = text_of(v[2]);
  if (call_id.empty()) call_id = item_id;
  if (call_id.empty()) {
    return state.warn("invalid_event", "A function_call item has neither call_id nor id; it was ignored");
  }
  function_called_ = true;
  if (find_call(item_id, -1) || find_call(call_id, -1)) return;  // announced twice
  if (!add_call(Call{item_id, call_id, output_index}, state)) return;
  last_slot_ = Slot::kNone;
  state.tool_start(call_id, text_of(v[3]));
}

void OpenAiResponsesProtocol::complete_arguments(const std::string& call_id, const JsonValueRef& arguments,
                                                 MessageState& state) {
  if (!state.has_tool(call_id)) return;
  if (arguments.is_string()) {
    const std::string_view text = arguments.string_value(scratch_);
    if (!trim_json_space(text).empty() && JsonReader::validate(text)) return state.tool_input_complete(call_id, text);
  } else if (arguments.is_object()) {
    return state.tool_input_complete(call_id, arguments.raw);  // a server that sends an object
  }
  // No usable final arguments: the streamed text decides.
  state.tool_input_complete(call_id);
}

void OpenAiResponsesProtocol::finish_call(std::string_view item_raw, int64_t output_index, MessageState& state) {
  static constexpr std::string_view kNames[] = {"type", "id", "call_id", "name", "arguments"};
  JsonValueRef v[5];
  capture_members(item_raw, kNames, v);
  if (!v[0].is_string() || v[0].string() != "function_call") return;
  const std::string item_id = text_of(v[1]);
  std::string call_id = text_of(v[2]);
  if (call_id.empty()) call_id = item_id;
  if (call_id.empty()) return;
  function_called_ = true;
  Call* call = find_call(item_id.empty() ? call_id : item_id, -1);
  if (!call) {
    // Never announced: show it now.
    call = add_call(Call{item_id, call_id, output_index}, state);
    if (!call) return;
    last_slot_ = Slot::kNone;
    state.tool_start(call_id, text_of(v[3]));
  }
  complete_arguments(call->call_id, v[4], state);
}

void OpenAiResponsesProtocol::read_response(std::string_view raw, MessageState& state, std::string_view type) {
  static constexpr std::string_view kNames[] = {"usage", "output", "incomplete_details", "error"};
  JsonValueRef v[4];
  capture_members(raw, kNames, v);

  // Function calls the events never announced (a server that skips them).
  if (v[1].is_array()) {
    JsonReader reader(v[1].raw);
    reader.enter_array();
    int64_t index = 0;
    while (reader.next_element()) {
      JsonValueRef item;
      if (!reader.read_value(item)) break;
      if (item.is_object()) {
        static constexpr std::string_view kItem[] = {"type", "id", "call_id"};
        JsonValueRef f[3];
        capture_members(item.raw, kItem, f);
        if (f[0].is_string() && f[0].string() == "function_call") {
          function_called_ = true;
          const std::string item_id = text_of(f[1]);
          const std::string call_id = text_of(f[2]);
          const bool known = find_call(item_id, -1) || (!call_id.empty() && find_call(call_id, -1));
          if (!known) {
            finish_call(item.raw, index, state);
          }
        }
      }
      ++index;
    }
  }

  if (v[0].is_object()) {
    static constexpr std::string_view kUsage[] = {"input_tokens", "output_tokens"};
    JsonValueRef u[2];
    capture_members(v[0].raw, kUsage, u);
    uint64_t in = 0, out = 0;
    const bool has_in = u[0].to_count(in);
    const bool has_out = u[1].to_count(out);
    if (has_in || has_out) state.set_usage(in, out);
  }

  if (type == "response.completed") {
    for (const Call& call : calls_) {
      if (state.has_tool(call.call_id)) state.tool_input_complete(call.call_id);
    }
    state.set_finish_reason(function_called_ ? "tool_calls" : "stop");
    return state.finish();
  }
  if (type == "response.incomplete") {
    std::string reason;
    if (v[2].is_object()) {
      static constexpr std::string_view kReason[] = {"reason"};
      JsonValueRef r[1];
      capture_members(v[2].raw, kReason, r);
      reason = text_of(r[0]);
    }
    state.set_finish_reason(reason.empty() ? "incomplete" : reason);
    return state.finish();
  }
  // response.failed
  ProviderError error;
  if (v[3].is_object()) error = read_provider_error(v[3].raw);
  if (error.message.empty()) error.message = "The response failed";
  report_provider_error(state, error);
}

void OpenAiResponsesProtocol::on_event(const SseEvent& event, MessageState& state) {
  const std::string_view data = trim_json_space(event.data);
  if (data.empty() || data == "[DONE]") return;  // [DONE] is not part of this protocol

  // Pass 1: validate and capture.
  EventFields f;
  JsonReader reader(data);
  if (reader.peek() == JsonType::kObject) {
    if (!capture_members(data, kFields, f.v)) {
      return reject_unreadable(state, data, "An OpenAI Responses event is not valid JSON; it was ignored");
    }
  } else {
    if (event.type == "error") {  // an error as a JSON string or in plain text
      JsonValueRef value;
      JsonReader whole(data);
      const bool string = whole.read_value(value) && whole.at_end() && value.is_string();
      ProviderError error;
      error.message = string ? text_of(value) : std::string(data);
      return report_provider_error(state, error);
    }
    if (!JsonReader::validate(data)) {
      return reject_unreadable(state, data, "An OpenAI Responses event is not valid JSON; it was ignored");
    }
    return state.warn("invalid_event", "An OpenAI Responses event is not a JSON object; it was ignored");
  }

  std::string type_storage;
  std::string_view type;
  if (f.type.is_string()) {
    type = f.type.string_value(type_storage);
  } else {
    type = event.type;
  }

  int64_t sequence;
  if (f.sequence_number.to_int64(sequence) && !admit(sequence, content_hash(f), state)) return;

  if (type.substr(0, 9) == "response.") {
    const std::string_view what = type.substr(9);
    if (what == "output_text.delta" || what == "refusal.delta" || what == "reasoning_summary_text.delta" ||
        what == "reasoning_text.delta") {
      if (!f.delta.is_string()) return;
      Slot slot = Slot::kSummary;
      if (what == "output_text.delta" || what == "refusal.delta") {
        slot = Slot::kText;
      } else if (what == "reasoning_text.delta") {
        slot = Slot::kReasoningText;
      }
      const JsonValueRef& sub = slot == Slot::kSummary ? f.summary_index : f.content_index;
      const std::string_view item_id = f.item_id.string_value(scratch2_);
      return append(slot, item_id, int_or(f.output_index, -1), int_or(sub, -1), f.delta.delta_string_value(scratch_),
                    state);
    }
    if (what == "function_call_arguments.delta") {
      if (!f.delta.is_string()) return;
      const std::string_view item_id = f.item_id.string_value(scratch2_);
      const Call* call = find_call(item_id, int_or(f.output_index, -1));
      return state.tool_input_delta(call ? std::string_view(call->call_id) : item_id,
                                    f.delta.delta_string_value(scratch_));
    }
    if (what == "function_call_arguments.done") {
      const std::string item_id(f.item_id.string_value(scratch2_));
      const int64_t output_index = int_or(f.output_index, -1);
      Call* call = find_call(item_id, output_index);
      if (!call) {
        if (item_id.empty()) return;
        // Never announced: show it now, with the name this event may carry.
        function_called_ = true;
        call = add_call(Call{item_id, item_id, output_index}, state);
        if (!call) return;
        last_slot_ = Slot::kNone;
        state.tool_start(item_id, text_of(f.name));
      }
      const std::string call_id = call->call_id;
      return complete_arguments(call_id, f.arguments, state);
    }
    if (what == "output_item.added") {
      if (f.item.is_object()) start_call(f.item.raw, int_or(f.output_index, -1), state);
      return;
    }
    if (what == "output_item.done") {
      if (f.item.is_object()) finish_call(f.item.raw, int_or(f.output_index, -1), state);
      return;
    }
    if (what == "completed" || what == "incomplete" || what == "failed") {
      if (f.response.is_object()) return read_response(f.response.raw, state, type);
      if (what == "failed") {
        ProviderError error;
        error.message = "The response failed";
        return report_provider_error(state, error);
      }
      if (what == "incomplete") state.set_finish_reason("incomplete");
      if (what == "completed") state.set_finish_reason(function_called_ ? "tool_calls" : "stop");
      return state.finish();
    }
    return;  // other response.* events carry nothing the message shows
  }

  if (type == "error") {
    // The error object, or the event itself ({"type":"error","code","message"}).
    ProviderError error = read_provider_error(f.error.is_object() ? f.error.raw : data, f.error.is_object());
    if (f.error.is_string() && error.message.empty()) error.message = text_of(f.error);
    return report_provider_error(state, error);
  }
  // Unknown event types are ignored.
}

}  // namespace ssew
