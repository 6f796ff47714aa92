// native_protocol.h — the native vocabulary of docs/protocol.md: text_delta,
// reasoning_delta, tool_start, tool_delta, tool_result, error, done.
#pragma once

#include "protocol.h"

namespace ssew {

class NativeProtocol : public Protocol {
 public:
  std::string_view name() const override { return "native"; }
  void on_event(const SseEvent& event, MessageState& state) override;
  // True for the event names of the native vocabulary (used by detection).
  static bool is_native_event(std::string_view type);

 private:
  std::string scratch_;
};

}  // namespace ssew
