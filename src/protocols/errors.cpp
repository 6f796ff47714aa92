#include "protocols/errors.h"

#include <cctype>
#include <string>

namespace ssew {

const ErrorCodeInfo& error_code_info(std::string_view code) {
  for (const ErrorCodeInfo& info : kErrorCodes) {
    if (info.code == code) return info;
  }
  return kErrorCodes[2];  // server_error: never reached with the core's own codes
}

bool provider_code_retryable(std::string_view code) {
  if (code.empty()) return false;
  bool digits = true;
  for (const char c : code) digits = digits && std::isdigit(static_cast<unsigned char>(c));
  if (digits) return code == "408" || code == "409" || code == "429" || (code.size() == 3 && code[0] == '5');
  std::string lower(code);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto has = [&](std::string_view word) { return lower.find(word) != std::string::npos; };
  if (has("quota")) return false;  // insufficient_quota: retrying does not help
  // OpenAI codes and types, Anthropic error types (api_error is its HTTP 500),
  // Google statuses (RESOURCE_EXHAUSTED is its rate limit).
  static constexpr std::string_view kTransient[] = {
      "server_error", "server error", "api_error",   "overloaded", "rate_limit",         "ratelimit",
      "rate limit",   "too_many_requests", "timeout", "timed_out", "deadline_exceeded", "unavailable",
      "internal",     "try_again",  "capacity",      "resource_exhausted",
  };
  for (std::string_view word : kTransient) {
    if (has(word)) return true;
  }
  return false;
}

}  // namespace ssew
