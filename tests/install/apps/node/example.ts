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
  const none: [] = parser.end(); // an incomplete event is discarded, never dispatched
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
    const status: number | undefined = final.error.status;
    const body: string | undefined = final.error.body;
    const detail: string | undefined = final.error.detail;
    console.log(code, final.error.message, status, body?.slice(0, 80), detail);
    if (retryable) {
      const again: MessageSnapshot = await run.retry();
      console.log(again.status);
    }
  }
  const tokens: number = (final.usage?.inputTokens ?? 0) + (final.usage?.outputTokens ?? 0);
  const noRetry = streamMessage(new Response('data: {}\n\n'), { retry: false });
  noRetry.abort();
  noRetry.dispose();

  // Every fetch option, typed as the DOM's RequestInit; plain objects and arrays are sent as JSON.
  const fetchOptions: StreamMessageOptions = {
    body: { prompt: 'hi', history: [{ role: 'user', content: 'hello' }] },
    credentials: 'include',
    mode: 'cors',
    cache: 'no-store',
    redirect: 'error',
    referrer: 'about:client',
    referrerPolicy: 'no-referrer',
    integrity: 'sha256-abc',
    keepalive: false,
    priority: 'high',
  };
  const asArray = streamMessage('https://example.invalid/batch', { body: [1, 'two', { three: 3 }] });
  asArray.dispose();
  const asForm = streamMessage('https://example.invalid/form', { body: new URLSearchParams({ q: 'x' }), cache: 'reload' });
  asForm[Symbol.dispose]();
  const scopedText = await scoped(fetchOptions);

  return [loaded, stats.liveSessions, lastEventId, retry, tokens, none.length, scopedText, events[0]?.data, events[0]?.type, events[0]?.id,
    ...snapshot.parts.map(describePart), ...tools(final).map((t) => t.id)].join(' ');
}

/** `using`: the run is disposed (aborted if still going) when the scope ends. */
export async function scoped(options: StreamMessageOptions): Promise<string> {
  using run = streamMessage('https://example.invalid/chat', options);
  const final = await run.finished;
  return final.text;
}
