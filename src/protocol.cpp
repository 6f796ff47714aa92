#include "protocol.h"

#include "native_protocol.h"

namespace ssew {

std::unique_ptr<Protocol> make_protocol(std::string_view name) {
  if (name == "native") return std::make_unique<NativeProtocol>();
  return nullptr;
}

bool is_known_protocol(std::string_view name) { return make_protocol(name) != nullptr; }

std::string_view detect_protocol(const SseEvent& event) {
  if (NativeProtocol::is_native_event(event.type)) return "native";
  return "";
}

}  // namespace ssew
