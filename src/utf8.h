// utf8.h — UTF-8 decoding with the WHATWG Encoding standard's error handling.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ssew {

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
