// sse-wasm/react: React hooks over streamMessage() (React 18 and 19).
//
// Both hooks keep their state in a small external store read with
// useSyncExternalStore, so React renders when the run notifies (at most once per
// animation frame, the run throttles) and every snapshot piece the run did not
// change keeps its identity (React.memo children skip unchanged parts).
//
// Lifecycle rules, the same for both hooks:
// - Rendering touches neither `window` nor the wasm core; the server snapshot is
//   the idle snapshot, so the first client render matches the server's HTML.
// - start()/send()/retry() create the run one microtask later. A component
//   unmounted before then never sends its request: StrictMode's simulated
//   unmount/remount of effects cancels the first start and keeps the second, so a
//   request started from an effect goes out once.
// - Unmounting aborts the running request (the connection is closed).
import {
  useEffect, useLayoutEffect, useMemo, useState, useSyncExternalStore,
} from 'react';
import { isReady, ready, streamMessage } from './index.js';

const EMPTY = Object.freeze([]);

/** The snapshot before anything started (also the server snapshot). */
export const IDLE_SNAPSHOT = Object.freeze({
  status: 'idle', parts: EMPTY, text: '', error: null, finishReason: null, usage: null,
  lastEventId: '', protocol: null, warnings: EMPTY,
});

// Asked for, not yet answered: the wasm may still be loading, the request not sent.
const STARTING_SNAPSHOT = Object.freeze({ ...IDLE_SNAPSHOT, status: 'streaming' });
// Stopped before the request went out.
const STOPPED_SNAPSHOT = Object.freeze({ ...IDLE_SNAPSHOT, status: 'aborted' });

const getServerSnapshot = () => IDLE_SNAPSHOT;

// useLayoutEffect on the client, useEffect (a no-op) on the server, without
// React 18's server warning. `typeof document` is only read at import time.
const useIsomorphicLayoutEffect = typeof document !== 'undefined' ? useLayoutEffect : useEffect;

const isActive = (status) => status === 'streaming' || status === 'idle';

function mergeHeaders(...sources) {
  let merged = null;
  for (const source of sources) {
    if (!source) continue;
    merged ??= {};
    const entries = typeof source.forEach === 'function' && !Array.isArray(source) && typeof source.entries === 'function'
      ? [...source.entries()]
      : Array.isArray(source) ? source : Object.entries(source);
    for (const [key, value] of entries) {
      // Header names are case-insensitive: a later source replaces an earlier one.
      for (const existing of Object.keys(merged)) {
        if (existing.toLowerCase() === String(key).toLowerCase()) delete merged[existing];
      }
      merged[key] = value;
    }
  }
  return merged;
}

// Splits hook options into the URL and the streamMessage() options.
function requestOf(base, overrides) {
  const { api, headers, initialMessages: _initial, ...rest } = base; // eslint-disable-line no-unused-vars
  const { api: apiOverride, headers: headerOverrides, ...restOverrides } = overrides ?? {};
  const options = { ...rest, ...restOverrides };
  const mergedHeaders = mergeHeaders(headers, headerOverrides);
  if (mergedHeaders) options.headers = mergedHeaders;
  const url = apiOverride ?? api;
  if (url === undefined || url === null || url === '') throw new TypeError('sse-wasm/react: the `api` option (a URL) is required');
  return { url: String(url), options };
}

class Lifecycle {
  // 'new' until the first effect, 'mounted', or 'unmounted' (maybe for good).
  state = 'new';

  mount() {
    this.state = 'mounted';
    if (!isReady()) ready().catch(() => {}); // warm the wasm up; a run reports its own failure
  }

  get gone() {
    return this.state === 'unmounted';
  }
}

// ---------------------------------------------------------------------------
// useMessageStream

class MessageStore extends Lifecycle {
  options;
  #listeners = new Set();
  #run = null;
  #unsubscribeRun = null;
  #pending = null; // { request } while a start waits for its microtask
  #request = null; // the last request, for retry()
  #stopped = false; // stopped before the request went out
  #previous = null; // the output shown while a retry has no content yet
  #previousShown = null;

  constructor(options) {
    super();
    this.options = options;
  }

  subscribe = (listener) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getSnapshot = () => {
    let snapshot;
    if (this.#pending) {
      snapshot = STARTING_SNAPSHOT;
    } else if (this.#run) {
      snapshot = this.#run.getSnapshot();
      if (snapshot.status === 'idle') snapshot = STARTING_SNAPSHOT;
    } else {
      return this.#stopped ? STOPPED_SNAPSHOT : IDLE_SNAPSHOT;
    }
    // Retried after done or a stop: the old output stays until new content arrives.
    if (!this.#previous || snapshot.status !== 'streaming' || snapshot.parts.length > 0) return snapshot;
    if (this.#previousShown?.source !== snapshot) {
      this.#previousShown = { source: snapshot, shown: Object.freeze({ ...this.#previous, status: 'streaming', error: null }) };
    }
    return this.#previousShown.shown;
  };

  start = (overrides) => {
    this.#begin(requestOf(this.options ?? {}, overrides), null); // throws now, in the caller, on a missing api
  };

  #begin(request, previous) {
    this.#detach(true);
    this.#previous = previous?.parts.length ? previous : null;
    this.#previousShown = null;
    this.#stopped = false;
    this.#request = request;
    const pending = { request };
    this.#pending = pending;
    queueMicrotask(() => {
      if (this.#pending !== pending) return; // replaced, stopped or unmounted meanwhile
      this.#pending = null;
      if (this.gone) return;
      this.#attach(streamMessage(request.url, request.options));
    });
    this.#notify();
  }

  stop = () => {
    if (this.#pending) {
      this.#pending = null;
      this.#stopped = true;
      this.#notify();
    } else {
      this.#run?.abort();
    }
  };

  retry = () => {
    if (this.#pending || !this.#request) return;
    const status = this.#run?.getSnapshot().status;
    if (this.#run && isActive(status)) return;
    if (this.#run && status === 'error') {
      // Resume after the last event ID when the server sent ids, else restart;
      // the run keeps the partial output visible until new content arrives.
      this.#run.retry();
      this.#notify();
    } else {
      this.#begin(this.#request, this.getSnapshot()); // done or stopped: the same request again
    }
  };

  unmount() {
    this.state = 'unmounted';
    this.#pending = null;
    this.#run?.abort();
  }

  #attach(run) {
    this.#run = run;
    this.#unsubscribeRun = run.subscribe(() => this.#notify());
    this.#notify();
  }

  #detach(abort) {
    this.#pending = null;
    if (!this.#run) return;
    if (abort) this.#run.abort();
    this.#unsubscribeRun?.();
    this.#unsubscribeRun = null;
    this.#run = null;
  }

  #notify() {
    for (const listener of [...this.#listeners]) listener();
  }
}

// One store per component: it sees the latest options, lives from mount to unmount
// (unmount aborts), and is read through useSyncExternalStore. `serverSnapshot(store)`
// is what server rendering and hydration see.
function useStore(Store, options, serverSnapshot) {
  const [store] = useState(() => new Store(options));
  useIsomorphicLayoutEffect(() => {
    store.options = options;
  });
  useEffect(() => {
    store.mount();
    return () => store.unmount();
  }, [store]);
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot, () => serverSnapshot(store));
  return [store, snapshot];
}

/**
 * One streamed message: `start()` sends the request (aborting a running one),
 * the snapshot follows the stream.
 * @param {import('./react.d.ts').UseMessageStreamOptions} options
 * @returns {import('./react.d.ts').UseMessageStreamResult}
 */
export function useMessageStream(options = {}) {
  const [store, snapshot] = useStore(MessageStore, options, getServerSnapshot);
  return useMemo(() => ({
    snapshot,
    status: snapshot.status,
    text: snapshot.text,
    parts: snapshot.parts,
    error: snapshot.error,
    start: store.start,
    stop: store.stop,
    retry: store.retry,
  }), [snapshot, store]);
}

// ---------------------------------------------------------------------------
// useChatStream

let idCounter = 0;
function newId(prefix) {
  idCounter += 1;
  return `${prefix}-${Date.now().toString(36)}-${idCounter.toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

function textOfParts(parts) {
  let text = '';
  for (const part of parts) if (part.type === 'text') text += part.text;
  return text;
}

// A message given by the caller (initialMessages, setMessages), frozen as is.
// Initial messages without an id get `initial-<index>`: the same on the server
// and the client, so a rendered id hydrates.
function staticEntry(message, index, prefix) {
  const role = message.role === 'assistant' ? 'assistant' : 'user';
  const parts = Array.isArray(message.parts)
    ? Object.freeze([...message.parts])
    : Object.freeze([Object.freeze({ type: 'text', text: String(message.text ?? message.content ?? '') })]);
  const frozen = Object.freeze({
    ...message,
    id: message.id ?? (prefix ? `${prefix}-${index}` : newId(role === 'user' ? 'u' : 'a')),
    role,
    parts,
    text: typeof message.text === 'string' ? message.text : textOfParts(parts),
  });
  return { id: frozen.id, role, message: frozen, static: true };
}

function userEntry(text) {
  const message = Object.freeze({
    id: newId('u'), role: 'user', parts: Object.freeze([Object.freeze({ type: 'text', text })]), text,
  });
  return { id: message.id, role: 'user', message };
}

class ChatStore extends Lifecycle {
  options;
  #listeners = new Set();
  #entries = EMPTY;       // user entries: { id, role, message }; assistant: + { run, pending, previous, ... }
  #pending = null;        // { entry, undo } while a send/regenerate waits for its microtask
  #snapshot;
  #snapshotEntries = null;

  constructor(options) {
    super();
    this.options = options;
    const initial = Array.isArray(options?.initialMessages) ? options.initialMessages.map((m, i) => staticEntry(m, i, 'initial')) : [];
    this.#entries = Object.freeze(initial);
    this.#snapshot = Object.freeze({ messages: Object.freeze(initial.map((e) => e.message)), status: 'idle', error: null });
  }

  subscribe = (listener) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getSnapshot = () => {
    const entries = this.#entries;
    const previous = this.#snapshot.messages;
    let changed = entries !== this.#snapshotEntries;
    const messages = new Array(entries.length);
    for (let i = 0; i < entries.length; i++) {
      messages[i] = this.#messageOf(entries[i]);
      if (messages[i] !== previous[i]) changed = true;
    }
    if (!changed) return this.#snapshot;
    this.#snapshotEntries = entries;
    const last = messages.at(-1);
    const lastAssistant = last?.role === 'assistant' ? last : null;
    this.#snapshot = Object.freeze({
      messages: Object.freeze(messages),
      status: lastAssistant?.status ?? 'idle',
      error: lastAssistant?.status === 'error' ? lastAssistant.error : null,
    });
    return this.#snapshot;
  };

  send = (text, overrides) => {
    const content = typeof text === 'string' ? text : String(text ?? '');
    if (content.trim() === '') return;
    this.#settle();
    const user = userEntry(content);
    const assistant = { id: newId('a'), role: 'assistant', run: null, pending: true, previous: null,
      unsubscribe: null, cache: null };
    const before = this.#entries;
    this.#entries = Object.freeze([...before, user, assistant]);
    this.#schedule(assistant, overrides, () => {
      this.#entries = Object.freeze(this.#entries.filter((e) => e !== user && e !== assistant));
    });
  };

  stop = () => {
    if (this.#pending) {
      const { entry } = this.#pending;
      this.#pending = null;
      entry.pending = false;
      entry.stopped = true;
      this.#notify();
      return;
    }
    const last = this.#entries.at(-1);
    if (last?.run && isActive(last.run.getSnapshot().status)) last.run.abort();
  };

  retry = (overrides) => {
    if (this.#pending) return;
    const last = this.#entries.at(-1);
    if (!last) return;
    if (last.role === 'user') {
      // The conversation ends with a question (e.g. initialMessages): answer it.
      const assistant = { id: newId('a'), role: 'assistant', run: null, pending: true, previous: null,
        unsubscribe: null, cache: null };
      this.#entries = Object.freeze([...this.#entries, assistant]);
      this.#schedule(assistant, overrides, () => {
        this.#entries = Object.freeze(this.#entries.filter((e) => e !== assistant));
      });
      return;
    }
    const status = last.run?.getSnapshot().status;
    if (last.run && isActive(status)) return; // still answering
    if (last.run && status === 'error') {
      // Resume after the last event ID when the server sent ids, else restart;
      // the run keeps the partial answer visible until new content arrives.
      last.run.retry();
      this.#notify();
      return;
    }
    // Done, stopped, or a static message: generate the answer again, keeping the
    // old one visible until the new one has content.
    const saved = { run: last.run, unsubscribe: last.unsubscribe, stopped: last.stopped, previous: last.previous };
    last.previous = this.#messageOf(last);
    last.run = null;
    last.unsubscribe = null;
    last.stopped = false;
    last.pending = true;
    last.static = false;
    this.#entries = Object.freeze([...this.#entries]); // same entries, new list: recompute
    this.#schedule(last, overrides, () => {
      Object.assign(last, saved, { pending: false });
      if (!saved.run && last.message) last.static = true;
      this.#entries = Object.freeze([...this.#entries]);
    }, () => {
      saved.unsubscribe?.();
    });
  };

  setMessages = (messages) => {
    this.#settle();
    for (const entry of this.#entries) this.#release(entry);
    this.#entries = Object.freeze((messages ?? []).map((m, i) => staticEntry(m, i, null)));
    this.#notify();
  };

  unmount() {
    this.state = 'unmounted';
    if (this.#pending) {
      const { undo } = this.#pending;
      this.#pending = null;
      undo();
    }
    for (const entry of this.#entries) {
      if (entry.run && isActive(entry.run.getSnapshot().status)) entry.run.abort();
    }
  }

  // Runs `undo` if the component unmounts before the request goes out.
  #schedule(entry, overrides, undo, onLaunch) {
    const pending = { entry, undo };
    this.#pending = pending;
    queueMicrotask(() => {
      if (this.#pending !== pending) return;
      this.#pending = null;
      if (this.gone) return;
      onLaunch?.();
      this.#launch(entry, overrides);
    });
    this.#notify();
  }

  #launch(entry, overrides) {
    const index = this.#entries.indexOf(entry);
    const history = [];
    for (const e of this.#entries.slice(0, index)) {
      const message = this.#messageOf(e);
      if (message.text !== '') history.push({ role: message.role, content: message.text });
    }
    const base = this.options ?? {};
    const extra = overrides?.body ?? base.body;
    const extraBody = extra && typeof extra === 'object' ? extra : {};
    const { body: _body, ...restOverrides } = overrides ?? {}; // eslint-disable-line no-unused-vars
    const { url, options } = requestOf(base, {
      method: 'POST',
      ...restOverrides,
      headers: mergeHeaders({ 'content-type': 'application/json' }, base.headers, overrides?.headers),
      body: JSON.stringify({ ...extraBody, messages: history }),
    });
    const run = streamMessage(url, options);
    entry.pending = false;
    entry.run = run;
    entry.unsubscribe = run.subscribe(() => this.#notify());
    this.#notify();
  }

  // A new send: a running answer is stopped (its tokens kept), a pending one dropped.
  #settle() {
    if (this.#pending) {
      const { entry } = this.#pending;
      this.#pending = null;
      entry.pending = false;
      entry.stopped = true;
    }
    const last = this.#entries.at(-1);
    if (last?.run && isActive(last.run.getSnapshot().status)) last.run.abort();
  }

  #release(entry) {
    if (entry.run && isActive(entry.run.getSnapshot().status)) entry.run.abort();
    entry.unsubscribe?.();
    entry.unsubscribe = null;
  }

  #messageOf(entry) {
    if (entry.role === 'user' || entry.static) return entry.message;
    let snapshot;
    if (entry.run) {
      snapshot = entry.run.getSnapshot();
      if (snapshot.status === 'idle') snapshot = STARTING_SNAPSHOT;
    } else {
      snapshot = entry.pending ? STARTING_SNAPSHOT : entry.stopped ? STOPPED_SNAPSHOT : STARTING_SNAPSHOT;
    }
    // Regenerating: the old answer stays until the new one has content.
    const previous = entry.previous;
    const showPrevious = previous && snapshot.parts.length === 0 && isActive(snapshot.status);
    const cache = entry.cache;
    if (cache && cache.snapshot === snapshot && cache.showPrevious === showPrevious) return cache.message;
    const source = showPrevious ? previous : snapshot;
    const message = Object.freeze({
      id: entry.id,
      role: 'assistant',
      parts: source.parts,
      text: source.text,
      status: snapshot.status,
      error: snapshot.error,
      finishReason: snapshot.finishReason ?? null,
      usage: snapshot.usage ?? null,
    });
    entry.cache = { snapshot, showPrevious, message };
    return message;
  }

  #notify() {
    for (const listener of [...this.#listeners]) listener();
  }
}

/**
 * A conversation: `send(text)` posts `{ messages: [{ role, content }] }` to `api`
 * and streams the answer into `messages`.
 * @param {import('./react.d.ts').UseChatStreamOptions} options
 * @returns {import('./react.d.ts').UseChatStreamResult}
 */
export function useChatStream(options = {}) {
  const [store, snapshot] = useStore(ChatStore, options, (s) => s.getSnapshot());
  return useMemo(() => ({
    messages: snapshot.messages,
    status: snapshot.status,
    error: snapshot.error,
    send: store.send,
    stop: store.stop,
    retry: store.retry,
    setMessages: store.setMessages,
  }), [snapshot, store]);
}
