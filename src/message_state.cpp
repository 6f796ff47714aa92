#include "message_state.h"

#include <algorithm>

#include "json_string.h"
#include "protocols/errors.h"
#include "size_hints.h"

namespace ssew {

struct MessageState::Part {
  PartView::Kind kind = PartView::kText;
  std::string text;  // text/reasoning content; a tool's errorText
  std::string id, name;
  ToolState state = ToolState::kInputStreaming;
  std::unique_ptr<PartialJson> input;  // while the input streams
  std::string input_json;              // once the input is complete
  std::string output_json;
  // A lone high surrogate that ended the last delta, not yet visible (0: none).
  uint32_t held_high = 0;
};

namespace {

constexpr uint32_t kMaxU32 = 0xFFFFFFFFu;
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";     // U+2026

uint32_t saturate(uint64_t v) { return v > kMaxU32 ? kMaxU32 : static_cast<uint32_t>(v); }

bool is_blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

}  // namespace

SSEW_COLD MessageState::MessageState(Limits limits) : limits_(limits) {
  if (limits_.max_json_depth > kMaxJsonDepth) limits_.max_json_depth = kMaxJsonDepth;
}
MessageState::~MessageState() = default;

void MessageState::begin() {
  if (status_ == Status::kIdle) set_status(Status::kStreaming);
}

void MessageState::set_status(Status status) {
  status_ = status;
  patch_.push(static_cast<uint32_t>(PatchOp::kStatus));
  patch_.push(static_cast<uint32_t>(status));
}

bool MessageState::charge(size_t bytes) {
  message_bytes_ += bytes;
  if (message_bytes_ <= limits_.max_message_bytes) return true;
  fail(errc::kMessageTooLarge);
  return false;
}

SSEW_COLD bool MessageState::add_part(std::unique_ptr<Part> part) {
  if (parts_.size() >= limits_.max_parts) {
    fail(errc::kTooManyParts);
    return false;
  }
  // The last part can no longer grow: a surrogate it held back stays lone.
  if (!parts_.empty() && parts_.back()->kind != PartView::kTool) release_held(parts_.size() - 1);
  parts_.push_back(std::move(part));
  break_next_ = false;
  return true;
}

SSEW_COLD bool MessageState::within_depth(std::string_view json) {
  if (json_nesting_depth(json) <= limits_.max_json_depth) return true;
  fail(errc::kJsonTooDeep);
  return false;
}

void MessageState::append_text(std::string_view text) { append(PartView::kText, text); }

void MessageState::append_reasoning(std::string_view text) { append(PartView::kReasoning, text); }

void MessageState::append(PartView::Kind kind, std::string_view text) {
  if (terminal()) return;
  begin();
  if (text.empty() || !charge(text.size())) return;
  const bool extend = !parts_.empty() && !break_next_ && parts_.back()->kind == kind;
  if (!extend) {
    auto part = std::make_unique<Part>();
    part->kind = kind;
    if (!add_part(std::move(part))) return;
  }
  Part& part = *parts_.back();
  const std::string_view visible = pair_surrogates(part, text);
  // A new part is recorded even while its only text is held back, so that part
  // numbers stay in step with JavaScript.
  if (visible.empty() && extend) return;
  part.text.append(visible);
  // Consecutive appends to the part within one patch become one record.
  const PatchOp op = extend ? PatchOp::kAppend : kind == PartView::kText ? PatchOp::kTextPart : PatchOp::kReasoningPart;
  const uint32_t index = static_cast<uint32_t>(parts_.size() - 1);
  patch_.push_growing(index, static_cast<uint32_t>(op), index, visible);
}

std::string_view MessageState::pair_surrogates(Part& part, std::string_view delta) {
  // Two byte tests on the hot path; the rest is rare.
  const bool low_first = starts_with_lone_low_surrogate(delta);
  if (part.held_high == 0 && !low_first && !ends_with_lone_high_surrogate(delta)) return delta;
  joined_.clear();
  if (low_first) {
    const uint32_t low = lone_surrogate_at(delta);
    if (part.held_high != 0) {
      append_code_point(joined_, 0x10000 + ((part.held_high - 0xD800) << 10) + (low - 0xDC00));
    } else {
      joined_.append(kReplacement);
    }
    delta.remove_prefix(3);
  } else if (part.held_high != 0) {
    joined_.append(kReplacement);
  }
  if (part.held_high != 0) --held_parts_;
  part.held_high = 0;
  if (ends_with_lone_high_surrogate(delta)) {
    part.held_high = lone_surrogate_at(delta.substr(delta.size() - 3));
    ++held_parts_;
    delta.remove_suffix(3);
  }
  if (joined_.empty()) return delta;
  joined_.append(delta);
  return joined_;
}

SSEW_COLD void MessageState::release_held(size_t index) {
  Part& part = *parts_[index];
  if (part.held_high == 0) return;
  part.held_high = 0;
  --held_parts_;
  // The bytes were charged when the surrogate arrived.
  const uint32_t key = static_cast<uint32_t>(index);
  if (part.kind != PartView::kTool) {
    part.text.append(kReplacement);
    patch_.push_growing(key, static_cast<uint32_t>(PatchOp::kAppend), key, kReplacement);
    return;
  }
  if (!part.input || part.input->text().size() + kReplacement.size() > limits_.max_tool_input_bytes) return;
  const PartialJsonError before = part.input->error();
  const PartialJsonError error = part.input->append(kReplacement);
  patch_.push_growing((uint64_t{1} << 32) | key, static_cast<uint32_t>(PatchOp::kToolInputAppend), key, kReplacement);
  if (error == PartialJsonError::kSyntax && before == PartialJsonError::kNone) {
    warn("invalid_tool_input", "A tool's input is not valid JSON; its value stays as parsed before the error");
  }
}

SSEW_COLD void MessageState::release_all_held() {
  ending_ = true;
  for (size_t i = 0; held_parts_ != 0 && i < parts_.size(); ++i) release_held(i);
  ending_ = false;
}

void MessageState::break_part() {
  if (!terminal() && !parts_.empty() && parts_.back()->kind != PartView::kTool) release_held(parts_.size() - 1);
  break_next_ = true;
}

SSEW_COLD void MessageState::tool_start(std::string_view id, std::string_view name) {
  if (terminal()) return;
  begin();
  if (find_tool(id) != kNoTool) {
    warn("duplicate_tool", "A tool call started twice with the same id; the second start was ignored");
    return;
  }
  new_tool_part(id, name, true);
}

SSEW_COLD size_t MessageState::new_tool_part(std::string_view id, std::string_view name, bool named) {
  if (!charge(id.size() + name.size())) return kNoTool;
  auto part = std::make_unique<Part>();
  part->kind = PartView::kTool;
  part->id.assign(id);
  part->name.assign(name);
  PartialJson::Limits json_limits;
  json_limits.max_depth = limits_.max_json_depth;
  json_limits.max_bytes = limits_.max_tool_input_bytes;
  part->input = std::make_unique<PartialJson>(json_limits);
  if (!add_part(std::move(part))) return kNoTool;
  const size_t index = parts_.size() - 1;
  if (named) tools_.insert(id, index);
  patch_.push(static_cast<uint32_t>(PatchOp::kToolPart));
  patch_.push(static_cast<uint32_t>(index));
  patch_.push(patch_.add_text(id));
  patch_.push(patch_.add_text(name));
  return index;
}

SSEW_COLD void MessageState::tool_start(std::string_view id, std::string_view name, std::string_view input_json) {
  if (terminal() || find_tool(id) != kNoTool) {
    tool_start(id, name);  // records the warning for a duplicate
    return;
  }
  tool_start(id, name);
  if (has_tool(id)) tool_input_complete(id, input_json);
}

size_t MessageState::find_tool(std::string_view id) const {
  // Fragments of one call arrive in runs: remembering the last id found keeps the
  // hot path free of allocations.
  if (last_tool_index_ != kNoTool && id == last_tool_id_) return last_tool_index_;
  const size_t index = tools_.find(id);
  if (index == kNoTool) return kNoTool;
  last_tool_id_.assign(id);
  last_tool_index_ = index;
  return index;
}

MessageState::Part* MessageState::tool_for(std::string_view id, std::string_view what) {
  const size_t index = find_tool(id);
  if (index != kNoTool) return parts_[index].get();
  warn("unknown_tool", std::string(what) + " for a tool call that never started: ", id, "");
  return nullptr;
}

void MessageState::tool_input_delta(std::string_view id, std::string_view fragment) {
  if (terminal()) return;
  begin();
  Part* part = tool_for(id, "Tool input");
  if (!part) return;
  if (part->state != ToolState::kInputStreaming) {
    warn("late_tool_input", "Tool input arrived after the input was complete; it was ignored");
    return;
  }
  if (fragment.empty()) return;
  const size_t charged = fragment.size();
  fragment = pair_surrogates(*part, fragment);
  // A fragment that crosses the limit is refused whole, so inputText stays exactly
  // what JavaScript was sent.
  if (part->input->text().size() + fragment.size() > limits_.max_tool_input_bytes) {
    fail(errc::kToolInputTooLarge);
    return;
  }
  if (!charge(charged) || fragment.empty()) return;
  const PartialJsonError before = part->input->error();
  const PartialJsonError error = part->input->append(fragment);
  const size_t index = find_tool(id);
  // Consecutive fragments of the tool's input within one patch become one record
  // (the key is kept apart from the text parts' keys).
  patch_.push_growing((uint64_t{1} << 32) | index, static_cast<uint32_t>(PatchOp::kToolInputAppend),
                      static_cast<uint32_t>(index), fragment);
  if (error == PartialJsonError::kTooDeep) {
    fail(errc::kJsonTooDeep);
    return;
  }
  if (error == PartialJsonError::kSyntax && before == PartialJsonError::kNone) {
    warn("invalid_tool_input", "A tool's input is not valid JSON; its value stays as parsed before the error");
  }
  // A bare top-level number is "complete" yet may still grow; anything else that
  // is complete is final.
  if (error == PartialJsonError::kNone && part->input->complete()) {
    const std::string& text = part->input->text();
    const size_t last = text.find_last_not_of(" \t\r\n");
    if (last != std::string::npos && (text[last] < '0' || text[last] > '9')) tool_input_complete(id);
  }
}

SSEW_COLD void MessageState::tool_input_complete(std::string_view id, std::optional<std::string_view> input_json) {
  if (terminal()) return;
  begin();
  Part* part = tool_for(id, "Tool input end");
  if (!part || part->state != ToolState::kInputStreaming) return;
  complete_input(find_tool(id), input_json);
}

SSEW_COLD void MessageState::complete_input(size_t index, std::optional<std::string_view> input_json) {
  Part* part = parts_[index].get();
  std::string json;
  if (input_json) {
    if (!within_depth(*input_json)) return;
    // A complete input obeys the limits of a streamed one. It replaces the streamed
    // text, whose bytes were charged already: only what it adds is charged.
    if (input_json->size() > limits_.max_tool_input_bytes) {
      fail(errc::kToolInputTooLarge);
      return;
    }
    const size_t streamed = part->input->text().size();
    if (input_json->size() > streamed && !charge(input_json->size() - streamed)) return;
    json.assign(*input_json);
    // The given input replaces the streamed text, and with it a surrogate held back.
    if (part->held_high != 0) --held_parts_;
    part->held_high = 0;
  } else {
    release_held(index);
    if (terminal()) return;
    const std::string& text = part->input->text();
    if (is_blank(text)) {
      json = "{}";
    } else if (part->input->complete()) {
      json = text;
    } else {
      warn("incomplete_tool_input", "A tool's input ended before its JSON was complete; its best-effort value is used");
      if (terminal()) return;
      json = part->input->has_value() ? part->input->best_effort_json() : "{}";
      if (json.size() > text.size() && !charge(json.size() - text.size())) return;
    }
  }
  // JSON.parse keeps a lone surrogate escape as a lone UTF-16 unit, where the
  // streaming value (PartialJson) shows U+FFFD: make the complete value agree.
  replace_lone_surrogate_escapes(json);
  part->input_json = std::move(json);
  part->input.reset();
  part->state = ToolState::kInputAvailable;
  patch_.push(static_cast<uint32_t>(PatchOp::kToolInput));
  patch_.push(static_cast<uint32_t>(index));
  patch_.push(patch_.add_text(part->input_json));
}

SSEW_COLD size_t MessageState::settle_tool(std::string_view id) {
  if (terminal()) return kNoTool;
  begin();
  if (id.empty() && !has_tool(id)) {
    // A result that names no tool matches none: each gets a part of its own, so
    // that no result overwrites another.
    warn("invalid_event", "A tool result has no tool id; it is shown on a tool part of its own");
    if (terminal()) return kNoTool;
    const size_t index = new_tool_part(id, "", false);
    if (index == kNoTool) return kNoTool;
    complete_input(index, std::nullopt);
    return terminal() ? kNoTool : index;
  }
  if (!has_tool(id)) {
    // Never drop a result: show it on a tool part of its own.
    tool_start(id, "");
    if (!has_tool(id)) return kNoTool;
  }
  // A result ends the input: settle it first so the input is never lost.
  if (parts_[find_tool(id)]->state == ToolState::kInputStreaming) tool_input_complete(id);
  return terminal() ? kNoTool : find_tool(id);
}

SSEW_COLD void MessageState::tool_output(std::string_view id, std::string_view output_json) {
  if (terminal() || !within_depth(output_json)) return;
  const size_t index = settle_tool(id);
  if (index == kNoTool || !charge(output_json.size())) return;
  Part& part = *parts_[index];
  part.output_json.assign(output_json);
  replace_lone_surrogate_escapes(part.output_json);  // as for a complete input
  part.state = ToolState::kOutputAvailable;
  patch_.push(static_cast<uint32_t>(PatchOp::kToolOutput));
  patch_.push(static_cast<uint32_t>(index));
  patch_.push(patch_.add_text(part.output_json));
}

SSEW_COLD void MessageState::tool_error(std::string_view id, std::string_view message) {
  const size_t index = settle_tool(id);
  if (index == kNoTool || !charge(message.size())) return;
  Part& part = *parts_[index];
  part.text.assign(message);
  part.state = ToolState::kOutputError;
  patch_.push(static_cast<uint32_t>(PatchOp::kToolError));
  patch_.push(static_cast<uint32_t>(index));
  patch_.push(patch_.add_text(message));
}

SSEW_COLD void MessageState::set_finish_reason(std::string_view reason) {
  if (reason == finish_reason_) return;
  finish_reason_.assign(reason);
  patch_.push(static_cast<uint32_t>(PatchOp::kFinishReason));
  patch_.push(patch_.add_text(reason));
}

SSEW_COLD void MessageState::set_usage(uint64_t input_tokens, uint64_t output_tokens) {
  usage_ = std::make_pair(input_tokens, output_tokens);
  patch_.push(static_cast<uint32_t>(PatchOp::kUsage));
  patch_.push(saturate(input_tokens));
  patch_.push(saturate(output_tokens));
}

SSEW_COLD void MessageState::set_protocol(std::string_view name) {
  patch_.push(static_cast<uint32_t>(PatchOp::kProtocol));
  patch_.push(patch_.add_text(name));
}

void MessageState::set_last_event_id(std::string_view id) {
  patch_.push(static_cast<uint32_t>(PatchOp::kLastEventId));
  patch_.push(patch_.add_text(id));
}

SSEW_COLD void MessageState::finish() {
  if (terminal()) return;
  release_all_held();
  set_status(Status::kDone);
}

SSEW_COLD void MessageState::set_error_internal(std::string_view message, std::string_view code, bool retryable) {
  release_all_held();
  error_message_.assign(message);
  error_code_.assign(code);
  error_retryable_ = retryable;
  patch_.push(static_cast<uint32_t>(PatchOp::kError));
  patch_.push(patch_.add_text(message));
  patch_.push(patch_.add_text(code));
  patch_.push(retryable ? 1u : 0u);
  set_status(Status::kError);
}

SSEW_COLD void MessageState::fail(std::string_view code) {
  const ErrorCodeInfo& info = error_code_info(code);
  set_error_internal(info.message, info.code, info.retryable);
}

SSEW_COLD void MessageState::set_error(std::string_view message, std::string_view code, bool retryable) {
  if (terminal()) return;
  set_error_internal(message, code, retryable);
}

SSEW_COLD void MessageState::abort() {
  if (terminal()) return;
  release_all_held();
  set_status(Status::kAborted);
}

SSEW_COLD void MessageState::end_of_stream() {
  if (terminal()) return;
  fail(errc::kInterrupted);
}

SSEW_COLD std::string MessageState::echo(std::string_view value, size_t max_bytes) {
  if (value.size() <= max_bytes) return std::string(value);
  size_t cut = max_bytes;
  // Back up to the start of the character the cut falls in.
  while (cut > 0 && (static_cast<uint8_t>(value[cut]) & 0xC0) == 0x80) --cut;
  std::string out(value.substr(0, cut));
  out.append(kEllipsis);
  return out;
}

SSEW_COLD void MessageState::warn(std::string_view code, std::string_view message) {
  if (++warning_count_ > limits_.max_warnings) return;
  const std::string kept_code = echo(code, kMaxEchoBytes);
  const std::string kept = echo(message, kMaxWarningBytes);
  // A warning is kept until the message is dropped: it costs what it keeps. While
  // the message is ending (releasing held surrogates) a warning cannot end it again.
  const size_t cost = kept_code.size() + kept.size();
  if (ending_ || terminal()) {
    message_bytes_ += cost;
  } else if (!charge(cost)) {
    return;
  }
  patch_.push(static_cast<uint32_t>(PatchOp::kWarning));
  patch_.push(patch_.add_text(kept_code));
  patch_.push(patch_.add_text(kept));
}

SSEW_COLD void MessageState::warn(std::string_view code, std::string_view prefix, std::string_view echoed,
                                  std::string_view suffix) {
  if (warning_count_ >= limits_.max_warnings) {
    ++warning_count_;
    return;
  }
  std::string message(prefix);
  message.append(echo(echoed, kMaxEchoBytes));
  message.append(suffix);
  warn(code, message);
}

std::string_view MessageState::take_tool_input_ops(size_t index) {
  taken_ops_.clear();
  if (index >= parts_.size()) return {};
  Part& part = *parts_[index];
  if (!part.input) return {};
  taken_ops_ = part.input->ops();
  part.input->clear_ops();
  return taken_ops_;
}

MessageState::PartView MessageState::part(size_t index) const {
  PartView view{};
  if (index >= parts_.size()) return view;
  const Part& p = *parts_[index];
  view.kind = p.kind;
  if (p.kind != PartView::kTool) {
    view.text = p.text;
    return view;
  }
  view.id = p.id;
  view.name = p.name;
  view.state = p.state;
  view.error_text = p.text;
  view.output_json = p.output_json;
  if (p.input) {
    view.input_text = p.input->text();
    view.input_json = p.input->best_effort_json();
  } else {
    view.input_text = p.input_json;
    view.input_json = p.input_json;
  }
  return view;
}

std::string MessageState::text() const {
  std::string out;
  for (const auto& p : parts_) {
    if (p->kind == PartView::kText) out += p->text;
  }
  return out;
}

}  // namespace ssew
