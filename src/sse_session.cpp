#include "sse_session.h"

#include "size_hints.h"

namespace ssew {

uint8_t* SseSession::input_buffer(size_t capacity) {
  if (input_.size() < capacity) input_.resize(capacity);
  return reinterpret_cast<uint8_t*>(input_.data());
}

uint32_t SseSession::feed(size_t length) {
  return feed(reinterpret_cast<const uint8_t*>(input_.data()), length);
}

uint32_t SseSession::feed(const uint8_t* bytes, size_t length) {
  batch_.clear();
  events_ = 0;
  parser_.feed(bytes, length, *this);
  batch_.publish(header_, static_cast<uint32_t>(parser_.error()));
  return events_;
}

SSEW_COLD void SseSession::end() {
  parser_.end();
  batch_.clear();
  batch_.publish(header_, 0);
}

void SseSession::on_event(const SseEvent& event) {
  // Ranges are only reusable within one batch.
  if (events_ == 0 || event.type != last_type_) {
    type_range_ = batch_.add_text(event.type);
    last_type_.assign(event.type);
  }
  const BatchWriter::Range data = batch_.add_text(event.data);
  if (events_ == 0 || event.id != last_id_) {
    id_range_ = batch_.add_text(event.id);
    last_id_.assign(event.id);
  }
  batch_.push(type_range_);
  batch_.push(data);
  batch_.push(id_range_);
  ++events_;
}

}  // namespace ssew
