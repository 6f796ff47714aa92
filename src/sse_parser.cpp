#include "sse_parser.h"

#include <cstring>

#include "utf8.h"

namespace ssew {
namespace {

constexpr uint8_t kBom[3] = {0xEF, 0xBB, 0xBF};
constexpr std::string_view kMessage = "message";

// A byte loop, not memcmp: field names and event types are short, and the link-time
// optimized wasm left these compares as calls to memcmp (a tenth of the native text
// stream's time, measured with node --cpu-prof).
bool equals(const uint8_t* p, size_t n, std::string_view name) {
  if (n != name.size()) return false;
  for (size_t i = 0; i < n; ++i) {
    if (p[i] != static_cast<uint8_t>(name[i])) return false;
  }
  return true;
}

// Index of the first CR or LF in [p, p+n), or n; *ascii tells whether the bytes
// before it are all ASCII (then they need no UTF-8 decoding). Scans a word (8 bytes)
// at a time: a byte of w ^ (c * 0x01..01) is zero exactly where w has the byte c,
// and (x - 0x01..01) & ~x & 0x80..80 flags the lowest zero byte of x (bytes below
// it are never flagged; above it there can be false positives, which do not matter).
size_t find_line_end(const uint8_t* p, size_t n, bool* ascii) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  uint64_t high = 0;  // OR of the bytes scanned before the line end
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    const uint64_t lf = w ^ (kOnes * '\n');
    const uint64_t cr = w ^ (kOnes * '\r');
    const uint64_t hit = (((lf - kOnes) & ~lf) | ((cr - kOnes) & ~cr)) & kHigh;
    if (hit) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
      const unsigned bit = static_cast<unsigned>(__builtin_ctzll(hit)) - 7;  // of the line end's byte
      if (bit) high |= w << (64 - bit);  // keeps only the bytes before it
      *ascii = !(high & kHigh);
      return i + (bit >> 3);
#else
      break;
#endif
    }
    high |= w;
  }
  for (; i < n; ++i) {
    if (p[i] == '\n' || p[i] == '\r') break;
    high |= p[i];
  }
  *ascii = !(high & kHigh);
  return i;
}

}  // namespace

const char* sse_error_message(SseError error) {
  switch (error) {
    case SseError::kNone:
      return "";
    case SseError::kEventTooLarge:
      return "A part of the answer is too large to show (maxEventBytes).";
  }
  return "unknown error";
}

SseParser::SseParser(Options options) : options_(options) {}

bool SseParser::fail(SseError error) {
  error_ = error;
  // Drop what the oversized event had buffered: memory stays bounded.
  std::string().swap(line_);
  std::string().swap(data_);
  has_pending_data_ = false;
  has_event_type_ = false;
  return false;
}

SseError SseParser::feed(const uint8_t* p, size_t n, SseHandler& handler) {
  if (error_ != SseError::kNone) return error_;

  // The BOM is matched byte by byte so that a BOM split across chunks is still
  // recognised; a partial match that fails is ordinary line content.
  while (!bom_done_ && n > 0) {
    if (*p == kBom[bom_matched_]) {
      ++p;
      --n;
      if (++bom_matched_ == 3) bom_done_ = true;
    } else {
      line_.append(reinterpret_cast<const char*>(kBom), bom_matched_);
      bom_done_ = true;
    }
  }

  while (n > 0) {
    if (after_cr_) {
      after_cr_ = false;
      if (*p == '\n') {
        ++p;
        --n;
        continue;
      }
    }
    bool ascii;
    const size_t end = find_line_end(p, n, &ascii);
    if (end == n) {
      if (line_.size() + n > options_.max_event_bytes) {
        fail(SseError::kEventTooLarge);
        return error_;
      }
      line_.append(reinterpret_cast<const char*>(p), n);
      break;
    }
    if (line_.empty()) {
      process_line(p, end, ascii, true, handler);
    } else {
      line_.append(reinterpret_cast<const char*>(p), end);
      process_line(reinterpret_cast<const uint8_t*>(line_.data()), line_.size(), false, false, handler);
      line_.clear();
    }
    if (error_ != SseError::kNone) return error_;
    size_t consumed = end + 1;
    if (p[end] == '\r') {
      if (end + 1 < n) {
        if (p[end + 1] == '\n') ++consumed;
      } else {
        after_cr_ = true;
      }
    }
    p += consumed;
    n -= consumed;
  }
  // The input bytes are the caller's: a data line still waiting for its blank line
  // must be copied before they go away.
  if (has_pending_data_) flush_pending_data();
  return error_;
}

void SseParser::flush_pending_data() {
  has_pending_data_ = false;
  data_.append(reinterpret_cast<const char*>(pending_data_), pending_length_);
  data_.push_back('\n');
}

void SseParser::process_line(const uint8_t* line, size_t n, bool ascii, bool stable, SseHandler& handler) {
  if (n > options_.max_event_bytes) {
    fail(SseError::kEventTooLarge);
    return;
  }
  if (n == 0) {
    dispatch(handler);
    return;
  }
  if (line[0] == ':') {
    std::string text;
    append_utf8_decoded(text, line + 1, n - 1);
    handler.on_comment(text);
    return;
  }
  const uint8_t* colon = static_cast<const uint8_t*>(std::memchr(line, ':', n));
  const size_t name_length = colon ? static_cast<size_t>(colon - line) : n;
  const uint8_t* value = colon ? colon + 1 : line + n;
  size_t value_length = colon ? n - name_length - 1 : 0;
  if (value_length > 0 && *value == ' ') {
    ++value;
    --value_length;
  }

  if (equals(line, name_length, "data")) {
    if (has_pending_data_) {
      flush_pending_data();
    } else if (stable && data_.empty()) {
      // The value is at most max_event_bytes - 5 bytes (the line is checked above),
      // so the size check below cannot fail for a first line.
      const size_t valid = ascii ? value_length : utf8_valid_prefix(value, value_length);
      if (valid == value_length) {
        pending_data_ = value;
        pending_length_ = value_length;
        has_pending_data_ = true;
        return;
      }
      // Decoding from the end of the valid prefix gives what decoding all would.
      data_.append(reinterpret_cast<const char*>(value), valid);
      value += valid;
      value_length -= valid;
    }
    append_utf8_decoded(data_, value, value_length);
    data_.push_back('\n');
    // data_ holds one LF per line, the last one not part of the data. (max + 1 would
    // wrap for a limit of SIZE_MAX, "no limit".)
    if (data_.size() - 1 > options_.max_event_bytes) fail(SseError::kEventTooLarge);
  } else if (equals(line, name_length, "event")) {
    if (ascii) {
      // The same type event after event: the buffer keeps it, skip the copy.
      if (!equals(value, value_length, event_type_)) {
        event_type_.assign(reinterpret_cast<const char*>(value), value_length);
      }
    } else {
      event_type_.clear();
      append_utf8_decoded(event_type_, value, value_length);
    }
    has_event_type_ = true;
  } else if (equals(line, name_length, "id")) {
    if (!std::memchr(value, 0, value_length)) {
      last_event_id_buffer_.clear();
      append_utf8_decoded(last_event_id_buffer_, value, value_length);
    }
  } else if (equals(line, name_length, "retry")) {
    if (value_length == 0) return;
    uint64_t ms = 0;
    for (size_t i = 0; i < value_length; ++i) {
      const uint8_t c = value[i];
      if (c < '0' || c > '9') return;
      // Saturate instead of wrapping on absurdly long digit strings.
      ms = ms > (UINT64_MAX - 9) / 10 ? UINT64_MAX : ms * 10 + (c - '0');
    }
    retry_ = ms;
    handler.on_retry(ms);
  } else {
    std::string text;
    append_utf8_decoded(text, line, n);
    handler.on_stray_line(text);
  }
}

void SseParser::dispatch(SseHandler& handler) {
  // Ids rarely change between events: skip the copy when they are equal.
  if (last_event_id_ != last_event_id_buffer_) last_event_id_ = last_event_id_buffer_;
  SseEvent event;
  if (has_pending_data_) {
    has_pending_data_ = false;
    event.data = std::string_view(reinterpret_cast<const char*>(pending_data_), pending_length_);
  } else if (data_.empty()) {
    has_event_type_ = false;
    return;
  } else {
    data_.pop_back();
    event.data = data_;
  }
  event.type = !has_event_type_ || event_type_.empty() ? kMessage : std::string_view(event_type_);
  event.id = last_event_id_;
  handler.on_event(event);
  data_.clear();
  has_event_type_ = false;
}

void SseParser::end() {
  // An id field of the discarded incomplete event must not leak into the next
  // connection: the buffer restarts from the last dispatched id.
  last_event_id_buffer_ = last_event_id_;
  line_.clear();
  data_.clear();
  has_pending_data_ = false;
  has_event_type_ = false;
  error_ = SseError::kNone;
  bom_matched_ = 0;
  bom_done_ = false;
  after_cr_ = false;
}

void SseParser::reset() {
  end();
  last_event_id_buffer_.clear();
  last_event_id_.clear();
  retry_.reset();
}

}  // namespace ssew
