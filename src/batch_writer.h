// batch_writer.h — the one format in which results leave the core for JavaScript.
//
// A session answers each feed() with one batch: an array of 32-bit words (records
// whose layout the session defines) and one UTF-8 text. Strings are never copied out
// one by one: a record names a string by its [start, end) range in UTF-16 code units
// of the text, so JavaScript decodes the whole text once per batch (one TextDecoder
// call) and takes each string with String.prototype.slice.
//
// BatchHeader (wire.h) is a fixed-address view of the current batch, read straight
// from wasm memory after each call, so that no extra boundary crossing is needed to
// find it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "wire.h"

namespace ssew {

class BatchWriter {
 public:
  struct Range {
    uint32_t start = 0;  // UTF-16 offsets into the decoded text
    uint32_t end = 0;
  };

  // Appends valid UTF-8 `text` and returns where it lies in the decoded text.
  Range add_text(std::string_view text);
  void push(uint32_t word) {
    extendable_end_ = kNoRecord;
    words_.push_back(word);
  }
  void push(Range range) {
    extendable_end_ = kNoRecord;
    words_.push_back(range.start);
    words_.push_back(range.end);
  }
  // Records `op part text` (text as its range), for text that may keep growing:
  // when the last record written was also made by push_growing with the same `key`
  // and nothing was pushed or added since, `text` directly follows that record's
  // text in the batch, so the record's range is extended instead (one record, not
  // one per call). `key` names what grows (e.g. a part), not the op: a record that
  // creates a part can be extended by later appends to that part.
  void push_growing(uint64_t key, uint32_t op, uint32_t part, std::string_view text);
  bool empty() const { return words_.empty(); }
  void clear();

  const std::vector<uint32_t>& words() const { return words_; }
  const std::string& text() const { return text_; }

  // Points `header` at the current contents (addresses are only meaningful in wasm,
  // where pointers are 32-bit; natively they are truncated and must not be used).
  void publish(BatchHeader& header, uint32_t status) const;

 private:
  static constexpr size_t kNoRecord = ~size_t{0};

  std::vector<uint32_t> words_;
  std::string text_;
  uint32_t text_units_ = 0;
  // The index of the end word of the last push_growing record while it is still the
  // last record (kNoRecord otherwise), and its key.
  size_t extendable_end_ = kNoRecord;
  uint64_t extendable_key_ = 0;
};

}  // namespace ssew
