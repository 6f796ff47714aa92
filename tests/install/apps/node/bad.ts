// Misuses the types must reject: each line marked `expect-error` has to fail, and
// no other line may. (A marker comment, not @ts-expect-error: tsc must report them.)
import { MessageStream, SSEParser } from 'sse-wasm';
import type { MessagePart } from 'sse-wasm';

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
