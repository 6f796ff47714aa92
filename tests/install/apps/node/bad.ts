// Misuses the types must reject: each line marked `expect-error` has to fail, and
// no other line may. (A marker comment, not @ts-expect-error: tsc must report them.)
import { MessageStream, SSEParser, streamMessage } from 'sse-wasm';
import type { MessagePart, MessageSnapshot, SSEEvent } from 'sse-wasm';
import { useChatStream, useMessageStream } from 'sse-wasm/react';

export function textOf(part: MessagePart): string {
  return part.text; // expect-error: a tool part has no text
}

export function cityOf(part: MessagePart): string {
  if (part.type !== 'tool') return '';
  return part.input.city; // expect-error: input is unknown until checked
}

export const stream = new MessageStream({ protocol: 'openai' }); // expect-error: not a Protocol

export function mutate(): void {
  const snapshot = stream.snapshot();
  snapshot.text = 'edited'; // expect-error: snapshots are readonly
}

export const events: number = new SSEParser().feed('data: x\n\n'); // expect-error: feed returns events

export const leftover: SSEEvent = new SSEParser().end()[0]; // expect-error: end() always returns []

// fetch options are the DOM's RequestInit types
export const badCache = streamMessage('/x', { cache: 'sometimes' }); // expect-error: not a RequestCache
export const badMode = streamMessage('/x', { mode: 'open' }); // expect-error: not a RequestMode
export const badRedirect = streamMessage('/x', { redirect: 'loop' }); // expect-error: not a RequestRedirect
export const badPolicy = streamMessage('/x', { referrerPolicy: 'everywhere' }); // expect-error: not a ReferrerPolicy
export const badPriority = streamMessage('/x', { priority: 'urgent' }); // expect-error: high, low or auto
export const badKeepalive = streamMessage('/x', { keepalive: 'yes' }); // expect-error: a boolean
export const badIntegrity = streamMessage('/x', { integrity: 42 }); // expect-error: a string
export const badReferrer = streamMessage('/x', { referrer: new URL('https://a.example/') }); // expect-error: a string
export const badBody = streamMessage('/x', { body: 42 }); // expect-error: not a body, object or array

export const retried: MessageSnapshot = streamMessage('/x').retry(); // expect-error: a Promise of the snapshot

export async function errorFields(): Promise<void> {
  const { error } = await streamMessage('/x').finished;
  if (!error) return;
  const status: number = error.status; // expect-error: only on HTTP and content-type errors
  console.log(status, error.body.length); // expect-error: body may be missing
}

export function hookMisuses(): void {
  const { start, retry, stop } = useMessageStream({ api: '/x' });
  retry(42); // expect-error: an event or nothing
  stop('now'); // expect-error: an event or nothing
  start({ body: 42 }); // expect-error: not a body
  start({ cache: 'sometimes' }); // expect-error: not a RequestCache
  const chat = useChatStream({ api: '/x' });
  chat.send(42); // expect-error: text or an event
  chat.retry(42); // expect-error: options or an event
  chat.retry({ body: 'x' }); // expect-error: body extras are an object
  chat.setMessages([{ role: 'system', content: 'x' }]); // expect-error: user or assistant
}
