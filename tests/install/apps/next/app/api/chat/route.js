// A route handler streaming the native protocol over SSE: one text_delta event per
// delta of answer.json, a pause between them (so the page really sees it stream), then
// done. It answers 400 unless the request carries the prompt the page sends.
import answer from '../../../answer.json';

export const dynamic = 'force-dynamic';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const event = (name, data) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

export async function POST(request) {
  const body = await request.json().catch(() => null);
  if (body?.prompt !== answer.prompt) {
    return Response.json({ error: `expected {"prompt":${JSON.stringify(answer.prompt)}}` }, { status: 400 });
  }
  const encoder = new TextEncoder();
  let cancelled = false;
  const stream = new ReadableStream({
    async start(controller) {
      for (const delta of answer.deltas) {
        if (cancelled) return;
        controller.enqueue(encoder.encode(event('text_delta', delta)));
        await sleep(answer.delayMs);
      }
      if (cancelled) return;
      controller.enqueue(encoder.encode(event('done', { finish_reason: 'stop' })));
      controller.close();
    },
    cancel() {
      cancelled = true;
    },
  });
  return new Response(stream, {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform' },
  });
}
