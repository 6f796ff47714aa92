// json_string.h — decoding one complete JSON string literal, fast.
//
// The hottest path of every protocol is a text delta whose payload is a JSON string
// ("Hello") or an object holding one. Building a JSON tree for it would dominate the
// cost, so this decodes the literal directly into UTF-8.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ssew {

// What decode_json_string does with a lone surrogate escape.
enum class LoneSurrogates : uint8_t {
  // Every lone surrogate becomes U+FFFD: the output is valid UTF-8.
  kReplace,
  // For a piece of streamed text whose neighbour may hold the other half (servers
  // that slice text by UTF-16 units): a lone high surrogate escape that ends the
  // string, and a lone low surrogate escape that starts it, are kept in their
  // 3-byte generalized UTF-8 form (WTF-8: ED A0..BF xx); any other lone surrogate
  // becomes U+FFFD. The output is valid UTF-8 except for those edges, which only
  // MessageState's deltas accept (it pairs them, see message_state.h); never let
  // such text go anywhere else.
  kKeepAtEdges,
};

// Decodes `literal` (a JSON string including its quotes, surrounding whitespace
// allowed) into `out` (appended). Escapes are resolved; a surrogate pair becomes one
// character and a lone surrogate U+FFFD, as JSON.parse then TextEncoder would do
// (but see LoneSurrogates::kKeepAtEdges). Returns false, leaving `out` unspecified,
// when `literal` is not exactly one valid JSON string (control characters, bad
// escapes, trailing text).
bool decode_json_string(std::string_view literal, std::string& out,
                        LoneSurrogates lone = LoneSurrogates::kReplace);

// The WTF-8 edges of text decoded with LoneSurrogates::kKeepAtEdges. Valid UTF-8
// never contains ED A0..BF, so these tests cannot mistake a real character.
// Whether `text` starts with a lone low surrogate (U+DC00..U+DFFF).
inline bool starts_with_lone_low_surrogate(std::string_view text) {
  return text.size() >= 3 && static_cast<uint8_t>(text[0]) == 0xED && static_cast<uint8_t>(text[1]) >= 0xB0;
}
// Whether `text` ends with a lone high surrogate (U+D800..U+DBFF).
inline bool ends_with_lone_high_surrogate(std::string_view text) {
  const size_t n = text.size();
  return n >= 3 && static_cast<uint8_t>(text[n - 3]) == 0xED && (static_cast<uint8_t>(text[n - 2]) & 0xF0) == 0xA0;
}
// The surrogate (U+D800..U+DFFF) whose 3-byte form starts `bytes`.
inline uint32_t lone_surrogate_at(std::string_view bytes) {
  return 0xD000u | ((static_cast<uint32_t>(static_cast<uint8_t>(bytes[1])) & 0x3F) << 6) |
         (static_cast<uint32_t>(static_cast<uint8_t>(bytes[2])) & 0x3F);
}

// Appends code point `cp` (any value up to U+10FFFF; a surrogate gets its 3-byte
// WTF-8 form) to `out` in UTF-8.
void append_code_point(std::string& out, uint32_t cp);

// The deepest nesting of objects and arrays in the JSON text `json` (0 for a
// scalar), counting brackets outside strings. O(size); for complete values whose
// depth a limit must bound before they are accepted.
size_t json_nesting_depth(std::string_view json);

// Replaces, in the JSON text `json`, every lone surrogate escape ("\ud800" not
// followed by a low surrogate escape, or "\udc00" not preceded by a high one) with
// "\ufffd", in place (both are six bytes), and returns how many it replaced. Why:
// JSON.parse keeps a lone surrogate as a lone UTF-16 unit, while everything else
// (decode_json_string, PartialJson's streaming value) shows U+FFFD; a complete
// value handed to JavaScript must agree with what its streaming value showed.
// Only backslashes are looked at (text without one costs one memchr-like scan and
// is not touched); a "\\u" is a literal backslash, not an escape. For valid JSON
// (escapes only occur inside strings); invalid text is scanned the same way.
size_t replace_lone_surrogate_escapes(std::string& json);

// `s` without the JSON whitespace (space, tab, LF, CR) around it.
std::string_view trim_json_space(std::string_view s);

// Appends `text` to `out` as a JSON string literal (with quotes).
void append_json_string(std::string& out, std::string_view text);

}  // namespace ssew
