#include "utf8.h"

#include <cstring>

namespace ssew {
namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";
constexpr uint64_t kHigh = 0x8080808080808080ULL;

// Length of the leading run of bytes that is plain ASCII (checked a word at a time,
// since model output is mostly ASCII).
inline size_t ascii_prefix(const uint8_t* p, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t word;
    std::memcpy(&word, p + i, 8);
    if (word & kHigh) break;
  }
  while (i < n && p[i] < 0x80) ++i;
  return i;
}

}  // namespace

// The per-byte path: the table of utf8_lead() unrolled by length (a loop over it
// measured 30-50 % slower on multi-byte text); a native test checks that the two
// agree on every lead and second byte.
size_t utf8_sequence_length(const uint8_t* p, size_t n) {
  const uint8_t lead = p[0];
  if (lead < 0xC2) return 0;
  if (lead < 0xE0) return n >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
  if (lead < 0xF0) {
    if (n < 3) return 0;
    const uint8_t lower = lead == 0xE0 ? 0xA0 : 0x80;
    const uint8_t upper = lead == 0xED ? 0x9F : 0xBF;
    return p[1] >= lower && p[1] <= upper && (p[2] & 0xC0) == 0x80 ? 3 : 0;
  }
  if (lead > 0xF4 || n < 4) return 0;
  const uint8_t lower = lead == 0xF0 ? 0x90 : 0x80;
  const uint8_t upper = lead == 0xF4 ? 0x8F : 0xBF;
  return p[1] >= lower && p[1] <= upper && (p[2] & 0xC0) == 0x80 && (p[3] & 0xC0) == 0x80 ? 4 : 0;
}


size_t utf8_valid_prefix(const uint8_t* p, size_t n) {
  size_t i = 0;
  for (;;) {
    i += ascii_prefix(p + i, n - i);
    if (i >= n) return n;
    // A run of multi-byte characters (e.g. CJK text) stays in this inner loop.
    do {
      const size_t k = utf8_sequence_length(p + i, n - i);
      if (k == 0) return i;
      i += k;
    } while (i < n && p[i] >= 0x80);
    if (i >= n) return n;
  }
}

void append_utf8_decoded(std::string& out, const uint8_t* p, size_t n) {
  size_t i = utf8_valid_prefix(p, n);
  if (i == n) {
    out.append(reinterpret_cast<const char*>(p), n);
    return;
  }
  size_t run_start = 0;  // start of the current run of valid bytes, copied lazily
  while (i < n) {
    // p[i] starts an ill-formed sequence (utf8_valid_prefix stopped there).
    const Utf8Lead lead = utf8_lead(p[i]);
    const size_t needed = lead.need;
    uint8_t lower = lead.lower, upper = lead.upper;
    if (needed == 0) {
      out.append(reinterpret_cast<const char*>(p + run_start), i - run_start);
      out.append(kReplacement, 3);
      run_start = ++i;
      i += utf8_valid_prefix(p + i, n - i);
      continue;
    }
    size_t seen = 0;
    size_t j = i + 1;
    while (seen < needed && j < n && p[j] >= lower && p[j] <= upper) {
      lower = 0x80;
      upper = 0xBF;
      ++seen;
      ++j;
    }
    if (seen != needed) {
      // A broken sequence: the bytes consumed so far become one U+FFFD and the byte
      // that broke it (if any) is decoded afresh.
      out.append(reinterpret_cast<const char*>(p + run_start), i - run_start);
      out.append(kReplacement, 3);
      run_start = j;
    }
    i = j;
    i += utf8_valid_prefix(p + i, n - i);
  }
  out.append(reinterpret_cast<const char*>(p + run_start), n - run_start);
}

namespace {

// The UTF-16 code units of 8 bytes of valid UTF-8 (a word at a time: every byte that
// is not a continuation byte (10xxxxxx) starts one code unit; a 4-byte lead
// (11110xxx) needs a surrogate pair, so it counts twice). Shifting the word left by k
// moves bit 7-k of each byte to its bit 7.
inline size_t word_units(uint64_t w) {
  if (!(w & kHigh)) return 8;
  const uint64_t continuation = w & ~(w << 1) & kHigh;
  const uint64_t four = w & (w << 1) & (w << 2) & (w << 3) & kHigh;
  return 8 - static_cast<size_t>(__builtin_popcountll(continuation)) +
         static_cast<size_t>(__builtin_popcountll(four));
}

inline size_t byte_units(uint8_t b) { return static_cast<size_t>((b & 0xC0) != 0x80) + (b >= 0xF0); }

}  // namespace

size_t utf16_length(const uint8_t* p, size_t n) {
  size_t units = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    units += word_units(w);
  }
  for (; i < n; ++i) units += byte_units(p[i]);
  return units;
}

size_t utf16_length_copy(const uint8_t* p, size_t n, std::string* out) {
  // append() instead of resize() and a copy loop: no zero fill first, and most
  // strings here are a few bytes long.
  out->append(reinterpret_cast<const char*>(p), n);
  return utf16_length(p, n);
}

}  // namespace ssew
