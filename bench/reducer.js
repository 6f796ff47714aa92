// The pure-JavaScript contender of the message workloads: eventsource-parser +
// JSON.parse + a reducer that keeps the same state MessageStream keeps and hands out
// an immutable snapshot per network chunk (new text string, new parts array, new
// snapshot object, all frozen, as MessageStream's are). Only what the workloads
// exercise is implemented: text deltas, a streaming tool call, done.
import { createParser } from 'eventsource-parser';

const EMPTY = Object.freeze([]);

export class JsMessageReducer {
  #decoder = new TextDecoder();
  #parser;
  #status = 'idle';
  #text = '';
  #parts = EMPTY;
  #pendingText = '';   // text appended since the last snapshot
  #tool = null;        // { id, name, inputText } while a tool streams
  #toolChanged = false;
  #finishReason = null;
  #snapshot;
  #changed = true;

  /** @param {(event: {event?: string, data: string}, reducer: JsMessageReducer) => void} onEvent */
  constructor(onEvent) {
    this.#parser = createParser({ onEvent: (event) => onEvent(event, this) });
  }

  feed(chunk) {
    this.#parser.feed(this.#decoder.decode(chunk, { stream: true }));
  }

  appendText(text) {
    if (text === '') return;
    this.#pendingText += text;
    this.#status = 'streaming';
    this.#changed = true;
  }

  toolStart(id, name) {
    this.#flushText();
    this.#tool = { id, name, inputText: '' };
    this.#toolChanged = true;
    this.#status = 'streaming';
    this.#changed = true;
  }

  toolDelta(fragment) {
    this.#tool.inputText += fragment;
    this.#toolChanged = true;
    this.#changed = true;
  }

  finish(reason = null) {
    this.#status = 'done';
    this.#finishReason = reason;
    this.#changed = true;
  }

  /** The tool's complete input, parsed (read at the end). */
  toolInput() {
    return JSON.parse(this.#tool.inputText);
  }

  #flushText() {
    if (this.#pendingText === '') return;
    const parts = this.#parts;
    const last = parts[parts.length - 1];
    const appended = this.#pendingText;
    this.#pendingText = '';
    this.#text += appended;
    if (last && last.type === 'text') {
      const next = parts.slice();
      next[next.length - 1] = Object.freeze({ type: 'text', text: last.text + appended });
      this.#parts = Object.freeze(next);
    } else {
      this.#parts = Object.freeze([...parts, Object.freeze({ type: 'text', text: appended })]);
    }
  }

  #flushTool() {
    if (!this.#toolChanged) return;
    this.#toolChanged = false;
    const { id, name, inputText } = this.#tool;
    const part = Object.freeze({ type: 'tool', id, name, state: 'input-streaming', inputText });
    const parts = this.#parts;
    const last = parts[parts.length - 1];
    const next = parts.slice();
    if (last && last.type === 'tool' && last.id === id) next[next.length - 1] = part;
    else next.push(part);
    this.#parts = Object.freeze(next);
  }

  snapshot() {
    if (!this.#changed && this.#snapshot) return this.#snapshot;
    this.#changed = false;
    this.#flushText();
    this.#flushTool();
    this.#snapshot = Object.freeze({
      status: this.#status,
      parts: this.#parts,
      text: this.#text,
      finishReason: this.#finishReason,
    });
    return this.#snapshot;
  }
}

/** Native vocabulary: text_delta (a JSON string), tool_start, tool_delta, done. */
export function nativeEvents(event, reducer) {
  switch (event.event) {
    case 'text_delta':
      reducer.appendText(JSON.parse(event.data));
      break;
    case 'tool_start': {
      const { id, name } = JSON.parse(event.data);
      reducer.toolStart(id, name);
      break;
    }
    case 'tool_delta':
      reducer.toolDelta(JSON.parse(event.data).delta);
      break;
    case 'done':
      reducer.finish(JSON.parse(event.data).finish_reason ?? null);
      break;
    default:
  }
}

/** OpenAI Chat Completions chunks: content deltas, one tool call, finish, [DONE]. */
export function openAiChatEvents(event, reducer) {
  if (event.data === '[DONE]') {
    reducer.finish();
    return;
  }
  const chunk = JSON.parse(event.data);
  const choice = chunk.choices?.[0];
  if (!choice) return;
  const { delta } = choice;
  if (typeof delta?.content === 'string') reducer.appendText(delta.content);
  const call = delta?.tool_calls?.[0];
  if (call) {
    if (call.id) reducer.toolStart(call.id, call.function?.name ?? '');
    if (call.function?.arguments) reducer.toolDelta(call.function.arguments);
  }
}
