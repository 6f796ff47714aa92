// The per-chunk path of OpenAiChatProtocol (the template memo and the tool-call
// bracket scan), in a file of its own so that it is built for speed while the rest
// of the decoder, which runs once per distinct chunk shape, is built for size.
#include <cstdint>
#include <cstring>

#include "openai_chat_protocol.h"

namespace ssew {
namespace {

bool same_bytes(const char* a, const char* b, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {  // WebAssembly's memcmp goes byte by byte
    uint64_t x, y;
    std::memcpy(&x, a + i, 8);
    std::memcpy(&y, b + i, 8);
    if (x != y) return false;
  }
  for (; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

}  // namespace

// The template memo. A chunk qualifies as a template when its whole effect was one
// string value (choice 0's content, refusal, reasoning_content or reasoning, or the
// arguments of a single fragment extending a started tool call) and every other
// field that could have an effect was absent, null or "". Its bytes before that
// string's opening quote (prefix) and after its closing quote (suffix) are kept. A
// later chunk made of the same prefix, one valid JSON string, and the same suffix
// parses exactly as the template did (the walk never branches on that string's
// value), so its effect is the same call with the new string. For a tool call the
// memo also requires calls_ unchanged since, as fragment matching depends on it.
bool OpenAiChatProtocol::try_template(std::string_view data, MessageState& state) {
  const Template& t = template_;
  if (t.kind == Template::kToolInput && t.calls_version != calls_version_) return false;
  const size_t p = t.prefix.size(), q = t.suffix.size();
  if (data.size() < p + q + 2 || !same_bytes(data.data(), t.prefix.data(), p) ||
      !same_bytes(data.data() + data.size() - q, t.suffix.data(), q)) {
    return false;
  }
  JsonReader reader(data.substr(p, data.size() - p - q));
  JsonStringRef value;
  if (!reader.read_string(value) || !reader.at_end()) return false;  // the full parse decides
  const std::string_view text = value.delta_value(scratch_);
  switch (t.kind) {
    case Template::kText: state.append_text(text); break;
    case Template::kReasoning: state.append_reasoning(text); break;
    case Template::kToolInput:
      if (!text.empty()) {
        calls_[t.call].scan(text);
        state.tool_input_delta(calls_[t.call].id, text);
      }
      break;
    default: return false;
  }
  return true;
}

void OpenAiChatProtocol::Call::scan(std::string_view fragment) {
  scanner.scan(fragment, [this](char c) {
    if (c == '{' || c == '[') {
      ++depth;
    } else if (depth > 0 && --depth == 0) {
      arguments_closed = true;
    }
    return true;
  });
}

}  // namespace ssew
