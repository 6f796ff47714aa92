// sse_session.h — the SSE parser as JavaScript's SSEParser sees it: bytes in through
// a reusable input buffer, one batch of events out per feed.
//
// Batch records (see batch_writer.h), 6 words per event, in dispatch order:
//   type.start, type.end, data.start, data.end, id.start, id.end
// Consecutive events with the same type or id share one range (so JavaScript can
// reuse one string). BatchHeader::status is the parser's SseError after the feed.
#pragma once

#include <cstdint>
#include <string>

#include "batch_writer.h"
#include "sse_parser.h"

namespace ssew {

class SseSession : private SseHandler {
 public:
  explicit SseSession(SseParser::Options options) : parser_(options) {}

  // A buffer of at least `capacity` bytes that the caller fills before feed().
  // The address may change with the capacity; it is stable otherwise.
  uint8_t* input_buffer(size_t capacity);
  size_t input_capacity() const { return input_.size(); }

  // Parses the first `length` bytes of the input buffer; the events it completes are
  // in batch(). Returns the number of events.
  uint32_t feed(size_t length);
  // Parses bytes from anywhere (native callers and tests).
  uint32_t feed(const uint8_t* bytes, size_t length);
  // End of this connection's stream (see SseParser::end); the batch is emptied.
  void end();

  const BatchHeader& header() const { return header_; }
  const BatchWriter& batch() const { return batch_; }
  SseParser& parser() { return parser_; }

 private:
  void on_event(const SseEvent& event) override;

  SseParser parser_;
  BatchWriter batch_;
  BatchHeader header_;
  std::string input_;
  uint32_t events_ = 0;
  std::string last_type_, last_id_;
  BatchWriter::Range type_range_, id_range_;
};

}  // namespace ssew
