#include "protocols/kit.h"

#include "json_string.h"

namespace ssew {

bool capture_members(std::string_view text, const std::string_view* names, JsonValueRef* out, size_t count) {
  JsonReader reader(text);
  if (!reader.enter_object()) return false;
  JsonStringRef key;
  while (reader.next_member(key)) {
    JsonValueRef* target = nullptr;
    for (size_t i = 0; i < count && !target; ++i) {
      if (key == names[i]) target = &out[i];
    }
    if (!(target ? reader.read_value(*target) : reader.skip_value())) return false;
  }
  return reader.at_end();
}

std::string text_of(const JsonValueRef& value) {
  std::string scratch;
  if (value.is_string()) return std::string(value.string_value(scratch));
  if (value.is_number()) return std::string(value.raw);
  return std::string();
}

ProviderError read_provider_error(std::string_view raw, bool type_is_code) {
  ProviderError error;
  JsonReader reader(raw);
  const JsonType type = reader.peek();
  if (type == JsonType::kString) {
    JsonStringRef s;
    if (reader.read_string(s)) s.append_to(error.message);
    return error;
  }
  if (type != JsonType::kObject) {
    error.message.assign(raw);
    return error;
  }
  enum { kMessage, kCode, kType, kStatus, kRetryable };
  static constexpr std::string_view kNames[] = {"message", "code", "type", "status", "retryable"};
  JsonValueRef v[5];
  if (!capture_members(raw, kNames, v)) {  // not valid JSON after all: the text is the message
    error.message.assign(raw);
    return error;
  }
  error.message = v[kMessage].is_string() ? text_of(v[kMessage]) : std::string();
  const std::string code = v[kCode].is_string() ? text_of(v[kCode]) : std::string();
  const std::string kind = type_is_code ? text_of(v[kType]) : std::string();
  const std::string status = v[kStatus].is_string() ? text_of(v[kStatus]) : std::string();
  const std::string number = v[kCode].is_number() ? text_of(v[kCode]) : std::string();
  for (const std::string* candidate : {&code, &kind, &status, &number}) {
    if (error.code.empty()) error.code = *candidate;
    error.transient = error.transient || provider_code_retryable(*candidate);
  }
  if (v[kRetryable].is_bool()) error.retryable = v[kRetryable].type == JsonType::kTrue;
  return error;
}

void report_provider_error(MessageState& state, const ProviderError& error) {
  const std::string_view code = error.code.empty() ? errc::kServerError : std::string_view(error.code);
  const bool retryable = error.retryable ? *error.retryable : error.code.empty() || error.transient;
  if (!error.message.empty()) return state.set_error(error.message, code, retryable);
  std::string message = "The server reported an error";
  if (!error.code.empty()) message += " (" + error.code + ")";
  state.set_error(message, code, retryable);
}

void fail_with(MessageState& state, std::string_view code) {
  const ErrorCodeInfo& info = error_code_info(code);
  state.set_error(info.message, info.code, info.retryable);
}

bool too_deep(const MessageState& state, std::string_view text) {
  const size_t depth = json_nesting_depth(text);
  return depth > state.limits().max_json_depth || depth >= JsonReader::kMaxDepth;
}

void reject_unreadable(MessageState& state, std::string_view text, std::string_view warning) {
  if (too_deep(state, text)) return fail_with(state, errc::kJsonTooDeep);
  state.warn("invalid_json", warning);
}

bool PendingParts::add(MessageState& state) {
  if (state.terminal()) return false;
  if (state.part_count() + count_ >= state.limits().max_parts) {
    fail_with(state, errc::kTooManyParts);
    return false;
  }
  ++count_;
  return true;
}

bool ChargedBuffer::fits(MessageState& state, size_t size) {
  if (size <= charged_) return !state.terminal();
  if (!state.reserve(size - charged_)) return false;
  charged_ = size;
  return true;
}

}  // namespace ssew
