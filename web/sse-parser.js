// SSEParser: the WHATWG event-stream parser of the wasm core, one instance per
// stream. See index.d.ts for the documented API.
import {
  SurrogateCarry, disposeSymbol, feedChunk, flushCarry, getCore, limitOption, readBatch, releaseSession,
  trackSession, utf8Decoder,
} from './core.js';

const ERROR_CODES = [null, 'event_too_large'];

export class SSEParser {
  #module;
  #session;
  #header;
  #error = null;
  #carry = new SurrogateCarry();

  /** @param {{ maxEventBytes?: number }} [options] */
  constructor(options = {}) {
    this.#module = getCore();
    const max = limitOption('maxEventBytes', options.maxEventBytes);
    this.#session = new this.#module.SseSession(max);
    this.#header = this.#session.header();
    trackSession(this, this.#session);
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
    session.end();
    this.#error = null;
    return [];
  }

  get lastEventId() {
    // Read from wasm memory and decoded here: embind's own string conversion drops
    // a leading U+FEFF from strings longer than 16 bytes.
    const session = this.#live();
    const address = session.lastEventIdAddress();
    const length = session.lastEventIdLength();
    return length === 0 ? '' : utf8Decoder.decode(this.#module.HEAPU8.subarray(address, address + length));
  }

  get retry() {
    const ms = this.#live().retry();
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
      session.feed(length);
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
    for (let i = 0; i < words.length; i += 6) {
      // Events of one batch that share a type or id share its range: one string. A
      // range is known by both ends: an empty string and the next one start alike.
      if (words[i] !== typeStart || words[i + 1] !== typeEnd) {
        typeStart = words[i];
        typeEnd = words[i + 1];
        type = text.slice(typeStart, typeEnd);
      }
      if (words[i + 4] !== idStart || words[i + 5] !== idEnd) {
        idStart = words[i + 4];
        idEnd = words[i + 5];
        id = text.slice(idStart, idEnd);
      }
      events.push({ type, data: text.slice(words[i + 2], words[i + 3]), id });
    }
    if (status !== 0) {
      const code = ERROR_CODES[status] ?? 'unknown';
      this.#error = {
        code,
        message: `sse-wasm: ${code === 'event_too_large'
          ? 'a line or an event exceeded maxEventBytes; events before it were delivered'
          : 'parser error'}`,
      };
    }
  }
}
