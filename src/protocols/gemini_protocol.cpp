#include "gemini_protocol.h"

#include "json_reader.h"
#include "json_string.h"
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

uint64_t count(const JsonValueRef& value) {
  uint64_t n = 0;
  return value.to_count(n) ? n : 0;
}

uint64_t saturating_add(uint64_t a, uint64_t b) { return a + b < a ? UINT64_MAX : a + b; }

// Whether `json` (an object) is a Google error body: {"error": {..., "status": "..."}}.
bool is_google_error(std::string_view json) {
  const JsonValueRef error = member_of(json, "error");
  if (!error.is_object()) return false;
  return member_of(error.raw, "status").is_string();
}

}  // namespace

bool GeminiProtocol::is_gemini_event(const SseEvent& event) {
  if (event.type != "message") return false;
  std::string_view data = trim_json_space(event.data);
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
  const std::string_view data = trim_json_space(event.data);
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
  static constexpr std::string_view kMembers[] = {"candidates", "usageMetadata", "error", "promptFeedback"};
  JsonValueRef v[std::size(kMembers)];
  if (!capture_members(json, kMembers, v)) return false;
  const JsonValueRef &candidates = v[0], &usage = v[1], &error = v[2], &feedback = v[3];
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
      const JsonValueRef index = member_of(candidate.raw, "index");
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
    const JsonValueRef block_reason = member_of(feedback.raw, "blockReason");
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
  static constexpr std::string_view kMembers[] = {"content", "finishReason"};
  JsonValueRef v[2];
  capture_members(candidate, kMembers, v);
  const JsonValueRef &content = v[0], &finish_reason = v[1];
  if (content.is_object()) {
    const JsonValueRef parts = member_of(content.raw, "parts");
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
    // The end marker: done now, not at the end of the bytes, which may never come
    // cleanly (a server holding the connection open, a reset, a replaying resume).
    // Usage in this chunk (read after the candidate) and later ones still counts.
    state.finish();
  }
}

void GeminiProtocol::on_part(std::string_view part, MessageState& state) {
  static constexpr std::string_view kMembers[] = {"text", "thought", "functionCall", "executableCode",
                                                  "codeExecutionResult"};
  JsonValueRef v[std::size(kMembers)];
  capture_members(part, kMembers, v);
  const JsonValueRef &text = v[0], &thought = v[1], &function_call = v[2], &executable_code = v[3], &code_result = v[4];
  if (text.is_string()) {
    const std::string_view chunk = text.delta_string_value(scratch_);
    thought.type == JsonType::kTrue ? state.append_reasoning(chunk) : state.append_text(chunk);
  }
  if (function_call.is_object()) {
    static constexpr std::string_view kCall[] = {"name", "args", "id"};
    JsonValueRef c[3];
    capture_members(function_call.raw, kCall, c);
    const JsonValueRef &name = c[0], &args = c[1], &id = c[2];
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
    static constexpr std::string_view kResult[] = {"outcome", "output"};
    JsonValueRef r[2];
    capture_members(code_result.raw, kResult, r);
    const JsonValueRef &outcome = r[0], &output = r[1];
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
  static constexpr std::string_view kCounts[] = {"promptTokenCount", "toolUsePromptTokenCount",
                                                 "candidatesTokenCount", "thoughtsTokenCount"};
  JsonValueRef v[std::size(kCounts)];
  capture_members(usage, kCounts, v);
  const JsonValueRef &prompt = v[0], &tool_prompt = v[1], &candidates = v[2], &thoughts = v[3];
  if (!prompt.present() && !tool_prompt.present() && !candidates.present() && !thoughts.present()) return;
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
  stray_scanner_ = JsonBracketScanner{};
}

void GeminiProtocol::on_stray_line(std::string_view line, MessageState& state) {
  // Bare JSON (often pretty-printed over several lines) outside SSE fields: collect
  // lines from one that starts with '{' or '[' until the brackets balance, then read
  // the value if it is a Google error. Anything else is ignored.
  const std::string_view trimmed = trim_json_space(line);
  const auto opens = [](std::string_view s) { return !s.empty() && (s.front() == '{' || s.front() == '['); };
  if (stray_.empty()) {
    if (!opens(trimmed)) return;
  } else if (opens(line)) {
    reset_stray();  // a new value at column 0: the previous one never completed
  }
  const bool balanced = stray_scanner_.scan(line, [&](char c) {
    if (c == '{' || c == '[') {
      stray_closers_.push_back(c == '{' ? '}' : ']');
      return true;
    }
    if (stray_closers_.empty() || stray_closers_.back() != c) return false;
    stray_closers_.pop_back();
    return true;
  });
  if (!balanced) return reset_stray();  // not JSON
  const size_t kept = stray_.size() + line.size() + 1;
  if (kept > kMaxStrayBytes) return reset_stray();
  // Kept until the value completes: charged (its largest size) to the message budget.
  if (!stray_bytes_.fits(state, kept + stray_closers_.size())) return reset_stray();
  stray_.append(line);
  stray_.push_back('\n');
  if (!stray_closers_.empty()) return;
  const std::string_view json = trim_json_space(stray_);
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
