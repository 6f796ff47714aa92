// partial_json.cpp — see partial_json.h for the contract. Comments here say why.
#include "partial_json.h"

#include <algorithm>

#include "utf8.h"
#include "size_hints.h"

namespace ssew {
namespace {

bool is_whitespace(uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

int hex_digit_value(uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decoded string text is kept raw (for the ops) and escaped again for out_: only
// what JSON requires is escaped, so the common case is a plain copy.
void append_json_escaped(std::string& out, const char* bytes, size_t length) {
  static const char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < length; ++i) {
    const unsigned char c = static_cast<unsigned char>(bytes[i]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
}

bool op_has_text(PartialJsonOp op) {
  return op == PartialJsonOp::kKey || op == PartialJsonOp::kString ||
         op == PartialJsonOp::kStringAppend || op == PartialJsonOp::kNumber ||
         op == PartialJsonOp::kNumberAppend;
}

}  // namespace

const char* partial_json_error_message(PartialJsonError error) {
  switch (error) {
    case PartialJsonError::kNone: return "";
    case PartialJsonError::kSyntax: return "the text is not the start of valid JSON";
    case PartialJsonError::kTooDeep: return "JSON nesting is deeper than the limit";
    case PartialJsonError::kTooLarge: return "JSON text is larger than the limit";
  }
  return "unknown error";
}

PartialJson::PartialJson(Limits limits) : limits_(limits) {}

void PartialJson::reset() {
  // Copy first: limits_ belongs to the object being overwritten.
  const Limits limits = limits_;
  *this = PartialJson(limits);
}

PartialJsonError PartialJson::append(std::string_view fragment) {
  if (error_ != PartialJsonError::kNone) return error_;
  // text_ never exceeds max_bytes, so this cannot wrap; bytes past the limit are
  // neither parsed nor stored, which keeps memory bounded for a runaway stream.
  const size_t room = limits_.max_bytes - text_.size();
  const size_t usable = std::min(fragment.size(), room);
  const auto* bytes = reinterpret_cast<const uint8_t*>(fragment.data());
  size_t i = 0;
  while (i < usable) {
    // Long strings dominate tool inputs: copy runs of plain ASCII in bulk instead
    // of dispatching each byte through the state machine.
    if (state_ == State::kString && str_state_ == StrState::kChars && high_surrogate_ == 0) {
      size_t j = i;
      while (j < usable && bytes[j] >= 0x20 && bytes[j] < 0x80 && bytes[j] != '"' &&
             bytes[j] != '\\') {
        ++j;
      }
      if (j > i) {
        emit_string_bytes(fragment.data() + i, j - i);
        i = j;
        continue;
      }
    }
    offset_ = text_.size() + i;
    if (!step(bytes[i])) break;
    ++i;
  }
  if (i > 0) text_.append(fragment.data(), i);  // an empty view may hold a null pointer
  if (error_ == PartialJsonError::kNone && usable < fragment.size()) {
    fail(PartialJsonError::kTooLarge, limits_.max_bytes);
  }
  // Ops are coalesced per fragment: whatever the fragment added to the open string
  // or number goes out as one record, also when the fragment ended in an error.
  flush_ops();
  return error_;
}

bool PartialJson::complete() const {
  if (error_ != PartialJsonError::kNone) return false;
  if (state_ == State::kDone) return true;
  // A top-level number is valid text at every digit; only the next byte can tell
  // whether it goes on, so "complete" means "valid if the stream ended here".
  if (state_ == State::kNumber && stack_.empty()) {
    return num_state_ == NumState::kZero || num_state_ == NumState::kInt ||
           num_state_ == NumState::kFrac || num_state_ == NumState::kExpDigits;
  }
  return false;
}

std::string PartialJson::best_effort_json() const {
  if (!has_value_) return std::string();
  std::string json;
  json.reserve(out_.size() + num_valid_ + stack_.size() + 1);
  json = out_;
  // The number being typed lives outside out_ because its best-effort text is not
  // monotonic in its bytes ("1." shows "1", then "1.5" shows all three).
  if (state_ == State::kNumber) json.append(num_text_, 0, num_valid_);
  if (state_ == State::kString && !in_key_) json += '"';
  for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) json += it->is_object ? '}' : ']';
  return json;
}

SSEW_COLD bool PartialJson::fail(PartialJsonError error, size_t offset) {
  error_ = error;
  error_offset_ = offset;
  return false;
}

// One byte outside the fast path. A byte that ends a number is handed on to the
// state after the number, hence the loop.
bool PartialJson::step(uint8_t c) {
  for (;;) {
    switch (state_) {
      case State::kValue:
        if (is_whitespace(c)) return true;
        return start_value(c);
      case State::kArrayFirst:
        if (is_whitespace(c)) return true;
        if (c == ']') {
          close_container();
          return true;
        }
        return start_value(c);
      case State::kObjectFirst:
        if (c == '}') {
          close_container();
          return true;
        }
        [[fallthrough]];
      case State::kObjectKey:
        if (is_whitespace(c)) return true;
        if (c != '"') return fail(PartialJsonError::kSyntax, offset_);
        begin_string(/*is_key=*/true);
        return true;
      case State::kColon:
        if (is_whitespace(c)) return true;
        if (c != ':') return fail(PartialJsonError::kSyntax, offset_);
        state_ = State::kValue;
        return true;
      case State::kString:
        return string_byte(c);
      case State::kNumber: {
        bool ended = false;
        if (!number_byte(c, &ended)) return false;
        if (!ended) return true;
        continue;
      }
      case State::kLiteral:
        if (c != static_cast<uint8_t>(*literal_rest_)) {
          return fail(PartialJsonError::kSyntax, offset_);
        }
        if (*++literal_rest_ == '\0') value_done();
        return true;
      case State::kAfterValue: {
        if (is_whitespace(c)) return true;
        const bool is_object = stack_.back().is_object;
        if (c == ',') {
          state_ = is_object ? State::kObjectKey : State::kValue;
          return true;
        }
        if (c == (is_object ? '}' : ']')) {
          close_container();
          return true;
        }
        return fail(PartialJsonError::kSyntax, offset_);
      }
      case State::kDone:
        if (is_whitespace(c)) return true;
        return fail(PartialJsonError::kSyntax, offset_);
    }
    return fail(PartialJsonError::kSyntax, offset_);
  }
}

bool PartialJson::start_value(uint8_t c) {
  switch (c) {
    case '{':
    case '[': {
      // Checked before anything changes, so the value stays as it was.
      if (stack_.size() >= limits_.max_depth) return fail(PartialJsonError::kTooDeep, offset_);
      const bool is_object = c == '{';
      make_visible();
      out_ += static_cast<char>(c);
      emit_value_op(is_object ? PartialJsonOp::kBeginObject : PartialJsonOp::kBeginArray, {});
      stack_.push_back(Frame{is_object, false});
      state_ = is_object ? State::kObjectFirst : State::kArrayFirst;
      return true;
    }
    case '"':
      make_visible();
      out_ += '"';
      begin_string(/*is_key=*/false);
      return true;
    case 't':
    case 'f':
    case 'n': {
      // A literal's value is known from its first letter; the rest is only checked.
      static const char kTrue[] = "true", kFalse[] = "false", kNull[] = "null";
      const char* word = c == 't' ? kTrue : c == 'f' ? kFalse : kNull;
      make_visible();
      out_ += word;
      emit_value_op(c == 't'   ? PartialJsonOp::kTrue
                    : c == 'f' ? PartialJsonOp::kFalse
                               : PartialJsonOp::kNull,
                    {});
      literal_rest_ = word + 1;
      state_ = State::kLiteral;
      return true;
    }
    default:
      break;
  }
  if (c == '-' || is_digit(c)) {
    num_text_.assign(1, static_cast<char>(c));
    num_announced_ = false;
    num_emitted_ = 0;
    state_ = State::kNumber;
    if (c == '-') {
      // Not visible yet: "-" alone has no valid number prefix.
      num_state_ = NumState::kMinus;
      num_valid_ = 0;
    } else {
      num_state_ = c == '0' ? NumState::kZero : NumState::kInt;
      make_visible();
      num_valid_ = 1;
    }
    return true;
  }
  return fail(PartialJsonError::kSyntax, offset_);
}

void PartialJson::begin_string(bool is_key) {
  in_key_ = is_key;
  str_state_ = StrState::kChars;
  high_surrogate_ = 0;
  utf8_need_ = 0;
  utf8_have_ = 0;
  if (is_key) {
    key_.clear();
  } else {
    str_announced_ = false;
    str_pending_.clear();
  }
  state_ = State::kString;
}

void PartialJson::end_string() {
  if (in_key_) {
    state_ = State::kColon;
    return;
  }
  flush_ops();  // while state_ still says "in a value string"
  emit(PartialJsonOp::kEnd, {});
  out_ += '"';
  value_done();
}

bool PartialJson::string_byte(uint8_t c) {
  switch (str_state_) {
    case StrState::kChars: {
      if (c < 0x20) return fail(PartialJsonError::kSyntax, offset_);
      // Validate a lead byte before anything is emitted, so that an invalid byte
      // right after a lone high surrogate does not show its U+FFFD.
      uint8_t need = 0, lo = 0x80, hi = 0xBF;
      if (c >= 0x80) {
        const Utf8Lead lead = utf8_lead(c);
        if (lead.need == 0) return fail(PartialJsonError::kSyntax, offset_);
        need = lead.need;
        lo = lead.lower;
        hi = lead.upper;
      }
      // A high surrogate escape is lone once anything but another escape follows.
      if (high_surrogate_ != 0 && c != '\\') {
        high_surrogate_ = 0;
        emit_code_point(0xFFFD);
      }
      if (c == '"') {
        end_string();
      } else if (c == '\\') {
        str_state_ = StrState::kEscape;
      } else if (need != 0) {
        utf8_buf_[0] = static_cast<char>(c);
        utf8_have_ = 1;
        utf8_need_ = need;
        utf8_lo_ = lo;
        utf8_hi_ = hi;
        str_state_ = StrState::kUtf8;
      } else {
        const char ch = static_cast<char>(c);
        emit_string_bytes(&ch, 1);
      }
      return true;
    }
    case StrState::kEscape: {
      if (c == 'u') {
        str_state_ = StrState::kHex;
        hex_count_ = 0;
        hex_value_ = 0;
        return true;
      }
      char decoded;
      switch (c) {
        case '"': decoded = '"'; break;
        case '\\': decoded = '\\'; break;
        case '/': decoded = '/'; break;
        case 'b': decoded = '\b'; break;
        case 'f': decoded = '\f'; break;
        case 'n': decoded = '\n'; break;
        case 'r': decoded = '\r'; break;
        case 't': decoded = '\t'; break;
        default: return fail(PartialJsonError::kSyntax, offset_);
      }
      if (high_surrogate_ != 0) {
        high_surrogate_ = 0;
        emit_code_point(0xFFFD);
      }
      emit_string_bytes(&decoded, 1);
      str_state_ = StrState::kChars;
      return true;
    }
    case StrState::kHex: {
      const int digit = hex_digit_value(c);
      if (digit < 0) return fail(PartialJsonError::kSyntax, offset_);
      hex_value_ = static_cast<uint16_t>((hex_value_ << 4) | digit);
      if (++hex_count_ < 4) return true;
      str_state_ = StrState::kChars;
      const uint16_t unit = hex_value_;
      const bool is_high = unit >= 0xD800 && unit <= 0xDBFF;
      const bool is_low = unit >= 0xDC00 && unit <= 0xDFFF;
      if (high_surrogate_ != 0) {
        if (is_low) {
          emit_code_point(0x10000 + ((uint32_t{high_surrogate_} - 0xD800) << 10) +
                          (unit - 0xDC00));
          high_surrogate_ = 0;
          return true;
        }
        high_surrogate_ = 0;
        emit_code_point(0xFFFD);
      }
      if (is_high) {
        // Held back: the next escape may be its low half.
        high_surrogate_ = unit;
      } else if (is_low) {
        emit_code_point(0xFFFD);
      } else {
        emit_code_point(unit);
      }
      return true;
    }
    case StrState::kUtf8: {
      if (c < utf8_lo_ || c > utf8_hi_) return fail(PartialJsonError::kSyntax, offset_);
      utf8_buf_[utf8_have_++] = static_cast<char>(c);
      utf8_lo_ = 0x80;
      utf8_hi_ = 0xBF;
      // Shown only whole, so a consumer never sees half a character.
      if (--utf8_need_ == 0) {
        emit_string_bytes(utf8_buf_, utf8_have_);
        str_state_ = StrState::kChars;
      }
      return true;
    }
  }
  return fail(PartialJsonError::kSyntax, offset_);
}

bool PartialJson::number_byte(uint8_t c, bool* ended) {
  NumState next;
  switch (num_state_) {
    case NumState::kMinus:
      if (!is_digit(c)) return fail(PartialJsonError::kSyntax, offset_);
      next = c == '0' ? NumState::kZero : NumState::kInt;
      break;
    case NumState::kZero:
    case NumState::kInt:
      if (is_digit(c)) {
        // JSON forbids leading zeros: "01" can never become valid.
        if (num_state_ == NumState::kZero) return fail(PartialJsonError::kSyntax, offset_);
        next = NumState::kInt;
      } else if (c == '.') {
        next = NumState::kDot;
      } else if (c == 'e' || c == 'E') {
        next = NumState::kExp;
      } else {
        return end_number(ended);
      }
      break;
    case NumState::kDot:
      if (!is_digit(c)) return fail(PartialJsonError::kSyntax, offset_);
      next = NumState::kFrac;
      break;
    case NumState::kFrac:
      if (is_digit(c)) {
        next = NumState::kFrac;
      } else if (c == 'e' || c == 'E') {
        next = NumState::kExp;
      } else {
        return end_number(ended);
      }
      break;
    case NumState::kExp:
      if (is_digit(c)) {
        next = NumState::kExpDigits;
      } else if (c == '+' || c == '-') {
        next = NumState::kExpSign;
      } else {
        return fail(PartialJsonError::kSyntax, offset_);
      }
      break;
    case NumState::kExpSign:
      if (!is_digit(c)) return fail(PartialJsonError::kSyntax, offset_);
      next = NumState::kExpDigits;
      break;
    case NumState::kExpDigits:
      if (!is_digit(c)) return end_number(ended);
      next = NumState::kExpDigits;
      break;
    default:
      return fail(PartialJsonError::kSyntax, offset_);
  }
  num_state_ = next;
  num_text_ += static_cast<char>(c);
  // Only states where the text so far is a whole number move the best-effort
  // prefix; "1.", "1e", "1e+" keep showing the last whole one.
  if (next == NumState::kZero || next == NumState::kInt || next == NumState::kFrac ||
      next == NumState::kExpDigits) {
    if (num_valid_ == 0) make_visible();
    num_valid_ = num_text_.size();
  }
  return true;
}

bool PartialJson::end_number(bool* ended) {
  // Only reached from a state where num_text_ is a whole number, so the value does
  // not change: the number just moves from the pending part into out_.
  flush_ops();
  out_ += num_text_;
  num_text_.clear();
  num_valid_ = 0;
  value_done();
  *ended = true;
  return true;
}

void PartialJson::close_container() {
  emit(PartialJsonOp::kEnd, {});
  out_ += stack_.back().is_object ? '}' : ']';
  stack_.pop_back();
  value_done();
}

void PartialJson::value_done() { state_ = stack_.empty() ? State::kDone : State::kAfterValue; }

// A value becomes part of the best-effort value: write what precedes it in out_
// (the separator and, in an object, its key), now and not earlier, because a key
// without a value and a lone "-" are not shown.
void PartialJson::make_visible() {
  if (stack_.empty()) {
    has_value_ = true;
    return;
  }
  Frame& top = stack_.back();
  if (top.has_members) out_ += ',';
  top.has_members = true;
  if (top.is_object) {
    out_ += '"';
    append_json_escaped(out_, key_.data(), key_.size());
    out_ += "\":";
  }
}

void PartialJson::emit_value_op(PartialJsonOp op, std::string_view text) {
  if (!stack_.empty() && stack_.back().is_object) emit(PartialJsonOp::kKey, key_);
  emit(op, text);
}

void PartialJson::emit(PartialJsonOp op, std::string_view text) {
  ops_ += static_cast<char>(op);
  if (!op_has_text(op)) return;
  // Fixed little-endian layout so that JavaScript reads it with a DataView whatever
  // the host's byte order.
  const auto length = static_cast<uint32_t>(text.size());
  for (int shift = 0; shift < 32; shift += 8) ops_ += static_cast<char>((length >> shift) & 0xFF);
  ops_.append(text.data(), text.size());
}

void PartialJson::emit_code_point(uint32_t cp) {
  char buf[4];
  size_t n;
  if (cp < 0x80) {
    buf[0] = static_cast<char>(cp);
    n = 1;
  } else if (cp < 0x800) {
    buf[0] = static_cast<char>(0xC0 | (cp >> 6));
    buf[1] = static_cast<char>(0x80 | (cp & 0x3F));
    n = 2;
  } else if (cp < 0x10000) {
    buf[0] = static_cast<char>(0xE0 | (cp >> 12));
    buf[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    buf[2] = static_cast<char>(0x80 | (cp & 0x3F));
    n = 3;
  } else {
    buf[0] = static_cast<char>(0xF0 | (cp >> 18));
    buf[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    buf[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    buf[3] = static_cast<char>(0x80 | (cp & 0x3F));
    n = 4;
  }
  emit_string_bytes(buf, n);
}

// Decoded characters of the open string: a key is collected whole (it is shown only
// with its value); a value string goes to out_ at once and to the ops at the next
// flush, so a fragment yields one record however many characters it holds.
void PartialJson::emit_string_bytes(const char* bytes, size_t length) {
  if (in_key_) {
    key_.append(bytes, length);
    return;
  }
  append_json_escaped(out_, bytes, length);
  str_pending_.append(bytes, length);
}

void PartialJson::flush_ops() {
  if (state_ == State::kString && !in_key_) {
    if (!str_announced_) {
      // Emitted even when empty: the string is visible from its opening quote.
      emit_value_op(PartialJsonOp::kString, str_pending_);
      str_announced_ = true;
    } else if (!str_pending_.empty()) {
      emit(PartialJsonOp::kStringAppend, str_pending_);
    }
    str_pending_.clear();
  } else if (state_ == State::kNumber && num_valid_ > 0) {
    const std::string_view shown(num_text_.data(), num_valid_);
    if (!num_announced_) {
      emit_value_op(PartialJsonOp::kNumber, shown);
      num_announced_ = true;
      num_emitted_ = num_valid_;
    } else if (num_valid_ != num_emitted_) {
      // The shown text is the longest valid prefix, which only grows: sending only
      // the new bytes keeps a long number O(fragment), where re-sending the whole
      // text made a 130,000-digit number cost gigabytes of ops.
      emit(PartialJsonOp::kNumberAppend, shown.substr(num_emitted_));
      num_emitted_ = num_valid_;
    }
  }
}

}  // namespace ssew
