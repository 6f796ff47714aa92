// SSEParser: the WHATWG event-stream parser of the wasm core, one instance per
// stream. See index.d.ts for the documented API.
import {
  SessionHandle, SurrogateCarry, disposeSymbol, feedChunk, flushCarry, getCore, limitOption, readBatch,
  releaseSession, trackSession, utf8Decoder,
} from './core.js';
import {
  EVENT_DATA_END, EVENT_DATA_START, EVENT_ID_END, EVENT_ID_START, EVENT_TYPE_END, EVENT_TYPE_START, EVENT_WORDS,
  SSE_ERROR_CODES,
} from './wire.js';

export class SSEParser {
  #module;
  #session;
  #header;
  #error = null;
  #carry = new SurrogateCarry();

  /** @param {{ maxEventBytes?: number }} [options] */
  constructor(options = {}) {
    const module = getCore();
    this.#module = module;
    const max = limitOption('maxEventBytes', options.maxEventBytes);
    const address = module.sseCreate(max);
    this.#session = trackSession(this, new SessionHandle(address, module.sseInputBuffer, module.sseDestroy));
    this.#header = module.sseHeader(address);
  }

  /** Feeds one chunk; returns the events it completed, in order. */
  feed(chunk) {
    const session = this.#live();
    const events = [];
    if (this.#error) return events;
    feedChunk(this.#module, session, chunk, this.#consume(session, events), this.#carry);
    return events;
  }

  /** End of this connection's stream: see index.d.ts. */
  end() {
    const session = this.#live();
    // A high surrogate held back from the last string chunk ends the stream alone: it
    // becomes U+FFFD on the incomplete line, which end() discards.
    flushCarry(this.#module, session, this.#consume(session, []), this.#carry);
    this.#module.sseEnd(session.address);
    this.#error = null;
    return [];
  }

  get lastEventId() {
    // Read from wasm memory and decoded here: embind's own string conversion drops
    // a leading U+FEFF from strings longer than 16 bytes.
    const session = this.#live().address;
    const address = this.#module.sseLastEventIdAddress(session);
    const length = this.#module.sseLastEventIdLength(session);
    return length === 0 ? '' : utf8Decoder.decode(this.#module.HEAPU8.subarray(address, address + length));
  }

  get retry() {
    const ms = this.#module.sseRetry(this.#live().address);
    return ms < 0 ? null : ms;
  }

  /** null, or { code: 'event_too_large', message } until end(). */
  get error() {
    return this.#error;
  }

  get disposed() {
    return this.#session === null;
  }

  dispose() {
    if (this.#session) releaseSession(this, this.#session);
    this.#session = null;
  }

  [disposeSymbol]() {
    this.dispose();
  }

  #live() {
    if (!this.#session) throw new Error('sse-wasm: this SSEParser was disposed');
    return this.#session;
  }

  #consume(session, events) {
    return (length) => {
      if (this.#error) return;
      this.#module.sseFeed(session.address, length);
      this.#collect(events);
    };
  }

  #collect(events) {
    const { words, text, status } = readBatch(this.#module, this.#header);
    let typeStart = -1;
    let typeEnd = -1;
    let idStart = -1;
    let idEnd = -1;
    let type = '';
    let id = '';
    for (let i = 0; i < words.length; i += EVENT_WORDS) {
      // Events of one batch that share a type or id share its range: one string. A
      // range is known by both ends: an empty string and the next one start alike.
      if (words[i + EVENT_TYPE_START] !== typeStart || words[i + EVENT_TYPE_END] !== typeEnd) {
        typeStart = words[i + EVENT_TYPE_START];
        typeEnd = words[i + EVENT_TYPE_END];
        type = text.slice(typeStart, typeEnd);
      }
      if (words[i + EVENT_ID_START] !== idStart || words[i + EVENT_ID_END] !== idEnd) {
        idStart = words[i + EVENT_ID_START];
        idEnd = words[i + EVENT_ID_END];
        id = text.slice(idStart, idEnd);
      }
      events.push({ type, data: text.slice(words[i + EVENT_DATA_START], words[i + EVENT_DATA_END]), id });
    }
    if (status !== 0) {
      const code = SSE_ERROR_CODES[status] ?? 'unknown';
      this.#error = {
        code,
        message: `sse-wasm: ${code === 'event_too_large'
          ? 'a line or an event exceeded maxEventBytes; events before it were delivered'
          : 'parser error'}`,
      };
    }
  }
}
