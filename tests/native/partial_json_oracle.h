// partial_json_oracle.h — test oracles for PartialJson, shared by the GoogleTest
// tests and the fuzz target: decoding its change log, a tiny applier that replays
// the log on an nlohmann::json tree (what the JavaScript mirror does), and the
// "consistent with the final value" relation.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "partial_json.h"

namespace ssew::testing {

using nlohmann::json;

// Success, or why replaying failed.
struct ApplyResult {
  std::string error;
  explicit operator bool() const { return error.empty(); }
};

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

inline bool rejected_for_number_overflow(const std::string& text) {
  OverflowProbe probe;
  return !json::sax_parse(text, &probe) && probe.overflow;
}

inline ApplyResult fail(std::string why) { return ApplyResult{why.empty() ? "failed" : std::move(why)}; }

struct OpRecord {
  PartialJsonOp op;
  std::string text;
  bool operator==(const OpRecord& other) const { return op == other.op && text == other.text; }
};

inline std::ostream& operator<<(std::ostream& os, const OpRecord& record) {
  os << "{" << static_cast<int>(record.op);
  if (!record.text.empty()) os << ", \"" << record.text << "\"";
  return os << "}";
}

inline bool op_has_text(PartialJsonOp op) {
  const int v = static_cast<int>(op);
  return v >= 3 && v <= 7;
}

// Decodes the byte layout documented in partial_json.h into `records`.
inline ApplyResult decode_ops(const std::string& bytes, std::vector<OpRecord>* records) {
  size_t i = 0;
  while (i < bytes.size()) {
    const auto op = static_cast<PartialJsonOp>(static_cast<uint8_t>(bytes[i++]));
    const int v = static_cast<int>(op);
    if (v < 1 || v > 11) return fail("unknown op byte " + std::to_string(v));
    OpRecord record{op, {}};
    if (op_has_text(op)) {
      if (bytes.size() - i < 4) return fail("truncated op length");
      uint32_t length = 0;
      for (int k = 0; k < 4; ++k) length |= uint32_t{static_cast<uint8_t>(bytes[i + k])} << (8 * k);
      i += 4;
      if (bytes.size() - i < length) return fail("truncated op text");
      record.text = bytes.substr(i, length);
      i += length;
    }
    records->push_back(std::move(record));
  }
  return {};
}

// The "tiny applier" a JavaScript consumer would be: a tree, a stack of open
// containers and strings, and the slot rules of the header. It also checks the
// protocol's own rules (Key directly before a value, NumberAppend only right after
// the number it updates, one top-level value).
class Applier {
 public:
  ApplyResult apply(const std::string& bytes) {
    std::vector<OpRecord> records;
    if (ApplyResult decoded = decode_ops(bytes, &records); !decoded) return decoded;
    for (const OpRecord& r : records) {
      if (ApplyResult result = apply_one(r); !result) return result;
    }
    return settle_number();
  }
  bool has_value() const { return has_root_; }
  const json& value() const { return root_; }

 private:
  ApplyResult apply_one(const OpRecord& r) {
    const bool is_value_op = r.op != PartialJsonOp::kKey && r.op != PartialJsonOp::kStringAppend &&
                             r.op != PartialJsonOp::kNumberAppend && r.op != PartialJsonOp::kEnd;
    if (key_pending_ && !is_value_op) return fail("Key not followed by a value op");
    if (r.op != PartialJsonOp::kNumberAppend) {
      // Before the next op can move the tree (a push into the number's array).
      if (ApplyResult settled = settle_number(); !settled) return settled;
      last_number_ = nullptr;
    }
    switch (r.op) {
      case PartialJsonOp::kBeginObject:
      case PartialJsonOp::kBeginArray: {
        json* slot = next_slot();
        if (slot == nullptr) return fail("no slot for a container");
        *slot = r.op == PartialJsonOp::kBeginObject ? json::object() : json::array();
        stack_.push_back(slot);
        return {};
      }
      case PartialJsonOp::kKey:
        if (stack_.empty() || !stack_.back()->is_object()) return fail("Key outside an object");
        key_ = r.text;
        key_pending_ = true;
        return {};
      case PartialJsonOp::kString: {
        json* slot = next_slot();
        if (slot == nullptr) return fail("no slot for a string");
        *slot = r.text;
        stack_.push_back(slot);
        return {};
      }
      case PartialJsonOp::kStringAppend:
        if (stack_.empty() || !stack_.back()->is_string()) return fail("StringAppend without an open string");
        stack_.back()->get_ref<std::string&>() += r.text;
        return {};
      case PartialJsonOp::kNumber:
      case PartialJsonOp::kNumberAppend: {
        // The applier keeps the number's text, as the JavaScript mirror does, and the
        // slot holds the number that text reads as.
        json* slot = r.op == PartialJsonOp::kNumber ? next_slot() : last_number_;
        if (slot == nullptr) return fail(std::string("no slot for number op ") + std::to_string(static_cast<int>(r.op)));
        if (r.op == PartialJsonOp::kNumber) {
          number_text_ = r.text;
        } else {
          if (r.text.empty()) return fail("empty NumberAppend");
          number_text_ += r.text;
        }
        // Converted once per apply() or when the next op comes, not per append, so
        // that replaying a long number stays linear.
        last_number_ = slot;
        number_pending_ = true;
        return {};
      }
      case PartialJsonOp::kTrue:
      case PartialJsonOp::kFalse:
      case PartialJsonOp::kNull: {
        json* slot = next_slot();
        if (slot == nullptr) return fail("no slot for a literal");
        *slot = r.op == PartialJsonOp::kTrue ? json(true) : r.op == PartialJsonOp::kFalse ? json(false) : json(nullptr);
        return {};
      }
      case PartialJsonOp::kEnd:
        if (stack_.empty()) return fail("End with nothing open");
        stack_.pop_back();
        return {};
    }
    return fail("unknown op");
  }

  // Writes the number being typed into its slot.
  ApplyResult settle_number() {
    if (!number_pending_) return {};
    number_pending_ = false;
    json number = json::parse(number_text_, nullptr, false);
    if (number.is_discarded() && rejected_for_number_overflow(number_text_)) {
      number = std::strtod(number_text_.c_str(), nullptr);  // JSON.parse's Infinity
    }
    if (number.is_discarded() || !number.is_number()) return fail(std::string("bad number text '") + number_text_ + "'");
    *last_number_ = number;
    return {};
  }

  json* next_slot() {
    if (stack_.empty()) {
      if (has_root_) return nullptr;  // a second top-level value
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
    return nullptr;  // inside a string
  }

  json root_;
  bool has_root_ = false;
  std::vector<json*> stack_;  // safe: only the innermost open container ever grows
  std::string key_;
  bool key_pending_ = false;
  json* last_number_ = nullptr;
  std::string number_text_;     // the text of the number last_number_ holds
  bool number_pending_ = false;  // number_text_ changed since it was written to the slot
};

// Whether `partial` may be an intermediate value of `final_value`: strings are
// prefixes, arrays are prefixes whose items but the last are equal, objects hold a
// subset of the keys with consistent values. One number that is still being typed
// may differ (number_slack).
inline bool consistent(const json& partial, const json& final_value, int* number_slack) {
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

}  // namespace ssew::testing
