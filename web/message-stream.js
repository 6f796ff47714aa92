// MessageStream: one assistant message streamed over SSE, mirrored from the wasm
// core's MessageSession. Each feed crosses the boundary once and brings back one
// patch (src/wire.h and web/wire.js list the records); snapshots are built lazily,
// frozen, and share every part that did not change.
import {
  SessionHandle, SurrogateCarry, disposeSymbol, feedChunk, flushCarry, getCore, limitOption, readBatch,
  releaseSession, trackSession, utf8Decoder, wellFormed,
} from './core.js';
import { PartialValue } from './partial-value.js';
import { deepFreeze, errorValue } from './snapshots.js';
import {
  HEADER_TEXT_ADDRESS, HEADER_TEXT_BYTES, OP_APPEND, OP_ERROR, OP_FINISH_REASON, OP_LAST_EVENT_ID, OP_PROTOCOL,
  OP_REASONING_PART, OP_STATUS, OP_TEXT_PART, OP_TOOL_ERROR, OP_TOOL_INPUT, OP_TOOL_INPUT_APPEND, OP_TOOL_OUTPUT,
  OP_TOOL_PART, OP_TOOL_STATE, OP_USAGE, OP_WARNING, OP_WORDS, STATUS, TOOL_STATE,
} from './wire.js';

const MAX_WARNINGS = 100;

// A streaming tool part's `input` is one shared getter that calls the part's lazy
// value (PartialValue.snapshot()), kept under a non-enumerable symbol (invisible to
// JSON.stringify, spreads, structuredClone and deepStrictEqual). One getter for all
// parts keeps them on one hidden class: a getter function per part gave each its
// own and made reading `input` per fragment 2× slower, and a WeakMap from part to
// value cost as much.
const LAZY = Symbol('lazy input');
function lazyInput() {
  return this[LAZY]?.();
}

function parseJson(text) {
  try {
    return deepFreeze(JSON.parse(text));
  } catch {
    return text; // the core only sends valid JSON; keep the text if not
  }
}

// A message from any value fail() was given: a non-empty string of it, or null.
function textOf(value) {
  if (value === undefined || value === null) return null;
  if (typeof value === 'object' || typeof value === 'function') return null; // '[object Object]' says nothing
  let text;
  try {
    text = String(value);
  } catch {
    return null;
  }
  return text === '' ? null : text;
}

export class MessageStream {
  #module;
  #session;
  #header;
  #opsHeader;
  #listeners = new Set();

  // The mirror: mutable drafts of parts changed since the last snapshot.
  #drafts = [];          // index -> draft (only for parts that changed)
  #parts = [];           // index -> frozen part of the last snapshot
  #partsArray = Object.freeze([]);
  #builders = new Map(); // part index -> PartialValue while its input streams
  #status = 'idle';
  #text = '';
  #error = null;
  #finishReason = null;
  #usage = null;
  #lastEventId = '';
  #protocol = null;
  #warnings = Object.freeze([]);
  #failExtra = null;      // the error given to fail(), while its record is applied
  #changed = true;       // the snapshot is stale
  #notifyPending = false; // something changed since the last notification
  #snapshot = null;
  #carry = new SurrogateCarry(); // a high surrogate that ended the last string chunk

  /**
   * @param {import('./index.d.ts').MessageStreamOptions} [options]
   */
  constructor(options = {}) {
    const module = getCore();
    this.#module = module;
    const protocol = options.protocol ?? 'auto';
    if (typeof protocol !== 'string') throw new TypeError('sse-wasm: protocol must be a string');
    const limit = (name) => limitOption(name, options[name]);
    const address = module.msgCreate(protocol, limit('maxEventBytes'), limit('maxToolInputBytes'),
      limit('maxJsonDepth'), limit('maxParts'), limit('maxMessageBytes'));
    this.#session = trackSession(this, new SessionHandle(address, module.msgInputBuffer, module.msgDestroy));
    this.#header = module.msgHeader(address);
    this.#opsHeader = module.msgOpsHeader(address);
    this.#apply();
    this.getSnapshot = this.getSnapshot.bind(this);
    this.subscribe = this.subscribe.bind(this);
  }

  /** Feeds SSE bytes (Uint8Array or string). */
  feed(chunk) {
    const session = this.#live();
    feedChunk(this.#module, session, chunk, this.#consume, this.#carry);
    this.#notify();
  }

  #consume = (length) => {
    this.#module.msgFeed(this.#session.address, length);
    this.#apply();
  };

  // A high surrogate held back from the last string chunk, alone at the end of a
  // connection: it becomes U+FFFD (on an incomplete line, which ending drops).
  #flushCarry() {
    flushCarry(this.#module, this.#live(), this.#consume, this.#carry);
  }

  /** The connection closed: done if the end marker came, else error 'interrupted'. */
  end() {
    this.#flushCarry();
    this.#module.msgEnd(this.#live().address);
    this.#apply();
    this.#notify();
  }

  /**
   * This connection ended but the message continues on another (a resume with
   * Last-Event-ID): drops an incomplete event, keeps the message streaming.
   */
  endConnection() {
    this.#flushCarry();
    this.#module.msgEndConnection(this.#live().address);
    this.#apply();
    this.#notify();
  }

  /**
   * The transport failed: status 'error', partial output kept. Takes any value: an
   * Error or an object gives its `message` (any non-empty value, as a string), `code`
   * (a string) and `retryable` (a boolean) where present; a string or another
   * primitive is the message; anything else gets 'The connection failed'.
   */
  fail(error) {
    const session = this.#live();
    const isObject = error !== null && (typeof error === 'object' || typeof error === 'function');
    const field = (name) => {
      try {
        return isObject ? error[name] : undefined;
      } catch {
        return undefined; // a throwing getter is no field
      }
    };
    const message = textOf(isObject ? field('message') : error) ?? 'The connection failed';
    const code = field('code');
    const retryable = field('retryable');
    // status, body and detail stay in JavaScript: merged into the error the core records.
    this.#failExtra = isObject ? { status: field('status'), body: field('body'), detail: field('detail') } : null;
    this.#module.msgFail(session.address, wellFormed(message),
      typeof code === 'string' && code !== '' ? wellFormed(code) : 'network_error',
      typeof retryable === 'boolean' ? retryable : true);
    this.#apply();
    this.#failExtra = null;
    this.#notify();
  }

  /** The user stopped the message: status 'aborted', partial output kept. */
  abort() {
    this.#module.msgAbort(this.#live().address);
    this.#apply();
    this.#notify();
  }

  /** A protocol named by the transport (e.g. a response header); used by 'auto'. */
  hintProtocol(name) {
    if (typeof name !== 'string') throw new TypeError(`sse-wasm: hintProtocol() takes a protocol name, not ${typeof name}`);
    this.#module.msgHintProtocol(this.#live().address, name);
    this.#apply();
    this.#notify();
  }

  /** The current status, without building a snapshot. */
  get status() {
    return this.#status;
  }

  /** The server's last event ID ('' until one arrives). */
  get lastEventId() {
    return this.#lastEventId;
  }

  /** The server's last valid `retry:` value in ms, or null. */
  get retry() {
    const ms = this.#module.msgRetry(this.#live().address);
    return ms < 0 ? null : ms;
  }

  get disposed() {
    return this.#session === null;
  }

  /** Immutable snapshot; the same object while nothing changed. */
  snapshot() {
    if (!this.#changed && this.#snapshot) return this.#snapshot;
    this.#changed = false;
    let partsChanged = false;
    const parts = this.#parts;
    for (let i = 0; i < this.#drafts.length; i++) {
      const draft = this.#drafts[i];
      if (!draft) continue;
      this.#drafts[i] = undefined;
      parts[i] = this.#freezePart(i, draft);
      partsChanged = true;
    }
    this.#drafts.length = 0;
    if (partsChanged) this.#partsArray = Object.freeze(parts.slice());
    this.#snapshot = Object.freeze({
      status: this.#status,
      parts: this.#partsArray,
      text: this.#text,
      error: this.#error,
      finishReason: this.#finishReason,
      usage: this.#usage,
      lastEventId: this.#lastEventId,
      protocol: this.#protocol,
      warnings: this.#warnings,
    });
    return this.#snapshot;
  }

  /** Same as snapshot(); named for useSyncExternalStore. */
  getSnapshot() {
    return this.snapshot();
  }

  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener) {
    if (typeof listener !== 'function') throw new TypeError('sse-wasm: subscribe() takes a function');
    const entry = () => listener();
    this.#listeners.add(entry);
    return () => this.#listeners.delete(entry);
  }

  dispose() {
    if (this.#session) releaseSession(this, this.#session);
    this.#session = null;
    this.#builders.clear();
    this.#listeners.clear();
  }

  [disposeSymbol]() {
    this.dispose();
  }

  #live() {
    if (!this.#session) throw new Error('sse-wasm: this MessageStream was disposed');
    return this.#session;
  }

  #notify() {
    if (!this.#notifyPending) return;
    this.#notifyPending = false;
    for (const listener of [...this.#listeners]) listener();
  }

  // The draft of part `index`, created from its last frozen version on first change.
  // A tool part's streamed input is not read here (that would build it): the draft
  // takes over its getter.
  #draft(index) {
    let draft = this.#drafts[index];
    if (!draft) {
      const part = this.#parts[index];
      if (part.type === 'tool') {
        const inputGet = part[LAZY] ?? null;
        draft = { type: 'tool', id: part.id, name: part.name, state: part.state, inputText: part.inputText,
          input: inputGet ? undefined : part.input, inputGet, inputChanged: false };
        if (part.output !== undefined) draft.output = part.output;
        if (part.errorText !== undefined) draft.errorText = part.errorText;
      } else {
        draft = { type: part.type, text: part.text };
      }
      this.#drafts[index] = draft;
    }
    return draft;
  }

  #freezePart(index, draft) {
    if (draft.type !== 'tool') return Object.freeze({ type: draft.type, text: draft.text });
    const builder = this.#builders.get(index);
    if (builder && draft.inputChanged) {
      this.#module.msgTakeToolInputOps(this.#session.address, index);
      const h = this.#opsHeader >>> 2;
      const address = this.#module.HEAPU32[h + HEADER_TEXT_ADDRESS];
      const length = this.#module.HEAPU32[h + HEADER_TEXT_BYTES];
      builder.apply(this.#module.HEAPU8.subarray(address, address + length), utf8Decoder);
      // O(depth): the value of this moment is built when `input` is first read.
      draft.inputGet = builder.snapshot();
      draft.inputChanged = false;
    }
    const part = { type: 'tool', id: draft.id, name: draft.name, state: draft.state, inputText: draft.inputText };
    // Defined before freezing: an enumerable getter that builds and caches the value
    // (JSON.stringify, spreads and structuredClone read it like a data property).
    if (draft.inputGet) {
      Object.defineProperty(part, 'input', { get: lazyInput, enumerable: true });
      Object.defineProperty(part, LAZY, { value: draft.inputGet });
    } else {
      part.input = draft.input;
    }
    if (draft.output !== undefined) part.output = draft.output;
    if (draft.errorText !== undefined) part.errorText = draft.errorText;
    return Object.freeze(part);
  }

  #apply() {
    const { words, text } = readBatch(this.#module, this.#header);
    if (words.length === 0) return;
    this.#changed = true;
    this.#notifyPending = true;
    const s = (i) => text.slice(words[i], words[i + 1]);
    for (let i = 0; i < words.length;) {
      const op = words[i];
      switch (op) {
        case OP_STATUS:
          this.#status = STATUS[words[i + 1]];
          break;
        case OP_TEXT_PART:
        case OP_REASONING_PART: {
          const value = s(i + 2);
          const type = op === OP_TEXT_PART ? 'text' : 'reasoning';
          this.#drafts[words[i + 1]] = { type, text: value };
          if (type === 'text') this.#text += value;
          break;
        }
        case OP_APPEND: {
          const value = s(i + 2);
          const draft = this.#draft(words[i + 1]);
          draft.text += value;
          if (draft.type === 'text') this.#text += value; // appends only ever extend the last part
          break;
        }
        case OP_TOOL_PART: {
          const index = words[i + 1];
          this.#drafts[index] = { type: 'tool', id: s(i + 2), name: s(i + 4), state: 'input-streaming',
            inputText: '', input: undefined, inputGet: null, inputChanged: false };
          this.#builders.set(index, new PartialValue());
          break;
        }
        case OP_TOOL_INPUT_APPEND: {
          const draft = this.#draft(words[i + 1]);
          draft.inputText += s(i + 2);
          draft.inputChanged = true;
          break;
        }
        case OP_TOOL_INPUT: {
          const index = words[i + 1];
          const draft = this.#draft(index);
          draft.inputText = s(i + 2);
          draft.input = parseJson(draft.inputText);
          draft.inputGet = null;
          draft.inputChanged = false;
          draft.state = 'input-available';
          this.#builders.delete(index);
          break;
        }
        case OP_TOOL_STATE:
          this.#draft(words[i + 1]).state = TOOL_STATE[words[i + 2]];
          break;
        case OP_TOOL_OUTPUT: {
          const draft = this.#draft(words[i + 1]);
          draft.output = parseJson(s(i + 2));
          draft.state = 'output-available';
          break;
        }
        case OP_TOOL_ERROR: {
          const draft = this.#draft(words[i + 1]);
          draft.errorText = s(i + 2);
          draft.state = 'output-error';
          break;
        }
        case OP_ERROR:
          this.#error = errorValue(s(i + 1), s(i + 3), words[i + 5] === 1, this.#failExtra);
          break;
        case OP_FINISH_REASON:
          this.#finishReason = s(i + 1);
          break;
        case OP_USAGE:
          this.#usage = Object.freeze({ inputTokens: words[i + 1], outputTokens: words[i + 2] });
          break;
        case OP_WARNING:
          if (this.#warnings.length < MAX_WARNINGS) {
            this.#warnings = Object.freeze([...this.#warnings, Object.freeze({ code: s(i + 1), message: s(i + 3) })]);
          }
          break;
        case OP_PROTOCOL:
          this.#protocol = s(i + 1);
          break;
        case OP_LAST_EVENT_ID:
          this.#lastEventId = s(i + 1);
          break;
        default:
          throw new Error(`sse-wasm: unknown patch record ${op}`);
      }
      i += OP_WORDS[op];
    }
  }
}
