// Type-checked only (never run): sse-wasm/inline has the types of sse-wasm.
import { ready, isReady, MessageStream, streamMessage } from 'sse-wasm/inline';
import type { MessageSnapshot, MessageRun } from 'sse-wasm/inline';
import type * as Default from 'sse-wasm';

export async function main(url: string): Promise<MessageSnapshot> {
  await ready({ wasmUrl: new URL('https://example.com/sse_core.wasm') });
  const loaded: boolean = isReady();
  const stream = new MessageStream({ protocol: 'native' });
  stream.feed('event: done\ndata: {}\n\n');
  stream.end();
  stream.dispose();
  const run: MessageRun = streamMessage(url, { method: 'POST', body: { prompt: 'Hi', loaded } });
  return run.finished;
}

// The same function, not a look-alike.
export const same: typeof Default.streamMessage = streamMessage;
