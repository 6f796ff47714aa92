// json_string.h — decoding one complete JSON string literal, fast.
//
// The hottest path of every protocol is a text delta whose payload is a JSON string
// ("Hello") or an object holding one. Building a JSON tree for it would dominate the
// cost, so this decodes the literal directly into UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace ssew {

// Decodes `literal` (a JSON string including its quotes, surrounding whitespace
// allowed) into `out` (appended). Escapes are resolved; a surrogate pair becomes one
// character and a lone surrogate U+FFFD, as JSON.parse then TextEncoder would do.
// Returns false, leaving `out` unspecified, when `literal` is not exactly one valid
// JSON string (control characters, bad escapes, trailing text).
bool decode_json_string(std::string_view literal, std::string& out);

// The deepest nesting of objects and arrays in the JSON text `json` (0 for a
// scalar), counting brackets outside strings. O(size); for complete values whose
// depth a limit must bound before they are accepted.
size_t json_nesting_depth(std::string_view json);

// `s` without the JSON whitespace (space, tab, LF, CR) around it.
std::string_view trim_json_space(std::string_view s);

// Appends `text` to `out` as a JSON string literal (with quotes).
void append_json_string(std::string& out, std::string_view text);

}  // namespace ssew
