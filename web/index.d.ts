/// <reference lib="esnext.disposable" />
// sse-wasm — streaming AI responses over Server-Sent Events, parsed by a C++ core
// compiled to WebAssembly.

/**
 * Loads the WebAssembly core. Idempotent: every call returns the same promise, so
 * call it early to preload. The wasm is embedded in the package; pass `wasmBinary`
 * or `wasmUrl` to load it from elsewhere.
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
  /** @param options.maxEventBytes largest line and event data, default 8 MiB */
  constructor(options?: { maxEventBytes?: number });
  /** Feeds one chunk; returns the events it completed, in order. */
  feed(chunk: Uint8Array | ArrayBuffer | ArrayBufferView | string): SSEEvent[];
  /**
   * End of this connection's stream: discards an incomplete event, returns any
   * events still due, clears `error`, and readies the parser for a new connection.
   * `lastEventId` and `retry` persist, as across EventSource reconnections.
   */
  end(): SSEEvent[];
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
  /** Best-effort parsed value of inputText at every moment (undefined before any). */
  readonly input: unknown;
  readonly output?: unknown;
  readonly errorText?: string;
}
export type MessagePart = TextPart | ReasoningPart | ToolPart;

export interface MessageError {
  readonly message: string;
  /** e.g. 'interrupted', 'network_error', 'server_error', 'http_503', 'event_too_large', or the server's code. */
  readonly code: string;
  readonly retryable: boolean;
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

export interface MessageLimits {
  /** Largest line / event data, default 8 MiB. */
  maxEventBytes?: number;
  /** Largest input of one tool, default 16 MiB. */
  maxToolInputBytes?: number;
  /** Deepest nesting of a tool input, default 128. */
  maxJsonDepth?: number;
  /** Most parts, default 10,000. */
  maxParts?: number;
  /** Most bytes of text, reasoning and tool data, default 64 MiB. */
  maxMessageBytes?: number;
}

export interface MessageStreamOptions extends MessageLimits {
  /** A protocol name, or 'auto' (default) to detect it from the first events. */
  protocol?: Protocol;
}

/** One assistant message fed with SSE bytes. */
export class MessageStream implements Disposable {
  constructor(options?: MessageStreamOptions);
  /** Feeds SSE bytes. */
  feed(chunk: Uint8Array | ArrayBuffer | ArrayBufferView | string): void;
  /** The connection closed for good: done if the end marker came, else error 'interrupted'. */
  end(): void;
  /** This connection ended but the message continues on another (resume by Last-Event-ID). */
  endConnection(): void;
  /** The transport failed: status 'error', partial output kept. */
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

export interface StreamMessageOptions extends MessageLimits {
  method?: string;
  headers?: HeadersInit;
  body?: BodyInit | null;
  credentials?: RequestCredentials;
  signal?: AbortSignal;
  protocol?: Protocol;
  /** Automatic reconnection (by Last-Event-ID); false disables it. */
  retry?: { attempts?: number; minDelayMs?: number; maxDelayMs?: number } | false;
  /** No byte for this long = a stalled stream (default 60,000). */
  idleTimeoutMs?: number;
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

export interface MessageRun {
  getSnapshot(): MessageSnapshot;
  subscribe(listener: () => void): () => void;
  /** Status 'aborted', partial kept, request cancelled. */
  abort(): void;
  /** After an error: resume by Last-Event-ID when ids exist, else start again. */
  retry(): void;
  /** Resolves with the terminal snapshot; never rejects. */
  readonly finished: Promise<MessageSnapshot>;
}

/** Streams one assistant message from a URL, a Response, a stream or an EventSource. */
export function streamMessage(input: StreamInput, options?: StreamMessageOptions): MessageRun;

/** Diagnostics: wasm-side sessions alive now (disposed or reclaimed ones are not), and the wasm memory size. */
export function coreStats(): { liveSessions: number; wasmMemoryBytes: number };
