// kit.h — the jobs every protocol decoder does, done once: capturing the members of
// a JSON object by a table of names, reading a provider's error object and
// reporting it by the one policy of errors.h, scanning JSON text for its brackets,
// and keeping per-stream state (ids, buffers) inside the message budget.
//
// Per-stream state: a decoder that keeps bytes for the rest of the stream (a map of
// ids, a buffered fragment) charges them to MessageState::reserve when it first
// keeps them, kEntryBytes more for each map entry (what the entry itself costs),
// and stops keeping anything once a charge fails (the message has then ended in
// message_too_large). An entry that stands for a part not created yet (an AI SDK
// text-start, an OpenAI tool call without a name) is counted by PendingParts against
// Limits::max_parts together with the parts that exist.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "json_reader.h"
#include "message_state.h"
#include "protocols/errors.h"

namespace ssew {

// What a map entry costs beyond its key and value bytes (node, hash bucket,
// string header), charged with every entry a decoder keeps.
inline constexpr size_t kEntryBytes = 64;

// Captures the members of the JSON object `text` named in `names` into `out` (by
// position; the last of duplicate keys wins, as in JSON.parse), validating all of
// it. False when `text` is not exactly one valid JSON object; `out` may then hold
// some members, so callers act only once this returned true.
// One non-template function does the work (`count` names), so that the decoders'
// tables of every size share one copy of the code in the wasm.
bool capture_members(std::string_view text, const std::string_view* names, JsonValueRef* out, size_t count);

template <size_t N>
bool capture_members(std::string_view text, const std::string_view (&names)[N], JsonValueRef (&out)[N]) {
  return capture_members(text, names, out, N);
}

// The member `name` of the JSON object `text` (the last of duplicates); absent
// when there is none or `text` is not exactly one valid JSON object.
inline JsonValueRef member_of(std::string_view text, std::string_view name) {
  const std::string_view names[] = {name};
  JsonValueRef v[1];
  return capture_members(text, names, v) ? v[0] : JsonValueRef();
}

// A string value decoded, a number as its digits; "" for anything else.
std::string text_of(const JsonValueRef& value);

// An error a provider reported, as read_provider_error finds it.
struct ProviderError {
  std::string message;
  std::string code;                // "" when the provider sent none
  bool transient = false;          // a code, type or status it sent names a transient condition
  std::optional<bool> retryable;   // what the provider said itself (a boolean "retryable")
};

// Reads a provider's error value (validated JSON): an object's "message", its code
// (a string "code", else "type", else "status", else a numeric "code") and
// "retryable"; a string is the message itself; any other value is shown as its
// JSON text. `type_is_code`: false for an event envelope whose "type" names the
// event ({"type":"error","message":…}), not the error.
ProviderError read_provider_error(std::string_view raw, bool type_is_code = true);

// Ends the message in error by the policy of errors.h: no code is server_error,
// retryable; otherwise the provider's word, else `transient`. An empty message
// becomes "The server reported an error (<code>)".
void report_provider_error(MessageState& state, const ProviderError& error);

// An event the decoder could not read: a warning `invalid_json` with `warning`,
// unless the text nests deeper than Limits::max_json_depth (or than JsonReader can
// read), which ends the message in error json_too_deep, the rule of every decoder
// and of MessageState for tool input. Whether it is too deep is counted from the
// brackets, never from the reader's message.
void reject_unreadable(MessageState& state, std::string_view text, std::string_view warning);

// Whether `text` (JSON, valid or not) nests deeper than Limits::max_json_depth or
// than JsonReader can read.
bool too_deep(const MessageState& state, std::string_view text);

// Ends the message in error with one of the core's codes (errors.h), its sentence
// and retryable default.
void fail_with(MessageState& state, std::string_view code);

// Entries that stand for parts not created yet, counted against max_parts with the
// parts that exist.
class PendingParts {
 public:
  // One more; false (the message has ended in too_many_parts) when it does not fit.
  bool add(MessageState& state);
  // One of them became a part, or went away.
  void remove() { if (count_ > 0) --count_; }
  void clear() { count_ = 0; }
  size_t count() const { return count_; }

 private:
  size_t count_ = 0;
};

// A buffer a decoder reuses: charged for its largest size only (what it keeps).
class ChargedBuffer {
 public:
  // Whether `size` bytes may be kept (charging what exceeds the largest size so far).
  bool fits(MessageState& state, size_t size);

 private:
  size_t charged_ = 0;
};

// The brackets of JSON text that arrives in pieces, outside strings: for each '{',
// '[', '}' or ']' not inside a string, f(c) is called; f returns false to stop. The
// state (inside a string, after a backslash) carries over from piece to piece.
struct JsonBracketScanner {
  bool in_string = false, escape = false;
  template <typename F>
  bool scan(std::string_view piece, F&& f) {
    for (const char c : piece) {
      if (in_string) {
        if (escape) {
          escape = false;
        } else if (c == '\\') {
          escape = true;
        } else if (c == '"') {
          in_string = false;
        }
      } else if (c == '"') {
        in_string = true;
      } else if ((c == '{' || c == '[' || c == '}' || c == ']') && !f(c)) {
        return false;
      }
    }
    return true;
  }
};

}  // namespace ssew
