// wire.h — the wire contract: every number that the core and its JavaScript mirror
// (web/) must agree on, defined once on this side.
//
// The JavaScript copy is web/wire.js, the one file of web/ that holds these numbers.
// tests/native/wire_contract_test.cpp reads it as text and compares it entry by entry
// with the lists below; it fails when a value differs or when either side has an
// entry the other lacks. So a change here is a change there, in the same commit.
//
// Each list is an X-macro, X(C++ name, value, JavaScript name, ...): the enums (and
// the batch header) are generated from it, and so is the test's table, so nothing on
// this side can be added without the test seeing it. Add entries only at the end of
// an enum's range; a value, once published, means the same forever within a build.
//
// What crosses the boundary (all integers are little-endian, as wasm is):
//
//   Batch     A session answers each call with one batch (batch_writer.h): an array
//             of u32 record words and one UTF-8 text. A record names a string by
//             its [start, end) range in UTF-16 code units of the decoded text (two
//             words). JavaScript finds the batch through the BatchHeader below, at
//             a fixed address per session.
//   SseSession batches: one record of kSseEventWords words per dispatched event
//             (SSEW_SSE_EVENT_WORDS); header status: SseError.
//   MessageSession batches: patch records (SSEW_PATCH_OPS), each its op word and
//             then its fields; header status: Status. The ops header (text_address
//             and text_bytes only) holds a streaming tool input's PartialJsonOp log.
//   PartialJsonOp log: a byte string of records, one op byte each; the ops marked
//             as carrying a text are followed by the text's byte length (u32) and
//             that many bytes of valid UTF-8.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ssew {

// --- Batch header ------------------------------------------------------------------
// X(field, JavaScript word offset name). Five u32, in this order, at the address a
// session's header() has; the fields are rewritten by every call (see
// BatchWriter::publish):
//   words_address  address of the first record word
//   word_count     number of u32 record words
//   text_address   address of the UTF-8 text
//   text_bytes     its length in bytes
//   status         session-defined (SseError for SseSession, Status for MessageSession)
#define SSEW_BATCH_HEADER_FIELDS(X)      \
  X(words_address, "HEADER_WORDS_ADDRESS") \
  X(word_count, "HEADER_WORD_COUNT")       \
  X(text_address, "HEADER_TEXT_ADDRESS")   \
  X(text_bytes, "HEADER_TEXT_BYTES")       \
  X(status, "HEADER_STATUS")

struct BatchHeader {
#define SSEW_WIRE_FIELD(field, js) uint32_t field = 0;
  SSEW_BATCH_HEADER_FIELDS(SSEW_WIRE_FIELD)
#undef SSEW_WIRE_FIELD
};
// The word count JavaScript knows as HEADER_WORDS.
inline constexpr uint32_t kBatchHeaderWords = sizeof(BatchHeader) / sizeof(uint32_t);

// --- SSE event records (SseSession) ------------------------------------------------
// X(word, offset, JavaScript name): the words of one event's record, in dispatch
// order of the events: the type (the "event" field, or "message"), the data, and the
// last event ID at that dispatch, each a range. Consecutive events of one batch with
// the same type or id share one range (JavaScript reuses one string).
#define SSEW_SSE_EVENT_WORDS(X)         \
  X(kTypeStart, 0, "EVENT_TYPE_START")  \
  X(kTypeEnd, 1, "EVENT_TYPE_END")      \
  X(kDataStart, 2, "EVENT_DATA_START")  \
  X(kDataEnd, 3, "EVENT_DATA_END")      \
  X(kIdStart, 4, "EVENT_ID_START")      \
  X(kIdEnd, 5, "EVENT_ID_END")

enum class SseEventWord : uint32_t {
#define SSEW_WIRE_ENUM(name, value, ...) name = value,
  SSEW_SSE_EVENT_WORDS(SSEW_WIRE_ENUM)
};
// Words per event record (JavaScript: EVENT_WORDS).
inline constexpr uint32_t kSseEventWords = 6;

// --- SSE parser errors (SseSession header status) ----------------------------------
// X(name, value, JavaScript error code; "" for none, null in JavaScript).
//   kEventTooLarge: a single line, or the data of one event, exceeded
//   SseParser::Options::max_event_bytes.
#define SSEW_SSE_ERRORS(X)   \
  X(kNone, 0, "")            \
  X(kEventTooLarge, 1, "event_too_large")

enum class SseError : uint8_t { SSEW_SSE_ERRORS(SSEW_WIRE_ENUM) };

// --- Message status and tool state -------------------------------------------------
// X(name, value, the string JavaScript shows). See message_state.h for the model.
#define SSEW_STATUSES(X)         \
  X(kIdle, 0, "idle")            \
  X(kStreaming, 1, "streaming")  \
  X(kDone, 2, "done")            \
  X(kError, 3, "error")          \
  X(kAborted, 4, "aborted")

enum class Status : uint32_t { SSEW_STATUSES(SSEW_WIRE_ENUM) };

#define SSEW_TOOL_STATES(X)                   \
  X(kInputStreaming, 0, "input-streaming")    \
  X(kInputAvailable, 1, "input-available")    \
  X(kOutputAvailable, 2, "output-available")  \
  X(kOutputError, 3, "output-error")

enum class ToolState : uint32_t { SSEW_TOOL_STATES(SSEW_WIRE_ENUM) };

// --- Patch records (MessageSession) ------------------------------------------------
// X(name, op, JavaScript name, words per record with the op word). The fields after
// the op word ("text", "id", "json", ... are ranges, two words; a part number is
// the part's index in the message's parts):
//   kStatus status                      Status value
//   kTextPart part text                 a new text part with its first text
//   kReasoningPart part text            a new reasoning part with its first text
//   kAppend part text                   text or reasoning part grows
//   kToolPart part id name              a new tool part, state input-streaming
//   kToolInputAppend part text          inputText grows (input re-derived lazily)
//   kToolInput part json                the complete input as JSON text (replaces
//                                       inputText and input); lone surrogate
//                                       escapes are "\ufffd", as while streaming
//   kToolState part state               ToolState value
//   kToolOutput part json               the output as JSON text (lone surrogate
//                                       escapes "\ufffd"); state output-available
//   kToolError part text                errorText; state output-error
//   kError message code retryable       the message error; retryable is 0 or 1
//   kFinishReason text
//   kUsage input_tokens output_tokens   (each saturated to 2^32-1)
//   kWarning code message               (bounded: see MessageState::warn())
//   kProtocol name
//   kLastEventId id
#define SSEW_PATCH_OPS(X)                                \
  X(kStatus, 1, "OP_STATUS", 2)                          \
  X(kTextPart, 2, "OP_TEXT_PART", 4)                     \
  X(kReasoningPart, 3, "OP_REASONING_PART", 4)           \
  X(kAppend, 4, "OP_APPEND", 4)                          \
  X(kToolPart, 5, "OP_TOOL_PART", 6)                     \
  X(kToolInputAppend, 6, "OP_TOOL_INPUT_APPEND", 4)      \
  X(kToolInput, 7, "OP_TOOL_INPUT", 4)                   \
  X(kToolState, 8, "OP_TOOL_STATE", 3)                   \
  X(kToolOutput, 9, "OP_TOOL_OUTPUT", 4)                 \
  X(kToolError, 10, "OP_TOOL_ERROR", 4)                  \
  X(kError, 11, "OP_ERROR", 6)                           \
  X(kFinishReason, 12, "OP_FINISH_REASON", 3)            \
  X(kUsage, 13, "OP_USAGE", 3)                           \
  X(kWarning, 14, "OP_WARNING", 5)                       \
  X(kProtocol, 15, "OP_PROTOCOL", 3)                     \
  X(kLastEventId, 16, "OP_LAST_EVENT_ID", 3)

enum class PatchOp : uint32_t { SSEW_PATCH_OPS(SSEW_WIRE_ENUM) };

// --- Partial JSON ops (a streaming tool input's change log) -----------------------
// X(name, op byte, JavaScript name, carries a text). The log is produced by
// PartialJson::ops() (partial_json.h) and replayed by web/partial-value.js.
//
// The consumer keeps a tree (initially empty, no value) and a stack of open
// containers and strings. A "value slot" is where the next value goes: the top
// level (the first and only value), the member of the innermost open object named
// by the Key op just before, or the next item of the innermost open array.
//   kBeginObject   An empty object becomes the value of the current slot and is
//                  opened (pushed).
//   kBeginArray    An empty array becomes the value of the current slot and is
//                  opened (pushed).
//   kKey (text)    The key of the next member of the innermost open object. Emitted
//                  only when that member's value starts, and always directly
//                  followed by the op of that value. A key may repeat an earlier key
//                  of the same object: the new value replaces the old one, as in
//                  JSON.parse.
//   kString (text) A string becomes the value of the current slot, with `text`
//                  (possibly empty) as its initial content, and is opened (pushed).
//   kStringAppend (text) The innermost open string grows by `text` (whole UTF-8
//                  characters).
//   kNumber (text) A number becomes the value of the current slot; `text` is the
//                  JSON text of its best-effort value (e.g. "12" while "12." is
//                  being typed).
//   kNumberAppend (text) The number most recently started, still being typed,
//                  grows: its best-effort JSON text is now the previous one followed
//                  by `text` ("12" and ".5" give "12.5"; "1" and "e5" give "1e5").
//                  The best-effort text of a number is its longest valid prefix,
//                  which only ever grows, so appends suffice and a number typed over
//                  many fragments costs O(its length) in ops, like a string. The
//                  number is always the last value of the innermost open container
//                  (or the top-level value), and its value is the JSON number of the
//                  whole text (JSON.parse reads a text too large for a double as
//                  Infinity). A consumer keeps the text and converts it when it
//                  reads the value, not at every append.
//   kTrue, kFalse, kNull  The literal becomes the value of the current slot
//                  (emitted at its first letter).
//   kEnd           The innermost open container or string is closed (popped).
// A text is whole UTF-8 characters (it may contain U+0000) and never longer than the
// JSON text itself, so PartialJsonLimits::max_bytes below 4 GiB keeps every length
// in range. The ops that carry a text are contiguous (JavaScript tests the range
// JSON_TEXT_FIRST..JSON_TEXT_LAST).
#define SSEW_PARTIAL_JSON_OPS(X)                          \
  X(kBeginObject, 1, "JSON_BEGIN_OBJECT", false)          \
  X(kBeginArray, 2, "JSON_BEGIN_ARRAY", false)            \
  X(kKey, 3, "JSON_KEY", true)                            \
  X(kString, 4, "JSON_STRING", true)                      \
  X(kStringAppend, 5, "JSON_STRING_APPEND", true)         \
  X(kNumber, 6, "JSON_NUMBER", true)                      \
  X(kNumberAppend, 7, "JSON_NUMBER_APPEND", true)         \
  X(kTrue, 8, "JSON_TRUE", false)                         \
  X(kFalse, 9, "JSON_FALSE", false)                       \
  X(kNull, 10, "JSON_NULL", false)                        \
  X(kEnd, 11, "JSON_END", false)

enum class PartialJsonOp : uint8_t { SSEW_PARTIAL_JSON_OPS(SSEW_WIRE_ENUM) };

#undef SSEW_WIRE_ENUM

}  // namespace ssew
