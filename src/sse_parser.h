// sse_parser.h — an incremental, WHATWG-conformant Server-Sent Events parser.
//
// The parser is a push parser: hand it bytes in any chunking with feed(), and it
// calls your SseHandler once per dispatched event, as soon as the blank line that
// completes the event has arrived. The events it produces are identical however
// the stream was split into chunks (this is tested at every split point).
//
// It implements the "Interpreting an event stream" rules of the HTML standard:
//   * the stream is UTF-8 decoded with the WHATWG decoder (invalid sequences become
//     U+FFFD, a multi-byte character may be split across chunks) and one leading
//     BOM is stripped, also when it is itself split across chunks;
//   * lines end with CRLF, LF or CR; a CR ends its line at once (the parser never
//     waits for the next chunk to dispatch), and an LF that directly follows a CR
//     in the next chunk is recognised as the second half of a CRLF;
//   * comments (lines starting with ':'), fields with and without a colon, exactly
//     one leading space stripped from a value, unknown fields ignored;
//   * "data" lines are joined with LF; an event with no data line dispatches
//     nothing; the "event" type resets to "message" after every dispatch;
//   * "id" sets the last event ID buffer unless the value contains U+0000; the last
//     event ID string is updated at every dispatch step, even without data;
//   * "retry" is honoured only when its value is all ASCII digits;
//   * an incomplete event at the end of the stream is discarded by end().
//
// Errors are values: a line or an event's data larger than Options::max_event_bytes
// puts the parser in a latched error state (memory stays bounded: the oversized
// bytes are not kept). Every event dispatched before the error was delivered; feed()
// then ignores input until end() or reset(), after which the parser is usable again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "wire.h"

namespace ssew {

// One dispatched event. The views point into the parser's buffers or into the
// chunk being fed, and are valid only during the SseHandler::on_event call. All
// three are valid UTF-8.
struct SseEvent {
  std::string_view type;  // the "event" field, or "message" when none was given
  std::string_view data;  // "data" lines joined with LF, without the final LF
  std::string_view id;    // the last event ID string at the moment of dispatch
};

// What the parser calls while it consumes bytes.
class SseHandler {
 public:
  virtual ~SseHandler() = default;
  virtual void on_event(const SseEvent& event) = 0;
  // A valid "retry" field set the reconnection time (milliseconds).
  virtual void on_retry(uint64_t /*milliseconds*/) {}
  // A comment line (":..." ), without the colon. Heartbeats arrive here.
  virtual void on_comment(std::string_view /*text*/) {}
  // A line whose field name the spec does not know (ignored by the spec), whole and
  // decoded, without its line ending: e.g. a bare JSON error body some servers send
  // instead of events.
  virtual void on_stray_line(std::string_view /*line*/) {}
};

// SseError (wire.h): kNone, or kEventTooLarge: a single line, or the data of one
// event, exceeded Options::max_event_bytes.

// A stable sentence for an end user describing an error code ("" for kNone); the
// message of a MessageSession that ends on it.
const char* sse_error_message(SseError error);

class SseParser {
 public:
  struct Options {
    // Largest line, and largest data of one event, in bytes. Default 8 MiB. Any
    // value is safe, SIZE_MAX included (no limit): no check adds to it.
    size_t max_event_bytes = size_t{8} << 20;
  };

  SseParser() : SseParser(Options{}) {}
  explicit SseParser(Options options);

  // Consumes one chunk of the stream. Calls handler for every event the chunk
  // completes, in order. Returns the (latched) error state after the chunk; once
  // an error is latched, further input is ignored until end() or reset().
  SseError feed(const uint8_t* bytes, size_t length, SseHandler& handler);
  SseError feed(std::string_view bytes, SseHandler& handler) {
    return feed(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), handler);
  }

  // The connection's stream ended: an incomplete line and an incomplete event are
  // discarded, the error latch is cleared, and the parser is ready for the next
  // connection. last_event_id() and retry() persist, as they do across EventSource
  // reconnections.
  void end();

  // Forgets everything, including last_event_id() and retry().
  void reset();

  SseError error() const { return error_; }
  // The last event ID string, as EventSource's lastEventId ("" initially).
  const std::string& last_event_id() const { return last_event_id_; }
  // The last valid "retry" value in milliseconds, if any was received.
  std::optional<uint64_t> retry() const { return retry_; }
  const Options& options() const { return options_; }

 private:
  // `ascii`: the line is known to be all ASCII (valid UTF-8 as it is). `stable`: the
  // line lies in the bytes of the current feed() call (not in line_), so a view of
  // it stays valid until feed() returns.
  void process_line(const uint8_t* line, size_t length, bool ascii, bool stable, SseHandler& handler);
  void dispatch(SseHandler& handler);
  // Copies a pending data line (see pending_data_) into data_.
  void flush_pending_data();
  bool fail(SseError error);

  Options options_;
  SseError error_ = SseError::kNone;

  // Stream start: how many bytes of a possible BOM have been matched (0..3), and
  // whether the BOM check is over.
  uint8_t bom_matched_ = 0;
  bool bom_done_ = false;
  // The previous chunk ended with a CR: an LF at the start of the next is ignored.
  bool after_cr_ = false;

  std::string line_;            // raw bytes of an incomplete line
  std::string data_;            // decoded data buffer (with a trailing LF per line)
  // The common case, an event's first data line that is valid UTF-8 and lies in the
  // bytes of the current feed(), is not copied: it is kept as this view (its value
  // without the LF) and dispatched from the input directly. It is copied into data_
  // (flush_pending_data) when a second data line arrives or feed() returns.
  const uint8_t* pending_data_ = nullptr;
  size_t pending_length_ = 0;
  bool has_pending_data_ = false;
  std::string event_type_;      // decoded event type buffer (meaningful while has_event_type_)
  bool has_event_type_ = false;  // an event field came since the last dispatch
  std::string last_event_id_buffer_;
  std::string last_event_id_;
  std::optional<uint64_t> retry_;
};

}  // namespace ssew
