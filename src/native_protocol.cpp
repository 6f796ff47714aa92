#include "native_protocol.h"

#include <nlohmann/json.hpp>

#include "json_string.h"

namespace ssew {
namespace {

using nlohmann::json;

std::string_view trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

const json* member(const json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::string string_or_empty(const json* value) {
  return value && value->is_string() ? value->get<std::string>() : std::string();
}

// An object payload, or nullptr (with a warning) when the data is not a JSON object.
bool parse_object(std::string_view data, std::string_view event, json& out, MessageState& state) {
  out = json::parse(data.begin(), data.end(), nullptr, false);
  if (out.is_discarded() || !out.is_object()) {
    state.warn("invalid_json", std::string("The data of a '") + std::string(event) +
                                   "' event is not a JSON object; the event was ignored");
    return false;
  }
  return true;
}

}  // namespace

bool NativeProtocol::is_native_event(std::string_view t) {
  return t == "text_delta" || t == "tool_start" || t == "tool_delta" || t == "tool_result" ||
         t == "reasoning_delta" || t == "done" || t == "error";
}

void NativeProtocol::on_event(const SseEvent& event, MessageState& state) {
  const std::string_view type = event.type;
  const std::string_view data = trim(event.data);

  if (type == "text_delta" || type == "reasoning_delta") {
    const bool reasoning = type == "reasoning_delta";
    const auto append = [&](std::string_view text) {
      reasoning ? state.append_reasoning(text) : state.append_text(text);
    };
    // The hot path: a JSON string, decoded without building a tree.
    if (!data.empty() && data.front() == '"') {
      scratch_.clear();
      if (decode_json_string(data, scratch_)) return append(scratch_);
    } else if (!data.empty() && data.front() == '{') {
      json object = json::parse(data.begin(), data.end(), nullptr, false);
      if (!object.is_discarded() && object.is_object()) {
        const json* text = member(object, "text");
        if (text && text->is_string()) return append(text->get_ref<const std::string&>());
      }
    }
    // Anything else is the text itself, exactly as sent.
    return append(event.data);
  }

  if (type == "tool_start") {
    json object;
    if (!parse_object(data, type, object, state)) return;
    const std::string id = string_or_empty(member(object, "id"));
    if (id.empty()) return state.warn("invalid_event", "A 'tool_start' event has no id; it was ignored");
    const std::string name = string_or_empty(member(object, "name"));
    if (const json* input = member(object, "input")) return state.tool_start(id, name, input->dump());
    return state.tool_start(id, name);
  }

  if (type == "tool_delta") {
    json object;
    if (!parse_object(data, type, object, state)) return;
    const json* delta = member(object, "delta");
    const std::string id = string_or_empty(member(object, "id"));
    if (!delta || !delta->is_string()) {
      return state.warn("invalid_event", "A 'tool_delta' event has no string delta; it was ignored");
    }
    return state.tool_input_delta(id, delta->get_ref<const std::string&>());
  }

  if (type == "tool_result") {
    json object;
    if (!parse_object(data, type, object, state)) return;
    const std::string id = string_or_empty(member(object, "id"));
    if (const json* error = member(object, "error")) {
      return state.tool_error(id, error->is_string() ? error->get<std::string>() : error->dump());
    }
    const json* result = member(object, "result");
    return state.tool_output(id, result ? result->dump() : "null");
  }

  if (type == "error") {
    std::string message;
    std::string code = "server_error";
    bool retryable = false;
    json value = json::parse(data.begin(), data.end(), nullptr, false);
    if (!value.is_discarded() && value.is_object()) {
      message = string_or_empty(member(value, "message"));
      if (const json* c = member(value, "code")) code = c->is_string() ? c->get<std::string>() : c->dump();
      if (const json* r = member(value, "retryable"); r && r->is_boolean()) retryable = r->get<bool>();
    } else if (!value.is_discarded() && value.is_string()) {
      message = value.get<std::string>();
    } else {
      message.assign(event.data);
    }
    if (message.empty()) message = "The server reported an error";
    return state.set_error(message, code, retryable);
  }

  if (type == "done") {
    if (!data.empty()) {
      json object = json::parse(data.begin(), data.end(), nullptr, false);
      if (!object.is_discarded() && object.is_object()) {
        if (const json* reason = member(object, "finish_reason"); reason && reason->is_string()) {
          state.set_finish_reason(reason->get_ref<const std::string&>());
        }
        if (const json* usage = member(object, "usage"); usage && usage->is_object()) {
          const json* in = member(*usage, "input_tokens");
          const json* out = member(*usage, "output_tokens");
          state.set_usage(in && in->is_number_unsigned() ? in->get<uint64_t>() : 0,
                          out && out->is_number_unsigned() ? out->get<uint64_t>() : 0);
        }
      } else if (object.is_discarded()) {
        state.warn("invalid_json", "The data of the 'done' event is not JSON; the message is done all the same");
      }
    }
    return state.finish();
  }
  // Unknown events are ignored.
}

}  // namespace ssew
