// json_reader.h — a small, allocation-free, validating JSON pull reader.
//
// Why: a protocol decoder sees one JSON document per SSE event, and on the hot path
// (an OpenAI chat chunk carrying a few characters of text) it needs two or three
// members out of a dozen. Building a tree (nlohmann::json) for every chunk costs
// allocations for every key and string; this reader walks the text in place
// instead. It never throws and hands out views into the text; the reader itself
// never allocates (decoding an escaped string writes to a buffer the caller passes,
// and comparing one decodes it into a temporary: escaped keys are rare).
//
// The model: a JsonReader is a cursor over one JSON text (RFC 8259). The caller
// walks the structure it expects and skips everything else:
//
//   JsonReader r(text);
//   if (!r.enter_object()) return invalid();
//   JsonStringRef key;
//   while (r.next_member(key)) {             // false at '}' or on an error
//     if (key == "content") {
//       if (!r.read_value(content)) break;   // any value, captured as raw text
//     } else if (!r.skip_value()) {          // validated, not materialized
//       break;
//     }
//   }
//   if (!r.ok() || !r.at_end()) return invalid();
//
// Validation is complete: everything the reader walks or skips is checked against
// the JSON grammar (strings: escapes and control characters; numbers: the exact
// grammar; literals; nesting and separators), and at_end() checks that only
// whitespace follows the top-level value. A text that walks through to at_end()
// without an error is therefore exactly one valid JSON text, which is what lets a
// caller first capture the values it needs (a first, validating pass) and only then
// act on them (so that an invalid document never has half an effect).
//
// UTF-8: the input must be UTF-8. Strings are checked to be well-formed UTF-8 (no
// overlong forms, surrogates or values above U+10FFFF), as nlohmann::json does; a
// lone surrogate *escape* ("\ud800") is accepted, as JSON.parse accepts it (the
// decoder turns it into U+FFFD, or keeps it for pairing: delta_value()). Outside
// strings, any non-ASCII byte is an error.
//
// Depth: objects and arrays may nest up to kMaxDepth levels (counting the levels
// the caller entered and those skip_value() walks); deeper is an error. No protocol
// nests anywhere near that; the limit bounds the work on hostile input.
//
// Errors are values: the first error is latched (ok() turns false, error()
// describes it, error_offset() says where), and every later call fails at once
// without moving. Reading past the end of the text is an error, never a crash.
//
// Duplicate keys are not an error (RFC 8259 leaves them to the reader); a caller
// that assigns captured values as it walks gets JSON.parse's rule: the last wins.
//
// Cost: one pass over the bytes the caller reaches; strings are scanned eight bytes
// at a time up to the next quote, backslash, control or non-ASCII byte. Not
// thread-safe; cheap to construct (a few words), so make one per document. The text
// must outlive the reader and every ref it hands out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace ssew {

// The kind of a JSON value, as seen from its first byte.
enum class JsonType : uint8_t {
  kNone = 0,  // no value: not captured, absent, or the cursor is not at a value
  kNull,
  kFalse,
  kTrue,
  kNumber,
  kString,
  kArray,
  kObject,
};

// A JSON string exactly as it appears in the text: the bytes between its quotes,
// with escapes still unresolved. Valid only while the text it points into lives.
// Made by JsonReader (read_string, next_member) or JsonValueRef::string(): the
// decoding functions rely on `body` sitting between its two quotes in that text.
struct JsonStringRef {
  std::string_view body;  // between the quotes; validated (escapes, UTF-8)
  bool escaped = false;   // body contains at least one backslash escape

  // The decoded string. Without escapes this is `body` itself (no copy); with
  // escapes it is decoded into `scratch` (replacing its content) and a view of
  // `scratch` is returned. A lone surrogate escape becomes U+FFFD, as JSON.parse
  // followed by TextEncoder would produce.
  std::string_view value(std::string& scratch) const;
  // The decoded string as the next piece of streamed text, for MessageState's
  // append_text, append_reasoning and tool_input_delta only: as value(), except that
  // a lone high surrogate escape ending the string and a lone low one starting it
  // are kept in their WTF-8 form (LoneSurrogates::kKeepAtEdges) so that MessageState
  // can pair them with the neighbouring delta of the same part.
  std::string_view delta_value(std::string& scratch) const;
  // Appends the decoded string to `out`.
  void append_to(std::string& out) const;
  // Whether the decoded string equals `plain` ("con\u0074ent" equals "content").
  // Without escapes this is a plain comparison of the bytes (inline: it is the key
  // test of every walk); with escapes the body is decoded first.
  bool equals(std::string_view plain) const {
    if (escaped) return equals_escaped(plain);
    return body.size() == plain.size() && (plain.empty() || std::memcmp(body.data(), plain.data(), plain.size()) == 0);
  }
  bool operator==(std::string_view plain) const { return equals(plain); }
  bool operator!=(std::string_view plain) const { return !equals(plain); }
  // Whether the decoded string starts with `prefix`.
  bool starts_with(std::string_view prefix) const;

 private:
  bool equals_escaped(std::string_view plain) const;
};

// One complete, validated JSON value captured by JsonReader::read_value(): its type
// and its exact text (no surrounding whitespace). A default-constructed value is
// kNone ("absent"). Valid only while the text it points into lives.
struct JsonValueRef {
  JsonType type = JsonType::kNone;
  std::string_view raw;
  // For a string captured by read_value(): 1 if it has an escape, 0 if not (so
  // string() need not look again); -1 (unknown) for a value made by hand.
  int8_t escapes = -1;

  bool present() const { return type != JsonType::kNone; }
  bool is_null() const { return type == JsonType::kNull; }
  // Present and not null: what most protocols mean by "the field is set".
  bool has_value() const { return type != JsonType::kNone && type != JsonType::kNull; }
  bool is_string() const { return type == JsonType::kString; }
  bool is_number() const { return type == JsonType::kNumber; }
  bool is_object() const { return type == JsonType::kObject; }
  bool is_array() const { return type == JsonType::kArray; }
  bool is_bool() const { return type == JsonType::kTrue || type == JsonType::kFalse; }

  // The string (for kString; an empty ref otherwise).
  JsonStringRef string() const;
  // The decoded string for kString, "" otherwise (see JsonStringRef::value).
  std::string_view string_value(std::string& scratch) const;
  // The string for kString as a delta of streamed text, "" otherwise (see
  // JsonStringRef::delta_value).
  std::string_view delta_string_value(std::string& scratch) const;
  // The number as an unsigned 64-bit integer: true for a kNumber that is a
  // non-negative integer representable in 64 bits. An integral number written with
  // a fraction or exponent ("12.0", "1e3") counts; "-0" is 0. False otherwise
  // (fractions, negatives, overflow, other types).
  bool to_uint64(uint64_t& out) const;
  // As to_uint64 for the signed range.
  bool to_int64(int64_t& out) const;
  // The number as a count (token usage): true for every kNumber, false for other
  // types (absent, null, strings: the count is not given). A non-negative integer
  // is its value, saturated at UINT64_MAX ("1e20", 2^64 and beyond give UINT64_MAX,
  // never a wrapped or dropped value); a negative number or a non-integer ("-3",
  // "12.5") is 0: a count the server got wrong is no count, and 0 rather than an
  // earlier value. The one reading every protocol uses for usage counts.
  bool to_count(uint64_t& out) const;
};

class JsonReader {
 public:
  // Containers nest at most this deep (see the header comment).
  static constexpr size_t kMaxDepth = 512;

  explicit JsonReader(std::string_view text) : text_(text) {}

  // --- state -------------------------------------------------------------------
  bool ok() const { return error_ == nullptr; }
  // A static description of the first error, or "" while ok().
  const char* error() const { return error_ ? error_ : ""; }
  // The byte offset where the first error was found (meaningful when !ok()).
  size_t error_offset() const { return error_offset_; }
  // The cursor's byte offset.
  size_t offset() const { return pos_; }
  // Containers currently entered by the caller.
  size_t depth() const { return depth_; }

  // The type of the value at the cursor, judged by its first byte after
  // whitespace, without consuming it. kNone at the end of the text, at a byte that
  // cannot start a value, or after an error (peek() itself latches no error).
  JsonType peek();

  // --- objects -------------------------------------------------------------------
  // Consumes '{' (after whitespace). False (error latched) if the next value is
  // not an object or the depth limit is reached.
  bool enter_object();
  // Inside an object entered with enter_object(): reads the next member's key and
  // its ':' into `key` and returns true; the cursor is then at the member's value,
  // which the caller must consume (read_value, skip_value, read_string, enter_...)
  // before the next call. At '}' it consumes it, leaves the object and returns
  // false with ok() still true. On malformed input it returns false with the
  // error latched. Separators (',') are handled here.
  bool next_member(JsonStringRef& key);

  // --- arrays --------------------------------------------------------------------
  // Consumes '[' (after whitespace). False (error latched) if the next value is
  // not an array or the depth limit is reached.
  bool enter_array();
  // Inside an array entered with enter_array(): true when another element follows
  // (the cursor is at it and the caller must consume it); false at ']' (consumed,
  // the array is left, ok() stays true) or on an error (latched).
  bool next_element();

  // --- values --------------------------------------------------------------------
  // Consumes the value at the cursor, validating it completely, and captures its
  // type and raw text in `out` (containers are skipped, not materialized; walk
  // them later with a JsonReader over out.raw). False on error (latched).
  bool read_value(JsonValueRef& out);
  // Consumes and validates the value at the cursor without capturing it.
  bool skip_value();
  // Consumes a string value into `out`. False (error latched) if the value at the
  // cursor is not a valid string.
  bool read_string(JsonStringRef& out);

  // After the top-level value: true when only whitespace remains (and no error was
  // latched). Latches an error otherwise.
  bool at_end();

  // --- resuming after a known prefix ------------------------------------------------
  // The reader's state depends only on the bytes it has consumed. A Checkpoint
  // records that state; a reader over another text that starts with the same
  // `offset` bytes may resume() from it instead of reading those bytes again. A
  // protocol whose events repeat the same leading members (an OpenAI chunk repeats
  // its id, object, created, model and fingerprint: two thirds of its bytes) keeps
  // the prefix of one event and skips it in the next ones: equal bytes, equal
  // verdict, so validation stays complete.
  struct Checkpoint {
    size_t offset = 0;
    size_t depth = 0;
    bool first = false;
  };
  // The current state (meaningful while ok()).
  Checkpoint checkpoint() const { return Checkpoint{pos_, depth_, first_}; }
  // Resumes at `checkpoint`, taken by a reader whose text started with `prefix`
  // (exactly checkpoint.offset bytes of it), if this reader's text starts with the
  // same bytes and this reader has not moved yet. Returns whether it resumed; when
  // it did not, nothing changed.
  bool resume(const Checkpoint& checkpoint, std::string_view prefix);

  // Convenience: whether `text` is exactly one valid JSON text.
  static bool validate(std::string_view text);

 private:
  bool fail(const char* what);
  void skip_space();
  bool scan_string(JsonStringRef& out);  // at '"'
  bool scan_number();
  bool scan_literal(std::string_view word);
  bool scan_scalar(JsonType type);
  bool skip_container();  // at '{' or '['

  std::string_view text_;
  size_t pos_ = 0;
  size_t depth_ = 0;
  // Right after enter_object()/enter_array(): the next member or element needs no
  // leading ','. Entering a nested container and leaving it returns the cursor to
  // the parent after a value, where a ',' is needed again: one flag suffices.
  bool first_ = false;
  const char* error_ = nullptr;
  size_t error_offset_ = 0;
};

// Walks the members of the JSON object `text`, validating all of it: f(key, value)
// is called for each member in order (value captured by read_value). Returns false
// when `text` is not exactly one valid JSON object; f may then have seen some
// members, so callers only capture in f and act once this returned true.
template <typename F>
bool walk_object(std::string_view text, F&& f) {
  JsonReader reader(text);
  if (!reader.enter_object()) return false;
  JsonStringRef key;
  JsonValueRef value;
  while (reader.next_member(key)) {
    if (!reader.read_value(value)) return false;
    f(key, value);
  }
  return reader.at_end();
}

}  // namespace ssew
