#include "ai_sdk_protocol.h"

#include "json_reader.h"
#include "json_string.h"
#include "protocols/kit.h"

namespace ssew {
namespace {

// The chunk types of the UI message stream (ai v5/v6 uiMessageChunkSchema), except
// "error" and "data-*", which detection checks separately.
bool is_chunk_type(std::string_view t) {
  static constexpr std::string_view kTypes[] = {
      "start",           "finish",           "start-step",           "finish-step",
      "text-start",      "text-delta",       "text-end",             "reasoning-start",
      "reasoning-delta", "reasoning-end",    "tool-input-start",     "tool-input-delta",
      "tool-input-available", "tool-input-error", "tool-output-available", "tool-output-error",
      "tool-output-denied", "tool-approval-request", "source-url",   "source-document",
      "file",            "message-metadata", "abort",
  };
  for (std::string_view type : kTypes) {
    if (t == type) return true;
  }
  return false;
}

}  // namespace

bool AiSdkProtocol::is_ai_sdk_event(const SseEvent& event) {
  if (event.type != "message") return false;
  const std::string_view data = trim_json_space(event.data);
  if (data.empty() || data.front() != '{') return false;
  static constexpr std::string_view kMembers[] = {"type", "errorText"};
  JsonValueRef v[2];
  if (!capture_members(data, kMembers, v)) return false;
  const JsonValueRef &type = v[0], &error_text = v[1];
  if (!type.is_string()) return false;
  std::string scratch;
  const std::string_view t = type.string_value(scratch);
  if (t == "error") return error_text.is_string();
  return is_chunk_type(t) || (t.size() > 5 && t.substr(0, 5) == "data-");
}

bool AiSdkProtocol::keep_open(FlagMap& open, std::string_view id, bool shown, MessageState& state) {
  size_t* flag = open.find_value(id);
  if (!flag) {
    if (!state.reserve(id.size() + kEntryBytes)) return false;
    if (!shown && !pending_.add(state)) return false;
    open.insert(id, shown ? 1 : 0);
    return true;
  }
  if (shown && !*flag) {
    *flag = 1;
    pending_.remove();
  }
  return !state.terminal();
}

void AiSdkProtocol::forget_open(FlagMap& open, std::string_view id) {
  const size_t flag = open.find(id);
  if (flag == HashIndex::kNone) return;
  if (!flag) pending_.remove();
  open.erase(id);
}

void AiSdkProtocol::append(Owner kind, std::string_view id, std::string_view chunk, MessageState& state) {
  if (owner_ != kind || owner_id_ != id) {
    FlagMap& open = kind == Owner::kText ? open_text_ : open_reasoning_;
    if (!open.contains(id)) {
      state.warn("unknown_part",
                 std::string(kind == Owner::kText ? "Text" : "Reasoning") +
                     " arrived for a part that was not started (or already ended): ",
                 id, "; it is shown all the same");
    }
    if (!keep_open(open, id, /*shown=*/true, state) || !owner_id_bytes_.fits(state, id.size())) return;
    state.break_part();
    owner_ = kind;
    owner_id_.assign(id);
  }
  kind == Owner::kText ? state.append_text(chunk) : state.append_reasoning(chunk);
}

void AiSdkProtocol::on_metadata(std::string_view metadata, MessageState& state) {
  // {usage: {...}}, {totalUsage: {...}} or the counts themselves.
  static constexpr std::string_view kCounts[] = {"inputTokens", "outputTokens"};
  JsonValueRef usage, input, output;
  walk_object(metadata, [&](const JsonStringRef& key, const JsonValueRef& value) {
    if ((key == "usage" || key == "totalUsage") && value.is_object()) usage = value;
    if (key == "inputTokens") input = value;
    if (key == "outputTokens") output = value;
  });
  JsonValueRef counts[2];
  if (usage.is_object() && capture_members(usage.raw, kCounts, counts)) {
    if (counts[0].present()) input = counts[0];
    if (counts[1].present()) output = counts[1];
  }
  const bool has_input = input.to_count(input_tokens_);
  const bool has_output = output.to_count(output_tokens_);
  if (has_input || has_output) state.set_usage(input_tokens_, output_tokens_);
}

void AiSdkProtocol::on_event(const SseEvent& event, MessageState& state) {
  static constexpr std::string_view kMembers[] = {"type",   "id",        "delta",        "toolCallId",
                                                  "toolName", "inputTextDelta", "input",     "output",
                                                  "errorText", "finishReason", "messageMetadata", "inputEncoding"};
  JsonValueRef v[std::size(kMembers)];
  const bool valid = capture_members(event.data, kMembers, v);
  const JsonValueRef &id = v[1], &delta = v[2], &tool_call_id = v[3], &tool_name = v[4], &input_text_delta = v[5],
                     &input = v[6], &output = v[7], &error_text = v[8], &finish_reason = v[9], &metadata = v[10],
                     &input_encoding = v[11];
  const bool typed = v[0].is_string();
  const JsonStringRef type = typed ? v[0].string() : JsonStringRef{};
  if (!valid) {
    if (trim_json_space(event.data) == "[DONE]") return state.finish();
    return reject_unreadable(state, event.data,
                             "The data of an AI SDK event is not a JSON object; the event was ignored");
  }
  if (!typed) return;

  const auto invalid = [&](const char* what) {
    std::string type_text;
    type.append_to(type_text);
    state.warn("invalid_event", "An AI SDK '", type_text, "' chunk " + std::string(what) + "; it was ignored");
  };

  // --- text and reasoning (the hot path) ---------------------------------------
  const bool text_delta = type == "text-delta";
  if (text_delta || type == "reasoning-delta") {
    if (!id.is_string() || !delta.is_string()) return invalid("has no string id or delta");
    const std::string_view chunk_id = id.string_value(scratch_);
    const std::string_view chunk = delta.delta_string_value(scratch2_);
    return append(text_delta ? Owner::kText : Owner::kReasoning, chunk_id, chunk, state);
  }
  const bool text_start = type == "text-start";
  if (text_start || type == "reasoning-start") {
    if (!id.is_string()) return invalid("has no string id");
    owner_ = Owner::kNone;  // a new part, even after a part of the same kind
    auto& open = text_start ? open_text_ : open_reasoning_;
    const std::string_view start_id = id.string_value(scratch_);
    keep_open(open, start_id, /*shown=*/false, state);
    return;
  }
  const bool text_end = type == "text-end";
  if (text_end || type == "reasoning-end") {
    if (!id.is_string()) return invalid("has no string id");
    const std::string_view chunk_id = id.string_value(scratch_);
    forget_open(text_end ? open_text_ : open_reasoning_, chunk_id);
    if (owner_ == (text_end ? Owner::kText : Owner::kReasoning) && owner_id_ == chunk_id) owner_ = Owner::kNone;
    return;
  }

  // --- tools -----------------------------------------------------------------------
  if (type.starts_with("tool-")) {
    if (!tool_call_id.is_string()) return invalid("has no string toolCallId");
    const std::string call_id(tool_call_id.string_value(scratch_));
    std::string name;
    if (tool_name.is_string()) tool_name.string().append_to(name);

    if (type == "tool-input-delta") {
      if (!input_text_delta.is_string()) return invalid("has no string inputTextDelta");
      const std::string_view text = input_text_delta.delta_string_value(scratch2_);
      size_t* plain = text_inputs_.find_value(call_id);
      if (!plain) return state.tool_input_delta(call_id, text);
      // Plain-text input streams as the body of a JSON string.
      fragment_.clear();
      append_json_string(fragment_, text);
      fragment_.pop_back();  // the closing quote
      const size_t skip = *plain ? 1 : 0;  // the opening quote, once
      // After the opening quote a low surrogate is no longer at the fragment's start,
      // where MessageState pairs it; there is nothing before it to pair with anyway.
      if (skip == 0 && starts_with_lone_low_surrogate(text)) fragment_.replace(1, 3, "\xEF\xBF\xBD");
      *plain = 1;
      return state.tool_input_delta(call_id, std::string_view(fragment_).substr(skip));
    }
    if (type == "tool-input-start") {
      if (input_encoding.is_string() && input_encoding.string() == "text" && !text_inputs_.contains(call_id)) {
        if (!state.reserve(call_id.size() + kEntryBytes)) return;
        text_inputs_.insert(call_id, 0);
      }
      return state.tool_start(call_id, name);
    }
    if (type == "tool-input-available") {
      text_inputs_.erase(call_id);
      if (!state.has_tool(call_id)) state.tool_start(call_id, name);
      if (input.present()) return state.tool_input_complete(call_id, input.raw);
      return state.tool_input_complete(call_id);
    }
    if (type == "tool-input-error") {
      text_inputs_.erase(call_id);
      if (!state.has_tool(call_id)) state.tool_start(call_id, name);
      if (input.present()) state.tool_input_complete(call_id, input.raw);
      std::string message = "The tool input was invalid";
      if (error_text.is_string()) message.assign(error_text.string_value(scratch2_));
      return state.tool_error(call_id, message);
    }
    if (type == "tool-output-available") {
      return state.tool_output(call_id, output.present() ? output.raw : std::string_view("null"));
    }
    if (type == "tool-output-error") {
      std::string message = "The tool failed";
      if (error_text.is_string()) message.assign(error_text.string_value(scratch2_));
      return state.tool_error(call_id, message);
    }
    if (type == "tool-output-denied") return state.tool_error(call_id, "The tool execution was denied");
    return;  // tool-approval-request and unknown tool chunks
  }

  // --- the message -------------------------------------------------------------------
  if (type == "error") {
    ProviderError error;  // errorText only: no code, so the policy of errors.h
    if (error_text.is_string()) error_text.string().append_to(error.message);
    return report_provider_error(state, error);
  }
  if (type == "finish") {
    if (finish_reason.is_string()) state.set_finish_reason(finish_reason.string_value(scratch_));
    if (metadata.is_object()) on_metadata(metadata.raw, state);
    return state.finish();
  }
  if (type == "finish-step") {
    // The SDK forgets the step's open text and reasoning parts.
    open_text_.clear();
    open_reasoning_.clear();
    pending_.clear();
    owner_ = Owner::kNone;
    return;
  }
  if (type == "start" || type == "message-metadata") {
    if (metadata.is_object()) on_metadata(metadata.raw, state);
    return;
  }
  // start-step, source-*, file, data-*, abort and unknown chunks: no part.
}

}  // namespace ssew
