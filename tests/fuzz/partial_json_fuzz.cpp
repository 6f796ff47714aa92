// libFuzzer target for PartialJson.
//
// Input layout:
//   byte 0        mode: bits 0-2 = how many fragment-size bytes follow (0: the text
//                 is appended whole); bit 3 = also run with tight limits.
//   next n bytes  fragment sizes, (b & 15) + 1 each, used in a cycle.
//   next 2 bytes  (only with bit 3) max_depth = b0 & 7, max_bytes = b1.
//   the rest      the JSON text.
//
// Checked (abort on violation):
//   * after every fragment, replaying the ops gives the value of best_effort_json(),
//     which is valid JSON whenever has_value() (and "" otherwise); a value holding a
//     number beyond a double's range ("1e999", valid JSON that nlohmann::json
//     rejects) is only checked to be rejected for that reason;
//   * the chunking does not change the final state (value, error, offset, text),
//     compared with the text appended whole and byte by byte;
//   * after an error at offset k, the value is the one of text[0, k) parsed alone;
//   * when nlohmann::json accepts the whole text, the parser accepts it too (unless
//     it is deeper than the default limit; texts with a BOM or a NUL byte, which
//     nlohmann::json reads differently, are not compared), the final value
//     equals nlohmann's, and every intermediate value is consistent with it;
//   * when the parser calls a text complete() but nlohmann rejects it, the text holds
//     a surrogate escape (lone surrogates are accepted here, as by JSON.parse) or a
//     number beyond a double's range.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "partial_json.h"

namespace {

using nlohmann::json;
using ssew::PartialJson;
using ssew::PartialJsonError;
using ssew::PartialJsonOp;

#define FUZZ_CHECK(cond)                                                              \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
      std::abort();                                                                   \
    }                                                                                 \
  } while (0)

// nlohmann::json rejects a number too large for a double ("1e999": error 406), which
// JSON's grammar allows and JSON.parse reads as Infinity. States holding one are
// not compared with nlohmann::json; this tells such a rejection from a real one.
class OverflowProbe : public nlohmann::json_sax<json> {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) override {
    overflow = ex.id == 406;
    return false;
  }
  bool overflow = false;
};

bool rejected_for_number_overflow(const std::string& text) {
  OverflowProbe probe;
  return !json::sax_parse(text, &probe) && probe.overflow;
}

// Replays the change log on an nlohmann::json tree, as a JavaScript consumer would.
// Returns false on any protocol violation.
class Applier {
 public:
  bool apply(const std::string& bytes) {
    size_t i = 0;
    while (i < bytes.size()) {
      const auto op = static_cast<PartialJsonOp>(static_cast<uint8_t>(bytes[i++]));
      const int v = static_cast<int>(op);
      if (v < 1 || v > 11) return false;
      std::string text;
      if (v >= 3 && v <= 7) {
        if (bytes.size() - i < 4) return false;
        uint32_t length = 0;
        for (int k = 0; k < 4; ++k) length |= uint32_t{static_cast<uint8_t>(bytes[i + k])} << (8 * k);
        i += 4;
        if (bytes.size() - i < length) return false;
        text = bytes.substr(i, length);
        i += length;
      }
      if (!apply_one(op, text)) return false;
    }
    return true;
  }
  bool has_value() const { return has_root_; }
  const json& value() const { return root_; }

 private:
  bool apply_one(PartialJsonOp op, const std::string& text) {
    const bool is_value_op = op != PartialJsonOp::kKey && op != PartialJsonOp::kStringAppend &&
                             op != PartialJsonOp::kNumberUpdate && op != PartialJsonOp::kEnd;
    if (key_pending_ && !is_value_op) return false;
    if (op != PartialJsonOp::kNumberUpdate) last_number_ = nullptr;
    switch (op) {
      case PartialJsonOp::kBeginObject:
      case PartialJsonOp::kBeginArray: {
        json* slot = next_slot();
        if (slot == nullptr) return false;
        *slot = op == PartialJsonOp::kBeginObject ? json::object() : json::array();
        stack_.push_back(slot);
        return true;
      }
      case PartialJsonOp::kKey:
        if (stack_.empty() || !stack_.back()->is_object()) return false;
        key_ = text;
        key_pending_ = true;
        return true;
      case PartialJsonOp::kString: {
        json* slot = next_slot();
        if (slot == nullptr) return false;
        *slot = text;
        stack_.push_back(slot);
        return true;
      }
      case PartialJsonOp::kStringAppend:
        if (stack_.empty() || !stack_.back()->is_string()) return false;
        stack_.back()->get_ref<std::string&>() += text;
        return true;
      case PartialJsonOp::kNumber:
      case PartialJsonOp::kNumberUpdate: {
        json number = json::parse(text, nullptr, false);
        if (number.is_discarded() && rejected_for_number_overflow(text)) {
          number = std::strtod(text.c_str(), nullptr);
        }
        if (number.is_discarded() || !number.is_number()) return false;
        json* slot = op == PartialJsonOp::kNumber ? next_slot() : last_number_;
        if (slot == nullptr) return false;
        *slot = number;
        last_number_ = slot;
        return true;
      }
      case PartialJsonOp::kTrue:
      case PartialJsonOp::kFalse:
      case PartialJsonOp::kNull: {
        json* slot = next_slot();
        if (slot == nullptr) return false;
        *slot = op == PartialJsonOp::kTrue ? json(true) : op == PartialJsonOp::kFalse ? json(false) : json(nullptr);
        return true;
      }
      case PartialJsonOp::kEnd:
        if (stack_.empty()) return false;
        stack_.pop_back();
        return true;
    }
    return false;
  }

  json* next_slot() {
    if (stack_.empty()) {
      if (has_root_) return nullptr;
      has_root_ = true;
      return &root_;
    }
    json* top = stack_.back();
    if (top->is_object()) {
      if (!key_pending_) return nullptr;
      key_pending_ = false;
      return &(*top)[key_];
    }
    if (top->is_array()) {
      top->push_back(nullptr);
      return &top->back();
    }
    return nullptr;
  }

  json root_;
  bool has_root_ = false;
  std::vector<json*> stack_;
  std::string key_;
  bool key_pending_ = false;
  json* last_number_ = nullptr;
};

// The ops invariant and the validity of best_effort_json() for one state.
void check_ops_match(const PartialJson& p, const Applier& applier) {
  const std::string text = p.best_effort_json();
  FUZZ_CHECK(p.has_value() == applier.has_value());
  if (!p.has_value()) {
    FUZZ_CHECK(text.empty());
    return;
  }
  const json parsed = json::parse(text, nullptr, false);
  if (parsed.is_discarded()) {
    FUZZ_CHECK(rejected_for_number_overflow(text));
    return;
  }
  FUZZ_CHECK(parsed == applier.value());
}

bool consistent(const json& partial, const json& final_value, int* number_slack) {
  if (partial.is_number() && final_value.is_number()) {
    if (partial == final_value) return true;
    if (*number_slack > 0) {
      --*number_slack;
      return true;
    }
    return false;
  }
  if (partial.type() != final_value.type()) return false;
  if (partial.is_string()) {
    const auto& p = partial.get_ref<const std::string&>();
    const auto& f = final_value.get_ref<const std::string&>();
    return f.compare(0, p.size(), p) == 0;
  }
  if (partial.is_array()) {
    if (partial.size() > final_value.size()) return false;
    for (size_t i = 0; i < partial.size(); ++i) {
      if (i + 1 < partial.size()) {
        if (partial[i] != final_value[i]) return false;
      } else if (!consistent(partial[i], final_value[i], number_slack)) {
        return false;
      }
    }
    return true;
  }
  if (partial.is_object()) {
    for (auto it = partial.begin(); it != partial.end(); ++it) {
      auto found = final_value.find(it.key());
      if (found == final_value.end()) return false;
      if (!consistent(it.value(), *found, number_slack)) return false;
    }
    return true;
  }
  return partial == final_value;
}

bool has_duplicate_keys(const std::string& text) {
  std::vector<std::set<std::string>> open;
  bool duplicate = false;
  json::parser_callback_t callback = [&](int /*depth*/, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) {
      open.emplace_back();
    } else if (event == json::parse_event_t::object_end) {
      if (!open.empty()) open.pop_back();
    } else if (event == json::parse_event_t::key && !open.empty()) {
      if (!open.back().insert(parsed.get<std::string>()).second) duplicate = true;
    }
    return true;
  };
  static_cast<void>(json::parse(text, callback, false));
  return duplicate;
}

bool has_surrogate_escape(const std::string& text) {
  for (size_t i = 0; i + 3 < text.size(); ++i) {
    if (text[i] == '\\' && text[i + 1] == 'u' && (text[i + 2] == 'd' || text[i + 2] == 'D')) {
      const char c = text[i + 3];
      if ((c >= '8' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) return true;
    }
  }
  return false;
}

bool is_number_char(char c) {
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

struct Final {
  PartialJsonError error;
  size_t error_offset;
  bool has_value;
  bool complete;
  std::string text;
  std::string json;
  bool operator==(const Final& o) const {
    return error == o.error && error_offset == o.error_offset && has_value == o.has_value &&
           complete == o.complete && text == o.text && json == o.json;
  }
};

Final final_state(const PartialJson& p) {
  return Final{p.error(), p.error_offset(), p.has_value(), p.complete(), p.text(), p.best_effort_json()};
}

struct Snapshot {
  size_t prefix_length;
  bool has_value;
  std::string json;
};

// Feeds `text` in fragments of the cycled `sizes` (whole when empty), checking the
// ops invariant after each, and returns the parser.
PartialJson feed(const std::string& text, const std::vector<size_t>& sizes, PartialJson::Limits limits,
                 std::vector<Snapshot>* snapshots) {
  PartialJson p(limits);
  Applier applier;
  size_t i = 0, k = 0;
  do {
    const size_t n = sizes.empty() ? text.size() : std::min(sizes[k++ % sizes.size()], text.size() - i);
    const PartialJsonError before = p.error();
    const PartialJsonError error = p.append(std::string_view(text).substr(i, n));
    FUZZ_CHECK(error == p.error());
    if (before != PartialJsonError::kNone) FUZZ_CHECK(p.ops().empty());
    FUZZ_CHECK(applier.apply(p.ops()));
    p.clear_ops();
    check_ops_match(p, applier);
    i += n;
    if (error == PartialJsonError::kNone) FUZZ_CHECK(p.text().size() == i);
    if (snapshots != nullptr && error == PartialJsonError::kNone) {
      snapshots->push_back(Snapshot{i, p.has_value(), p.best_effort_json()});
    }
  } while (i < text.size());
  if (p.error() != PartialJsonError::kNone) {
    FUZZ_CHECK(p.error_offset() == p.text().size());
    FUZZ_CHECK(!p.complete());
  } else {
    FUZZ_CHECK(p.error_offset() == 0);
    FUZZ_CHECK(p.text() == text);
  }
  return p;
}

// After an error at offset k, the value is the one of text[0, k) parsed alone.
void check_value_before_error(const PartialJson& p, const std::string& text) {
  if (p.error() == PartialJsonError::kNone) return;
  PartialJson before(p.limits());
  FUZZ_CHECK(before.append(std::string_view(text).substr(0, p.error_offset())) == PartialJsonError::kNone);
  FUZZ_CHECK(before.best_effort_json() == p.best_effort_json());
  FUZZ_CHECK(before.has_value() == p.has_value());
  if (p.error() == PartialJsonError::kTooDeep) {
    const char c = text[p.error_offset()];
    FUZZ_CHECK(c == '[' || c == '{');
  }
  if (p.error() == PartialJsonError::kTooLarge) FUZZ_CHECK(p.error_offset() == p.limits().max_bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  size_t pos = 1;
  std::vector<size_t> sizes;
  for (size_t n = mode & 7; n > 0 && pos < size; --n) sizes.push_back((data[pos++] & 15) + 1);
  PartialJson::Limits tight;
  const bool use_tight = (mode & 8) != 0;
  if (use_tight) {
    if (pos < size) tight.max_depth = data[pos++] & 7;
    if (pos < size) tight.max_bytes = data[pos++];
  }
  const std::string text(reinterpret_cast<const char*>(data) + pos, size - pos);

  std::vector<Snapshot> snapshots;
  const PartialJson chunked = feed(text, sizes, PartialJson::Limits{}, &snapshots);
  const PartialJson whole = feed(text, {}, PartialJson::Limits{}, nullptr);
  const PartialJson bytewise = feed(text, {1}, PartialJson::Limits{}, nullptr);
  const Final final_chunked = final_state(chunked);
  FUZZ_CHECK(final_chunked == final_state(whole));
  FUZZ_CHECK(final_chunked == final_state(bytewise));
  check_value_before_error(chunked, text);

  // nlohmann::json reads a NUL byte as the end of the input, and skips a leading
  // BOM: for such texts it is no reference.
  const bool comparable = text.find('\0') == std::string::npos &&
                          !(text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0);
  const json reference = comparable ? json::parse(text, nullptr, false) : json(json::value_t::discarded);
  if (comparable && !reference.is_discarded()) {
    FUZZ_CHECK(chunked.error() == PartialJsonError::kNone || chunked.error() == PartialJsonError::kTooDeep);
    if (chunked.error() == PartialJsonError::kNone) {
      FUZZ_CHECK(chunked.complete());
      FUZZ_CHECK(chunked.has_value());
      const json final_value = json::parse(chunked.best_effort_json(), nullptr, false);
      FUZZ_CHECK(final_value == reference);
      if (!has_duplicate_keys(text)) {
        for (const Snapshot& s : snapshots) {
          if (!s.has_value) continue;
          const json partial = json::parse(s.json, nullptr, false);
          if (partial.is_discarded()) {
            FUZZ_CHECK(rejected_for_number_overflow(s.json));
            continue;
          }
          int slack = is_number_char(text[s.prefix_length - 1]) ? 1 : 0;
          FUZZ_CHECK(consistent(partial, reference, &slack));
        }
      }
    }
  }
  if (comparable && chunked.complete() && reference.is_discarded()) {
    FUZZ_CHECK(has_surrogate_escape(text) || rejected_for_number_overflow(text));
  }

  if (use_tight) {
    const PartialJson limited = feed(text, sizes, tight, nullptr);
    check_value_before_error(limited, text);
    // Up to its error, the limited parser agrees with the unlimited one.
    if (limited.error() == PartialJsonError::kNone) {
      FUZZ_CHECK(final_state(limited) == final_chunked);
    } else if (chunked.error() == PartialJsonError::kNone || chunked.error_offset() > limited.error_offset()) {
      FUZZ_CHECK(limited.error() != PartialJsonError::kSyntax);
    }
  }
  return 0;
}
