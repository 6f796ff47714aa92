// protocol.h — a stream format: how one protocol's SSE events become MessageState
// changes. One decoder instance per message; it may keep per-stream state (e.g.
// OpenAI's tool-call index to id map).
//
// Protocols are named ("native" is docs/protocol.md's own vocabulary); the registry
// below lists them all.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "message_state.h"
#include "sse_parser.h"

namespace ssew {

class Protocol {
 public:
  virtual ~Protocol() = default;
  // The protocol's name, as accepted by make_protocol().
  virtual std::string_view name() const = 0;
  // One dispatched SSE event. An event the protocol does not know is ignored; an
  // event it knows but cannot read (invalid JSON) becomes a warning.
  virtual void on_event(const SseEvent& event, MessageState& state) = 0;
  // A line that is not SSE at all (no field name the spec knows, e.g. a bare JSON
  // error body some servers send). Most protocols ignore it.
  virtual void on_stray_line(std::string_view /*line*/, MessageState& /*state*/) {}
  // One connection's bytes ended; the message may go on over a new one (a resume).
  // Most protocols do not care; OpenAI Responses tells replays by it.
  virtual void on_end_connection(MessageState& /*state*/) {}
  // The message's bytes ended for good. The default: without the protocol's end
  // marker (which called state.finish()), the message was interrupted.
  virtual void on_end(MessageState& state) { state.end_of_stream(); }
};

// The registry: every protocol, in the order auto-detection asks them. Each entry
// is { name, detector, factory }; make_protocol, is_known_protocol, detect_protocol
// and protocol_names() all read this one table, and
// tests/native/protocol_tables_test.cpp checks the names web/index.d.ts (the
// `Protocol` type) and the README's protocol table list against it.
struct ProtocolEntry {
  std::string_view name;
  // Whether `event` (the first meaningful event of a stream) is of this protocol.
  bool (*detects)(const SseEvent& event);
  std::unique_ptr<Protocol> (*make)();
};
// The table, in detection order.
const ProtocolEntry* protocol_registry(size_t* count);

// The protocol names, in detection order ("auto" is not among them).
std::vector<std::string_view> protocol_names();

// The decoder for `name`, or nullptr when the name is unknown.
std::unique_ptr<Protocol> make_protocol(std::string_view name);

// Auto-detection: the protocol that `event` (the first meaningful event of a
// stream) belongs to: the first entry of the registry whose detector accepts it,
// or "" when this event does not tell (a comment-like ping, an unknown event). An
// error sent before anything else tells as well, so that its message is read by
// the decoder that knows its shape: Anthropic's nested typed error, a Google error
// (with a string status) and the AI SDK's errorText by their own detectors; an
// OpenAI-style `{"error": {...}}` or `{"error": "..."}` (as OpenAI, OpenRouter and
// compatible servers send, also in an event named "error") is "openai-chat"; a
// flat `event: error` with a message is "native".
std::string_view detect_protocol(const SseEvent& event);

// Whether `name` is a protocol make_protocol() knows ("auto" is not a protocol).
bool is_known_protocol(std::string_view name);

}  // namespace ssew
