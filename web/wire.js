// wire.js — the wire contract: every number the wasm core and this wrapper must
// agree on, once for all of web/. The C++ side is src/wire.h, which documents each
// record; tests/native/wire_contract_test.cpp reads this file as text and fails when
// an entry here differs from its C++ value, or when either side has an entry the
// other lacks. Change both sides together.
//
// Format (the test parses it; keep to it): one `export const NAME = <integer>;` per
// number, and `export const NAME = Object.freeze([ ... ]);` for a table indexed by a
// C++ enum value (strings in single quotes, or integers, or null).

// --- Batch header (src/wire.h BatchHeader) ----------------------------------------
// Word offsets of the five little-endian u32 at the address a session's header()
// function returns. Every call into a session publishes its batch there.
export const HEADER_WORDS_ADDRESS = 0; // address of the first record word
export const HEADER_WORD_COUNT = 1;    // number of record words
export const HEADER_TEXT_ADDRESS = 2;  // address of the batch's UTF-8 text
export const HEADER_TEXT_BYTES = 3;    // its length in bytes
export const HEADER_STATUS = 4;        // session-defined status
export const HEADER_WORDS = 5;         // words in the header

// --- SSE event records (SseSession batches; src/wire.h SseEventWord) --------------
// One record per dispatched event; strings are [start, end) UTF-16 ranges of the
// batch text.
export const EVENT_TYPE_START = 0;
export const EVENT_TYPE_END = 1;
export const EVENT_DATA_START = 2;
export const EVENT_DATA_END = 3;
export const EVENT_ID_START = 4;
export const EVENT_ID_END = 5;
export const EVENT_WORDS = 6;          // words per event record

// SseSession's header status (SseError) as SSEParser's error codes; null: no error.
export const SSE_ERROR_CODES = Object.freeze([
  null,              // 0 kNone
  'event_too_large', // 1 kEventTooLarge
]);

// --- Message patches (MessageSession batches; src/wire.h PatchOp) -----------------
// A record is its op word, then the words listed (a string is two words: a range).
export const OP_STATUS = 1;            // status (index into STATUS)
export const OP_TEXT_PART = 2;         // part, text
export const OP_REASONING_PART = 3;    // part, text
export const OP_APPEND = 4;            // part, text
export const OP_TOOL_PART = 5;         // part, id, name
export const OP_TOOL_INPUT_APPEND = 6; // part, text
export const OP_TOOL_INPUT = 7;        // part, json
export const OP_TOOL_STATE = 8;        // part, state (index into TOOL_STATE)
export const OP_TOOL_OUTPUT = 9;       // part, json
export const OP_TOOL_ERROR = 10;       // part, text
export const OP_ERROR = 11;            // message, code, retryable (0 or 1)
export const OP_FINISH_REASON = 12;    // text
export const OP_USAGE = 13;            // input tokens, output tokens
export const OP_WARNING = 14;          // code, message
export const OP_PROTOCOL = 15;         // name
export const OP_LAST_EVENT_ID = 16;    // id

// Words per patch record, its op word included; index: the op.
export const OP_WORDS = Object.freeze([
  0, // (no op 0)
  2, // OP_STATUS
  4, // OP_TEXT_PART
  4, // OP_REASONING_PART
  4, // OP_APPEND
  6, // OP_TOOL_PART
  4, // OP_TOOL_INPUT_APPEND
  4, // OP_TOOL_INPUT
  3, // OP_TOOL_STATE
  4, // OP_TOOL_OUTPUT
  4, // OP_TOOL_ERROR
  6, // OP_ERROR
  3, // OP_FINISH_REASON
  3, // OP_USAGE
  5, // OP_WARNING
  3, // OP_PROTOCOL
  3, // OP_LAST_EVENT_ID
]);

// Message status; index: the Status value (OP_STATUS and the header status).
export const STATUS = Object.freeze(['idle', 'streaming', 'done', 'error', 'aborted']);
// Tool part state; index: the ToolState value (OP_TOOL_STATE).
export const TOOL_STATE = Object.freeze(['input-streaming', 'input-available', 'output-available', 'output-error']);

// --- Partial JSON ops (a streaming tool input; src/wire.h PartialJsonOp) ----------
// Bytes at the text address of a MessageSession's ops header: one op byte per
// record; ops JSON_TEXT_FIRST..JSON_TEXT_LAST are followed by a u32 LE byte length
// and that many bytes of UTF-8.
export const JSON_BEGIN_OBJECT = 1;
export const JSON_BEGIN_ARRAY = 2;
export const JSON_KEY = 3;
export const JSON_STRING = 4;
export const JSON_STRING_APPEND = 5;
export const JSON_NUMBER = 6;
export const JSON_NUMBER_APPEND = 7;
export const JSON_TRUE = 8;
export const JSON_FALSE = 9;
export const JSON_NULL = 10;
export const JSON_END = 11;
export const JSON_TEXT_FIRST = 3;      // the first op with a text
export const JSON_TEXT_LAST = 7;       // the last op with a text
