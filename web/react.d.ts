// sse-wasm/react — React 18/19 hooks over streamMessage().
import type {
  MessageError, MessagePart, MessageSnapshot, MessageStatus, StreamMessageOptions,
} from './index.js';

export type {
  JsonBody, MessageError, MessageErrorCode, MessagePart, MessageSnapshot, MessageStatus, ReasoningPart, TextPart,
  ToolPart, ToolState,
} from './index.js';

/**
 * What an event handler passes: a React event (`<button onClick={retry}>`) or a DOM
 * event. The hook actions accept one so they can be handlers themselves, and ignore
 * it: at run time, an argument that is not a plain object is ignored.
 */
export type ActionEvent = { readonly nativeEvent: unknown } | Event;

/** The snapshot before anything started; also what server rendering shows. */
export declare const IDLE_SNAPSHOT: MessageSnapshot;

export interface UseMessageStreamOptions extends StreamMessageOptions {
  /** The URL to stream from (required, here or in start()). */
  api?: string;
}

/** Per-request options for start(): merged over the hook's options (headers merged by name). */
export interface StartOptions extends StreamMessageOptions {
  api?: string;
}

export interface UseMessageStreamResult {
  /** The run's immutable snapshot (the idle snapshot before start()). */
  snapshot: MessageSnapshot;
  status: MessageStatus;
  text: string;
  parts: readonly MessagePart[];
  error: MessageError | null;
  /**
   * Sends the request (aborting a running one). The request goes out one microtask
   * later, so a component unmounted before then (StrictMode's simulated unmount)
   * sends nothing. Throws a TypeError when no `api` is known. Stable identity.
   */
  start(options?: StartOptions | ActionEvent): void;
  /** Aborts the request: status 'aborted', the partial output kept. Stable identity. */
  stop(event?: ActionEvent): void;
  /**
   * After an error: resumes by Last-Event-ID when the server sent ids, else sends the
   * request again, the partial output staying visible. After done or a stop: sends the
   * last request again, the old output staying until the new one has content. Does
   * nothing while streaming or before start(). Stable identity.
   */
  retry(event?: ActionEvent): void;
}

/**
 * One streamed message. Renders at most once per animation frame; unchanged parts
 * keep their identity; unmounting aborts the request; server rendering shows the
 * idle snapshot and neither touches `window` nor loads the wasm.
 */
export declare function useMessageStream(options?: UseMessageStreamOptions): UseMessageStreamResult;

/** A message of a conversation. Assistant messages carry the snapshot's pieces. */
export interface ChatMessage {
  readonly id: string;
  readonly role: 'user' | 'assistant';
  readonly parts: readonly MessagePart[];
  /** All text parts joined. */
  readonly text: string;
  /** Assistant messages: the answer's status ('streaming' as soon as it is asked for). */
  readonly status?: MessageStatus;
  readonly error?: MessageError | null;
  readonly finishReason?: string | null;
  readonly usage?: { readonly inputTokens: number; readonly outputTokens: number } | null;
}

/** A message given by the caller: `content` or `text` (or `parts`). */
export interface InitialChatMessage {
  id?: string;
  role: 'user' | 'assistant';
  content?: string;
  text?: string;
  parts?: readonly MessagePart[];
}

export interface UseChatStreamOptions extends Omit<StreamMessageOptions, 'body'> {
  /**
   * The URL the conversation is POSTed to, as JSON `{ ...body, messages }` where
   * `messages` is `[{ role: 'user' | 'assistant', content: string }]`: every earlier
   * message with text, in order, ending with the new user message. Headers:
   * `content-type: application/json`, `accept: text/event-stream`, and `headers`.
   */
  api: string;
  /** Extra JSON fields sent with every request (e.g. `{ model }`). */
  body?: Record<string, unknown>;
  /** The conversation so far (also rendered on the server). */
  initialMessages?: readonly InitialChatMessage[];
}

/** Per-request options for send() and retry(), over the hook's options (headers merged by name). */
export interface SendOptions extends Omit<StreamMessageOptions, 'body'> {
  api?: string;
  /** Replaces the hook's `body` extras for this request; `messages` is always added. */
  body?: Record<string, unknown>;
}

export interface UseChatStreamResult {
  /** Frozen; finished messages keep their identity. */
  messages: readonly ChatMessage[];
  /** The last answer's status; 'idle' before the first. */
  status: MessageStatus;
  /** The last answer's error while its status is 'error'. */
  error: MessageError | null;
  /**
   * Adds a user message and streams the answer, stopping a running one (its tokens
   * kept). Blank text, or a first argument that is not a string (an event), sends
   * nothing. Stable.
   */
  send(text: string | ActionEvent, options?: SendOptions): void;
  /** Stops the answer (also while a regenerate waits): status 'aborted', the tokens so far kept. Stable. */
  stop(event?: ActionEvent): void;
  /**
   * After an error: resumes the answer by Last-Event-ID when the server sent ids, else
   * sends the same request again; the partial answer stays and the status is
   * 'streaming' at once. After done or a stop: regenerates the last answer from the
   * same history, the old one staying visible until the new one has content. Stable.
   */
  retry(options?: SendOptions | ActionEvent): void;
  /**
   * Replaces the conversation (aborting a running answer), e.g. `setMessages([])`.
   * Without an array (e.g. called as an event handler) it clears it. Stable.
   */
  setMessages(messages?: readonly InitialChatMessage[] | ActionEvent): void;
}

/** A conversation streamed from `api`. Same rendering guarantees as useMessageStream. */
export declare function useChatStream(options: UseChatStreamOptions): UseChatStreamResult;
