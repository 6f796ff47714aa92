// streamMessage: one assistant message from a URL, a Request, a Response, a byte
// stream or an EventSource into a MessageStream, with what a real network needs:
// HTTP and content-type checks, an idle timeout, resume by Last-Event-ID with
// backoff, retry, abort, and notifications throttled to the frame. Nothing here
// throws: every failure becomes the snapshot's error. See docs/transport.md.
import { ready } from './core.js';
import { MessageStream, deepFreeze } from './message-stream.js';

const TERMINAL = new Set(['done', 'error', 'aborted']);
const STREAM_OPTIONS = ['protocol', 'maxEventBytes', 'maxToolInputBytes', 'maxJsonDepth', 'maxParts', 'maxMessageBytes'];
const FETCH_OPTIONS = ['credentials', 'mode', 'cache', 'redirect', 'referrer', 'referrerPolicy', 'integrity',
  'keepalive', 'priority'];
// The native vocabulary plus 'message' (data-only events of other protocols).
const EVENT_NAMES = ['text_delta', 'reasoning_delta', 'tool_start', 'tool_delta', 'tool_result', 'error', 'done',
  'message'];
const ES_CLOSED = 2;
const ERROR_BODY_CHARS = 200;
// What is read after the end marker: at most this much, waiting at most this long.
const TAIL_BYTES = 64 * 1024;
const TAIL_MS = 50;
const DEFAULT_RETRY = Object.freeze({ attempts: 3, minDelayMs: 500, maxDelayMs: 10000 });

const IDLE = deepFreeze({
  status: 'idle', parts: [], text: '', error: null, finishReason: null, usage: null, lastEventId: '',
  protocol: null, warnings: [],
});
const ABORTED = Object.freeze({ ...IDLE, status: 'aborted' });

const noop = () => {};
const isTerminal = (stream) => TERMINAL.has(stream.status);

// Header values are byte strings: send the id's UTF-8 bytes, as EventSource does.
const headerBytes = (text) => String.fromCharCode(...new TextEncoder().encode(text));

function failure(message, code, retryable) {
  return Object.freeze({ message, code, retryable });
}

function errorSnapshot(error) {
  return Object.freeze({ ...IDLE, status: 'error', error });
}

function optionError(message, code = 'invalid_options') {
  return Object.assign(new TypeError(`sse-wasm: ${message}`), { code });
}

function describe(error) {
  if (error === null || error === undefined) return 'unknown error';
  let text = typeof error === 'object' && typeof error.message === 'string' && error.message ? error.message
    : String(error);
  const cause = typeof error === 'object' ? error.cause : undefined;
  if (cause && typeof cause.message === 'string' && cause.message && !text.includes(cause.message)) {
    text += ` (${typeof cause.code === 'string' ? `${cause.code}: ` : ''}${cause.message})`;
  }
  return text;
}

function isPlainObject(value) {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const hasGlobal = (name) => typeof globalThis[name] === 'function';

// Subscribers hear at most once per animation frame in browsers (a timer backs the
// frame up in hidden tabs, which run none), else once per macrotask.
function scheduleFlush(callback) {
  if (typeof requestAnimationFrame === 'function') {
    let called = false;
    let frame;
    let timer;
    const run = () => {
      if (called) return;
      called = true;
      clearTimeout(timer);
      if (typeof cancelAnimationFrame === 'function') cancelAnimationFrame(frame);
      callback();
    };
    timer = setTimeout(run, 250);
    frame = requestAnimationFrame(run);
    return;
  }
  if (typeof setImmediate === 'function') setImmediate(callback);
  else setTimeout(callback, 0);
}

// One connection (or one EventSource session): its abort controller, the source it
// reads, the idle timer, and a way to stop a pending read at once.
class Connection {
  controller = new AbortController();
  stopped = null; // 'abort' | 'idle'
  source = null;  // { read(): Promise<{done, value}>, cancel(): void }
  onStop = noop;
  #settle = null;
  #idleMs;
  #timer = null;
  #last = 0;
  #closed = false;
  #cleanups = [];

  constructor(idleMs) {
    this.#idleMs = idleMs;
    if (idleMs > 0 && idleMs !== Infinity) {
      this.#last = Date.now();
      this.#timer = setTimeout(this.#check, idleMs);
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

function readerSource(body) {
  if (!body) return { read: async () => ({ done: true, value: undefined }), cancel: noop };
  // A custom fetch may give a Node stream as the body (node-fetch): read it as an iterable.
  if (typeof body.getReader !== 'function' && typeof body[Symbol.asyncIterator] === 'function') {
    return iterableSource(body);
  }
  const reader = body.getReader();
  return { read: () => reader.read(), cancel: () => reader.cancel().catch(noop) };
}

function iterableSource(iterable) {
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

function classify(input) {
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

class MessageRun {
  #input;
  #kind;
  #fetch = null;
  #init = null;          // fetch init ('url')
  #request = null;       // an unread clone of the Request, cloned again per attempt ('request')
  #extraHeaders = null;  // options.headers over a Request's own
  #restartable = false;  // a new connection can be opened (resume or retry)
  #retry = DEFAULT_RETRY;
  #idleMs = 60000;
  #streamOptions = {};
  #autoProtocol = true;
  #signal = null;
  #source = null;        // the EventSource in use

  #listeners = new Set();
  #stream = null;
  #unsubscribe = null;
  #shown = null;         // a snapshot shown instead of the stream's (see getSnapshot)
  #awaitingContent = false;
  #overlay = null;       // a transport error shown over a stream kept for a resume
  #derivedFrom = null;
  #derived = null;
  #phase = 'running';
  #generation = 0;
  #connection = null;
  #backoff = null;
  #flushScheduled = false;
  #lastNotified = IDLE;
  #finished;
  #resolveFinished = null;

  constructor(input, options) {
    this.getSnapshot = this.getSnapshot.bind(this);
    this.subscribe = this.subscribe.bind(this);
    this.abort = this.abort.bind(this);
    this.retry = this.retry.bind(this);
    this.#newFinished();
    try {
      this.#setup(input, options);
    } catch (error) {
      this.#shown = errorSnapshot(failure(describe(error), error?.code ?? 'invalid_options', false));
      this.#complete();
      return;
    }
    if (this.#signal?.aborted) {
      this.#shown = ABORTED;
      this.#complete();
      return;
    }
    this.#listenSignal();
    this.#start(this.#generation, false, false);
  }

  /** Resolves with the terminal snapshot (done, error or aborted); never rejects. */
  get finished() {
    return this.#finished;
  }

  /** The current snapshot: frozen, the same object while nothing changed. */
  getSnapshot() {
    const stream = this.#stream;
    if (stream && this.#awaitingContent) {
      const snapshot = stream.getSnapshot();
      if (snapshot.parts.length > 0 || TERMINAL.has(snapshot.status)) {
        this.#awaitingContent = false;
        this.#shown = null;
      }
    }
    if (this.#shown) return this.#shown;
    if (!stream) return IDLE;
    const snapshot = stream.getSnapshot();
    if (!this.#overlay) return snapshot;
    if (this.#derivedFrom !== snapshot) {
      this.#derivedFrom = snapshot;
      this.#derived = Object.freeze({ ...snapshot, status: 'error', error: this.#overlay });
    }
    return this.#derived;
  }

  /** Calls `listener` after changes, at most once per frame; returns the unsubscribe function. */
  subscribe(listener) {
    if (typeof listener !== 'function') throw new TypeError('sse-wasm: subscribe() takes a function');
    const entry = () => listener();
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  /** Stops the message: status 'aborted', partial output kept, the request cancelled. */
  abort() {
    if (this.#phase === 'finished') {
      // Nothing runs; a stream kept for a resume is let go (retry() then starts anew).
      if (this.#stream) {
        this.#shown = this.getSnapshot();
        this.#releaseStream();
      }
      return;
    }
    this.#generation += 1;
    this.#stopConnection('abort');
    this.#cancelBackoff();
    if (this.#stream) {
      this.#stream.abort();
    } else {
      this.#shown = ABORTED;
      this.#awaitingContent = false;
    }
    this.#complete();
  }

  /**
   * After an error: resumes by Last-Event-ID when the server sent ids (the same
   * message continues), else starts over with a new request, the old snapshot
   * shown until the new one has content. Returns the new `finished`.
   */
  retry() {
    if (this.#phase !== 'finished' || this.getSnapshot().status !== 'error') return this.#finished;
    if (!this.#restartable || this.#signal?.aborted) return this.#finished;
    if (this.#resolveFinished) this.#resolveFinished(this.getSnapshot());
    this.#newFinished();
    this.#phase = 'running';
    this.#generation += 1;
    this.#listenSignal();
    let resume = false;
    if (this.#stream && this.#overlay) {
      this.#overlay = null;
      resume = true;
      this.#schedule();
    } else {
      this.#shown = this.getSnapshot();
      this.#awaitingContent = true;
      if (this.#stream) this.#releaseStream();
    }
    this.#start(this.#generation, resume, this.#kind === 'eventsource');
    return this.#finished;
  }

  // --- setup ------------------------------------------------------------------

  #setup(input, options = {}) {
    if (options === null || typeof options !== 'object') throw optionError('the options must be an object');
    const kind = classify(input);
    if (!kind) {
      throw optionError('streamMessage() takes a URL, a Request, a Response, a ReadableStream, an async '
        + 'iterable or an EventSource', 'invalid_input');
    }
    this.#input = input;
    this.#kind = kind;

    if (options.retry === false) {
      this.#retry = { ...DEFAULT_RETRY, attempts: 0 };
    } else if (options.retry !== undefined) {
      if (options.retry === null || typeof options.retry !== 'object') {
        throw optionError('retry must be an object or false');
      }
      const retry = { ...DEFAULT_RETRY };
      for (const key of ['attempts', 'minDelayMs', 'maxDelayMs']) {
        const value = options.retry[key];
        if (value === undefined) continue;
        if (!(typeof value === 'number' && value >= 0 && !Number.isNaN(value))) {
          throw optionError(`retry.${key} must be a number >= 0`);
        }
        retry[key] = value;
      }
      if (retry.maxDelayMs < retry.minDelayMs) retry.maxDelayMs = retry.minDelayMs;
      this.#retry = retry;
    }
    if (options.idleTimeoutMs !== undefined) {
      const ms = options.idleTimeoutMs;
      if (!(typeof ms === 'number' && ms >= 0 && !Number.isNaN(ms))) {
        throw optionError('idleTimeoutMs must be a number >= 0 (0 turns it off)');
      }
      this.#idleMs = ms;
    }
    for (const key of STREAM_OPTIONS) if (options[key] !== undefined) this.#streamOptions[key] = options[key];
    this.#autoProtocol = (options.protocol ?? 'auto') === 'auto';
    if (options.signal !== undefined && options.signal !== null) {
      if (typeof options.signal.addEventListener !== 'function' || typeof options.signal.aborted !== 'boolean') {
        throw optionError('signal must be an AbortSignal');
      }
      this.#signal = options.signal;
    }
    if (options.fetch !== undefined && typeof options.fetch !== 'function') {
      throw optionError('fetch must be a function');
    }
    this.#fetch = options.fetch ?? (hasGlobal('fetch') ? (...args) => globalThis.fetch(...args) : null);

    switch (kind) {
      case 'url':
        this.#init = this.#buildInit(options);
        break;
      case 'request':
        if (input.bodyUsed) throw optionError('the Request body was already read', 'invalid_input');
        this.#request = input.clone();
        this.#extraHeaders = new Headers(options.headers ?? undefined);
        this.#signal ??= input.signal ?? null;
        this.#restartable = true;
        break;
      case 'response':
        if (input.bodyUsed) throw optionError('the Response body was already read', 'invalid_input');
        break;
      case 'readable':
        if (input.locked) throw optionError('the ReadableStream is locked (already being read)', 'invalid_input');
        break;
      case 'eventsource':
        this.#source = input;
        this.#restartable = typeof input.constructor === 'function' && input.constructor !== Object;
        break;
      default:
        break;
    }
    if ((kind === 'url' || kind === 'request') && !this.#fetch) {
      throw optionError('there is no global fetch here: pass options.fetch');
    }
  }

  #buildInit(options) {
    const headers = new Headers(options.headers ?? undefined);
    let body = options.body;
    if (isPlainObject(body) || Array.isArray(body)) {
      body = JSON.stringify(body);
      if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    }
    if (!headers.has('accept')) headers.set('accept', 'text/event-stream');
    const hasBody = body !== undefined && body !== null;
    const init = { method: options.method ?? (hasBody ? 'POST' : 'GET'), headers };
    if (hasBody) init.body = body;
    for (const key of FETCH_OPTIONS) if (options[key] !== undefined) init[key] = options[key];
    // A streamed body cannot be sent twice: no resume, no retry.
    const streamedBody = hasGlobal('ReadableStream') && body instanceof ReadableStream;
    if (streamedBody) init.duplex = 'half';
    this.#restartable = !streamedBody;
    return init;
  }

  // --- running ----------------------------------------------------------------

  async #start(generation, resume, reopenSource) {
    try {
      try {
        await ready();
      } catch (error) {
        if (generation !== this.#generation) return;
        this.#shown = errorSnapshot(failure(`sse-wasm: the WebAssembly core did not load: ${describe(error)}`,
          'load_failed', true));
        this.#awaitingContent = false;
        this.#complete();
        return;
      }
      if (generation !== this.#generation) return;
      if (!this.#stream) {
        let stream;
        try {
          stream = new MessageStream(this.#streamOptions);
        } catch (error) {
          this.#shown = errorSnapshot(failure(describe(error), 'invalid_options', false));
          this.#awaitingContent = false;
          this.#complete();
          return;
        }
        this.#stream = stream;
        this.#unsubscribe = stream.subscribe(() => this.#schedule());
      }
      if (this.#kind === 'eventsource') {
        if (reopenSource) {
          const source = this.#source;
          this.#source = new source.constructor(source.url, { withCredentials: source.withCredentials });
        }
        await this.#readEventSource(generation);
      } else {
        await this.#drive(generation, resume);
      }
    } catch (error) {
      // A bug or a broken custom fetch/source: still an error state, never a rejection.
      if (generation !== this.#generation || this.#phase === 'finished') return;
      this.#stopConnection('abort');
      this.#fail(failure(`sse-wasm: ${describe(error)}`, 'internal_error', false));
    }
  }

  // Connections until the message is over: a lost one is resumed by Last-Event-ID
  // while the server sends ids and attempts remain.
  async #drive(generation, resume) {
    const stream = this.#stream;
    let failures = 0;
    for (;;) {
      const idBefore = stream.lastEventId;
      const outcome = await this.#connect(resume);
      if (generation !== this.#generation) return;
      if (outcome === null) {
        this.#complete();
        return;
      }
      stream.endConnection(); // drops an incomplete event: the resume resends it
      if (isTerminal(stream)) {
        this.#complete();
        return;
      }
      if (stream.lastEventId !== idBefore) failures = 0; // progress: a fresh set of attempts
      const resumable = this.#restartable && stream.lastEventId !== '';
      if (resumable && outcome.error.retryable && failures < this.#retry.attempts) {
        failures += 1;
        await this.#sleep(this.#delay(failures, stream.retry));
        if (generation !== this.#generation) return;
        resume = true;
        continue;
      }
      if (resumable) {
        this.#overlay = outcome.error; // kept streaming underneath: retry() resumes it
        this.#complete();
        return;
      }
      if (outcome.clean) stream.end(); // the protocol decides: done, or error 'interrupted'
      else stream.fail(outcome.error);
      this.#complete();
      return;
    }
  }

  // One connection. Returns null when the message reached a terminal status, else
  // { error, clean } (clean: the body ended normally, without the end marker).
  async #connect(resume) {
    const stream = this.#stream;
    const connection = new Connection(this.#idleMs);
    this.#connection = connection;
    try {
      let response = null;
      if (this.#kind === 'url' || this.#kind === 'request') {
        try {
          response = await connection.wait(this.#request ? this.#fetchRequest(resume, connection.controller.signal)
            : this.#fetchUrl(resume, connection.controller.signal));
        } catch (error) {
          if (connection.stopped) return this.#stoppedOutcome(connection, false);
          return { error: failure(`The request failed: ${describe(error)}`, 'network_error', true) };
        }
        if (connection.stopped) return this.#stoppedOutcome(connection, false);
        if (response === null || typeof response !== 'object' || typeof response.status !== 'number') {
          return { error: failure('The fetch function did not return a Response', 'invalid_response', false) };
        }
      } else if (this.#kind === 'response') {
        response = this.#input;
      }

      if (response) {
        const problem = await this.#check(response, connection);
        if (problem) return problem;
        if (connection.stopped) return this.#stoppedOutcome(connection, false);
        if (this.#autoProtocol
            && response.headers.get('x-vercel-ai-ui-message-stream')?.trim().toLowerCase() === 'v1') {
          stream.hintProtocol('ai-sdk');
        }
        connection.source = readerSource(response.body);
      } else if (this.#kind === 'readable') {
        connection.source = readerSource(this.#input);
      } else {
        connection.source = iterableSource(this.#input);
      }

      for (;;) {
        let result;
        try {
          result = await connection.read();
        } catch (error) {
          if (connection.stopped) return this.#stoppedOutcome(connection, true);
          return { error: failure(`The connection was lost (${describe(error)}); the partial response is kept`,
            'interrupted', true) };
        }
        if (connection.stopped) return this.#stoppedOutcome(connection, true);
        if (result.done) {
          stream.endConnection();
          if (isTerminal(stream)) return null;
          return { clean: true, error: failure('The stream ended before the response was complete; '
            + 'the partial response is kept', 'interrupted', true) };
        }
        connection.touch();
        try {
          stream.feed(result.value);
        } catch (error) {
          return { error: failure(`sse-wasm: the stream gave something that is not bytes or text: ${describe(error)}`,
            'invalid_chunk', false) };
        }
        if (isTerminal(stream)) {
          await this.#drainTail(connection, stream);
          return null;
        }
      }
    } finally {
      connection.close();
      if (this.#connection === connection) this.#connection = null;
    }
  }

  // After its end marker a provider may still send a finish reason or usage (the AI
  // SDK sends `finish` after `error`): read what follows for a moment, bounded in
  // bytes and time, so that a server holding the connection open delays nothing.
  async #drainTail(connection, stream) {
    for (let budget = TAIL_BYTES; budget > 0;) {
      let timer;
      const read = connection.read();
      read.catch(noop); // the read may settle after the connection is closed
      const result = await Promise.race([read, new Promise((resolve) => {
        timer = setTimeout(resolve, TAIL_MS, null);
      })]).catch(() => null).finally(() => clearTimeout(timer));
      if (!result || result.done || connection.stopped) return;
      budget -= result.value?.length ?? TAIL_BYTES;
      try {
        stream.feed(result.value);
      } catch {
        return;
      }
    }
  }

  #stoppedOutcome(connection, reading) {
    if (connection.stopped !== 'idle') return { error: failure('Aborted', 'aborted', false) };
    const message = reading
      ? `No data arrived for ${this.#idleMs} ms: the stream stalled; the partial response is kept`
      : `No response arrived within ${this.#idleMs} ms`;
    return { error: failure(message, 'interrupted', true) };
  }

  async #fetchUrl(resume, signal) {
    const init = { ...this.#init, headers: new Headers(this.#init.headers), signal };
    if (resume) init.headers.set('last-event-id', headerBytes(this.#stream.lastEventId));
    return this.#fetch(this.#input, init);
  }

  async #fetchRequest(resume, signal) {
    const request = this.#request.clone();
    const headers = new Headers(request.headers);
    for (const [name, value] of this.#extraHeaders) headers.set(name, value);
    if (!headers.has('accept')) headers.set('accept', 'text/event-stream');
    if (resume) headers.set('last-event-id', headerBytes(this.#stream.lastEventId));
    return this.#fetch(request, { headers, signal });
  }

  // The status and content type; a problem as { error }, else null.
  async #check(response, connection) {
    const status = response.status;
    if (status === 204) {
      return { error: failure('The server answered 204 No Content: there is no message to stream', 'no_content',
        false) };
    }
    if (!(status >= 200 && status <= 299)) {
      const start = await this.#bodyStart(response, connection);
      const statusText = response.statusText ? ` ${response.statusText}` : '';
      return { error: failure(`HTTP ${status}${statusText}${start ? `: ${start}` : ''}`, `http_${status}`,
        status === 408 || status === 429 || status >= 500) };
    }
    const type = response.headers.get('content-type') ?? '';
    if (type.split(';')[0].trim().toLowerCase() !== 'text/event-stream') {
      const start = await this.#bodyStart(response, connection);
      const what = type ? `'${type}'` : 'no content type';
      return { error: failure(`Expected a text/event-stream response, but the server sent ${what}`
        + `${start ? `: ${start}` : ''}`, 'bad_content_type', false) };
    }
    return null;
  }

  // The first characters of an error body, whitespace collapsed.
  async #bodyStart(response, connection) {
    let text = '';
    try {
      connection.source = readerSource(response.body);
      const decoder = new TextDecoder();
      while (text.length < ERROR_BODY_CHARS * 2) {
        const result = await connection.read();
        if (connection.stopped || result.done) break;
        connection.touch();
        text += typeof result.value === 'string' ? result.value : decoder.decode(result.value, { stream: true });
      }
    } catch {
      // what arrived is enough
    }
    text = text.replace(/\s+/g, ' ').trim();
    if (text.length <= ERROR_BODY_CHARS) return text;
    const code = text.charCodeAt(ERROR_BODY_CHARS - 1);
    return text.slice(0, code >= 0xd800 && code <= 0xdbff ? ERROR_BODY_CHARS - 1 : ERROR_BODY_CHARS).trimEnd();
  }

  // An EventSource parses on its own and reconnects on its own: its events are
  // written back as minimal SSE for the core, and it is closed once the message
  // is over (or when reconnecting would replay it from the start).
  #readEventSource(generation) {
    const stream = this.#stream;
    const source = this.#source;
    const connection = new Connection(this.#idleMs);
    this.#connection = connection;
    let lastId = '';
    let progressId = stream.lastEventId;
    let reconnects = 0;
    return new Promise((resolve) => {
      connection.defer(resolve);
      const end = (settle) => {
        if (generation !== this.#generation || this.#phase === 'finished') return;
        connection.close();
        settle();
        this.#complete();
      };
      const onEvent = (event) => {
        if (generation !== this.#generation || this.#phase === 'finished') return;
        if (event.type === 'error' && typeof event.data !== 'string') {
          onConnectionError(event);
          return;
        }
        connection.touch();
        let text = '';
        const id = typeof event.lastEventId === 'string' ? event.lastEventId : '';
        if (id !== '' && id !== lastId) {
          lastId = id;
          text += `id: ${id}\n`;
        }
        if (event.type !== 'message') text += `event: ${event.type}\n`;
        text += `data: ${String(event.data ?? '').split(/\r\n|\r|\n/).join('\ndata: ')}\n\n`;
        stream.feed(text);
        if (stream.lastEventId !== progressId) {
          progressId = stream.lastEventId;
          reconnects = 0;
        }
        if (isTerminal(stream)) end(noop);
      };
      const onConnectionError = (event) => {
        stream.endConnection();
        if (source.readyState === ES_CLOSED) {
          const status = typeof event.code === 'number' ? event.code : null;
          const detail = typeof event.message === 'string' && event.message ? `: ${event.message}` : '';
          const error = status === 204 ? failure(`The EventSource closed${detail}`, 'no_content', false)
            : status !== null ? failure(`The EventSource failed${detail}`, `http_${status}`,
              status === 408 || status === 429 || status >= 500)
              : failure(`The EventSource failed${detail}`, 'network_error', true);
          end(() => stream.fail(error));
        } else if (stream.lastEventId === '') {
          // Reconnecting without an id would replay the message from its start.
          if (stream.status === 'idle') {
            end(() => stream.fail(failure('The EventSource lost its connection before the message began',
              'network_error', true)));
          } else {
            end(() => stream.end());
          }
        } else if (++reconnects > this.#retry.attempts) {
          end(() => stream.fail(failure(`The connection was lost and ${this.#retry.attempts} reconnections `
            + 'made no progress; the partial response is kept', 'interrupted', true)));
        } else {
          connection.touch(); // the EventSource reconnects with Last-Event-ID itself
        }
      };
      const onOpen = () => connection.touch();
      for (const name of EVENT_NAMES) source.addEventListener(name, onEvent);
      source.addEventListener('open', onOpen);
      connection.defer(() => {
        for (const name of EVENT_NAMES) source.removeEventListener(name, onEvent);
        source.removeEventListener('open', onOpen);
      });
      connection.onStop = (reason) => {
        if (reason !== 'idle') return;
        queueMicrotask(() => end(() => {
          stream.endConnection();
          stream.fail(failure(`No event arrived for ${this.#idleMs} ms: the stream stalled; `
            + 'the partial response is kept', 'interrupted', true));
        }));
      };
      if (source.readyState === ES_CLOSED) {
        end(() => stream.fail(failure('The EventSource is closed', 'network_error', false)));
      }
    });
  }

  // --- ending -----------------------------------------------------------------

  #fail(error) {
    if (this.#stream) {
      if (!isTerminal(this.#stream)) this.#stream.fail(error);
    } else {
      this.#shown = errorSnapshot(error);
      this.#awaitingContent = false;
    }
    this.#complete();
  }

  // The run is over (for now: retry() may restart it). Notifies once more, then
  // resolves `finished`.
  #complete() {
    if (this.#phase === 'finished') return;
    this.#phase = 'finished';
    this.#stopConnection('abort');
    this.#cancelBackoff();
    if (this.#kind === 'eventsource') {
      try {
        this.#source?.close();
      } catch {
        // closing is best effort
      }
    }
    this.#signal?.removeEventListener('abort', this.#onSignalAbort);
    if (this.#stream && this.#awaitingContent) {
      // The new attempt ended: its snapshot replaces the old one whatever it holds.
      this.#awaitingContent = false;
      this.#shown = null;
    }
    if (this.#stream && !this.#overlay) {
      this.#shown = this.#stream.getSnapshot();
      this.#releaseStream();
    }
    this.#schedule();
  }

  #releaseStream() {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#stream?.dispose();
    this.#stream = null;
    this.#overlay = null;
    this.#derivedFrom = null;
    this.#derived = null;
  }

  #stopConnection(reason) {
    const connection = this.#connection;
    this.#connection = null;
    connection?.stop(reason);
    connection?.close();
  }

  #sleep(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#backoff = null;
        resolve();
      }, ms);
      this.#backoff = { timer, resolve };
    });
  }

  #cancelBackoff() {
    const backoff = this.#backoff;
    this.#backoff = null;
    if (backoff) {
      clearTimeout(backoff.timer);
      backoff.resolve();
    }
  }

  // Exponential from the server's `retry:` (else minDelayMs), plus up to half of
  // it again as jitter, within [minDelayMs, maxDelayMs].
  #delay(attempt, serverRetry) {
    const { minDelayMs, maxDelayMs } = this.#retry;
    const base = (serverRetry ?? minDelayMs) * 2 ** (attempt - 1);
    return Math.min(maxDelayMs, Math.max(minDelayMs, base + Math.random() * base * 0.5));
  }

  #onSignalAbort = () => this.abort();

  #listenSignal() {
    this.#signal?.addEventListener('abort', this.#onSignalAbort, { once: true });
  }

  #newFinished() {
    this.#finished = new Promise((resolve) => {
      this.#resolveFinished = resolve;
    });
  }

  #schedule() {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    scheduleFlush(this.#flush);
  }

  #flush = () => {
    this.#flushScheduled = false;
    const snapshot = this.getSnapshot();
    if (snapshot !== this.#lastNotified) {
      this.#lastNotified = snapshot;
      for (const listener of [...this.#listeners]) {
        try {
          listener();
        } catch (error) {
          setTimeout(() => {
            throw error; // reported like an event listener's error, without stopping the others
          }, 0);
        }
      }
    }
    if (this.#phase === 'finished' && this.#resolveFinished) {
      const resolve = this.#resolveFinished;
      this.#resolveFinished = null;
      resolve(snapshot);
    }
  };
}

/**
 * Streams one assistant message. `input`: a URL (string or URL), a Request, a
 * Response, a ReadableStream of bytes, an async iterable of bytes or strings, or an
 * EventSource. Callable before ready(). See docs/transport.md.
 * @returns {{ getSnapshot(): object, subscribe(listener: () => void): () => void, abort(): void,
 *   retry(): Promise<object>, readonly finished: Promise<object> }}
 */
export function streamMessage(input, options) {
  return new MessageRun(input, options ?? {});
}
