// errors.h — the one table of the error codes the core gives a message, each with
// whether trying again may help, and the one policy for errors a provider reports.
//
// MessageState (its limits), the session and all six decoders take their codes
// from here. The same table is listed in docs/protocol.md ("Error codes") and in the
// MessageErrorCode type of web/index.d.ts (with the transport's codes of
// docs/transport.md); tests/native/protocol_tables_test.cpp fails when a copy
// drifts from this one.
//
// Provider errors (an error event or error object inside the stream), the same in
// every protocol:
//   * The code is what the provider sent: its code, else its type or status (a
//     number as its digits). Retryable is what the provider said (the native
//     `retryable` member), else provider_code_retryable(code).
//   * A provider error without any code is "server_error", retryable. Most such
//     errors are transient (an upstream model or proxy failing mid-stream, an
//     overloaded gateway that writes a bare message); a client that offers a retry
//     once too often costs a click, one that never offers it strands the user.
#pragma once

#include <cstddef>
#include <string_view>

namespace ssew {

struct ErrorCodeInfo {
  std::string_view code;
  bool retryable;           // the default; a provider may say otherwise
  std::string_view message; // the sentence the core shows for it ("" for server_error: the provider's)
};

namespace errc {
inline constexpr std::string_view kInterrupted = "interrupted";
inline constexpr std::string_view kNetworkError = "network_error";
inline constexpr std::string_view kServerError = "server_error";
inline constexpr std::string_view kEventTooLarge = "event_too_large";
inline constexpr std::string_view kToolInputTooLarge = "tool_input_too_large";
inline constexpr std::string_view kJsonTooDeep = "json_too_deep";
inline constexpr std::string_view kTooManyParts = "too_many_parts";
inline constexpr std::string_view kMessageTooLarge = "message_too_large";
inline constexpr std::string_view kPromptBlocked = "prompt_blocked";
}  // namespace errc

// Every code the core itself produces, in the order docs/protocol.md lists them.
inline constexpr ErrorCodeInfo kErrorCodes[] = {
    {errc::kInterrupted, true, "The answer ended before it was complete."},
    {errc::kNetworkError, true, "The connection failed."},
    {errc::kServerError, true, "The server reported an error."},
    {errc::kEventTooLarge, false, ""},
    {errc::kToolInputTooLarge, false, "A tool call is too large to show (maxToolInputBytes)."},
    {errc::kJsonTooDeep, false, "A part of the answer is too deeply nested to show (maxJsonDepth)."},
    {errc::kTooManyParts, false, "The answer has too many parts to show in full (maxParts)."},
    {errc::kMessageTooLarge, false, "The answer is too long to show in full (maxMessageBytes)."},
    {errc::kPromptBlocked, false, ""},
};

// The entry of `code` in kErrorCodes (which must hold it).
const ErrorCodeInfo& error_code_info(std::string_view code);

// Whether a provider's error code, type or status describes a transient condition:
// server errors, overload, rate limits (but not exhausted quota), timeouts,
// unavailability, and the HTTP statuses 408, 409, 429 and 5xx sent as numbers.
// Case-insensitive; false for "" (no code: the policy above decides).
bool provider_code_retryable(std::string_view code);

}  // namespace ssew
