#include "message_session.h"

namespace ssew {
namespace {

// Events kept while "auto" waits for one it recognises. Past this, the stream is
// not any protocol we know: decide for native (which ignores unknown events).
constexpr size_t kMaxPending = 64;

}  // namespace

MessageSession::MessageSession(Options options) : parser_(options.sse), state_(options.limits) {
  if (options.protocol != "auto") {
    if (is_known_protocol(options.protocol)) {
      choose(options.protocol);
    } else {
      state_.warn("unknown_protocol", "Unknown protocol '" + options.protocol + "'; detecting it instead");
    }
  }
  publish();
}

MessageSession::~MessageSession() = default;

std::string_view MessageSession::protocol() const {
  return protocol_ ? protocol_->name() : std::string_view();
}

void MessageSession::choose(std::string_view name) {
  protocol_ = make_protocol(name);
  state_.set_protocol(protocol_->name());
  std::vector<PendingEvent> pending;
  pending.swap(pending_);
  for (const PendingEvent& e : pending) {
    if (e.stray_line) {
      protocol_->on_stray_line(e.data, state_);
      continue;
    }
    SseEvent event{e.type, e.data, e.id};
    protocol_->on_event(event, state_);
  }
}

uint8_t* MessageSession::input_buffer(size_t capacity) {
  if (input_.size() < capacity) input_.resize(capacity);
  return reinterpret_cast<uint8_t*>(input_.data());
}

void MessageSession::begin_call() { state_.clear_patch(); }

void MessageSession::publish() {
  if (parser_.last_event_id() != last_event_id_) {
    last_event_id_ = parser_.last_event_id();
    state_.set_last_event_id(last_event_id_);
  }
  state_.patch().publish(header_, static_cast<uint32_t>(state_.status()));
}

void MessageSession::feed(size_t length) { feed(reinterpret_cast<const uint8_t*>(input_.data()), length); }

void MessageSession::feed(const uint8_t* bytes, size_t length) {
  begin_call();
  if (parser_.error() == SseError::kNone && parser_.feed(bytes, length, *this) != SseError::kNone) {
    state_.set_error(sse_error_message(parser_.error()), "event_too_large", false);
  }
  publish();
}

void MessageSession::on_event(const SseEvent& event) {
  if (protocol_) return protocol_->on_event(event, state_);
  std::string_view detected = detect_protocol(event);
  if (detected.empty() && pending_.size() >= kMaxPending) detected = "native";
  if (detected.empty()) {
    pending_.push_back({std::string(event.type), std::string(event.data), std::string(event.id)});
    return;
  }
  choose(detected);
  protocol_->on_event(event, state_);
}

void MessageSession::on_stray_line(std::string_view line) {
  if (protocol_) return protocol_->on_stray_line(line, state_);
  if (pending_.size() < kMaxPending) pending_.push_back({"", std::string(line), "", true});
}

void MessageSession::end_connection() {
  begin_call();
  parser_.end();
  publish();
}

void MessageSession::end() {
  begin_call();
  parser_.end();
  if (!protocol_) choose("native");
  protocol_->on_end(state_);
  publish();
}

void MessageSession::fail(std::string_view message, std::string_view code, bool retryable) {
  begin_call();
  state_.set_error(message, code, retryable);
  publish();
}

void MessageSession::abort() {
  begin_call();
  state_.abort();
  publish();
}

void MessageSession::hint_protocol(std::string_view name) {
  begin_call();
  if (!protocol_ && is_known_protocol(name)) choose(name);
  publish();
}

void MessageSession::take_tool_input_ops(size_t part) {
  const std::string_view ops = state_.take_tool_input_ops(part);
  ops_header_.text_address = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(ops.data()));
  ops_header_.text_bytes = static_cast<uint32_t>(ops.size());
}

}  // namespace ssew
