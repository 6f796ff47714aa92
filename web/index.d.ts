/// <reference lib="esnext.disposable" />
// sse-wasm — streaming AI responses over Server-Sent Events, parsed by a C++ core
// compiled to WebAssembly.

/**
 * Loads the WebAssembly core. Idempotent: every call returns the same promise, so
 * call it early to preload; a failed load may be retried.
 *
 * By default the core is the package's `dist/sse_core.wasm`, located with
 * `new URL(…, import.meta.url)` (bundlers emit it next to the app's JavaScript; Node
 * reads it from disk; browsers compile it while it downloads when it is served as
 * `application/wasm`). `wasmUrl` loads it from a URL you host, `wasmBinary` from
 * bytes you have. After `import 'sse-wasm/inline'` the default is the embedded copy.
 * A file or URL that cannot be loaded rejects with an Error that names it.
 */
export function ready(options?: { wasmBinary?: ArrayBuffer | Uint8Array; wasmUrl?: string | URL }): Promise<void>;
/** True once ready() has resolved. */
export function isReady(): boolean;

/** One dispatched Server-Sent Event. */
export interface SSEEvent {
  /** The `event` field, or `'message'`. */
  type: string;
  /** The `data` lines joined with LF. */
  data: string;
  /** The last event ID string at dispatch. */
  id: string;
}

export interface SSEParserError {
  code: 'event_too_large';
  message: string;
}

/** A WHATWG-conformant, incremental event-stream parser (one per stream). */
export class SSEParser implements Disposable {
  /**
   * @param options.maxEventBytes largest line and event data, default 8 MiB. Read as
   * the limits of MessageLimits: `undefined`, `null` or 0 keep the default, `Infinity`
   * or >= 2^32 - 1 is no limit; NaN, negative or not a number throws a TypeError.
   */
  constructor(options?: { maxEventBytes?: number | null });
  /**
   * Feeds one chunk; returns the events it completed, in order. A string chunk that
   * ends in a high surrogate keeps it until the next chunk (a pair split between
   * chunks is joined); one that no low surrogate follows becomes U+FFFD.
   */
  feed(chunk: Uint8Array | ArrayBuffer | ArrayBufferView | string): SSEEvent[];
  /**
   * End of this connection's stream. An incomplete event (one not yet ended by a
   * blank line) is discarded, never dispatched, as WHATWG says; so this always
   * returns an empty array. It clears `error` and readies the parser for a new
   * connection; `lastEventId` and `retry` persist, as across EventSource reconnections.
   */
  end(): [];
  /** The last event ID string ('' initially). */
  readonly lastEventId: string;
  /** The last valid `retry:` value in milliseconds, or null. */
  readonly retry: number | null;
  /** Set when a line or event exceeded maxEventBytes; input is ignored until end(). */
  readonly error: SSEParserError | null;
  readonly disposed: boolean;
  /** Frees the wasm-side object (a FinalizationRegistry does it if you forget). */
  dispose(): void;
  [Symbol.dispose](): void;
}

export type Protocol = 'auto' | 'native' | 'openai-chat' | 'openai-responses' | 'anthropic' | 'ai-sdk' | 'gemini';

export type MessageStatus = 'idle' | 'streaming' | 'done' | 'error' | 'aborted';
export type ToolState = 'input-streaming' | 'input-available' | 'output-available' | 'output-error';

export interface TextPart {
  readonly type: 'text';
  readonly text: string;
}
export interface ReasoningPart {
  readonly type: 'reasoning';
  readonly text: string;
}
export interface ToolPart {
  readonly type: 'tool';
  /** The id a tool result must be sent back with (for the Responses API: call_id). */
  readonly id: string;
  readonly name: string;
  readonly state: ToolState;
  /** The input's JSON text as received so far. */
  readonly inputText: string;
  /**
   * Best-effort parsed value of inputText at every moment (undefined before any),
   * deeply frozen, with the same own keys as `JSON.parse` gives (`__proto__`
   * included). While the input streams, this is an enumerable getter computed on
   * first read and cached: taking a snapshot costs O(nesting depth), and reading
   * `input` builds the value of that snapshot's moment (even when read after later
   * chunks), copying only the containers still open. Unchanged subtrees are the
   * same objects from one snapshot to the next. Once complete (`input-available`)
   * it is a plain property.
   */
  readonly input: unknown;
  readonly output?: unknown;
  readonly errorText?: string;
}
export type MessagePart = TextPart | ReasoningPart | ToolPart;

/**
 * The codes sse-wasm itself produces (a server's `error` event may bring any other).
 * See docs/transport.md and docs/protocol.md.
 */
export type MessageErrorCode =
  | 'interrupted' | 'network_error' | 'server_error' | `http_${number}` | 'no_content' | 'bad_content_type'
  | 'too_many_redirects' | 'unexpected_redirect' | 'invalid_response' | 'invalid_input' | 'invalid_options' | 'invalid_chunk'
  | 'event_too_large' | 'tool_input_too_large' | 'json_too_deep' | 'too_many_parts' | 'message_too_large'
  | 'prompt_blocked' | 'load_failed' | 'internal_error';

export interface MessageError {
  /** A short sentence an end user can read (at most about 200 characters). */
  readonly message: string;
  /**
   * A {@link MessageErrorCode}, e.g. 'interrupted', 'http_503', 'too_many_redirects'
   * (not retryable), 'invalid_response' (a custom fetch gave no Response, or one whose
   * body is not a stream), or the code of the server's `error` event.
   */
  readonly code: MessageErrorCode | (string & {});
  /** Whether trying again may succeed (e.g. a lost connection, HTTP 429 or 5xx). */
  readonly retryable: boolean;
  /** The HTTP status, for `http_<status>` and `bad_content_type` errors. */
  readonly status?: number;
  /** An excerpt of the response body (at most 1 KiB), for `http_<status>` and `bad_content_type` errors. */
  readonly body?: string;
  /** A technical description for developers, e.g. the cause of a failed fetch; not for end users. */
  readonly detail?: string;
}

export interface MessageWarning {
  readonly code: string;
  readonly message: string;
}

/** An immutable snapshot of one assistant message. */
export interface MessageSnapshot {
  readonly status: MessageStatus;
  readonly parts: readonly MessagePart[];
  /** All text parts joined. */
  readonly text: string;
  readonly error: MessageError | null;
  readonly finishReason: string | null;
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number } | null;
  readonly lastEventId: string;
  /** The protocol in use once known. */
  readonly protocol: string | null;
  readonly warnings: readonly MessageWarning[];
}

/**
 * Every limit is a number: `undefined`, `null` or 0 keep the default; `Infinity` and
 * any value >= 2^32 - 1 mean no limit (saturated to the largest size of the wasm
 * core, never wrapped to a small one); a fraction is rounded down, but not to 0.
 * NaN, a negative number or a non-number throws a TypeError naming the option
 * (streamMessage: error `invalid_options`).
 */
export interface MessageLimits {
  /** Largest line / event data, default 8 MiB. */
  maxEventBytes?: number | null;
  /** Largest input of one tool, default 16 MiB. */
  maxToolInputBytes?: number | null;
  /**
   * Deepest nesting of a tool input, default 128, at most 500: a larger value
   * (Infinity included) means 500, for streamed and complete inputs alike.
   */
  maxJsonDepth?: number | null;
  /** Most parts, default 10,000. */
  maxParts?: number | null;
  /** Most bytes of text, reasoning and tool data, default 64 MiB. */
  maxMessageBytes?: number | null;
}

export interface MessageStreamOptions extends MessageLimits {
  /** A protocol name, or 'auto' (default) to detect it from the first events. */
  protocol?: Protocol;
}

/** One assistant message fed with SSE bytes. */
export class MessageStream implements Disposable {
  constructor(options?: MessageStreamOptions);
  /** Feeds SSE bytes. A surrogate pair split between string chunks is joined (see SSEParser.feed). */
  feed(chunk: Uint8Array | ArrayBuffer | ArrayBufferView | string): void;
  /** The connection closed for good: done if the end marker came, else error 'interrupted'. */
  end(): void;
  /** This connection ended but the message continues on another (resume by Last-Event-ID). */
  endConnection(): void;
  /**
   * The transport failed: status 'error', partial output kept. Takes any value, never
   * throws: an object's `message` (any non-object value, as a string), `code` (a
   * non-empty string, else 'network_error'), `retryable` (a boolean, else true) and
   * `status`/`body`/`detail`; a string or another primitive is the message; no usable
   * message gives 'The connection failed'. Lone surrogates become U+FFFD.
   */
  fail(error?: unknown): void;
  /** The user stopped: status 'aborted', partial output kept. */
  abort(): void;
  /** A protocol named by the transport, used by 'auto'. */
  hintProtocol(name: Protocol): void;
  /** Immutable; the same object while nothing changed; unchanged parts keep identity. */
  snapshot(): MessageSnapshot;
  /** Same as snapshot(), bound: ready for useSyncExternalStore. */
  getSnapshot(): MessageSnapshot;
  /** Called after every change; returns the unsubscribe function. Bound. */
  subscribe(listener: () => void): () => void;
  /** The current status, without building a snapshot. */
  readonly status: MessageStatus;
  readonly lastEventId: string;
  readonly retry: number | null;
  readonly disposed: boolean;
  dispose(): void;
  [Symbol.dispose](): void;
}

/** A body sent as JSON (`JSON.stringify`), with `content-type: application/json` unless you set one. */
export type JsonBody = Record<string, unknown> | readonly unknown[];

export interface StreamMessageOptions extends MessageLimits {
  /** Defaults to POST when there is a body, else GET. */
  method?: string;
  /** `accept: text/event-stream` is added unless you set it. For a Request input: set over its own headers. */
  headers?: HeadersInit;
  /**
   * The request body. A plain object or array is sent as JSON with
   * `content-type: application/json` (unless you set a content type). A
   * ReadableStream can only be sent once, so it rules out resume and retry.
   */
  body?: BodyInit | JsonBody | null;
  credentials?: RequestCredentials;
  mode?: RequestMode;
  /** The fetch cache mode; `'no-store'` by default for URL inputs (a stream is never served from a cache). */
  cache?: RequestCache;
  /** A redirect loop ends in error `too_many_redirects`. */
  redirect?: RequestRedirect;
  referrer?: string;
  referrerPolicy?: ReferrerPolicy;
  integrity?: string;
  keepalive?: boolean;
  /** The fetch priority hint, where the platform supports it. */
  priority?: 'high' | 'low' | 'auto';
  /** Aborting it has the same effect as `run.abort()`. */
  signal?: AbortSignal;
  protocol?: Protocol;
  /**
   * Automatic reconnection by Last-Event-ID (only when the server sent event ids);
   * `false` disables it (`run.retry()` still works). Defaults: 3 attempts, 500 ms,
   * 10,000 ms. The delay grows exponentially, plus up to 50 % jitter, within
   * `[minDelayMs, maxDelayMs]`. A server `retry:` field is used as the first delay
   * as is (not raised by minDelayMs, not cut by maxDelayMs) and grows from there on
   * repeated failures; a value above one hour is ignored in favour of this backoff.
   * A connection resets the attempts only when it brought content (a new or changed
   * part, or a finish reason): new ids, comments and keepalives alone do not.
   * Delays are capped at 2^31 - 1 ms (the longest setTimeout waits).
   */
  retry?: { attempts?: number; minDelayMs?: number; maxDelayMs?: number } | false;
  /**
   * No byte for this long = a stalled stream (default 60,000). 0 and Infinity turn it
   * off; a value above 2^31 - 1 ms is capped there (setTimeout cannot wait longer).
   */
  idleTimeoutMs?: number;
  /** A custom fetch; its response body may be a web ReadableStream or a Node stream. */
  fetch?: typeof fetch;
}

export type StreamInput =
  | string
  | URL
  | Request
  | Response
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array | string>
  | EventSource;

export interface MessageRun extends Disposable {
  /** The current snapshot (a frozen idle one until the core is ready). Bound. */
  getSnapshot(): MessageSnapshot;
  /** Called at most once per animation frame; returns the unsubscribe function. Bound. */
  subscribe(listener: () => void): () => void;
  /** Status 'aborted', partial kept, request cancelled. Bound. */
  abort(): void;
  /**
   * After an error: resumes by Last-Event-ID when the server sent ids, else starts
   * again (the partial answer stays visible until the new attempt has content).
   * Returns the new `finished`; when there is nothing to retry (streaming, done,
   * aborted, or an input that cannot be fetched again), the current one. Bound.
   */
  retry(): Promise<MessageSnapshot>;
  /** Aborts the run if it is still going and releases its resources; `finished` resolves. */
  dispose(): void;
  /** Same as dispose(): `using run = streamMessage(...)`. */
  [Symbol.dispose](): void;
  /** Resolves with the terminal snapshot; never rejects. Replaced by retry(). */
  readonly finished: Promise<MessageSnapshot>;
}

/** Streams one assistant message from a URL, a Response, a stream or an EventSource. */
export function streamMessage(input: StreamInput, options?: StreamMessageOptions): MessageRun;

/** Diagnostics: wasm-side sessions alive now (disposed or reclaimed ones are not), and the wasm memory size. */
export function coreStats(): { liveSessions: number; wasmMemoryBytes: number };
