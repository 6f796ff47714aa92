#include "utf8.h"

#include <cstring>

namespace ssew {
namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";

// Length of the leading run of bytes that is plain ASCII (checked a word at a time,
// since model output is mostly ASCII).
size_t ascii_prefix(const uint8_t* p, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t word;
    std::memcpy(&word, p + i, 8);
    if (word & 0x8080808080808080ULL) break;
  }
  while (i < n && p[i] < 0x80) ++i;
  return i;
}

}  // namespace

void append_utf8_decoded(std::string& out, const uint8_t* p, size_t n) {
  size_t i = 0;
  size_t run_start = 0;  // start of the current run of valid bytes, copied lazily
  while (i < n) {
    i += ascii_prefix(p + i, n - i);
    if (i >= n) break;
    const uint8_t lead = p[i];
    size_t needed = 0;
    uint8_t lower = 0x80, upper = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      needed = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      needed = 2;
      if (lead == 0xE0) lower = 0xA0;
      if (lead == 0xED) upper = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      needed = 3;
      if (lead == 0xF0) lower = 0x90;
      if (lead == 0xF4) upper = 0x8F;
    } else {
      out.append(reinterpret_cast<const char*>(p + run_start), i - run_start);
      out.append(kReplacement, 3);
      run_start = ++i;
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
    if (seen == needed) {
      i = j;
      continue;
    }
    // A broken sequence: the bytes consumed so far become one U+FFFD and the byte
    // that broke it (if any) is decoded afresh.
    out.append(reinterpret_cast<const char*>(p + run_start), i - run_start);
    out.append(kReplacement, 3);
    i = j;
    run_start = i;
  }
  out.append(reinterpret_cast<const char*>(p + run_start), n - run_start);
}

size_t utf16_length(const uint8_t* p, size_t n) {
  size_t units = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t b = p[i];
    // Every byte that is not a continuation byte starts one code unit; a 4-byte
    // sequence needs a surrogate pair, so its lead counts twice.
    units += (b & 0xC0) != 0x80;
    units += b >= 0xF0;
  }
  return units;
}

}  // namespace ssew
