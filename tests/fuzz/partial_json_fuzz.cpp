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
//   * the ops are O(input): every decoded byte travels in one op only (a long number
//     no longer re-sends its text per fragment), so in all they are at most 6 bytes
//     per byte of text (a 5-byte record header per token start, the text itself)
//     plus 5 per fragment (one append record for the string or number left open);
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

#include "../native/partial_json_oracle.h"
#include "partial_json.h"

namespace {

using nlohmann::json;
using ssew::PartialJson;
using ssew::PartialJsonError;
using ssew::PartialJsonOp;
using ssew::testing::Applier;
using ssew::testing::consistent;
using ssew::testing::rejected_for_number_overflow;

#define FUZZ_CHECK(cond)                                                              \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
      std::abort();                                                                   \
    }                                                                                 \
  } while (0)


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
  size_t ops_bytes = 0, fragments = 0;
  do {
    const size_t n = sizes.empty() ? text.size() : std::min(sizes[k++ % sizes.size()], text.size() - i);
    const PartialJsonError before = p.error();
    const PartialJsonError error = p.append(std::string_view(text).substr(i, n));
    FUZZ_CHECK(error == p.error());
    if (before != PartialJsonError::kNone) FUZZ_CHECK(p.ops().empty());
    FUZZ_CHECK(applier.apply(p.ops()));
    ops_bytes += p.ops().size();
    ++fragments;
    FUZZ_CHECK(ops_bytes <= 6 * p.text().size() + 5 * fragments);
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
