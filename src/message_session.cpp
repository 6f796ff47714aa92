#include "message_session.h"

#include "protocols/errors.h"
#include "size_hints.h"

namespace ssew {
namespace {

// Protocols whose decoder reads stray lines (bare JSON outside SSE fields), so a
// stray line may choose them.
bool reads_stray_lines(std::string_view name) { return name == "openai-chat" || name == "gemini"; }

}  // namespace

SSEW_COLD MessageSession::MessageSession(Options options) : parser_(options.sse), state_(options.limits) {
  if (options.protocol != "auto") {
    if (is_known_protocol(options.protocol)) {
      choose(options.protocol);
    } else {
      state_.warn("unknown_protocol", "Unknown protocol '", options.protocol, "'; detecting it instead");
    }
  }
  publish();
}

MessageSession::~MessageSession() = default;

std::string_view MessageSession::protocol() const {
  return protocol_ ? protocol_->name() : std::string_view();
}

void MessageSession::choose(std::string_view name) {
  report_ignored(false);
  if (!hint_.empty() && hint_ != name) {
    state_.warn("protocol_hint_mismatch", "The response said '", hint_,
                "' but the stream's events are '" + std::string(name) + "'; they are read as '" + std::string(name) + "'");
  }
  protocol_ = make_protocol(name);
  state_.set_protocol(protocol_->name());
  std::vector<PendingEvent> pending;
  pending.swap(pending_);
  pending_bytes_ = 0;
  for (const PendingEvent& e : pending) {
    if (e.stray_line) {
      protocol_->on_stray_line(e.data, state_);
      continue;
    }
    SseEvent event{e.type, e.data, e.id};
    protocol_->on_event(event, state_);
  }
}

SSEW_COLD void MessageSession::queue(std::string_view type, std::string_view data, std::string_view id,
                                     bool stray_line) {
  if (state_.terminal()) return release_pending();  // the message is over: nothing is worth keeping
  const size_t cost = type.size() + data.size() + id.size() + kPendingOverhead;
  if (queue_full_ || cost > kMaxPendingBytes - pending_bytes_) {
    ignored_events_ += 1;
    ignored_bytes_ += data.size();
    if (!queue_full_) {
      queue_full_ = true;
      release_pending();
      report_ignored(true);
    }
    return;
  }
  if (!state_.reserve(cost)) return release_pending();  // message_too_large: recorded by reserve
  pending_.push_back({std::string(type), std::string(data), std::string(id), stray_line});
  pending_bytes_ += cost;
}

SSEW_COLD void MessageSession::release_pending() {
  for (const PendingEvent& e : pending_) {
    ignored_events_ += 1;
    ignored_bytes_ += e.data.size();
  }
  std::vector<PendingEvent>().swap(pending_);
  pending_bytes_ = 0;
}

SSEW_COLD void MessageSession::report_ignored(bool detecting) {
  if (ignored_events_ == 0 || state_.terminal()) return;
  state_.warn("undetected_events",
              std::to_string(ignored_events_) + " event(s) or line(s) (" + std::to_string(ignored_bytes_) +
                  " bytes of data) arrived before any event told the stream's protocol and were ignored" +
                  (detecting ? "; detection goes on" : ""));
  ignored_events_ = 0;
  ignored_bytes_ = 0;
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
    // The sentence is the parser's (it names the limit); code and retryable the table's.
    const ErrorCodeInfo& info = error_code_info(errc::kEventTooLarge);
    state_.set_error(sse_error_message(parser_.error()), info.code, info.retryable);
  }
  publish();
}

void MessageSession::on_event(const SseEvent& event) {
  if (protocol_) return protocol_->on_event(event, state_);
  const std::string_view detected = detect_protocol(event);
  if (detected.empty()) return queue(event.type, event.data, event.id, false);
  choose(detected);
  protocol_->on_event(event, state_);
}

void MessageSession::on_stray_line(std::string_view line) {
  if (protocol_) return protocol_->on_stray_line(line, state_);
  // A bare JSON body (an error some servers send instead of SSE) can tell too.
  const std::string_view detected = detect_protocol(SseEvent{"message", line, ""});
  if (!reads_stray_lines(detected)) return queue("", line, "", true);
  choose(detected);
  protocol_->on_stray_line(line, state_);
}

SSEW_COLD void MessageSession::end_connection() {
  begin_call();
  parser_.end();
  if (protocol_) protocol_->on_end_connection(state_);
  publish();
}

SSEW_COLD void MessageSession::end() {
  begin_call();
  parser_.end();
  if (!protocol_) {
    std::string_view fallback = hint_.empty() ? std::string_view("native") : std::string_view(hint_);
    // Stray lines that only together form a value (a pretty-printed JSON error body).
    std::string joined;
    if (hint_.empty()) {
      for (const PendingEvent& e : pending_) {
        if (e.stray_line) joined.append(e.data).push_back('\n');
      }
      const std::string_view detected = detect_protocol(SseEvent{"message", joined, ""});
      if (reads_stray_lines(detected)) fallback = detected;
    }
    if (fallback == "native") {
      // Native ignores unknown events and stray lines: say so rather than drop them silently.
      for (const PendingEvent& e : pending_) {
        ignored_events_ += 1;
        ignored_bytes_ += e.data.size();
      }
    }
    const bool whole_body = fallback == "openai-chat";
    choose(std::string(fallback));
    // Gemini collects multi-line JSON itself; OpenAI chat reads one value per line.
    if (whole_body) protocol_->on_stray_line(joined, state_);
  }
  protocol_->on_end(state_);
  publish();
}

SSEW_COLD void MessageSession::fail(std::string_view message, std::string_view code, bool retryable) {
  begin_call();
  state_.set_error(message, code, retryable);
  publish();
}

SSEW_COLD void MessageSession::abort() {
  begin_call();
  state_.abort();
  publish();
}

SSEW_COLD void MessageSession::hint_protocol(std::string_view name) {
  begin_call();
  if (!protocol_ && is_known_protocol(name)) hint_.assign(name);
  publish();
}

void MessageSession::take_tool_input_ops(size_t part) {
  const std::string_view ops = state_.take_tool_input_ops(part);
  ops_header_.text_address = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(ops.data()));
  ops_header_.text_bytes = static_cast<uint32_t>(ops.size());
}

}  // namespace ssew
