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

// Appends `text` to `out` as a JSON string literal (with quotes).
void append_json_string(std::string& out, std::string_view text);

}  // namespace ssew
