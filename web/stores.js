// Framework-free stores over streamMessage(): one streamed message (MessageStore)
// and a conversation (ChatStore). Each has getSnapshot()/subscribe() in the shape
// useSyncExternalStore reads, actions bound to the instance (usable directly as
// event handlers: an argument that is not a plain object, such as a click event,
// is ignored), and mount()/unmount() for an owner's lifetime. sse-wasm/react
// adapts them; nothing here knows of React.
//
// Lifecycle rules, the same for both stores:
// - start()/send()/retry() create the run one microtask later. An owner unmounted
//   before then never sends its request: React StrictMode's simulated
//   unmount/remount cancels the first start and keeps the second, so a request
//   started from an effect goes out once.
// - unmount() aborts the running request (the connection is closed).
// - A new attempt (a retry that starts over, a regenerated answer) keeps the
//   previous output visible until it has content: overPrevious() in snapshots.js.
import { isReady, ready } from './core.js';
import { streamMessage } from './transport/run.js';
import { isPlainObject } from './transport/http.js';
import { IDLE_SNAPSHOT, STARTING_SNAPSHOT, isActive, overPrevious } from './snapshots.js';

const EMPTY = Object.freeze([]);
const STOPPED_SNAPSHOT = Object.freeze({ ...IDLE_SNAPSHOT, status: 'aborted' });

/** Options given to an action: a plain object, else (an event, nothing) none. */
const optionsArgument = (value) => (isPlainObject(value) ? value : undefined);

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

// Splits store options into the URL and the streamMessage() options.
function requestOf(base, overrides) {
  const { api, headers, initialMessages: _initial, ...rest } = base; // eslint-disable-line no-unused-vars
  const { api: apiOverride, headers: headerOverrides, ...restOverrides } = overrides ?? {};
  const options = { ...rest, ...restOverrides };
  const mergedHeaders = mergeHeaders(headers, headerOverrides);
  if (mergedHeaders) options.headers = mergedHeaders;
  const url = apiOverride ?? api;
  if (url === undefined || url === null || url === '') throw new TypeError('sse-wasm: the `api` option (a URL) is required');
  return { url: String(url), options };
}

class Store {
  // 'new' until mount(), 'mounted', or 'unmounted' (maybe for good).
  state = 'new';
  #listeners = new Set();

  subscribe = (listener) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  mount() {
    this.state = 'mounted';
    if (!isReady()) ready().catch(() => {}); // warm the wasm up; a run reports its own failure
  }

  get gone() {
    return this.state === 'unmounted';
  }

  notify() {
    for (const listener of [...this.#listeners]) listener();
  }
}

// ---------------------------------------------------------------------------

/** One streamed message: start() sends the request, the snapshot follows the run. */
export class MessageStore extends Store {
  options;
  #run = null;
  #unsubscribeRun = null;
  #pending = null;  // { request } while a start waits for its microtask
  #request = null;  // the last request, for retry()
  #stopped = false; // stopped before the request went out
  #view = null;     // overPrevious() of the output before this start

  constructor(options) {
    super();
    this.options = options;
  }

  getSnapshot = () => {
    if (!this.#view) return IDLE_SNAPSHOT;
    const base = this.#pending ? IDLE_SNAPSHOT : this.#run ? this.#run.getSnapshot()
      : this.#stopped ? STOPPED_SNAPSHOT : IDLE_SNAPSHOT;
    return this.#view(base);
  };

  start = (overrides) => {
    // Throws now, in the caller, on a missing api.
    this.#begin(requestOf(this.options ?? {}, optionsArgument(overrides)), null);
  };

  stop = () => {
    if (this.#pending) {
      this.#pending = null;
      this.#stopped = true;
      this.notify();
    } else {
      this.#run?.abort();
    }
  };

  retry = () => {
    if (this.#pending || !this.#request) return;
    const status = this.#run?.getSnapshot().status;
    if (this.#run && isActive(status)) return;
    if (this.#run && status === 'error') {
      this.#run.retry(); // resumes by Last-Event-ID when it can, else starts over
      this.notify();
    } else {
      this.#begin(this.#request, this.getSnapshot()); // done or stopped: the same request again
    }
  };

  unmount() {
    this.state = 'unmounted';
    this.#pending = null;
    this.#run?.abort();
  }

  #begin(request, previous) {
    this.#detach();
    this.#view = overPrevious(previous);
    this.#stopped = false;
    this.#request = request;
    const pending = { request };
    this.#pending = pending;
    queueMicrotask(() => {
      if (this.#pending !== pending) return; // replaced, stopped or unmounted meanwhile
      this.#pending = null;
      if (this.gone) return;
      this.#run = streamMessage(request.url, request.options);
      this.#unsubscribeRun = this.#run.subscribe(() => this.notify());
      this.notify();
    });
    this.notify();
  }

  #detach() {
    this.#pending = null;
    if (!this.#run) return;
    this.#run.abort();
    this.#unsubscribeRun?.();
    this.#unsubscribeRun = null;
    this.#run = null;
  }
}

// ---------------------------------------------------------------------------

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

// An assistant answer being asked for; `view` is overPrevious() of what it replaces.
function answerEntry(previous = null) {
  return { id: newId('a'), role: 'assistant', run: null, pending: true, stopped: false,
    view: overPrevious(previous), unsubscribe: null, cache: null };
}

/**
 * A conversation: send(text) posts `{ ...body, messages: [{ role, content }] }` to
 * `api` and streams the answer into `messages`.
 */
export class ChatStore extends Store {
  options;
  #entries = EMPTY; // user entries: { id, role, message }; assistant: see answerEntry()
  #pending = null;  // { entry, undo } while a send/regenerate waits for its microtask
  #snapshot;
  #snapshotEntries = null;

  constructor(options) {
    super();
    this.options = options;
    const initial = Array.isArray(options?.initialMessages)
      ? options.initialMessages.map((m, i) => staticEntry(m, i, 'initial')) : [];
    this.#entries = Object.freeze(initial);
    this.#snapshot = Object.freeze({ messages: Object.freeze(initial.map((e) => e.message)), status: 'idle', error: null });
  }

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
    if (typeof text !== 'string' || text.trim() === '') return; // an event, or nothing to say
    this.#settle();
    const user = userEntry(text);
    const assistant = answerEntry();
    this.#entries = Object.freeze([...this.#entries, user, assistant]);
    this.#schedule(assistant, optionsArgument(overrides), () => {
      this.#entries = Object.freeze(this.#entries.filter((e) => e !== user && e !== assistant));
    });
  };

  stop = () => {
    if (this.#pending) {
      const { entry } = this.#pending;
      this.#pending = null;
      entry.pending = false;
      entry.stopped = true;
      this.notify();
      return;
    }
    const last = this.#entries.at(-1);
    if (last?.run && isActive(last.run.getSnapshot().status)) last.run.abort();
  };

  retry = (overrides) => {
    overrides = optionsArgument(overrides);
    if (this.#pending) return;
    const last = this.#entries.at(-1);
    if (!last) return;
    if (last.role === 'user') {
      // The conversation ends with a question (e.g. initialMessages): answer it.
      const assistant = answerEntry();
      this.#entries = Object.freeze([...this.#entries, assistant]);
      this.#schedule(assistant, overrides, () => {
        this.#entries = Object.freeze(this.#entries.filter((e) => e !== assistant));
      });
      return;
    }
    const status = last.run?.getSnapshot().status;
    if (last.run && isActive(status)) return; // still answering
    if (last.run && status === 'error') {
      last.run.retry(); // resumes by Last-Event-ID when it can, else starts over
      this.notify();
      return;
    }
    // Done, stopped, or a static message: generate the answer again.
    const saved = { ...last };
    Object.assign(last, answerEntry(this.#messageOf(last)), { id: last.id, static: false });
    this.#entries = Object.freeze([...this.#entries]); // same entries, new list: recompute
    this.#schedule(last, overrides, () => {
      Object.assign(last, saved);
      this.#entries = Object.freeze([...this.#entries]);
    }, () => {
      saved.unsubscribe?.();
    });
  };

  setMessages = (messages) => {
    this.#settle();
    for (const entry of this.#entries) this.#release(entry);
    this.#entries = Object.freeze((Array.isArray(messages) ? messages : []).map((m, i) => staticEntry(m, i, null)));
    this.notify();
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

  // Runs `undo` if the owner unmounts before the request goes out.
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
    this.notify();
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
    entry.unsubscribe = run.subscribe(() => this.notify());
    this.notify();
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
    const base = entry.run ? entry.run.getSnapshot() : entry.stopped ? STOPPED_SNAPSHOT : STARTING_SNAPSHOT;
    const snapshot = entry.view(base);
    if (entry.cache?.snapshot === snapshot) return entry.cache.message;
    const message = Object.freeze({
      id: entry.id,
      role: 'assistant',
      parts: snapshot.parts,
      text: snapshot.text,
      status: snapshot.status,
      error: snapshot.error,
      finishReason: snapshot.finishReason ?? null,
      usage: snapshot.usage ?? null,
    });
    entry.cache = { snapshot, message };
    return message;
  }
}
