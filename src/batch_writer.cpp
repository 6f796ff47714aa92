#include "batch_writer.h"

#include "utf8.h"

namespace ssew {

BatchWriter::Range BatchWriter::add_text(std::string_view text) {
  Range range;
  range.start = text_units_;
  text_units_ += static_cast<uint32_t>(utf16_length_copy(
      reinterpret_cast<const uint8_t*>(text.data()), text.size(), &text_));
  range.end = text_units_;
  return range;
}

void BatchWriter::push_growing(uint64_t key, uint32_t op, uint32_t part, std::string_view text) {
  // The size and text checks hold whenever extendable_end_ is set (push() resets
  // it); they keep a stale index from ever extending the wrong record.
  if (extendable_end_ != kNoRecord && key == extendable_key_ && extendable_end_ + 1 == words_.size() &&
      words_[extendable_end_] == text_units_) {
    words_[extendable_end_] = add_text(text).end;
    return;
  }
  const Range range = add_text(text);
  words_.push_back(op);
  words_.push_back(part);
  words_.push_back(range.start);
  words_.push_back(range.end);
  extendable_end_ = words_.size() - 1;
  extendable_key_ = key;
}

void BatchWriter::clear() {
  extendable_end_ = kNoRecord;
  words_.clear();
  text_.clear();
  text_units_ = 0;
}

void BatchWriter::publish(BatchHeader& header, uint32_t status) const {
  header.words_address = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(words_.data()));
  header.word_count = static_cast<uint32_t>(words_.size());
  header.text_address = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(text_.data()));
  header.text_bytes = static_cast<uint32_t>(text_.size());
  header.status = status;
}

}  // namespace ssew
