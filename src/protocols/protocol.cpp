#include "protocol.h"

#include "ai_sdk_protocol.h"
#include "anthropic_protocol.h"
#include "gemini_protocol.h"
#include "native_protocol.h"
#include "openai_chat_protocol.h"
#include "openai_responses_protocol.h"

namespace ssew {

std::unique_ptr<Protocol> make_protocol(std::string_view name) {
  if (name == "native") return std::make_unique<NativeProtocol>();
  if (name == "anthropic") return std::make_unique<AnthropicProtocol>();
  if (name == "ai-sdk") return std::make_unique<AiSdkProtocol>();
  if (name == "gemini") return std::make_unique<GeminiProtocol>();
  if (name == "openai-chat") return std::make_unique<OpenAiChatProtocol>();
  if (name == "openai-responses") return std::make_unique<OpenAiResponsesProtocol>();
  return nullptr;
}

bool is_known_protocol(std::string_view name) { return make_protocol(name) != nullptr; }

std::string_view detect_protocol(const SseEvent& event) {
  // Anthropic first: its nested error event ({"type":"error","error":{...}}) would
  // otherwise pass for the native `error` event.
  if (AnthropicProtocol::is_anthropic_event(event)) return "anthropic";
  if (NativeProtocol::is_native_event(event.type)) return "native";
  if (AiSdkProtocol::is_ai_sdk_event(event)) return "ai-sdk";
  if (GeminiProtocol::is_gemini_event(event)) return "gemini";
  if (OpenAiResponsesProtocol::looks_like_event(event)) return "openai-responses";
  if (event.type == "message" && OpenAiChatProtocol::looks_like_chunk(event.data)) return "openai-chat";
  return "";
}

}  // namespace ssew
