#include "openai_chat_protocol.h"

#include <cctype>

#include "json_string.h"
#include "protocols/kit.h"

namespace ssew {
namespace {

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

}  // namespace

bool OpenAiChatProtocol::looks_like_chunk(std::string_view data) {
  // Cheap filter first: either marker must appear somewhere.
  const bool object_marker = contains(data, "chat.completion.chunk");
  if (!object_marker && !contains(data, "\"choices\"")) return false;
  // Then the truth, from the top-level members only (values are skipped).
  JsonReader reader(data);
  if (!reader.enter_object()) return false;
  JsonStringRef key;
  std::string scratch;
  while (reader.next_member(key)) {
    if (key == "choices") {
      if (reader.peek() == JsonType::kArray) return true;
    } else if (object_marker && key == "object") {
      JsonValueRef value;
      if (!reader.read_value(value)) return false;
      if (value.is_string() && value.string().equals("chat.completion.chunk")) return true;
      continue;
    }
    if (!reader.skip_value()) return false;
  }
  return false;
}

bool OpenAiChatProtocol::looks_like_error(std::string_view data) {
  if (!contains(data, "\"error\"")) return false;
  JsonReader reader(data);
  if (!reader.enter_object()) return false;
  JsonStringRef key;
  bool error = false;
  while (reader.next_member(key)) {
    if (key == "message") return false;
    if (key == "error") {
      const JsonType type = reader.peek();
      error = type == JsonType::kObject || type == JsonType::kString;
    }
    if (!reader.skip_value()) return false;
  }
  return error && reader.at_end();
}

void OpenAiChatProtocol::on_event(const SseEvent& event, MessageState& state) {
  const std::string_view data = trim_json_space(event.data);
  if (event.type == "error") {
    // An error event: {"error": {...}}, a bare error object, a string, or text.
    JsonReader reader(data);
    JsonValueRef whole;
    if (!reader.read_value(whole) || !reader.at_end()) {
      ProviderError text;  // not JSON: the text is the message
      text.message.assign(data);
      return report_provider_error(state, text);
    }
    if (whole.is_object()) {
      JsonReader members(whole.raw);
      members.enter_object();
      JsonStringRef key;
      JsonValueRef nested;
      while (members.next_member(key)) {
        if (key == "error") {
          members.read_value(nested);
        } else {
          members.skip_value();
        }
      }
      if (nested.has_value()) return apply_error(nested.raw, state);
    }
    return apply_error(whole.raw, state);
  }
  if (data.empty()) return;
  if (data == "[DONE]") return state.finish();
  if (!read_chunk(data, state) && event.type == "message") {
    reject_unreadable(state, data, "An OpenAI chat chunk is not valid JSON; it was ignored");
  }
}

void OpenAiChatProtocol::on_stray_line(std::string_view line, MessageState& state) {
  // A bare JSON body instead of SSE, as some servers send for an error.
  line = trim_json_space(line);
  if (line.empty() || line.front() != '{') return;
  read_chunk(line, state);
}

namespace {

// Blank: absent, null or "" — a field whose effect, if any, does not depend on the
// rest of the chunk.
bool blank(const JsonValueRef& v) { return !v.present() || v.is_null() || (v.is_string() && v.raw.size() == 2); }

}  // namespace

bool OpenAiChatProtocol::read_chunk(std::string_view data, MessageState& state) {
  if (memos_ && template_.kind != Template::kNone && try_template(data, state)) return true;

  // Pass 1: validate the whole chunk and capture views of what matters.
  deltas_.clear();
  JsonValueRef usage, error;
  JsonReader reader(data);
  // The leading members that chunks repeat byte for byte (id, object, created,
  // model, system_fingerprint) were validated in an earlier chunk: resume after them.
  const bool resumed = memos_ && !prefix_.empty() && reader.resume(prefix_checkpoint_, prefix_);
  if (!resumed) {
    if (reader.peek() != JsonType::kObject) {
      if (JsonReader::validate(data)) {
        state.warn("invalid_event", "An OpenAI chat chunk is not a JSON object; it was ignored");
        return true;
      }
      return false;
    }
    reader.enter_object();
  }
  bool skipped_only = true;  // no member of interest yet: the prefix so far is reusable
  JsonReader::Checkpoint before = reader.checkpoint();
  JsonStringRef key;
  while (reader.next_member(key)) {
    bool good;
    const bool choices = key == "choices";
    const bool wanted = choices || key == "usage" || key == "error";
    if (wanted && skipped_only) {
      skipped_only = false;
      if (!resumed && memos_) {
        if (before.offset > 1) {
          prefix_.assign(data.substr(0, before.offset));
          prefix_checkpoint_ = before;
        } else {
          prefix_.clear();
        }
      }
    }
    if (choices) {
      good = reader.peek() == JsonType::kArray ? read_choices(reader) : reader.skip_value();
    } else if (!wanted) {
      good = reader.skip_value();
    } else {
      good = reader.read_value(key == "usage" ? usage : error);
    }
    if (!good) break;
    before = reader.checkpoint();
  }
  if (!reader.at_end()) return false;

  // Pass 2: apply, in the order a reader expects.
  // A template candidate: one delta whose effect is one string (see try_template).
  Template::Kind kind = Template::kNone;
  JsonValueRef value;
  if (deltas_.size() == 1 && blank(usage) && blank(error)) {
    const Delta& d = deltas_.front();
    if (blank(d.function_call) && blank(d.finish_reason) && (!d.tool_calls.present() || d.tool_calls.is_null())) {
      int strings = 0;
      for (const JsonValueRef* f : {&d.content, &d.refusal, &d.reasoning_content, &d.reasoning}) {
        if (blank(*f)) continue;
        ++strings;
        value = *f;
        kind = f == &d.content || f == &d.refusal ? Template::kText : Template::kReasoning;
        if (!f->is_string()) strings = 2;  // e.g. content as an array
      }
      if (strings != 1) kind = Template::kNone;
    } else if (blank(d.function_call) && blank(d.finish_reason) && d.tool_calls.is_array() && blank(d.content) &&
               blank(d.refusal) && blank(d.reasoning_content) && blank(d.reasoning)) {
      kind = Template::kToolInput;  // confirmed by apply_tool_calls below
    }
  }
  size_t call = 0;
  for (const Delta& delta : deltas_) {
    if (kind == Template::kToolInput) {
      const uint64_t version = calls_version_;
      value = apply_tool_calls(delta.tool_calls.raw, state, &call);
      if (!value.present() || version != calls_version_) kind = Template::kNone;
      continue;
    }
    apply_delta(delta, state);
  }
  if (usage.is_object()) apply_usage(usage.raw, state);
  if (error.has_value()) apply_error(error.raw, state);
  if (kind != Template::kNone && memos_) {
    const size_t begin = static_cast<size_t>(value.raw.data() - data.data());
    const size_t end = begin + value.raw.size();
    template_.kind = kind;
    template_.call = call;
    template_.calls_version = calls_version_;
    template_.prefix.assign(data.substr(0, begin));
    template_.suffix.assign(data.substr(end));
  }
  return true;
}

bool OpenAiChatProtocol::read_choices(JsonReader& reader) {
  deltas_.clear();  // a repeated "choices" member replaces the first, as in JSON.parse
  reader.enter_array();
  while (reader.next_element()) {
    if (reader.peek() != JsonType::kObject) {
      if (!reader.skip_value()) return false;
      continue;
    }
    reader.enter_object();
    Delta delta;
    JsonValueRef index;
    JsonStringRef key;
    while (reader.next_member(key)) {
      bool good;
      if (key == "delta") {
        if (reader.peek() == JsonType::kObject) {
          const JsonValueRef finish_reason = delta.finish_reason;
          delta = Delta{};
          delta.finish_reason = finish_reason;
          reader.enter_object();
          JsonStringRef field;
          while (reader.next_member(field)) {
            JsonValueRef* target = nullptr;
            if (field.escaped) {  // an escaped key may still name a field (rare)
              if (field == "content") target = &delta.content;
              else if (field == "refusal") target = &delta.refusal;
              else if (field == "reasoning") target = &delta.reasoning;
              else if (field == "tool_calls") target = &delta.tool_calls;
              else if (field == "function_call") target = &delta.function_call;
              else if (field == "reasoning_content") target = &delta.reasoning_content;
            } else {
              switch (field.body.size()) {
                case 7:
                  if (field == "content") target = &delta.content;
                  if (field == "refusal") target = &delta.refusal;
                  break;
                case 9:
                  if (field == "reasoning") target = &delta.reasoning;
                  break;
                case 10:
                  if (field == "tool_calls") target = &delta.tool_calls;
                  break;
                case 13:
                  if (field == "function_call") target = &delta.function_call;
                  break;
                case 17:
                  if (field == "reasoning_content") target = &delta.reasoning_content;
                  break;
                default:
                  break;
              }
            }
            if (!(target ? reader.read_value(*target) : reader.skip_value())) break;
          }
          good = reader.ok();
        } else {
          good = reader.skip_value();
        }
      } else if (key == "index") {
        good = reader.read_value(index);
      } else if (key == "finish_reason") {
        good = reader.read_value(delta.finish_reason);
      } else {
        good = reader.skip_value();
      }
      if (!good) break;
    }
    if (!reader.ok()) return false;
    // Only choice 0 is the message; a choice without an index is taken as 0.
    int64_t number = 0;
    if (index.has_value() && !index.to_int64(number)) number = -1;
    if (number == 0) deltas_.push_back(delta);
  }
  return reader.ok();
}

void OpenAiChatProtocol::apply_delta(const Delta& delta, MessageState& state) {
  // Reasoning comes before the answer it leads to.
  if (delta.reasoning_content.is_string() && !delta.reasoning_content.string().body.empty()) {
    state.append_reasoning(delta.reasoning_content.delta_string_value(scratch_));
  } else if (delta.reasoning.is_string()) {
    state.append_reasoning(delta.reasoning.delta_string_value(scratch_));
  }
  if (delta.content.is_string()) {
    state.append_text(delta.content.delta_string_value(scratch_));
  } else if (delta.content.is_array()) {
    // [{"type":"text","text":"…"}, …]
    JsonReader reader(delta.content.raw);
    reader.enter_array();
    while (reader.next_element()) {
      JsonValueRef element;
      if (!reader.read_value(element)) break;
      static constexpr std::string_view kMembers[] = {"type", "text"};
      JsonValueRef v[2];
      if (!element.is_object() || !capture_members(element.raw, kMembers, v)) continue;
      const JsonValueRef &type = v[0], &text = v[1];
      if (text.is_string() && (!type.present() || (type.is_string() && type.string() == "text"))) {
        state.append_text(text.delta_string_value(scratch_));
      }
    }
  }
  if (delta.refusal.is_string()) state.append_text(delta.refusal.delta_string_value(scratch_));
  if (delta.function_call.is_object()) apply_function_call(delta.function_call.raw, state);
  if (delta.tool_calls.is_array()) apply_tool_calls(delta.tool_calls.raw, state, nullptr);
  if (delta.finish_reason.is_string()) {
    const std::string_view reason = delta.finish_reason.string_value(scratch_);
    if (!reason.empty()) {
      if (reason == "tool_calls" || reason == "stop" || reason == "function_call") {
        const std::string copy(reason);  // completing calls may reuse the scratch
        complete_calls(state);
        state.set_finish_reason(copy);
      } else {
        state.set_finish_reason(reason);
      }
    }
  }
}

template <typename Key>
OpenAiChatProtocol::Call* OpenAiChatProtocol::find(const HashIndex& map, const Key& key) {
  ++match_probes_;
  const size_t position = map.find(key);
  return position == HashIndex::kNone ? nullptr : &calls_[position];
}

OpenAiChatProtocol::Call* OpenAiChatProtocol::add_call(Call fresh, MessageState& state) {
  // Kept for the rest of the stream: the call, its id in by_id_ and its index in
  // by_index_; shown only once named, so it waits as a pending part.
  if (!state.reserve(2 * fresh.id.size() + 3 * kEntryBytes) || !pending_.add(state)) return nullptr;
  const size_t position = calls_.size();
  by_id_.assign(fresh.id, position);
  if (fresh.index != -1) by_index_.assign(static_cast<uint64_t>(fresh.index), position);
  calls_.push_back(std::move(fresh));
  ++calls_version_;
  return &calls_.back();
}

void OpenAiChatProtocol::start_call(Call& call, MessageState& state) {
  if (call.started) return;
  call.started = true;
  pending_.remove();
  ++calls_version_;
  state.tool_start(call.id, call.name);
}

JsonValueRef OpenAiChatProtocol::apply_tool_calls(std::string_view raw, MessageState& state, size_t* call_index) {
  JsonValueRef candidate;  // the arguments of the only fragment, if it only extended a started call
  size_t fragments = 0;
  JsonReader reader(raw);
  reader.enter_array();
  while (reader.next_element()) {
    ++fragments;
    if (reader.peek() != JsonType::kObject) {
      reader.skip_value();
      continue;
    }
    reader.enter_object();
    JsonValueRef index, id, name, arguments;
    JsonStringRef key;
    while (reader.next_member(key)) {
      if (key == "index") {
        reader.read_value(index);
      } else if (key == "id") {
        reader.read_value(id);
      } else if (key == "function" && reader.peek() == JsonType::kObject) {
        reader.enter_object();
        JsonStringRef field;
        while (reader.next_member(field)) {
          if (field == "name") {
            reader.read_value(name);
          } else if (field == "arguments") {
            reader.read_value(arguments);
          } else {
            reader.skip_value();
          }
        }
      } else {
        reader.skip_value();
      }
    }
    if (!reader.ok()) return JsonValueRef();

    int64_t number = -1;
    if (!index.to_int64(number) || number < 0) number = -1;
    const std::string call_id(id.string_value(scratch_));
    const std::string call_name(name.string_value(scratch_));

    // Which call this fragment belongs to (see the header).
    Call* call = nullptr;
    if (!call_id.empty()) {
      call = find(by_id_, std::string_view(call_id));
    } else if (number >= 0) {
      call = find(by_index_, static_cast<uint64_t>(number));  // the latest with this index
    } else if (!calls_.empty()) {
      call = &calls_.back();
    }
    // A fragment without an id that names a function, matched to a call whose
    // input is already complete: a server that repeats indexes without ids is
    // starting another call.
    if (call && call_id.empty() && !call_name.empty() && call->started && call->arguments_closed) call = nullptr;
    if (!call) {
      Call fresh;
      if (!call_id.empty()) {
        fresh.id = call_id;
      } else {
        do {
          fresh.id = "call_" + std::to_string(next_call_number_++);
        } while (state.has_tool(fresh.id) || find(by_id_, std::string_view(fresh.id)));
      }
      fresh.index = number;
      call = add_call(std::move(fresh), state);
      if (!call) return JsonValueRef();  // over a limit: the message has ended
    }
    if (!call->started && !call_name.empty()) {
      if (!state.reserve(call_name.size())) return JsonValueRef();
      call->name = call_name;
      start_call(*call, state);
    }
    if (arguments.is_string()) {
      const std::string_view fragment = arguments.delta_string_value(scratch_);
      if (!fragment.empty()) {
        const bool extends = call->started && call_id.empty() && call_name.empty();
        start_call(*call, state);
        call->scan(fragment);
        state.tool_input_delta(call->id, fragment);
        if (extends) {
          candidate = arguments;
          if (call_index) *call_index = static_cast<size_t>(call - calls_.data());
        }
      }
    }
  }
  return fragments == 1 ? candidate : JsonValueRef();
}

void OpenAiChatProtocol::apply_function_call(std::string_view raw, MessageState& state) {
  static constexpr std::string_view kMembers[] = {"name", "arguments"};
  JsonValueRef v[2];
  capture_members(raw, kMembers, v);
  const JsonValueRef &name = v[0], &arguments = v[1];
  Call* call = find(by_index_, static_cast<uint64_t>(int64_t{-2}));  // -2 marks the legacy function call
  if (!call) {
    Call fresh;
    fresh.id = "function_call";
    fresh.index = -2;
    call = add_call(std::move(fresh), state);
    if (!call) return;
  }
  if (!call->started && name.is_string() && !name.string().body.empty()) {
    call->name.assign(name.string_value(scratch_));
    if (!state.reserve(call->name.size())) return;
    start_call(*call, state);
  }
  if (arguments.is_string()) {
    const std::string_view fragment = arguments.delta_string_value(scratch_);
    if (!fragment.empty()) {
      start_call(*call, state);
      state.tool_input_delta(call->id, fragment);
    }
  }
}

void OpenAiChatProtocol::complete_calls(MessageState& state) {
  for (Call& call : calls_) {
    start_call(call, state);  // a call that never got a name still shows
    if (state.has_tool(call.id)) state.tool_input_complete(call.id);
  }
}

void OpenAiChatProtocol::apply_usage(std::string_view raw, MessageState& state) {
  static constexpr std::string_view kMembers[] = {"prompt_tokens", "completion_tokens"};
  JsonValueRef v[2];
  capture_members(raw, kMembers, v);
  const JsonValueRef &prompt = v[0], &completion = v[1];
  uint64_t in = 0, out = 0;
  const bool has_in = prompt.to_count(in);
  const bool has_out = completion.to_count(out);
  if (has_in || has_out) state.set_usage(in, out);
}

void OpenAiChatProtocol::apply_error(std::string_view raw_error, MessageState& state) {
  report_provider_error(state, read_provider_error(raw_error));
}

}  // namespace ssew
