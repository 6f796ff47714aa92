#include "native_protocol.h"

#include <algorithm>

#include "json_reader.h"
#include "json_string.h"
#include "protocols/kit.h"

namespace ssew {
namespace {

// The members of any native payload, captured in one validating pass so that an
// invalid document never has half an effect. Unknown members are skipped.
constexpr std::string_view kMembers[] = {"id",   "name",    "input", "delta",     "result",        "error",
                                         "text", "message", "code",  "retryable", "finish_reason", "usage"};
struct Payload {
  JsonValueRef v[std::size(kMembers)];
  JsonValueRef &id = v[0], &name = v[1], &input = v[2], &delta = v[3], &result = v[4], &error = v[5], &text = v[6],
               &message = v[7], &code = v[8], &retryable = v[9], &finish_reason = v[10], &usage = v[11];
};

bool read_payload(std::string_view data, Payload& p) { return capture_members(data, kMembers, p.v); }

uint64_t member_count(std::string_view object, std::string_view name) {
  uint64_t value = 0;
  member_of(object, name).to_count(value);
  return value;
}

}  // namespace

bool NativeProtocol::is_native_event(std::string_view t) {
  return t == "text_delta" || t == "tool_start" || t == "tool_delta" || t == "tool_result" ||
         t == "reasoning_delta" || t == "done" || t == "error";
}

void NativeProtocol::on_event(const SseEvent& event, MessageState& state) {
  const std::string_view type = event.type;
  const std::string_view data = trim_json_space(event.data);
  const auto invalid = [&] {
    reject_unreadable(state, data,
                      "The data of a '" + MessageState::echo(type) + "' event is not a JSON object; the event was ignored");
  };
  const auto string_of = [&](const JsonValueRef& v, std::string& out) -> std::string_view {
    return v.is_string() ? v.string_value(out) : std::string_view();
  };
  // A tool id is a string, or a number taken as its JSON text ("id": 7 is "7").
  const auto id_of = [&](const JsonValueRef& v, std::string& out) -> std::string_view {
    return v.is_number() ? v.raw : string_of(v, out);
  };

  if (type == "text_delta" || type == "reasoning_delta") {
    const bool reasoning = type == "reasoning_delta";
    const auto append = [&](std::string_view text) {
      reasoning ? state.append_reasoning(text) : state.append_text(text);
    };
    // The hot path: a JSON string, decoded without any tree.
    if (!data.empty() && data.front() == '"') {
      // Most tokens have no escape: their text is the literal's inside, as is.
      const std::string_view inside = data.substr(1, data.size() >= 2 ? data.size() - 2 : 0);
      if (data.size() >= 2 && data.back() == '"' &&
          std::find_if(inside.begin(), inside.end(), [](char c) {
            return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
          }) == inside.end()) {
        return append(inside);
      }
      scratch_.clear();
      if (decode_json_string(data, scratch_, LoneSurrogates::kKeepAtEdges)) return append(scratch_);
    } else if (!data.empty() && data.front() == '{') {
      Payload p;
      if (read_payload(data, p) && p.text.is_string()) return append(p.text.delta_string_value(scratch_));
    }
    // Anything else is the text itself, exactly as sent.
    return append(event.data);
  }

  if (!is_native_event(type)) return;  // unknown events are ignored

  Payload p;
  const bool object = !data.empty() && data.front() == '{' && read_payload(data, p);
  // The rule of every decoder (kit.h): an event that cannot be read for its depth
  // ends the message, whatever the event.
  if (!object && too_deep(state, data)) return fail_with(state, errc::kJsonTooDeep);
  std::string id_buffer, name_buffer, text_buffer;

  if (type == "tool_start") {
    if (!object) return invalid();
    const std::string_view id = id_of(p.id, id_buffer);
    if (id.empty()) return state.warn("invalid_event", "A 'tool_start' event has no id; it was ignored");
    const std::string_view name = string_of(p.name, name_buffer);
    if (p.input.present()) return state.tool_start(id, name, p.input.raw);
    return state.tool_start(id, name);
  }

  if (type == "tool_delta") {
    if (!object) return invalid();
    if (!p.delta.is_string()) {
      return state.warn("invalid_event", "A 'tool_delta' event has no string delta; it was ignored");
    }
    return state.tool_input_delta(id_of(p.id, id_buffer), p.delta.delta_string_value(text_buffer));
  }

  if (type == "tool_result") {
    if (!object) return invalid();
    const std::string_view id = id_of(p.id, id_buffer);
    if (p.error.present()) {
      return state.tool_error(id, p.error.is_string() ? p.error.string_value(text_buffer) : p.error.raw);
    }
    return state.tool_output(id, p.result.present() ? p.result.raw : std::string_view("null"));
  }

  if (type == "error") {
    ProviderError error;
    if (object || (!data.empty() && data.front() == '"' && JsonReader::validate(data))) {
      error = read_provider_error(data, /*type_is_code=*/false);
    } else {
      error.message.assign(event.data);
    }
    return report_provider_error(state, error);
  }

  // done
  if (object) {
    if (p.finish_reason.is_string()) state.set_finish_reason(p.finish_reason.string_value(text_buffer));
    if (p.usage.is_object()) {
      state.set_usage(member_count(p.usage.raw, "input_tokens"), member_count(p.usage.raw, "output_tokens"));
    }
  } else if (!data.empty()) {
    state.warn("invalid_json", "The data of the 'done' event is not a JSON object; the message is done all the same");
  }
  state.finish();
}

}  // namespace ssew
