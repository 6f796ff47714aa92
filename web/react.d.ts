// sse-wasm/react — React 18/19 hooks over streamMessage().
import type {
  MessageError, MessagePart, MessageSnapshot, MessageStatus, StreamMessageOptions,
} from './index.js';

export type {
  MessageError, MessagePart, MessageSnapshot, MessageStatus, ReasoningPart, TextPart, ToolPart, ToolState,
} from './index.js';

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
  start(options?: StartOptions): void;
  /** Aborts the request: status 'aborted', the partial output kept. Stable identity. */
  stop(): void;
  /** After an error or a stop: resumes by Last-Event-ID when ids exist, else starts again. Stable identity. */
  retry(): void;
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
  /** The URL the conversation is POSTed to: `{ ...body, messages: [{ role, content }] }`. */
  api: string;
  /** Extra JSON fields sent with every request (e.g. `{ model }`). */
  body?: Record<string, unknown>;
  /** The conversation so far (also rendered on the server). */
  initialMessages?: readonly InitialChatMessage[];
}

export interface SendOptions extends Omit<StreamMessageOptions, 'body'> {
  api?: string;
  body?: Record<string, unknown>;
}

export interface UseChatStreamResult {
  /** Frozen; finished messages keep their identity. */
  messages: readonly ChatMessage[];
  /** The last answer's status; 'idle' before the first. */
  status: MessageStatus;
  /** The last answer's error while its status is 'error'. */
  error: MessageError | null;
  /** Adds a user message and streams the answer (stopping a running one, its tokens kept). Stable. */
  send(text: string, options?: SendOptions): void;
  /** Stops the answer: status 'aborted', the tokens so far kept. Stable. */
  stop(): void;
  /**
   * After an error: resumes the answer (Last-Event-ID) or restarts it, the partial
   * staying visible until new content. After done or a stop: regenerates it. Stable.
   */
  retry(options?: SendOptions): void;
  /** Replaces the conversation (aborting a running answer), e.g. `setMessages([])`. Stable. */
  setMessages(messages: readonly InitialChatMessage[]): void;
}

/** A conversation streamed from `api`. Same rendering guarantees as useMessageStream. */
export declare function useChatStream(options: UseChatStreamOptions): UseChatStreamResult;
