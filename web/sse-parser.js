// SSEParser: the WHATWG event-stream parser of the wasm core, one instance per
// stream. See index.d.ts for the documented API.
import {
  disposeSymbol, feedChunk, getCore, readBatch, releaseSession, trackSession,
} from './core.js';

const ERROR_CODES = [null, 'event_too_large'];

export class SSEParser {
  #module;
  #session;
  #header;
  #error = null;

  /** @param {{ maxEventBytes?: number }} [options] */
  constructor(options = {}) {
    this.#module = getCore();
    const max = options.maxEventBytes ?? 0;
    if (!(Number.isFinite(max) && max >= 0)) throw new RangeError('sse-wasm: maxEventBytes must be a positive number');
    this.#session = new this.#module.SseSession(max);
    this.#header = this.#session.header();
    trackSession(this, this.#session);
  }

  /** Feeds one chunk; returns the events it completed, in order. */
  feed(chunk) {
    const session = this.#live();
    const events = [];
    if (this.#error) return events;
    feedChunk(this.#module, session, chunk, (length) => {
      if (this.#error) return;
      session.feed(length);
      this.#collect(events);
    });
    return events;
  }

  /** End of this connection's stream: see index.d.ts. */
  end() {
    this.#live().end();
    this.#error = null;
    return [];
  }

  get lastEventId() {
    return this.#live().lastEventId();
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

  #collect(events) {
    const { words, text, status } = readBatch(this.#module, this.#header);
    let typeStart = -1;
    let idStart = -1;
    let type = '';
    let id = '';
    for (let i = 0; i < words.length; i += 6) {
      // Events of one batch that share a type or id share its range: one string.
      if (words[i] !== typeStart) {
        typeStart = words[i];
        type = text.slice(typeStart, words[i + 1]);
      }
      if (words[i + 4] !== idStart) {
        idStart = words[i + 4];
        id = text.slice(idStart, words[i + 5]);
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
