// utf8.h — UTF-8 decoding with the WHATWG Encoding standard's error handling.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ssew {

// What a UTF-8 lead byte asks of the bytes after it (the well-formed sequences of
// Unicode's Table 3-7): `need` continuation bytes, the first of them in
// lower..upper, the others in 80..BF; need 0 for a byte that cannot start a
// multi-byte sequence (ASCII, a continuation byte, C0, C1, F5..FF). The one copy of
// this table for every UTF-8 decoder in the core.
struct Utf8Lead {
  uint8_t need, lower, upper;
};
constexpr Utf8Lead utf8_lead(uint8_t lead) {
  if (lead < 0xC2 || lead > 0xF4) return {0, 0, 0};
  if (lead < 0xE0) return {1, 0x80, 0xBF};
  if (lead < 0xF0) return {2, static_cast<uint8_t>(lead == 0xE0 ? 0xA0 : 0x80), static_cast<uint8_t>(lead == 0xED ? 0x9F : 0xBF)};
  return {3, static_cast<uint8_t>(lead == 0xF0 ? 0x90 : 0x80), static_cast<uint8_t>(lead == 0xF4 ? 0x8F : 0xBF)};
}

// Appends `bytes` to `out` as valid UTF-8, decoding it as the WHATWG "UTF-8 decode"
// algorithm does for a complete input: every maximal invalid subsequence becomes one
// U+FFFD (EF BF BD), an ASCII byte is never swallowed by a broken sequence, and an
// incomplete sequence at the end becomes one U+FFFD. Valid input is copied as is.
// O(length); runs of ASCII are copied in bulk.
void append_utf8_decoded(std::string& out, const uint8_t* bytes, size_t length);

// The length of the longest prefix of `bytes` that is well-formed UTF-8 and ends on
// a character boundary: `length` when all of it is valid. Decoding the rest on its
// own (append_utf8_decoded) gives the same result as decoding the whole input.
size_t utf8_valid_prefix(const uint8_t* bytes, size_t length);

// The length (2, 3 or 4) of the well-formed UTF-8 sequence at the start of `bytes`,
// whose first byte is not ASCII, or 0 when it is not well formed (bad lead, bad or
// missing continuation byte, overlong form, surrogate, above U+10FFFF).
size_t utf8_sequence_length(const uint8_t* bytes, size_t length);

// The number of UTF-16 code units the valid UTF-8 text `bytes` takes in JavaScript.
size_t utf16_length(const uint8_t* bytes, size_t length);

// Appends the valid UTF-8 text `bytes` to `out` and returns its utf16_length, in one
// pass over the bytes.
size_t utf16_length_copy(const uint8_t* bytes, size_t length, std::string* out);

}  // namespace ssew
