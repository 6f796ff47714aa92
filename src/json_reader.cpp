#include "json_reader.h"

#include <cstring>

#include "json_string.h"
#include "utf8.h"

namespace ssew {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Eight bytes at once (little-endian): a mask with the high bit set in every byte
// that needs a closer look inside a string (a quote, a backslash, a control
// character or a non-ASCII byte), or 0. Each term is the classic "has a zero / has
// a byte less than n" test; a term can flag a byte wrongly only above a byte it
// flags rightly (the borrow runs upward), so the lowest flagged byte is exact.
inline uint64_t attention_mask(uint64_t x) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  const uint64_t quote = x ^ (kOnes * 0x22);
  const uint64_t slash = x ^ (kOnes * 0x5C);
  const uint64_t has_quote = (quote - kOnes) & ~quote;
  const uint64_t has_slash = (slash - kOnes) & ~slash;
  const uint64_t has_control = (x - kOnes * 0x20) & ~x;
  return (has_quote | has_slash | has_control | x) & kHigh;
}

inline bool needs_attention(unsigned char b) { return b == '"' || b == '\\' || b < 0x20 || b >= 0x80; }

inline bool little_endian() {
  const uint16_t probe = 1;
  unsigned char first;
  std::memcpy(&first, &probe, 1);
  return first == 1;
}


// The literal text of a string ref, quotes included (the reader's refs always sit
// between two quotes of the text they came from).
std::string_view literal_of(const JsonStringRef& ref) {
  return std::string_view(ref.body.data() - 1, ref.body.size() + 2);
}

enum class Integral : uint8_t { kYes, kOverflow, kNo };

// Parses a validated JSON number as an integer with magnitude in `magnitude` and
// its sign in `negative`. kOverflow when it is integral but its magnitude does not
// fit in 64 bits (the fraction test comes first, so "1e20" and 2^64 are kOverflow
// while "1e20.5"-like non-integers are kNo).
Integral integral_value(std::string_view raw, uint64_t& magnitude, bool& negative) {
  size_t i = 0;
  negative = false;
  if (i < raw.size() && raw[i] == '-') {
    negative = true;
    ++i;
  }
  // The common case: a plain integer of at most 19 digits (no overflow possible).
  if (raw.size() - i <= 19) {
    uint64_t value = 0;
    size_t k = i;
    while (k < raw.size() && is_digit(raw[k])) value = value * 10 + static_cast<uint64_t>(raw[k++] - '0');
    if (k == raw.size() && k > i) {
      magnitude = value;
      return Integral::kYes;
    }
  }
  // Significant digits (integer then fraction part), without leading zeros.
  const size_t int_begin = i;
  while (i < raw.size() && is_digit(raw[i])) ++i;
  const std::string_view int_digits = raw.substr(int_begin, i - int_begin);
  std::string_view frac_digits;
  if (i < raw.size() && raw[i] == '.') {
    const size_t frac_begin = ++i;
    while (i < raw.size() && is_digit(raw[i])) ++i;
    frac_digits = raw.substr(frac_begin, i - frac_begin);
  }
  int64_t exponent = 0;
  if (i < raw.size() && (raw[i] == 'e' || raw[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < raw.size() && (raw[i] == '+' || raw[i] == '-')) exp_negative = raw[i++] == '-';
    while (i < raw.size() && is_digit(raw[i])) {
      if (exponent < 100000) exponent = exponent * 10 + (raw[i] - '0');
      ++i;
    }
    if (exp_negative) exponent = -exponent;
  }
  if (i != raw.size() || int_digits.empty()) return Integral::kNo;

  // value = digits(int_digits + frac_digits) * 10^(exponent - frac_digits.size())
  uint64_t value = 0;
  int64_t scale = exponent - static_cast<int64_t>(frac_digits.size());
  // Digits that the negative scale cuts off must all be zero.
  std::string digits_storage;  // only for the rare fraction/exponent form
  std::string_view digits = int_digits;
  if (!frac_digits.empty()) {
    digits_storage.assign(int_digits);
    digits_storage.append(frac_digits);
    digits = digits_storage;
  }
  size_t keep = digits.size();
  if (scale < 0) {
    const uint64_t cut = static_cast<uint64_t>(-scale);
    if (cut > digits.size()) {
      // Every digit is after the point: integral only if all are zero.
      for (char c : digits) {
        if (c != '0') return Integral::kNo;
      }
      magnitude = 0;
      return Integral::kYes;
    }
    for (size_t k = digits.size() - cut; k < digits.size(); ++k) {
      if (digits[k] != '0') return Integral::kNo;
    }
    keep = digits.size() - cut;
    scale = 0;
  }
  for (size_t k = 0; k < keep; ++k) {
    const uint64_t d = static_cast<uint64_t>(digits[k] - '0');
    if (value > (UINT64_MAX - d) / 10) return Integral::kOverflow;
    value = value * 10 + d;
  }
  for (int64_t k = 0; k < scale && value != 0; ++k) {
    if (value > UINT64_MAX / 10) return Integral::kOverflow;
    value *= 10;
  }
  magnitude = value;
  return Integral::kYes;
}

}  // namespace

// --- JsonStringRef -----------------------------------------------------------------

std::string_view JsonStringRef::value(std::string& scratch) const {
  if (!escaped) return body;
  scratch.clear();
  if (!decode_json_string(literal_of(*this), scratch)) scratch.clear();
  return scratch;
}

std::string_view JsonStringRef::delta_value(std::string& scratch) const {
  if (!escaped) return body;
  scratch.clear();
  if (!decode_json_string(literal_of(*this), scratch, LoneSurrogates::kKeepAtEdges)) scratch.clear();
  return scratch;
}

void JsonStringRef::append_to(std::string& out) const {
  if (!escaped) {
    out.append(body);
    return;
  }
  const size_t size = out.size();
  if (!decode_json_string(literal_of(*this), out)) out.resize(size);
}

bool JsonStringRef::equals_escaped(std::string_view plain) const {
  if (body.size() < plain.size()) return false;  // escapes only ever shrink
  std::string decoded;
  return decode_json_string(literal_of(*this), decoded) && decoded == plain;
}

bool JsonStringRef::starts_with(std::string_view prefix) const {
  if (!escaped) return body.substr(0, prefix.size()) == prefix;
  std::string decoded;
  return decode_json_string(literal_of(*this), decoded) && decoded.compare(0, prefix.size(), prefix) == 0;
}

// --- JsonValueRef ------------------------------------------------------------------

JsonStringRef JsonValueRef::string() const {
  JsonStringRef ref;
  if (type != JsonType::kString || raw.size() < 2) return ref;
  ref.body = raw.substr(1, raw.size() - 2);
  ref.escaped = escapes >= 0 ? escapes == 1 : ref.body.find('\\') != std::string_view::npos;
  return ref;
}

std::string_view JsonValueRef::string_value(std::string& scratch) const {
  if (type != JsonType::kString) return {};
  return string().value(scratch);
}

std::string_view JsonValueRef::delta_string_value(std::string& scratch) const {
  if (type != JsonType::kString) return {};
  return string().delta_value(scratch);
}

bool JsonValueRef::to_uint64(uint64_t& out) const {
  if (type != JsonType::kNumber) return false;
  uint64_t magnitude;
  bool negative;
  if (integral_value(raw, magnitude, negative) != Integral::kYes) return false;
  if (negative && magnitude != 0) return false;
  out = magnitude;
  return true;
}

bool JsonValueRef::to_count(uint64_t& out) const {
  if (type != JsonType::kNumber) return false;
  uint64_t magnitude = 0;
  bool negative = false;
  switch (integral_value(raw, magnitude, negative)) {
    case Integral::kYes: out = negative ? 0 : magnitude; break;
    case Integral::kOverflow: out = negative ? 0 : UINT64_MAX; break;
    case Integral::kNo: out = 0; break;
  }
  return true;
}

bool JsonValueRef::to_int64(int64_t& out) const {
  if (type != JsonType::kNumber) return false;
  uint64_t magnitude;
  bool negative;
  if (integral_value(raw, magnitude, negative) != Integral::kYes) return false;
  if (negative) {
    if (magnitude > uint64_t{1} << 63) return false;
    out = magnitude == uint64_t{1} << 63 ? INT64_MIN : -static_cast<int64_t>(magnitude);
  } else {
    if (magnitude > static_cast<uint64_t>(INT64_MAX)) return false;
    out = static_cast<int64_t>(magnitude);
  }
  return true;
}

// --- JsonReader --------------------------------------------------------------------

bool JsonReader::fail(const char* what) {
  if (!error_) {
    error_ = what;
    error_offset_ = pos_;
  }
  return false;
}

void JsonReader::skip_space() {
  while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
}

JsonType JsonReader::peek() {
  if (error_) return JsonType::kNone;
  skip_space();
  if (pos_ >= text_.size()) return JsonType::kNone;
  switch (text_[pos_]) {
    case '{': return JsonType::kObject;
    case '[': return JsonType::kArray;
    case '"': return JsonType::kString;
    case 't': return JsonType::kTrue;
    case 'f': return JsonType::kFalse;
    case 'n': return JsonType::kNull;
    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      return JsonType::kNumber;
    default:
      return JsonType::kNone;
  }
}

bool JsonReader::scan_string(JsonStringRef& out) {
  // At the opening quote.
  const char* const data = text_.data();
  const size_t n = text_.size();
  size_t i = pos_ + 1;
  const size_t begin = i;
  bool escaped = false;
  static const bool kWords = little_endian();
  for (;;) {
    // To the next byte that needs attention: eight bytes at a time, then one by one.
    bool found = false;
    if (kWords) {
      while (i + 8 <= n) {
        uint64_t word;
        std::memcpy(&word, data + i, 8);
        if (const uint64_t mask = attention_mask(word)) {
          i += static_cast<size_t>(__builtin_ctzll(mask)) >> 3;
          found = true;
          break;
        }
        i += 8;
      }
    }
    if (!found) {
      while (i < n && !needs_attention(static_cast<unsigned char>(data[i]))) ++i;
    }
    if (i >= n) {
      pos_ = n;
      return fail("unterminated string");
    }
    const auto c = static_cast<unsigned char>(data[i]);
    if (c == '"') break;
    if (c == '\\') {
      escaped = true;
      if (i + 1 >= n) {
        pos_ = n;
        return fail("unterminated string");
      }
      const char e = data[i + 1];
      if (e == 'u') {
        if (i + 6 > n || !is_hex(data[i + 2]) || !is_hex(data[i + 3]) || !is_hex(data[i + 4]) ||
            !is_hex(data[i + 5])) {
          pos_ = i;
          return fail("invalid \\u escape in string");
        }
        i += 6;
      } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
        i += 2;
      } else {
        pos_ = i;
        return fail("invalid escape in string");
      }
    } else if (c < 0x20) {
      pos_ = i;
      return fail("control character in string");
    } else if (c >= 0x80) {
      const size_t len = utf8_sequence_length(reinterpret_cast<const uint8_t*>(text_.data()) + i, text_.size() - i);
      if (len == 0) {
        pos_ = i;
        return fail("invalid UTF-8 in string");
      }
      i += len;
    }
  }
  out.body = text_.substr(begin, i - begin);
  out.escaped = escaped;
  pos_ = i + 1;
  return true;
}

bool JsonReader::scan_number() {
  const size_t n = text_.size();
  size_t i = pos_;
  if (i < n && text_[i] == '-') ++i;
  if (i >= n || !is_digit(text_[i])) {
    pos_ = i;
    return fail("invalid number");
  }
  if (text_[i] == '0') {
    ++i;
  } else {
    while (i < n && is_digit(text_[i])) ++i;
  }
  if (i < n && text_[i] == '.') {
    ++i;
    if (i >= n || !is_digit(text_[i])) {
      pos_ = i;
      return fail("invalid number: digit expected after '.'");
    }
    while (i < n && is_digit(text_[i])) ++i;
  }
  if (i < n && (text_[i] == 'e' || text_[i] == 'E')) {
    ++i;
    if (i < n && (text_[i] == '+' || text_[i] == '-')) ++i;
    if (i >= n || !is_digit(text_[i])) {
      pos_ = i;
      return fail("invalid number: digit expected in exponent");
    }
    while (i < n && is_digit(text_[i])) ++i;
  }
  pos_ = i;
  return true;
}

bool JsonReader::scan_literal(std::string_view word) {
  if (text_.compare(pos_, word.size(), word) != 0) return fail("invalid literal");
  pos_ += word.size();
  return true;
}

bool JsonReader::scan_scalar(JsonType type) {
  switch (type) {
    case JsonType::kString: {
      JsonStringRef ignored;
      return scan_string(ignored);
    }
    case JsonType::kNumber: return scan_number();
    case JsonType::kTrue: return scan_literal("true");
    case JsonType::kFalse: return scan_literal("false");
    case JsonType::kNull: return scan_literal("null");
    default: return fail(pos_ >= text_.size() ? "unexpected end of text" : "value expected");
  }
}

bool JsonReader::skip_container() {
  // An explicit stack (one bit per level: 1 = array) instead of recursion, so that
  // hostile nesting costs no call stack.
  uint64_t kinds[kMaxDepth / 64] = {};
  size_t d = 0;
  const size_t n = text_.size();
  bool at_value = true;  // the cursor is at a value (vs after one)
  for (;;) {
    if (at_value) {
      skip_space();
      if (pos_ >= n) return fail("unexpected end of text");
      const char c = text_[pos_];
      if (c == '{' || c == '[') {
        if (depth_ + d >= kMaxDepth) return fail("nested too deeply");
        const bool array = c == '[';
        if (array) {
          kinds[d >> 6] |= uint64_t{1} << (d & 63);
        } else {
          kinds[d >> 6] &= ~(uint64_t{1} << (d & 63));
        }
        ++d;
        ++pos_;
        skip_space();
        if (pos_ < n && text_[pos_] == (array ? ']' : '}')) {
          ++pos_;
          --d;
          at_value = false;
          continue;
        }
        if (!array) {
          JsonStringRef key;
          if (pos_ >= n || text_[pos_] != '"') return fail("object key expected");
          if (!scan_string(key)) return false;
          skip_space();
          if (pos_ >= n || text_[pos_] != ':') return fail("':' expected after object key");
          ++pos_;
        }
        continue;  // at the first value of the container
      }
      const JsonType type = peek();
      if (!scan_scalar(type)) return false;
      at_value = false;
      continue;
    }
    // After a value.
    if (d == 0) return true;
    skip_space();
    if (pos_ >= n) return fail("unexpected end of text");
    const size_t top = d - 1;
    const bool array = (kinds[top >> 6] >> (top & 63)) & 1;
    const char c = text_[pos_];
    if (c == ',') {
      ++pos_;
      if (!array) {
        skip_space();
        JsonStringRef key;
        if (pos_ >= n || text_[pos_] != '"') return fail("object key expected");
        if (!scan_string(key)) return false;
        skip_space();
        if (pos_ >= n || text_[pos_] != ':') return fail("':' expected after object key");
        ++pos_;
      }
      at_value = true;
    } else if (c == (array ? ']' : '}')) {
      ++pos_;
      --d;
    } else {
      return fail(array ? "',' or ']' expected" : "',' or '}' expected");
    }
  }
}

bool JsonReader::enter_object() {
  if (error_) return false;
  if (peek() != JsonType::kObject) return fail("object expected");
  if (depth_ >= kMaxDepth) return fail("nested too deeply");
  ++pos_;
  ++depth_;
  first_ = true;
  return true;
}

bool JsonReader::next_member(JsonStringRef& key) {
  if (error_) return false;
  if (depth_ == 0) return fail("next_member() outside an object");
  skip_space();
  const size_t n = text_.size();
  if (pos_ >= n) return fail("unexpected end of text");
  if (text_[pos_] == '}') {
    ++pos_;
    --depth_;
    first_ = false;
    return false;
  }
  if (!first_) {
    if (text_[pos_] != ',') return fail("',' or '}' expected");
    ++pos_;
    skip_space();
  }
  first_ = false;
  if (pos_ >= n || text_[pos_] != '"') return fail("object key expected");
  if (!scan_string(key)) return false;
  skip_space();
  if (pos_ >= n || text_[pos_] != ':') return fail("':' expected after object key");
  ++pos_;
  return true;
}

bool JsonReader::enter_array() {
  if (error_) return false;
  if (peek() != JsonType::kArray) return fail("array expected");
  if (depth_ >= kMaxDepth) return fail("nested too deeply");
  ++pos_;
  ++depth_;
  first_ = true;
  return true;
}

bool JsonReader::next_element() {
  if (error_) return false;
  if (depth_ == 0) return fail("next_element() outside an array");
  skip_space();
  if (pos_ >= text_.size()) return fail("unexpected end of text");
  if (text_[pos_] == ']') {
    ++pos_;
    --depth_;
    first_ = false;
    return false;
  }
  if (!first_) {
    if (text_[pos_] != ',') return fail("',' or ']' expected");
    ++pos_;
  }
  first_ = false;
  return true;
}

bool JsonReader::read_value(JsonValueRef& out) {
  if (error_) return false;
  const JsonType type = peek();
  const size_t start = pos_;
  int8_t escapes = -1;
  bool good;
  if (type == JsonType::kString) {
    JsonStringRef s;
    good = scan_string(s);
    escapes = s.escaped ? 1 : 0;
  } else {
    good = (type == JsonType::kObject || type == JsonType::kArray) ? skip_container() : scan_scalar(type);
  }
  if (!good) return false;
  out.type = type;
  out.raw = text_.substr(start, pos_ - start);
  out.escapes = escapes;
  return true;
}

bool JsonReader::skip_value() {
  if (error_) return false;
  const JsonType type = peek();
  return (type == JsonType::kObject || type == JsonType::kArray) ? skip_container() : scan_scalar(type);
}

bool JsonReader::read_string(JsonStringRef& out) {
  if (error_) return false;
  if (peek() != JsonType::kString) return fail("string expected");
  return scan_string(out);
}

bool JsonReader::at_end() {
  if (error_) return false;
  skip_space();
  if (pos_ != text_.size()) return fail("unexpected text after the JSON value");
  return true;
}

bool JsonReader::resume(const Checkpoint& checkpoint, std::string_view prefix) {
  if (error_ || pos_ != 0 || depth_ != 0 || prefix.size() != checkpoint.offset || prefix.empty() ||
      checkpoint.depth > kMaxDepth || text_.size() < prefix.size()) {
    return false;
  }
  // Compared eight bytes at a time (WebAssembly's memcmp goes byte by byte).
  const char* a = text_.data();
  const char* b = prefix.data();
  size_t i = 0;
  for (; i + 8 <= prefix.size(); i += 8) {
    uint64_t x, y;
    std::memcpy(&x, a + i, 8);
    std::memcpy(&y, b + i, 8);
    if (x != y) return false;
  }
  for (; i < prefix.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  pos_ = checkpoint.offset;
  depth_ = checkpoint.depth;
  first_ = checkpoint.first;
  return true;
}

bool JsonReader::validate(std::string_view text) {
  JsonReader reader(text);
  return reader.skip_value() && reader.at_end();
}

}  // namespace ssew
