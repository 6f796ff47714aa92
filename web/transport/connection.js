// Sources and connections: what a run reads bytes from, and one connection's
// lifetime (its abort controller, the idle timer, a way to stop a pending read).

export const noop = () => {};

/**
 * The longest delay setTimeout honours (2^31 - 1 ms, about 24.8 days): a longer one
 * fires after 1 ms. Every delay the transport sets is capped to it.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The message's content, for the retry budget (docs/transport.md, "Lost
 * connections"): its parts (text, reasoning, tool calls with their input, state,
 * output and error) and its finish reason. A connection made progress when this
 * changed. Its status, lastEventId, protocol, usage and warnings are not content: a
 * server that sends only ids, comments or keepalives makes no progress.
 */
export function contentMark(stream) {
  const { parts, finishReason } = stream.snapshot();
  return { parts, finishReason };
}

/** Whether two contentMark()s are the same content (snapshots keep unchanged parts' identity). */
export const sameContent = (a, b) => a.parts === b.parts && a.finishReason === b.finishReason;

/** Whether the platform has the global function `name` (fetch, Request, ReadableStream, ...). */
export const hasGlobal = (name) => typeof globalThis[name] === 'function';

/** The kind of a streamMessage() input, or null when it is none of them. */
export function classify(input) {
  if (typeof input === 'string' || (typeof URL === 'function' && input instanceof URL)) return 'url';
  if (input === null || typeof input !== 'object') return null;
  if (hasGlobal('Request') && input instanceof Request) return 'request';
  if (hasGlobal('Response') && input instanceof Response) return 'response';
  if (typeof input.getReader === 'function') return 'readable';
  if (typeof input.addEventListener === 'function' && typeof input.close === 'function'
      && typeof input.readyState === 'number' && typeof input.url === 'string') return 'eventsource';
  if (typeof input[Symbol.asyncIterator] === 'function') return 'iterable';
  return null;
}

/**
 * A source over a response body: a web ReadableStream, or a Node stream (a custom
 * fetch such as node-fetch gives one). An absent body reads as empty. Returns null
 * for anything else: the response cannot be read.
 */
export function bodySource(body) {
  if (body === null || body === undefined) return { read: async () => ({ done: true, value: undefined }), cancel: noop };
  if (typeof body !== 'object') return null;
  if (typeof body.getReader === 'function') {
    const reader = body.getReader();
    return { read: () => reader.read(), cancel: () => reader.cancel().catch(noop) };
  }
  if (typeof body[Symbol.asyncIterator] === 'function') return iterableSource(body);
  return null;
}

export function iterableSource(iterable) {
  const iterator = iterable[Symbol.asyncIterator]();
  return {
    read: () => Promise.resolve(iterator.next()),
    cancel: () => {
      // A Node stream is destroyed (that also ends a pending read); any other
      // iterator is asked to return.
      if (typeof iterable.destroy === 'function') iterable.destroy();
      const result = typeof iterator.return === 'function' ? iterator.return() : undefined;
      if (result && typeof result.then === 'function') result.then(noop, noop);
    },
  };
}

/**
 * One connection (or one EventSource session). `stopped` tells why it stopped
 * ('abort' | 'idle'); a read pending then settles at once as the end.
 */
export class Connection {
  controller = new AbortController();
  stopped = null;
  source = null;  // { read(): Promise<{done, value}>, cancel(): void }
  onStop = noop;
  #settle = null;
  #idleMs;
  #timer = null;
  #last = 0;
  #closed = false;
  #cleanups = [];

  constructor(idleMs) {
    this.#idleMs = Math.min(idleMs, MAX_TIMER_MS);
    if (idleMs > 0 && idleMs !== Infinity) {
      this.#last = Date.now();
      this.#timer = setTimeout(this.#check, this.#idleMs);
    }
  }

  /** Bytes (or an event) arrived: the idle timer starts over. */
  touch() {
    this.#last = Date.now();
  }

  /** Awaits `promise`, or nothing once the connection is stopped (check `stopped`). */
  wait(promise) {
    return new Promise((resolve, reject) => {
      this.#settle = resolve;
      promise.then(resolve, reject);
    });
  }

  read() {
    return this.wait(this.source.read());
  }

  defer(cleanup) {
    this.#cleanups.push(cleanup);
  }

  stop(reason) {
    if (this.stopped || this.#closed) return;
    this.stopped = reason;
    this.#settle?.({ done: true, value: undefined });
    this.onStop(reason);
    this.close();
  }

  close() {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = null;
    this.#settle = null;
    try {
      this.source?.cancel();
    } catch {
      // a source that cannot be cancelled is dropped all the same
    }
    this.controller.abort();
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
  }

  #check = () => {
    this.#timer = null;
    if (this.#closed) return;
    const quiet = Date.now() - this.#last;
    if (quiet >= this.#idleMs - 1) this.stop('idle');
    else this.#timer = setTimeout(this.#check, this.#idleMs - quiet);
  };
}
