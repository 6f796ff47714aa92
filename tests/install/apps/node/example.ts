// Type-checked only (never run): the public types used the way an app would.
import { ready, isReady, coreStats, MessageStream, SSEParser, streamMessage } from 'sse-wasm';
import type {
  MessagePart, MessageRun, MessageSnapshot, Protocol, SSEEvent, StreamInput, StreamMessageOptions, ToolPart,
} from 'sse-wasm';

export function describePart(part: MessagePart): string {
  switch (part.type) {
    case 'text':
    case 'reasoning':
      return part.text;
    case 'tool': {
      const input: unknown = part.input;
      const city = typeof input === 'object' && input !== null && 'city' in input ? String(input.city) : '';
      return `${part.name}(${part.inputText}) ${part.state} ${city} ${part.errorText ?? ''}`;
    }
    default: {
      const unreachable: never = part;
      return unreachable;
    }
  }
}

export function tools(snapshot: MessageSnapshot): ToolPart[] {
  return snapshot.parts.filter((part): part is ToolPart => part.type === 'tool');
}

export async function main(): Promise<string> {
  await ready();
  const loaded: boolean = isReady();
  const stats: { liveSessions: number; wasmMemoryBytes: number } = coreStats();

  const protocol: Protocol = 'native';
  const stream = new MessageStream({ protocol, maxParts: 100, maxEventBytes: 1 << 20 });
  stream.feed(new TextEncoder().encode('event: text_delta\ndata: "hi"\n\n'));
  stream.feed('event: done\ndata: {}\n\n');
  stream.end();
  const snapshot: MessageSnapshot = stream.snapshot();
  const unsubscribe: () => void = stream.subscribe(() => {});
  unsubscribe();
  const lastEventId: string = stream.lastEventId;
  stream.dispose();

  const parser = new SSEParser({ maxEventBytes: 1 << 20 });
  const events: SSEEvent[] = parser.feed('id: 7\ndata: x\n\n');
  const retry: number | null = parser.retry;
  const error = parser.error;
  if (error) {
    const code: 'event_too_large' = error.code;
    console.log(code, error.message);
  }
  parser.end();
  parser.dispose();

  const controller = new AbortController();
  const options: StreamMessageOptions = {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'hi' }),
    signal: controller.signal,
    protocol: 'openai-chat',
    retry: { attempts: 3, minDelayMs: 100, maxDelayMs: 2000 },
    idleTimeoutMs: 30_000,
    maxToolInputBytes: 1 << 20,
  };
  const input: StreamInput = new URL('https://example.invalid/chat');
  const run: MessageRun = streamMessage(input, options);
  const off = run.subscribe(() => describePart(run.getSnapshot().parts[0]!));
  const final: MessageSnapshot = await run.finished;
  off();
  if (final.status === 'error' && final.error) {
    const code: string = final.error.code;
    const retryable: boolean = final.error.retryable;
    if (retryable) run.retry();
    console.log(code);
  }
  const tokens: number = (final.usage?.inputTokens ?? 0) + (final.usage?.outputTokens ?? 0);
  const noRetry = streamMessage(new Response('data: {}\n\n'), { retry: false });
  noRetry.abort();

  return [loaded, stats.liveSessions, lastEventId, retry, tokens, events[0]?.data, events[0]?.type, events[0]?.id,
    ...snapshot.parts.map(describePart), ...tools(final).map((t) => t.id)].join(' ');
}
