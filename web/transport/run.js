// streamMessage: one assistant message from a URL, a Request, a Response, a byte
// stream or an EventSource into a MessageStream, with what a real network needs:
// HTTP and content-type checks, an idle timeout, resume by Last-Event-ID with
// backoff, retry, abort, and notifications throttled to the frame. Nothing here
// throws: every failure becomes the snapshot's error. See docs/transport.md.
//
// Every state transition of a run is a method of MessageRun, below the "state"
// line; the modules beside it read (connection.js, http.js, event-source.js),
// check options (options.js) and name errors (errors.js).
import { disposeSymbol, ready } from '../core.js';
import { MessageStream } from '../message-stream.js';
import { IDLE_SNAPSHOT, isTerminal, overPrevious } from '../snapshots.js';
import { Connection, bodySource, contentMark, iterableSource, noop, sameContent } from './connection.js';
import { describe, failure, fetchFailure } from './errors.js';
import { readEventSource } from './event-source.js';
import { checkResponse, fetchAttempt } from './http.js';
import { reconnectDelay, settingsOf } from './options.js';

// What is read after the end marker: at most this much, waiting at most this long.
const TAIL_BYTES = 64 * 1024;
const TAIL_MS = 50;

const ABORTED = Object.freeze({ ...IDLE_SNAPSHOT, status: 'aborted' });
const errorSnapshot = (error) => Object.freeze({ ...IDLE_SNAPSHOT, status: 'error', error });

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

class MessageRun {
  #settings = null;
  #listeners = new Set();
  #stream = null;        // the MessageStream of this attempt, while it lives
  #unsubscribe = null;
  #final = null;         // the snapshot once no stream is live (an early error, aborted, or the end)
  #view = null;          // a retry that starts over: overPrevious() of the last attempt's output
  #overlay = null;       // a transport error shown over a stream kept for a resume
  #derivedFrom = null;
  #derived = null;
  #phase = 'running';    // 'running' | 'finished' (retry() may start it again)
  #disposed = false;
  #generation = 0;       // bumped by abort and retry: a stale attempt's await sees it and stops
  #connection = null;
  #backoff = null;
  #flushScheduled = false;
  #lastNotified = IDLE_SNAPSHOT;
  #finished;
  #resolveFinished = null;

  constructor(input, options) {
    this.getSnapshot = this.getSnapshot.bind(this);
    this.subscribe = this.subscribe.bind(this);
    this.abort = this.abort.bind(this);
    this.retry = this.retry.bind(this);
    this.dispose = this.dispose.bind(this);
    this.#newFinished();
    try {
      this.#settings = settingsOf(input, options);
    } catch (error) {
      this.#finishEarly(errorSnapshot(failure(error?.code ?? 'invalid_options', { detail: describe(error) })));
      return;
    }
    if (this.#settings.signal?.aborted) {
      this.#finishEarly(ABORTED);
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
    let snapshot;
    if (this.#stream) {
      snapshot = this.#stream.getSnapshot();
      if (this.#overlay) {
        if (this.#derivedFrom !== snapshot) {
          this.#derivedFrom = snapshot;
          this.#derived = Object.freeze({ ...snapshot, status: 'error', error: this.#overlay });
        }
        snapshot = this.#derived;
      }
    } else {
      snapshot = this.#final ?? IDLE_SNAPSHOT;
    }
    return this.#view ? this.#view(snapshot) : snapshot;
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
      if (this.#stream) this.#settle();
      return;
    }
    this.#generation += 1;
    this.#stopConnection('abort');
    this.#cancelBackoff();
    if (this.#stream) this.#stream.abort();
    else this.#final = ABORTED;
    this.#complete();
  }

  /**
   * After an error: resumes by Last-Event-ID when the server sent ids (the same
   * message continues), else starts over with a new request, the old output shown
   * until the new attempt has content. Either way the status is 'streaming' at
   * once. Returns the new `finished`.
   */
  retry() {
    if (this.#disposed || this.#phase !== 'finished' || this.getSnapshot().status !== 'error') return this.#finished;
    if (!this.#settings?.restartable || this.#settings.signal?.aborted) return this.#finished;
    const previous = this.getSnapshot();
    this.#resolveFinished?.(previous);
    this.#newFinished();
    this.#phase = 'running';
    this.#generation += 1;
    this.#listenSignal();
    const resume = this.#stream !== null && this.#overlay !== null;
    if (resume) {
      this.#overlay = null;
    } else {
      this.#releaseStream();
      this.#final = null;
      this.#view = overPrevious(previous);
    }
    this.#schedule();
    this.#start(this.#generation, resume, this.#settings.kind === 'eventsource');
    return this.#finished;
  }

  /** Aborts a running message, releases everything, and makes retry() a no-op. */
  dispose() {
    if (this.#disposed) return;
    this.#disposed = true;
    this.abort();
    if (this.#stream) this.#settle();
    this.#schedule(); // the last flush lets the listeners go
  }

  [disposeSymbol]() {
    this.dispose();
  }

  // --- running ----------------------------------------------------------------

  async #start(generation, resume, reopenSource) {
    try {
      try {
        await ready();
      } catch (error) {
        if (generation !== this.#generation) return;
        this.#final = errorSnapshot(failure('load_failed', { detail: describe(error) }));
        this.#complete();
        return;
      }
      if (generation !== this.#generation) return;
      if (!this.#stream) {
        try {
          this.#stream = new MessageStream(this.#settings.streamOptions);
        } catch (error) {
          this.#final = errorSnapshot(failure('invalid_options', { detail: describe(error) }));
          this.#complete();
          return;
        }
        this.#unsubscribe = this.#stream.subscribe(() => this.#schedule());
      }
      if (this.#settings.kind === 'eventsource') {
        if (reopenSource) {
          const source = this.#settings.input;
          this.#settings.input = new source.constructor(source.url, { withCredentials: source.withCredentials });
        }
        await this.#readEventSource(generation);
      } else {
        await this.#drive(generation, resume);
      }
    } catch (error) {
      // A bug or a broken custom fetch/source: still an error state, never a rejection.
      if (generation !== this.#generation || this.#phase === 'finished') return;
      this.#stopConnection('abort');
      this.#fail(failure('internal_error', { detail: describe(error) }));
    }
  }

  // Connections until the message is over: a lost one is resumed by Last-Event-ID
  // while the server sends ids and attempts remain.
  async #drive(generation, resume) {
    const stream = this.#stream;
    const { retry, restartable } = this.#settings;
    let failures = 0;
    for (;;) {
      const before = contentMark(stream);
      const outcome = await this.#connect(resume);
      if (generation !== this.#generation) return;
      if (outcome === null) {
        this.#complete();
        return;
      }
      stream.endConnection(); // drops an incomplete event: the resume resends it
      if (isTerminal(stream.status)) {
        this.#complete();
        return;
      }
      // Progress (new content, not merely a new id): a fresh set of attempts.
      if (!sameContent(before, contentMark(stream))) failures = 0;
      const resumable = restartable && stream.lastEventId !== '';
      if (resumable && outcome.error.retryable && failures < retry.attempts) {
        failures += 1;
        await this.#sleep(reconnectDelay(failures, stream.retry, retry));
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
    const settings = this.#settings;
    const connection = new Connection(settings.idleMs);
    this.#connection = connection;
    try {
      let response = null;
      if (settings.kind === 'url' || settings.kind === 'request') {
        try {
          response = await connection.wait(fetchAttempt(settings, resume ? stream.lastEventId : null,
            connection.controller.signal));
        } catch (error) {
          if (connection.stopped) return this.#stoppedOutcome(connection, false);
          return { error: fetchFailure(error) };
        }
        if (connection.stopped) return this.#stoppedOutcome(connection, false);
        if (response === null || typeof response !== 'object' || typeof response.status !== 'number') {
          return { error: failure('invalid_response', { detail: 'The fetch function did not return a Response' }) };
        }
      } else if (settings.kind === 'response') {
        response = settings.input;
      }

      if (response) {
        const problem = await checkResponse(response, connection);
        if (problem) return { error: problem };
        if (connection.stopped) return this.#stoppedOutcome(connection, false);
        if (settings.autoProtocol
            && response.headers.get('x-vercel-ai-ui-message-stream')?.trim().toLowerCase() === 'v1') {
          stream.hintProtocol('ai-sdk');
        }
        connection.source = bodySource(response.body);
        if (!connection.source) {
          return { error: failure('invalid_response', { detail: 'The response body is not a stream' }) };
        }
      } else if (settings.kind === 'readable') {
        connection.source = bodySource(settings.input);
      } else {
        connection.source = iterableSource(settings.input);
      }

      for (;;) {
        let result;
        try {
          result = await connection.read();
        } catch (error) {
          if (connection.stopped) return this.#stoppedOutcome(connection, true);
          return { error: failure('lost', { detail: describe(error) }) };
        }
        if (connection.stopped) return this.#stoppedOutcome(connection, true);
        if (result.done) {
          stream.endConnection();
          if (isTerminal(stream.status)) return null;
          return { clean: true, error: failure('ended_early', { detail: 'The body ended before the end marker' }) };
        }
        connection.touch();
        try {
          stream.feed(result.value);
        } catch (error) {
          return { error: failure('invalid_chunk', { detail: `A chunk is neither bytes nor text: ${describe(error)}` }) };
        }
        if (isTerminal(stream.status)) {
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
    if (connection.stopped !== 'idle') return { error: failure('aborted') };
    const ms = this.#settings.idleMs;
    return {
      error: reading ? failure('stalled', { detail: `No data arrived for ${ms} ms` })
        : failure('no_response', { detail: `No response arrived within ${ms} ms` }),
    };
  }

  #readEventSource(generation) {
    return readEventSource(this.#settings.input, this.#stream, {
      idleMs: this.#settings.idleMs,
      attempts: this.#settings.retry.attempts,
      connection: (connection) => {
        this.#connection = connection;
      },
      over: () => generation !== this.#generation || this.#phase === 'finished',
      end: (settle) => {
        settle();
        this.#complete();
      },
    });
  }

  // --- state ------------------------------------------------------------------

  // Finished before anything started (bad options, an aborted signal).
  #finishEarly(snapshot) {
    this.#final = snapshot;
    this.#complete();
  }

  #fail(error) {
    if (this.#stream) {
      if (!isTerminal(this.#stream.status)) this.#stream.fail(error);
    } else {
      this.#final = errorSnapshot(error);
    }
    this.#complete();
  }

  // The run is over (for now: retry() may restart it). Notifies once more, then
  // resolves `finished` (see #flush).
  #complete() {
    if (this.#phase === 'finished') return;
    this.#phase = 'finished';
    this.#stopConnection('abort');
    this.#cancelBackoff();
    if (this.#settings?.kind === 'eventsource') {
      try {
        this.#settings.input.close();
      } catch {
        // closing is best effort
      }
    }
    this.#settings?.signal?.removeEventListener('abort', this.#onSignalAbort);
    if (!this.#overlay) this.#settle();
    this.#schedule();
  }

  // The snapshot becomes final: the stream (if any) is released, the view folded in.
  #settle() {
    this.#final = this.getSnapshot();
    this.#view = null;
    this.#releaseStream();
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

  #onSignalAbort = () => this.abort();

  #listenSignal() {
    this.#settings?.signal?.addEventListener('abort', this.#onSignalAbort, { once: true });
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

  // Notifies listeners of a new snapshot. `finished` resolves only with the
  // snapshot the last notification carried: a listener that aborts, retries or
  // disposes changes the snapshot, and the flush that change scheduled resolves.
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
    if (this.#phase !== 'finished' || this.#flushScheduled || this.getSnapshot() !== snapshot) return;
    const resolve = this.#resolveFinished;
    this.#resolveFinished = null;
    resolve?.(snapshot);
    if (this.#disposed) this.#listeners.clear();
  };
}

/**
 * Streams one assistant message. `input`: a URL (string or URL), a Request, a
 * Response, a ReadableStream of bytes, an async iterable of bytes or strings, or an
 * EventSource. Callable before ready(). See docs/transport.md.
 * @returns {import('../index.d.ts').MessageRun}
 */
export function streamMessage(input, options) {
  return new MessageRun(input, options ?? {});
}
