// partial_json.h — a resumable parser for JSON text that arrives in fragments.
//
// An AI model streams the input of a tool call as JSON text, a few bytes at a time
// (3–10 bytes per fragment is typical, hundreds of KB in total). A UI wants to show
// the value as it grows. Re-parsing the whole buffer at every fragment costs
// O(n²) over the stream; PartialJson instead keeps its parse stack and position
// between fragments, so append() costs O(fragment) amortized and never looks at
// earlier text again.
//
// After every append() the parser knows the "best-effort value": the JSON value
// that the text so far most plausibly starts, with the same rules as the npm
// package `partial-json` when every kind of partial value is allowed:
//   * an incomplete string shows the characters decoded so far. An incomplete
//     escape ("\u00", a trailing "\") and an incomplete UTF-8 sequence are not
//     shown until complete; "\uD83D\uDE00" becomes one character (U+1F600); a lone
//     surrogate escape becomes U+FFFD (shown once it is known to be lone);
//   * an incomplete object shows its complete members and the last member if that
//     member's value has started; a key without a value ({"a"  {"a":  {"ab) is
//     left out;
//   * an incomplete array shows its items, the last one possibly partial;
//   * an incomplete number has the value of its longest prefix that is a valid
//     JSON number: "12." is 12, "1e" and "1e+" are 1, "-0" is 0, "-" is no value;
//   * "t", "tr", "tru" are true; "f"… false; "n"… null;
//   * empty or whitespace-only text has no value.
// Text that can no longer be the start of a valid JSON text is a syntax error,
// found at the first byte that makes it so ("{\"a\" 1", "]", "tx", "01", a control
// character inside a string, invalid UTF-8, a second top-level value).
//
// The input must be UTF-8 (RFC 8259): an invalid UTF-8 sequence is a syntax error,
// as it is for nlohmann::json. Unlike nlohmann::json, and like JavaScript's
// JSON.parse, a lone surrogate escape is accepted (it becomes U+FFFD) and a
// leading byte order mark is not (it is a syntax error).
//
// Two ways to read the value:
//   * best_effort_json(): the value as compact JSON text, rebuilt in O(size). For
//     tests and for a final read.
//   * ops(): a change log (see PartialJsonOp) that a JavaScript consumer replays to
//     grow its own copy of the value in place, in O(fragment) per fragment.
//
// Errors are values (the parser never throws): the first error is latched, the
// best-effort value and the ops stay as they were just before the offending byte,
// and further input is ignored until reset().
//
// Not thread-safe; one instance per stream. Copyable and movable (it owns only
// standard containers).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "wire.h"

namespace ssew {

enum class PartialJsonError : uint8_t {
  kNone = 0,
  // The text can no longer be the start of one valid JSON text.
  kSyntax = 1,
  // Opening one more object or array would exceed Limits::max_depth.
  kTooDeep = 2,
  // The text would exceed Limits::max_bytes.
  kTooLarge = 3,
};

// A stable, human-readable description of an error code ("" for kNone). The
// returned string is static; never free it.
const char* partial_json_error_message(PartialJsonError error);

// The records of the change log returned by PartialJson::ops(): PartialJsonOp and
// its encoding are part of the wire contract, in wire.h.

// PartialJson::Limits. Declared outside the class because a nested struct's default
// member initializers cannot be used in a default argument of the enclosing class
// (GCC and Clang reject `PartialJson(Limits limits = Limits{})` otherwise).
struct PartialJsonLimits {
  // Most objects and arrays open at once. Opening one more is kTooDeep.
  size_t max_depth = 128;
  // Most bytes of text accepted in total. A longer text is kTooLarge, and the bytes
  // beyond the limit are neither parsed nor stored. Default 16 MiB.
  size_t max_bytes = size_t{16} << 20;
};

class PartialJson {
 public:
  using Limits = PartialJsonLimits;

  explicit PartialJson(Limits limits = Limits{});

  // Parses the next fragment of the text, resuming exactly where the previous one
  // stopped: a fragment may end anywhere, inside a string, an escape, a UTF-8
  // character, a number or a literal. Costs O(fragment.size()) amortized: earlier
  // text is never looked at again, and every decoded byte of the value goes into the
  // ops once: a key by its Key op when its value starts, a string's characters by
  // String/StringAppend, a number's by Number/NumberAppend (only the bytes the
  // fragment added). So the ops since the last clear_ops() are at most about the
  // size of the text appended since then plus 5 bytes per record (op byte, length),
  // however long a string or number grows. The bytes are copied (into text() and
  // the value, about twice the text's size in all); `fragment` need not outlive the
  // call.
  //
  // Returns the latched error state. At the first error, the bytes before the
  // offending byte are kept and processed, the best-effort value and the ops stay as
  // they were just before that byte, and this fragment's remaining bytes and all
  // later input are ignored until reset().
  PartialJsonError append(std::string_view fragment);

  // The latched error, kNone while the text is still a valid prefix.
  PartialJsonError error() const { return error_; }

  // The byte offset, in the whole text, of the byte at which the error was found
  // (for kTooLarge: Limits::max_bytes, the first byte over the limit). Equals
  // text().size() when error() != kNone; 0 when there is no error.
  size_t error_offset() const { return error_offset_; }

  // True when text() is, as it stands, one complete valid JSON text (surrounding
  // whitespace allowed): a top-level value has been fully parsed. For a top-level
  // number "12" this is already true (and stays so for "123" or "123 "): the text
  // is valid even though more digits might follow. False once an error is latched.
  bool complete() const;

  // True when the best-effort value exists: false for "", "  ", "-", true for "\""
  // (the empty string), "[", "t", "-1". Once true, stays true until reset().
  bool has_value() const { return has_value_; }

  // Every byte accepted so far (after an error: the bytes before the offending
  // byte). The reference stays valid until the next non-const call.
  const std::string& text() const { return text_; }

  // The best-effort value as compact JSON text (no whitespace between tokens;
  // strings escape only '"', '\\' and control characters; numbers keep their
  // original spelling), or "" when !has_value(). O(size of the value): meant for
  // tests and final reads, not for every fragment. A repeated key of an object
  // appears as many times as it was written (a JSON parser keeps the last one).
  std::string best_effort_json() const;

  // The change log since construction, reset() or the last clear_ops(), encoded as
  // described at PartialJsonOp. append() adds as few records as possible: a fragment
  // that only extends a string adds one StringAppend, one that only extends a
  // number adds at most one NumberAppend (carrying only the new digits), one that changes nothing visible (an
  // incomplete escape, whitespace) adds nothing. Replaying every op since reset()
  // on an empty tree yields exactly the value of best_effort_json(), after every
  // append(). The reference stays valid until the next non-const call.
  const std::string& ops() const { return ops_; }

  // Forgets the change log (the consumer has applied it). The parse is unaffected:
  // the next ops continue from the current state.
  void clear_ops() { ops_.clear(); }

  // Forgets everything: text, value, ops, error. The limits are kept.
  void reset();

  const Limits& limits() const { return limits_; }

 private:
  // Where the byte loop is, between tokens or inside one.
  enum class State : uint8_t {
    kValue,        // a value must come (top level, after ':' or after ',' in an array)
    kArrayFirst,   // just after '[': a value or ']'
    kObjectFirst,  // just after '{': a key or '}'
    kObjectKey,    // after ',' in an object: a key must come
    kColon,        // after a key: ':' must come
    kString,       // inside a string (a key when in_key_, else a value)
    kNumber,       // inside a number
    kLiteral,      // inside true / false / null
    kAfterValue,   // after a value inside a container: ',' or the closing bracket
    kDone,         // the top-level value is complete: only whitespace may follow
  };
  // Where the string lexer is, inside kString.
  enum class StrState : uint8_t { kChars, kEscape, kHex, kUtf8 };
  // Where the number lexer is, inside kNumber (JSON's number grammar).
  enum class NumState : uint8_t { kMinus, kZero, kInt, kDot, kFrac, kExp, kExpSign, kExpDigits };

  struct Frame {
    bool is_object;
    bool has_members;  // a member or item is already visible (the next needs a ',')
  };

  bool step(uint8_t byte);
  bool fail(PartialJsonError error, size_t offset);
  bool start_value(uint8_t byte);
  void begin_string(bool is_key);
  void end_string();
  bool string_byte(uint8_t byte);
  bool number_byte(uint8_t byte, bool* ended);
  bool end_number(bool* ended);
  void close_container();
  void value_done();
  void make_visible();
  void emit_value_op(PartialJsonOp op, std::string_view text);
  void emit(PartialJsonOp op, std::string_view text);
  void emit_code_point(uint32_t code_point);
  void emit_string_bytes(const char* bytes, size_t length);
  void flush_ops();

  Limits limits_;
  PartialJsonError error_ = PartialJsonError::kNone;
  size_t error_offset_ = 0;
  size_t offset_ = 0;  // offset of the byte being processed

  std::string text_;
  std::string ops_;
  // The best-effort value as compact JSON, except the parts that close it: the
  // closing '"' of an open string, the closing brackets, and the number being typed.
  std::string out_;

  State state_ = State::kValue;
  std::vector<Frame> stack_;
  bool has_value_ = false;

  // String lexer.
  bool in_key_ = false;
  StrState str_state_ = StrState::kChars;
  uint8_t hex_count_ = 0;
  uint16_t hex_value_ = 0;
  uint16_t high_surrogate_ = 0;  // a complete \uD800–\uDBFF waiting for its pair
  uint8_t utf8_need_ = 0;        // continuation bytes still expected
  uint8_t utf8_have_ = 0;
  uint8_t utf8_lo_ = 0x80, utf8_hi_ = 0xBF;  // range of the next continuation byte
  char utf8_buf_[4] = {};
  std::string key_;              // the decoded key of the member being parsed
  bool str_announced_ = false;   // the String op of the open value string was emitted
  std::string str_pending_;      // decoded text not yet carried by an op

  // Number lexer.
  NumState num_state_ = NumState::kMinus;
  std::string num_text_;       // the number's text so far
  size_t num_valid_ = 0;       // length of its longest valid prefix (0: not visible)
  bool num_announced_ = false;  // the Number op was emitted
  size_t num_emitted_ = 0;     // bytes of num_text_ already carried by Number/NumberAppend

  // Literal lexer.
  const char* literal_rest_ = nullptr;  // the letters still expected
};

}  // namespace ssew
