#include "anthropic_protocol.h"

#include "json_reader.h"
#include "json_string.h"
#include "protocols/kit.h"

namespace ssew {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The event types only this stream uses.
bool is_stream_type(std::string_view t) {
  return t == "message_start" || t == "content_block_start" || t == "content_block_delta" ||
         t == "content_block_stop" || t == "message_delta" || t == "message_stop";
}

}  // namespace

bool AnthropicProtocol::is_anthropic_event(const SseEvent& event) {
  const std::string_view t = event.type;
  if (is_stream_type(t)) return true;
  if (t != "ping" && t != "error" && t != "message") return false;
  JsonValueRef type, error;
  size_t members = 0;
  if (!walk_object(event.data, [&](const JsonStringRef& key, const JsonValueRef& value) {
        ++members;
        if (key == "type") type = value;
        if (key == "error") error = value;
      })) {
    return false;
  }
  if (!type.is_string()) return false;
  std::string scratch;
  const std::string_view json_type = type.string_value(scratch);
  if (t == "ping") return json_type == "ping" && members == 1;  // exactly {"type":"ping"}
  if (t == "message") return is_stream_type(json_type);          // event names stripped by a proxy
  // error: {"type":"error","error":{"type":"..._error", ...}} (other APIs' error
  // events carry no nested error object with a type).
  if (json_type != "error" || !error.is_object()) return false;
  const JsonValueRef error_type = member_of(error.raw, "type");
  return error_type.is_string() && ends_with(error_type.string_value(scratch), "_error");
}

AnthropicProtocol::Block* AnthropicProtocol::open_block(uint64_t index, Block::Kind kind, MessageState& state) {
  // An open block's worst case: its entry in blocks_ with the vector's slack (up to
  // twice its size) and its slot in block_at_.
  constexpr size_t kBlockBytes = 2 * sizeof(Block) + kEntryBytes;
  Block* block = find_block(index);
  if (block) {
    close_block(*block);
  } else if (!state.reserve(kBlockBytes)) {
    return nullptr;
  } else {
    block_at_.insert(index, blocks_.size());
    block = &blocks_.emplace_back();
  }
  *block = Block{};
  block->kind = kind;
  block->index = index;
  return block;
}

AnthropicProtocol::Block* AnthropicProtocol::find_block(uint64_t index) {
  const size_t position = block_at_.find(index);
  return position == HashIndex::kNone ? nullptr : &blocks_[position];
}

void AnthropicProtocol::close_block(Block& block) {
  if (block.pending) pending_.remove();
  block.pending = false;
}

void AnthropicProtocol::enter(uint64_t index, MessageState& state) {
  if (has_current_ && current_ == index) return;
  state.break_part();
  has_current_ = true;
  current_ = index;
}

void AnthropicProtocol::on_event(const SseEvent& event, MessageState& state) {
  static constexpr std::string_view kMembers[] = {"type",    "index", "delta", "content_block",
                                                  "message", "usage", "error"};
  JsonValueRef v[std::size(kMembers)];
  const bool valid = capture_members(event.data, kMembers, v);
  const JsonValueRef &index = v[1], &delta = v[2], &content_block = v[3], &message = v[4], &usage = v[5],
                     &error = v[6];
  const bool typed = v[0].is_string();
  const JsonStringRef type = typed ? v[0].string() : JsonStringRef{};
  if (!valid) {
    if (event.type == "error") return on_error(event.data, {}, state);
    if (is_stream_type(event.type) || event.type == "ping") {
      reject_unreadable(state, event.data,
                        "The data of an Anthropic '" + MessageState::echo(event.type) +
                            "' event is not a JSON object; the event was ignored");
    }
    return;
  }
  // The JSON's type tells the event, as in the official SDK; the SSE name is the
  // fallback for data without one.
  const auto is = [&](std::string_view name) { return typed ? type.equals(name) : event.type == name; };
  const auto block_index = [&](uint64_t& out) {
    if (index.to_uint64(out)) return true;
    state.warn("invalid_event", "An Anthropic content block event has no valid index; it was ignored");
    return false;
  };

  // An error event is one whatever its JSON says (the SDK throws on the event name).
  if (event.type == "error" || is("error")) return on_error(event.data, error.is_object() ? error.raw : "", state);

  uint64_t i = 0;
  if (is("content_block_delta")) {
    if (!block_index(i)) return;
    if (!delta.is_object()) return state.warn("invalid_event", "A 'content_block_delta' has no delta; it was ignored");
    return on_block_delta(i, delta.raw, state);
  }
  if (is("content_block_start")) {
    if (!block_index(i)) return;
    if (!content_block.is_object()) {
      return state.warn("invalid_event", "A 'content_block_start' has no content_block; it was ignored");
    }
    return on_block_start(i, content_block.raw, state);
  }
  if (is("content_block_stop")) {
    if (!block_index(i)) return;
    return on_block_stop(i, state);
  }
  if (is("message_delta")) {
    if (delta.is_object()) {
      const JsonValueRef stop_reason = member_of(delta.raw, "stop_reason");
      if (stop_reason.is_string()) state.set_finish_reason(stop_reason.string_value(scratch_));
    }
    if (usage.is_object()) on_usage(usage.raw, state);
    return;
  }
  if (is("message_start")) {
    if (message.is_object()) {
      const JsonValueRef message_usage = member_of(message.raw, "usage");
      if (message_usage.is_object()) on_usage(message_usage.raw, state);
    }
    return;
  }
  if (is("message_stop")) return state.finish();
  // ping and unknown events: nothing to do.
}

void AnthropicProtocol::on_block_start(uint64_t index, std::string_view raw, MessageState& state) {
  static constexpr std::string_view kMembers[] = {"type",     "id",          "name",    "input",   "text",
                                                  "thinking", "tool_use_id", "content", "is_error"};
  JsonValueRef v[std::size(kMembers)];
  capture_members(raw, kMembers, v);
  const JsonValueRef &id = v[1], &name = v[2], &input = v[3], &text = v[4], &thinking = v[5], &tool_use_id = v[6],
                     &content = v[7], &is_error = v[8];
  const JsonStringRef type = v[0].is_string() ? v[0].string() : JsonStringRef{};
  // Every block is a part of its own, even next to a block of the same kind.
  state.break_part();
  has_current_ = true;
  current_ = index;

  if (type == "text" || type == "thinking") {
    const bool is_text = type == "text";
    Block* block = open_block(index, is_text ? Block::kText : Block::kThinking, state);
    if (!block) return;
    const JsonValueRef& value = is_text ? text : thinking;
    const std::string_view chunk = value.is_string() ? value.delta_string_value(scratch_) : std::string_view();
    if (chunk.empty()) {
      block->pending = pending_.add(state);  // its part comes with its first delta
      return;
    }
    return is_text ? state.append_text(chunk) : state.append_reasoning(chunk);
  }
  std::string type_text;
  type.append_to(type_text);
  // tool_use, and the server-run ones: server_tool_use, mcp_tool_use.
  if (ends_with(type_text, "tool_use")) {
    if (!id.is_string()) {
      if (!open_block(index, Block::kIgnored, state)) return;
      return state.warn("invalid_event", "A '", type_text, "' block has no id; it was ignored");
    }
    Block* block = open_block(index, Block::kTool, state);
    if (!block || !state.reserve(id.raw.size() + (input.present() ? input.raw.size() : 0))) return;
    id.string().append_to(block->tool_id);
    if (input.present()) block->start_input.assign(input.raw);
    std::string tool_name;
    if (name.is_string()) name.string().append_to(tool_name);
    state.tool_start(block->tool_id, tool_name);
    return;
  }
  if (!open_block(index, Block::kIgnored, state)) return;  // redacted_thinking, results, unknown blocks
  // The result of a server-run tool (web_search_tool_result, code_execution_tool_result,
  // mcp_tool_result, ...): complete in its start event.
  if (ends_with(type_text, "_tool_result") && tool_use_id.is_string()) {
    std::string tool_id;
    tool_use_id.string().append_to(tool_id);
    bool failed = is_error.type == JsonType::kTrue;
    std::string error_text;
    if (content.is_object()) {
      static constexpr std::string_view kContent[] = {"type", "error_code"};
      JsonValueRef c[2];
      capture_members(content.raw, kContent, c);
      const JsonValueRef &content_type = c[0], &error_code = c[1];
      if (content_type.is_string() && ends_with(content_type.string_value(scratch_), "_error")) {
        failed = true;
        if (error_code.is_string()) error_code.string().append_to(error_text);
      }
    }
    if (!failed) return state.tool_output(tool_id, content.present() ? content.raw : std::string_view("null"));
    if (error_text.empty()) {
      if (content.is_string()) {
        content.string().append_to(error_text);
      } else {
        error_text.assign(content.present() ? content.raw : std::string_view("The tool failed"));
      }
    }
    return state.tool_error(tool_id, error_text);
  }
}

void AnthropicProtocol::on_block_delta(uint64_t index, std::string_view raw, MessageState& state) {
  static constexpr std::string_view kMembers[] = {"type", "text", "thinking", "partial_json"};
  JsonValueRef v[std::size(kMembers)];
  capture_members(raw, kMembers, v);
  const JsonValueRef &text = v[1], &thinking = v[2], &partial_json = v[3];
  const JsonStringRef type = v[0].is_string() ? v[0].string() : JsonStringRef{};
  Block* block = find_block(index);

  if (type == "text_delta" || type == "thinking_delta") {
    const bool is_text = type == "text_delta";
    const JsonValueRef& value = is_text ? text : thinking;
    if (!value.is_string()) return state.warn("invalid_event", "A text or thinking delta has no text; it was ignored");
    const Block::Kind kind = is_text ? Block::kText : Block::kThinking;
    // A delta whose block never started still shows (nothing that arrived is dropped).
    if (!block) block = open_block(index, kind, state);
    if (!block) return;
    if (block->kind != kind) {
      return state.warn("mismatched_delta", "A delta does not match the type of its content block; it was ignored");
    }
    enter(index, state);
    const std::string_view chunk = value.delta_string_value(scratch_);
    if (!chunk.empty()) close_block(*block);  // its part now exists
    return is_text ? state.append_text(chunk) : state.append_reasoning(chunk);
  }
  if (type == "input_json_delta") {
    if (!block || block->kind != Block::kTool) {
      return state.warn("unknown_tool", "Tool input arrived for a content block that is not a tool; it was ignored");
    }
    if (!partial_json.is_string()) return state.warn("invalid_event", "An input_json_delta has no partial_json");
    const std::string_view fragment = partial_json.delta_string_value(scratch_);
    if (fragment.empty()) return;  // the usual first delta
    block->got_input = true;
    enter(index, state);
    return state.tool_input_delta(block->tool_id, fragment);
  }
  // signature_delta (of a thinking block), citations_delta and unknown deltas.
}

void AnthropicProtocol::on_block_stop(uint64_t index, MessageState& state) {
  Block* found = find_block(index);
  if (!found) return;
  Block& block = *found;
  close_block(block);
  if (block.kind == Block::kTool) {
    // Without deltas the start's input stands (the placeholder {}).
    if (!block.got_input && !block.start_input.empty()) {
      state.tool_input_complete(block.tool_id, block.start_input);
    } else {
      state.tool_input_complete(block.tool_id);
    }
  }
  // The last block takes the stopped one's place.
  const size_t position = static_cast<size_t>(&block - blocks_.data());
  block_at_.erase(index);
  if (position + 1 != blocks_.size()) {
    block = std::move(blocks_.back());
    block_at_.assign(block.index, position);
  }
  blocks_.pop_back();
}

void AnthropicProtocol::on_usage(std::string_view raw, MessageState& state) {
  static constexpr std::string_view kCounts[] = {"input_tokens", "output_tokens"};
  JsonValueRef v[2];
  capture_members(raw, kCounts, v);
  const JsonValueRef &input = v[0], &output = v[1];
  // Running totals: a counter that is present replaces the previous value.
  const bool has_input = input.to_count(input_tokens_);
  const bool has_output = output.to_count(output_tokens_);
  if (has_input || has_output) state.set_usage(input_tokens_, output_tokens_);
}

void AnthropicProtocol::on_error(std::string_view data, std::string_view error, MessageState& state) {
  // The nested error object's type is the code; without one, the event's own
  // "type" names the event, and plain text is the message.
  ProviderError fields = read_provider_error(error.empty() ? trim_json_space(data) : error, !error.empty());
  report_provider_error(state, fields);
}

}  // namespace ssew
