#include "gemini_protocol.h"

#include "json_reader.h"
#include "protocols/kit.h"

namespace ssew {
namespace {

// As walk_object, for the elements of a JSON array; f returns false to stop early
// (the rest is then not validated).
template <typename F>
bool walk_array(std::string_view text, F&& f) {
  JsonReader reader(text);
  if (!reader.enter_array()) return false;
  JsonValueRef value;
  while (reader.next_element()) {
    if (!reader.read_value(value)) return false;
    if (!f(value)) return true;
  }
  return reader.at_end();
}

std::string_view trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

uint64_t count(const JsonValueRef& value) {
  uint64_t n = 0;
  return value.to_uint64(n) ? n : 0;
}

uint64_t saturating_add(uint64_t a, uint64_t b) { return a + b < a ? UINT64_MAX : a + b; }

// Whether `json` (an object) is a Google error body: {"error": {..., "status": "..."}}.
bool is_google_error(std::string_view json) {
  JsonValueRef error;
  if (!walk_object(json, [&](const JsonStringRef& key, const JsonValueRef& value) {
        if (key == "error") error = value;
      })) {
    return false;
  }
  if (!error.is_object()) return false;
  bool has_status = false;
  walk_object(error.raw, [&](const JsonStringRef& key, const JsonValueRef& value) {
    if (key == "status") has_status = value.is_string();
  });
  return has_status;
}

}  // namespace

bool GeminiProtocol::is_gemini_event(const SseEvent& event) {
  if (event.type != "message") return false;
  std::string_view data = trim(event.data);
  if (!data.empty() && data.front() == '[') {  // an array of responses: judge the first
    JsonValueRef first;
    if (!walk_array(data, [&](const JsonValueRef& value) {
          first = value;
          return false;
        })) {
      return false;
    }
    data = first.raw;
  }
  if (data.empty() || data.front() != '{') return false;
  bool response = false;
  JsonValueRef error;
  if (!walk_object(data, [&](const JsonStringRef& key, const JsonValueRef& value) {
        if (key == "candidates" || key == "usageMetadata" || key == "promptFeedback") response = true;
        if (key == "error") error = value;
      })) {
    return false;
  }
  return response || (error.is_object() && is_google_error(data));
}

void GeminiProtocol::on_event(const SseEvent& event, MessageState& state) {
  const std::string_view data = trim(event.data);
  bool valid = false;
  if (!data.empty() && data.front() == '[') {
    // Validate the whole array first: an invalid one has no effect.
    if (JsonReader::validate(data)) {
      valid = true;
      walk_array(data, [&](const JsonValueRef& value) {
        if (value.is_object()) on_response(value.raw, state);
        return true;
      });
    }
  } else {
    valid = on_response(data, state);
  }
  if (!valid) reject_unreadable(state, data, "The data of a Gemini event is not a JSON object; the event was ignored");
}

bool GeminiProtocol::on_response(std::string_view json, MessageState& state) {
  JsonValueRef candidates, usage, error, feedback;
  if (!walk_object(json, [&](const JsonStringRef& key, const JsonValueRef& value) {
        if (key == "candidates") {
          candidates = value;
        } else if (key == "usageMetadata") {
          usage = value;
        } else if (key == "error") {
          error = value;
        } else if (key == "promptFeedback") {
          feedback = value;
        }
      })) {
    return false;
  }
  if (error.is_object()) {
    on_error(error.raw, state);
    return true;
  }
  bool has_candidate = false;
  if (candidates.is_array()) {
    // The first candidate (index 0); other candidates (candidateCount > 1) are not
    // part of this message.
    JsonValueRef chosen;
    walk_array(candidates.raw, [&](const JsonValueRef& candidate) {
      if (!candidate.is_object()) return true;
      JsonValueRef index;
      walk_object(candidate.raw, [&](const JsonStringRef& key, const JsonValueRef& value) {
        if (key == "index") index = value;
      });
      if (index.present() && count(index) != 0) return true;
      chosen = candidate;
      return false;
    });
    if (chosen.is_object()) {
      has_candidate = true;
      on_candidate(chosen.raw, state);
    }
  }
  if (usage.is_object()) on_usage(usage.raw, state);
  if (!has_candidate && feedback.is_object()) {
    JsonValueRef block_reason;
    walk_object(feedback.raw, [&](const JsonStringRef& key, const JsonValueRef& value) {
      if (key == "blockReason") block_reason = value;
    });
    if (block_reason.is_string()) {
      const std::string reason(block_reason.string_value(scratch_));
      state.set_finish_reason(reason);
      finish_seen_ = true;
      state.set_error("The prompt was blocked (" + reason + ")", errc::kPromptBlocked,
                      error_code_info(errc::kPromptBlocked).retryable);
    }
  }
  return true;
}

void GeminiProtocol::on_candidate(std::string_view candidate, MessageState& state) {
  JsonValueRef content, finish_reason;
  walk_object(candidate, [&](const JsonStringRef& key, const JsonValueRef& value) {
    if (key == "content") content = value;
    if (key == "finishReason") finish_reason = value;
  });
  if (content.is_object()) {
    JsonValueRef parts;
    walk_object(content.raw, [&](const JsonStringRef& key, const JsonValueRef& value) {
      if (key == "parts") parts = value;
    });
    if (parts.is_array()) {
      walk_array(parts.raw, [&](const JsonValueRef& part) {
        if (part.is_object()) on_part(part.raw, state);
        return true;
      });
    }
  }
  if (finish_reason.is_string()) {
    state.set_finish_reason(finish_reason.string_value(scratch_));
    finish_seen_ = true;
  }
}

void GeminiProtocol::on_part(std::string_view part, MessageState& state) {
  JsonValueRef text, thought, function_call, executable_code, code_result;
  walk_object(part, [&](const JsonStringRef& key, const JsonValueRef& value) {
    if (key == "text") {
      text = value;
    } else if (key == "thought") {
      thought = value;
    } else if (key == "functionCall") {
      function_call = value;
    } else if (key == "executableCode") {
      executable_code = value;
    } else if (key == "codeExecutionResult") {
      code_result = value;
    }
  });
  if (text.is_string()) {
    const std::string_view chunk = text.delta_string_value(scratch_);
    thought.type == JsonType::kTrue ? state.append_reasoning(chunk) : state.append_text(chunk);
  }
  if (function_call.is_object()) {
    JsonValueRef name, args, id;
    walk_object(function_call.raw, [&](const JsonStringRef& key, const JsonValueRef& value) {
      if (key == "name") name = value;
      if (key == "args") args = value;
      if (key == "id") id = value;
    });
    std::string call_id, call_name;
    if (id.is_string()) id.string().append_to(call_id);
    if (call_id.empty()) call_id = "gemini-call-" + std::to_string(next_call_++);
    if (name.is_string()) name.string().append_to(call_name);
    state.tool_start(call_id, call_name, args.has_value() ? args.raw : std::string_view("{}"));
  }
  if (executable_code.is_object()) {
    code_id_ = "gemini-code-" + std::to_string(next_code_++);
    state.tool_start(code_id_, "code_execution", executable_code.raw);
  }
  if (code_result.is_object()) {
    JsonValueRef outcome, output;
    walk_object(code_result.raw, [&](const JsonStringRef& key, const JsonValueRef& value) {
      if (key == "outcome") outcome = value;
      if (key == "output") output = value;
    });
    // A result without its code still shows, on a tool part of its own.
    const std::string id = code_id_.empty() ? "gemini-code-" + std::to_string(next_code_++) : code_id_;
    code_id_.clear();
    if (!outcome.is_string() || outcome.string() == "OUTCOME_OK") return state.tool_output(id, code_result.raw);
    std::string message;
    if (output.is_string()) output.string().append_to(message);
    if (message.empty()) outcome.string().append_to(message);
    state.tool_error(id, message);
  }
}

void GeminiProtocol::on_usage(std::string_view usage, MessageState& state) {
  JsonValueRef prompt, tool_prompt, candidates, thoughts;
  bool any = false;
  walk_object(usage, [&](const JsonStringRef& key, const JsonValueRef& value) {
    if (key == "promptTokenCount") {
      prompt = value;
    } else if (key == "toolUsePromptTokenCount") {
      tool_prompt = value;
    } else if (key == "candidatesTokenCount") {
      candidates = value;
    } else if (key == "thoughtsTokenCount") {
      thoughts = value;
    } else {
      return;
    }
    any = true;
  });
  if (!any) return;
  // Cumulative: this report replaces the previous one (absent counts are zero).
  state.set_usage(saturating_add(count(prompt), count(tool_prompt)), saturating_add(count(candidates), count(thoughts)));
}

void GeminiProtocol::on_error(std::string_view error, MessageState& state) {
  // {code: 503, message, status: "UNAVAILABLE"}: the status is the code.
  report_provider_error(state, read_provider_error(error));
}

void GeminiProtocol::on_end(MessageState& state) {
  if (finish_seen_) return state.finish();
  state.end_of_stream();
}

void GeminiProtocol::reset_stray() {
  stray_.clear();
  stray_closers_.clear();
  stray_in_string_ = false;
  stray_escape_ = false;
}

void GeminiProtocol::on_stray_line(std::string_view line, MessageState& state) {
  // Bare JSON (often pretty-printed over several lines) outside SSE fields: collect
  // lines from one that starts with '{' or '[' until the brackets balance, then read
  // the value if it is a Google error. Anything else is ignored.
  const std::string_view trimmed = trim(line);
  const auto opens = [](std::string_view s) { return !s.empty() && (s.front() == '{' || s.front() == '['); };
  if (stray_.empty()) {
    if (!opens(trimmed)) return;
  } else if (opens(line)) {
    reset_stray();  // a new value at column 0: the previous one never completed
  }
  for (const char c : line) {
    if (stray_in_string_) {
      if (stray_escape_) {
        stray_escape_ = false;
      } else if (c == '\\') {
        stray_escape_ = true;
      } else if (c == '"') {
        stray_in_string_ = false;
      }
    } else if (c == '"') {
      stray_in_string_ = true;
    } else if (c == '{' || c == '[') {
      stray_closers_.push_back(c == '{' ? '}' : ']');
    } else if (c == '}' || c == ']') {
      if (stray_closers_.empty() || stray_closers_.back() != c) return reset_stray();  // not JSON
      stray_closers_.pop_back();
    }
  }
  stray_.append(line);
  stray_.push_back('\n');
  if (stray_.size() > kMaxStrayBytes) return reset_stray();
  if (!stray_closers_.empty()) return;
  const std::string_view json = trim(stray_);
  if (JsonReader::validate(json)) {
    if (json.front() == '{' && is_google_error(json)) {
      on_response(json, state);
    } else if (json.front() == '[') {
      walk_array(json, [&](const JsonValueRef& value) {
        if (value.is_object() && is_google_error(value.raw)) on_response(value.raw, state);
        return true;
      });
    }
  }
  reset_stray();
}

}  // namespace ssew
