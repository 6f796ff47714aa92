#include "protocol.h"

#include "ai_sdk_protocol.h"
#include "anthropic_protocol.h"
#include "gemini_protocol.h"
#include "native_protocol.h"
#include "openai_chat_protocol.h"
#include "openai_responses_protocol.h"

namespace ssew {
namespace {

template <typename T>
std::unique_ptr<Protocol> make() {
  return std::make_unique<T>();
}

// An `error` event nesting the error object ({"error":{...}}) is OpenAI's: the
// native error event is flat.
bool nested_error_event(const SseEvent& event) {
  return event.type == "error" && OpenAiChatProtocol::looks_like_error(event.data);
}
bool native_event(const SseEvent& event) {
  return NativeProtocol::is_native_event(event.type) && !nested_error_event(event);
}
bool openai_chat_event(const SseEvent& event) {
  if (event.type == "message") {
    return OpenAiChatProtocol::looks_like_chunk(event.data) || OpenAiChatProtocol::looks_like_error(event.data);
  }
  return nested_error_event(event);
}

// Anthropic first: its nested error event ({"type":"error","error":{...}}) would
// otherwise pass for the native `error` event.
constexpr ProtocolEntry kRegistry[] = {
    {"anthropic", &AnthropicProtocol::is_anthropic_event, &make<AnthropicProtocol>},
    {"native", &native_event, &make<NativeProtocol>},
    {"ai-sdk", &AiSdkProtocol::is_ai_sdk_event, &make<AiSdkProtocol>},
    {"gemini", &GeminiProtocol::is_gemini_event, &make<GeminiProtocol>},
    {"openai-responses", &OpenAiResponsesProtocol::looks_like_event, &make<OpenAiResponsesProtocol>},
    {"openai-chat", &openai_chat_event, &make<OpenAiChatProtocol>},
};

const ProtocolEntry* find(std::string_view name) {
  for (const ProtocolEntry& entry : kRegistry) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

}  // namespace

const ProtocolEntry* protocol_registry(size_t* count) {
  *count = std::size(kRegistry);
  return kRegistry;
}

std::vector<std::string_view> protocol_names() {
  std::vector<std::string_view> names;
  for (const ProtocolEntry& entry : kRegistry) names.push_back(entry.name);
  return names;
}

std::unique_ptr<Protocol> make_protocol(std::string_view name) {
  const ProtocolEntry* entry = find(name);
  return entry ? entry->make() : nullptr;
}

bool is_known_protocol(std::string_view name) { return find(name) != nullptr; }

std::string_view detect_protocol(const SseEvent& event) {
  for (const ProtocolEntry& entry : kRegistry) {
    if (entry.detects(event)) return entry.name;
  }
  return "";
}

}  // namespace ssew
