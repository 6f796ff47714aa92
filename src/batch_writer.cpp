#include "batch_writer.h"

#include "utf8.h"

namespace ssew {

BatchWriter::Range BatchWriter::add_text(std::string_view text) {
  Range range;
  range.start = text_units_;
  text_units_ += static_cast<uint32_t>(
      utf16_length(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  range.end = text_units_;
  text_.append(text);
  return range;
}

void BatchWriter::clear() {
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
