// streamMessage against a real HTTP server (tests/node/sse-test-server.js): every
// input kind, every fault (drops with and without ids, resume, server error events,
// HTTP errors, wrong content type, line endings, split UTF-8, heartbeats, stalls,
// retry:), abort at each phase, retry() both ways, notification throttling, and
// `finished` never rejecting.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { get as httpGet } from 'node:http';
import { PassThrough, Readable } from 'node:stream';
import { EventSource } from 'eventsource';
import { streamMessage } from '../../web/index.js';
import { startServer, answerText, textOfFirst, sseText, sleep, key, FAST_RETRY } from './sse-test-server.js';

const server = await startServer();
after(() => server.close());

const fast = FAST_RETRY;

async function until(condition, ms = 2000) {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (condition()) return;
    await sleep(5);
  }
  assert.fail('timed out waiting for a condition');
}

// Records every notification and checks the invariants that hold for any run.
function watch(run) {
  const seen = [];
  run.subscribe(() => seen.push(run.getSnapshot()));
  return seen;
}

function assertAnswer(snapshot, prompt) {
  assert.equal(snapshot.status, 'done', snapshot.error?.message);
  assert.equal(snapshot.text, answerText(prompt));
  assert.deepEqual(snapshot.parts.map((p) => p.type), ['reasoning', 'text', 'tool', 'text']);
  assert.equal(snapshot.parts[0].text, 'The user wants the weather; I will call the tool.');
  const tool = snapshot.parts[2];
  assert.equal(tool.id, 'call_1');
  assert.equal(tool.name, 'get_weather');
  assert.equal(tool.state, 'output-available');
  assert.deepEqual(tool.input, { city: 'Paris', unit: 'C' });
  assert.deepEqual(tool.output, { temperature: 21, sky: 'clear' });
  assert.equal(snapshot.finishReason, 'stop');
  assert.deepEqual(snapshot.usage, { inputTokens: 12, outputTokens: 34 });
  assert.equal(snapshot.error, null);
}

// --- before ready() --------------------------------------------------------------

test('callable before ready(): an idle frozen constant, then the answer; abort before ready is safe', async () => {
  const k = key('early');
  const run = streamMessage(server.url(`/chat?key=${k}`));
  const idle = run.getSnapshot();
  assert.equal(idle, run.getSnapshot());
  assert.ok(Object.isFrozen(idle) && Object.isFrozen(idle.parts));
  assert.deepEqual(idle, {
    status: 'idle', parts: [], text: '', error: null, finishReason: null, usage: null, lastEventId: '',
    protocol: null, warnings: [],
  });
  const k2 = key('early-abort');
  const aborted = streamMessage(server.url(`/chat?key=${k2}`));
  aborted.abort();
  assert.equal(aborted.getSnapshot().status, 'aborted');
  assert.equal((await aborted.finished).status, 'aborted');
  assertAnswer(await run.finished, 'hello');
  assert.equal(textOfFirst('hello', Infinity), answerText('hello'));
  await sleep(20);
  assert.equal(server.connections(k2).length, 0, 'an abort before ready() makes no request');
});

// --- input kinds -----------------------------------------------------------------

test('URL string with a POST JSON body (echoed into the answer)', async () => {
  const k = key('post');
  const prompt = 'What is the weather in Paris?';
  const run = streamMessage(server.url(`/chat?key=${k}`), { body: { prompt } });
  const final = await run.finished;
  assertAnswer(final, prompt);
  assert.equal(final.protocol, 'native');
  const [c] = server.connections(k);
  assert.equal(c.method, 'POST');
  assert.equal(c.headers['content-type'], 'application/json');
  assert.equal(c.headers.accept, 'text/event-stream');
  assert.deepEqual(JSON.parse(c.body), { prompt });
});

test('URL object, fetch-style method/headers/string body, and a custom fetch', async () => {
  const k = key('url-object');
  let calls = 0;
  const run = streamMessage(new URL(server.url(`/chat?key=${k}`)), {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-test': 'yes' },
    body: JSON.stringify({ prompt: 'custom' }),
    fetch: (input, init) => {
      calls += 1;
      return fetch(input, init);
    },
  });
  assertAnswer(await run.finished, 'custom');
  assert.equal(calls, 1);
  assert.equal(server.connections(k)[0].headers['x-test'], 'yes');
});

test('Request input (POST with a JSON body)', async () => {
  const k = key('request');
  const request = new Request(server.url(`/chat?key=${k}`), {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: 'from a Request' }),
  });
  assertAnswer(await streamMessage(request).finished, 'from a Request');
  assert.equal(server.connections(k)[0].method, 'POST');
});

test('Request input: a drop with ids is resumed with a clone of the Request plus Last-Event-ID', async () => {
  const k = key('request-resume');
  const request = new Request(server.url(`/chat?key=${k}&ids=1&drop=7`), {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-app': 'demo' },
    body: JSON.stringify({ prompt: 'resumed Request' }),
  });
  assertAnswer(await streamMessage(request, { retry: fast }).finished, 'resumed Request');
  const [, second] = server.connections(k);
  assert.equal(second.lastEventId, '7');
  assert.equal(second.method, 'POST');
  assert.equal(second.headers['x-app'], 'demo');
  assert.deepEqual(JSON.parse(second.body), { prompt: 'resumed Request' });
});

test('Response input (from fetch), including an HTTP error Response', async () => {
  const response = await fetch(server.url(`/chat?key=${key('response')}&prompt=resp`));
  assertAnswer(await streamMessage(response).finished, 'resp');
  const failed = await fetch(server.url(`/chat?key=${key('response-503')}&status=503`));
  const run = streamMessage(failed);
  const final = await run.finished;
  assert.equal(final.status, 'error');
  assert.equal(final.error.code, 'http_503');
  assert.equal(run.retry(), run.finished, 'a Response cannot be fetched again: retry() does nothing');
  assert.equal(run.getSnapshot(), final);
});

test('ReadableStream input: a fetch body, and a hand-made stream of tiny CRLF chunks', async () => {
  const response = await fetch(server.url(`/chat?key=${key('readable')}&prompt=rs`));
  assertAnswer(await streamMessage(response.body).finished, 'rs');

  const bytes = new TextEncoder().encode(sseText('tiny', { eol: '\r\n' }));
  let offset = 0;
  const stream = new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + 5));
      offset += 5;
    },
  });
  assertAnswer(await streamMessage(stream).finished, 'tiny');
});

test('async iterable input: a Node Readable (http.IncomingMessage) and an async generator of 1-byte chunks', async () => {
  const message = await new Promise((resolve) => httpGet(server.url(`/chat?key=${key('node')}&prompt=node`), resolve));
  assertAnswer(await streamMessage(message).finished, 'node');

  const bytes = Buffer.from(sseText('bytes ✓ 🌍'));
  async function* oneByteAtATime() {
    for (let i = 0; i < bytes.length; i++) {
      yield bytes.subarray(i, i + 1); // every multi-byte character is split
      if (i % 64 === 0) await sleep(0);
    }
  }
  assertAnswer(await streamMessage(oneByteAtATime()).finished, 'bytes ✓ 🌍');

  async function* strings() {
    yield sseText('as strings').slice(0, 100);
    yield sseText('as strings').slice(100);
  }
  assertAnswer(await streamMessage(strings()).finished, 'as strings');
});

test('EventSource input: events fed to the core, the EventSource closed at the end', async () => {
  const source = new EventSource(server.url(`/chat?key=${key('es')}&ids=1&retry=20&prompt=es`));
  const final = await streamMessage(source).finished;
  assertAnswer(final, 'es');
  assert.equal(final.lastEventId, '14');
  assert.equal(source.readyState, EventSource.CLOSED);
});

test('EventSource: a drop with ids is resumed by the EventSource itself, nothing duplicated', async () => {
  const k = key('es-drop');
  const source = new EventSource(server.url(`/chat?key=${k}&ids=1&retry=20&drop=5&prompt=esdrop`));
  assertAnswer(await streamMessage(source).finished, 'esdrop');
  const connections = server.connections(k);
  assert.equal(connections.length, 2);
  assert.equal(connections[1].lastEventId, '5');
  assert.equal(source.readyState, EventSource.CLOSED);
});

test('EventSource: a drop without ids ends in error (no replay), retry() opens a new one', async () => {
  const k = key('es-noid');
  const source = new EventSource(server.url(`/chat?key=${k}&retry=20&drop=5&prompt=esnoid`));
  const run = streamMessage(source);
  const final = await run.finished;
  assert.equal(final.status, 'error');
  assert.equal(final.error.code, 'interrupted');
  assert.equal(final.text, textOfFirst('esnoid', 5));
  assert.equal(source.readyState, EventSource.CLOSED);
  await sleep(60);
  assert.equal(server.connections(k).length, 1, 'the EventSource did not reconnect and replay');

  assertAnswer(await run.retry(), 'esnoid');
  assert.equal(server.connections(k).length, 2);
});

test('EventSource: an HTTP error closes it with http_<status>; a stall hits the idle timeout', async () => {
  const failing = new EventSource(server.url(`/chat?key=${key('es-500')}&status=500`));
  const failed = await streamMessage(failing).finished;
  assert.equal(failed.status, 'error');
  assert.equal(failed.error.code, 'http_500');
  assert.equal(failing.readyState, EventSource.CLOSED);

  const stalling = new EventSource(server.url(`/chat?key=${key('es-stall')}&stall=4&retry=20`));
  const stalled = await streamMessage(stalling, { idleTimeoutMs: 150 }).finished;
  assert.equal(stalled.status, 'error');
  assert.equal(stalled.error.code, 'interrupted');
  assert.match(stalled.error.detail, /No event arrived for 150 ms/);
  assert.equal(stalled.error.message, 'The server stopped sending the answer before it was complete.');
  assert.equal(stalled.text, textOfFirst('hello', 4));
  assert.equal(stalling.readyState, EventSource.CLOSED);
});

// --- faults ----------------------------------------------------------------------

test('drop mid-stream with ids: resumed by Last-Event-ID into the same stream, nothing lost or duplicated', async () => {
  const k = key('drop-ids');
  const run = streamMessage(server.url(`/chat?key=${k}&ids=1&drop=5`), { body: { prompt: 'resume me' }, retry: fast });
  const seen = watch(run);
  const final = await run.finished;
  assertAnswer(final, 'resume me');
  assert.equal(final.lastEventId, '14');
  const connections = server.connections(k);
  assert.equal(connections.length, 2);
  assert.equal(connections[0].lastEventId, undefined);
  assert.equal(connections[1].lastEventId, '5', 'the half-sent event 6 did not count');
  assert.equal(connections[1].method, 'POST');
  assert.deepEqual(JSON.parse(connections[1].body), { prompt: 'resume me' });
  assert.ok(seen.every((s) => s.status !== 'error'), 'no error shown while resuming');
  // The text only ever grows, each snapshot extending the previous one.
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i].text.startsWith(seen[i - 1].text));
});

test('repeated drops with progress: attempts start over after each connection that moved on', async () => {
  const k = key('drops');
  const run = streamMessage(server.url(`/chat?key=${k}&ids=1&drop=3&bad=99`), { retry: { ...fast, attempts: 2 } });
  assertAnswer(await run.finished, 'hello');
  assert.equal(server.connections(k).length, 5);
  assert.deepEqual(server.connections(k).map((c) => c.lastEventId), [undefined, '3', '6', '9', '12']);
});

test('drop mid-stream without ids: error interrupted, partial kept, no reconnect', async () => {
  const k = key('drop-noid');
  const final = await streamMessage(server.url(`/chat?key=${k}&drop=5`), { retry: fast }).finished;
  assert.equal(final.status, 'error');
  assert.equal(final.error.code, 'interrupted');
  assert.equal(final.error.retryable, true);
  assert.equal(final.text, textOfFirst('hello', 5));
  assert.equal(server.connections(k).length, 1);
});

test('clean end without the end marker and without ids: error interrupted', async () => {
  const final = await streamMessage(server.url(`/chat?key=${key('early-end')}&endEarly=8`)).finished;
  assert.equal(final.status, 'error');
  assert.equal(final.error.code, 'interrupted');
  assert.equal(final.text, textOfFirst('hello', 8));
  assert.equal(final.parts[2].state, 'input-streaming');
});

test('an error event mid-stream: the server error, partial kept, no reconnect even with ids', async () => {
  const k = key('error-event');
  const final = await streamMessage(server.url(`/chat?key=${k}&ids=1&errorEvent=6`), { retry: fast }).finished;
  assert.equal(final.status, 'error');
  assert.deepEqual(final.error, { message: 'The model is overloaded', code: 'overloaded', retryable: true });
  assert.equal(final.text, textOfFirst('hello', 6));
  await sleep(60);
  assert.equal(server.connections(k).length, 1);
});

test('HTTP 500, 503, 404: error http_<status> with the start of the body; no automatic retry', async () => {
  for (const [status, retryable] of [[500, true], [503, true], [404, false]]) {
    const k = key(`http-${status}`);
    const final = await streamMessage(server.url(`/chat?key=${k}&status=${status}`), { retry: fast }).finished;
    assert.equal(final.status, 'error');
    assert.equal(final.error.code, `http_${status}`);
    assert.equal(final.error.retryable, retryable);
    assert.equal(final.error.status, status);
    assert.ok(final.error.message.endsWith(`(HTTP ${status}).`), final.error.message);
    assert.ok(final.error.message.length <= 200);
    assert.ok(!final.error.message.includes('Upstream'), 'the body stays out of the message');
    assert.match(final.error.body, new RegExp(`Upstream failure\\s+\\(status ${status}\\)\\s+The model service is unavailable`));
    assert.ok(new TextEncoder().encode(final.error.body).length <= 1024);
    assert.equal(server.connections(k).length, 1);
  }
});

test('HTTP 204: error no_content, not retryable, no retry', async () => {
  const k = key('http-204');
  const final = await streamMessage(server.url(`/chat?key=${k}&status=204`), { retry: fast }).finished;
  assert.equal(final.status, 'error');
  assert.equal(final.error.code, 'no_content');
  assert.equal(final.error.retryable, false);
  await sleep(30);
  assert.equal(server.connections(k).length, 1);
});

test('a content type that is not text/event-stream: error bad_content_type naming it', async () => {
  const final = await streamMessage(server.url(`/chat?key=${key('type')}&type=application/json`)).finished;
  assert.equal(final.status, 'error');
  assert.equal(final.error.code, 'bad_content_type');
  assert.equal(final.error.retryable, false);
  assert.equal(final.error.message, 'The server did not send a streamed answer.');
  assert.match(final.error.detail, /'application\/json'/);
  assert.equal(final.error.status, 200);
  assert.match(final.error.body, /This endpoint does not stream/);
});

test('CRLF and CR-only line endings', async () => {
  assertAnswer(await streamMessage(server.url(`/chat?key=${key('crlf')}&eol=crlf&prompt=crlf`)).finished, 'crlf');
  assertAnswer(await streamMessage(server.url(`/chat?key=${key('cr')}&eol=cr&prompt=cr`)).finished, 'cr');
});

test('UTF-8 multi-byte characters split across network writes', async () => {
  const prompt = 'Ünïcødé ✓ 東京 🌸🎉';
  let splits = 0; // chunks that ended inside a UTF-8 sequence, as the client received them
  const countingFetch = async (input, init) => {
    const response = await fetch(input, init);
    const body = response.body.pipeThrough(new TransformStream({
      transform(chunk, controller) {
        const last = chunk[chunk.length - 1];
        if (last >= 0xc0) splits += 1; // a lead byte: its character continues in the next chunk
        controller.enqueue(chunk);
      },
    }));
    return new Response(body, { status: response.status, headers: response.headers });
  };
  const run = streamMessage(server.url(`/chat?key=${key('split')}&split=3&delay=0`),
    { body: { prompt }, fetch: countingFetch });
  const final = await run.finished;
  assertAnswer(final, prompt);
  assert.ok(!final.text.includes('\uFFFD'));
  assert.ok(splits >= 5, `${splits} chunks ended inside a character`);
});

test('heartbeat comments keep a quiet stream alive past the idle timeout', async () => {
  const run = streamMessage(server.url(`/chat?key=${key('heartbeat')}&heartbeat=500`), { idleTimeoutMs: 200 });
  assertAnswer(await run.finished, 'hello');
});

test('a stall past the idle timeout: error without ids (request cancelled), resumed with ids', async () => {
  const k = key('stall');
  const started = Date.now();
  const final = await streamMessage(server.url(`/chat?key=${k}&stall=4`), { idleTimeoutMs: 200 }).finished;
  assert.equal(final.status, 'error');
  assert.equal(final.error.code, 'interrupted');
  assert.equal(final.error.message, 'The server stopped sending the answer before it was complete.');
  assert.equal(final.text, textOfFirst('hello', 4));
  assert.ok(Date.now() - started < 1500);
  await until(() => server.connections(k)[0].clientClosed);

  const k2 = key('stall-ids');
  const resumed = streamMessage(server.url(`/chat?key=${k2}&stall=4&ids=1`), { idleTimeoutMs: 200, retry: fast });
  assertAnswer(await resumed.finished, 'hello');
  assert.deepEqual(server.connections(k2).map((c) => c.lastEventId), [undefined, '4']);
});

test('no response headers within the idle timeout: error interrupted', async () => {
  const k = key('no-headers');
  const final = await streamMessage(server.url(`/chat?key=${k}&headersDelay=2000`), { idleTimeoutMs: 150 }).finished;
  assert.equal(final.status, 'error');
  assert.equal(final.error.code, 'interrupted');
  assert.equal(final.error.message, 'The server did not answer in time.');
  assert.match(final.error.detail, /No response arrived within/);
  await until(() => server.connections(k)[0]?.clientClosed);
});

test("the server's retry: field is the base delay of the resume", async () => {
  const k = key('retry-field');
  const final = await streamMessage(server.url(`/chat?key=${k}&ids=1&drop=4&retry=300`),
    { retry: { minDelayMs: 10, maxDelayMs: 2000 } }).finished;
  assertAnswer(final, 'hello');
  const [first, second] = server.connections(k);
  const gap = second.time - first.time;
  assert.ok(gap >= 300, `resumed after ${gap} ms`);
  assert.ok(gap < 1000, `resumed after ${gap} ms`);
});

test('resume attempts exhausted (HTTP 503 on each), then retry() resumes by Last-Event-ID', async () => {
  const k = key('exhausted');
  server.block(k);
  const run = streamMessage(server.url(`/chat?key=${k}&ids=1&drop=4&resumeStatus=503`),
    { retry: { attempts: 2, minDelayMs: 10, maxDelayMs: 20 } });
  const failed = await run.finished;
  assert.equal(failed.status, 'error');
  assert.equal(failed.error.code, 'http_503');
  assert.equal(failed.error.retryable, true);
  assert.equal(failed.text, textOfFirst('hello', 4));
  assert.equal(failed.lastEventId, '4');
  assert.deepEqual(server.connections(k).map((c) => c.lastEventId), [undefined, '4', '4']);
  assert.equal(run.getSnapshot(), failed);

  server.unblock(k);
  const again = run.retry();
  assert.notEqual(again, failed);
  assert.equal(run.finished, again);
  assert.equal(run.getSnapshot().status, 'streaming');
  assert.equal(run.getSnapshot().text, failed.text, 'the same message continues');
  const final = await again;
  assertAnswer(final, 'hello');
  assert.equal(server.connections(k).length, 4);
  assert.equal(server.connections(k)[3].lastEventId, '4');
});

test('retry() without ids: a new request and stream, the old output shown as streaming until new content', async () => {
  const k = key('retry-new');
  const run = streamMessage(server.url(`/chat?key=${k}&drop=6`), { body: { prompt: 'again' } });
  const old = await run.finished;
  assert.equal(old.status, 'error');
  assert.equal(old.text, textOfFirst('again', 6));
  const seen = watch(run);
  const again = run.retry();
  const waiting = run.getSnapshot();
  assert.equal(waiting.status, 'streaming', 'feedback at once');
  assert.equal(waiting.error, null, 'the old error is cleared');
  assert.equal(waiting.parts, old.parts, 'the partial is still shown');
  await sleep(0);
  assert.equal(run.getSnapshot(), waiting);
  const final = await again;
  assertAnswer(final, 'again');
  assert.ok(seen.length > 0);
  for (const s of seen) assert.ok(s.parts === old.parts || s.parts.length > 0 || s.status === 'done', 'no empty flash');
  assert.equal(seen.at(-1), final);
  assert.deepEqual(server.connections(k).map((c) => c.lastEventId), [undefined, undefined]);
});

test('retry() while streaming and after done does nothing', async () => {
  const k = key('retry-noop');
  const run = streamMessage(server.url(`/chat?key=${k}&delay=5`));
  const first = run.finished;
  assert.equal(run.retry(), first);
  await until(() => run.getSnapshot().status === 'streaming');
  assert.equal(run.retry(), first);
  const final = await first;
  assertAnswer(final, 'hello');
  assert.equal(run.retry(), first);
  assert.equal(run.getSnapshot(), final);
  await sleep(30);
  assert.equal(server.connections(k).length, 1);
});

// --- notifications ---------------------------------------------------------------

test('notifications are throttled to one per macrotask and end with the final state', async () => {
  const events = 3000;
  const run = streamMessage(server.url(`/chat?key=${key('fast')}&fast=${events}`));
  let calls = 0;
  let sameTask = false;
  let doubled = 0;
  let last = null;
  run.subscribe(() => {
    calls += 1;
    if (sameTask) doubled += 1;
    sameTask = true;
    setImmediate(() => {
      sameTask = false;
    });
    last = run.getSnapshot();
  });
  const final = await run.finished;
  assert.equal(final.status, 'done');
  assert.equal(final.text.split(' ').length - 1, events);
  assert.equal(last, final, 'the last notification carried the final state, before finished resolved');
  assert.ok(calls >= 1 && calls <= events / 20, `${calls} notifications for ${events} events`);
  assert.equal(doubled, 0);
  await sleep(20);
  assert.equal(last, final);
});

test('a burst of chunks within one macrotask gives one notification, not one per event', async () => {
  const events = 2000;
  async function* burst() {
    for (let i = 0; i < events; i++) yield `event: text_delta\ndata: "b${i} "\n\n`; // no macrotask in between
    yield 'event: done\ndata: {}\n\n';
  }
  const run = streamMessage(burst());
  let calls = 0;
  run.subscribe(() => {
    calls += 1;
  });
  const final = await run.finished;
  assert.equal(final.status, 'done');
  assert.equal(final.text.split(' ').length - 1, events);
  assert.ok(calls >= 1 && calls <= 3, `${calls} notifications for ${events} events`);
});

test('with requestAnimationFrame: at most one notification per frame', async () => {
  let frames = 0;
  globalThis.requestAnimationFrame = (callback) => setTimeout(() => {
    frames += 1;
    callback();
  }, 16);
  globalThis.cancelAnimationFrame = (id) => clearTimeout(id);
  try {
    const run = streamMessage(server.url(`/chat?key=${key('raf')}&fast=2000`));
    let calls = 0;
    run.subscribe(() => {
      calls += 1;
    });
    const final = await run.finished;
    assert.equal(final.status, 'done');
    assert.ok(calls >= 1 && calls <= frames, `${calls} notifications, ${frames} frames`);
  } finally {
    delete globalThis.requestAnimationFrame;
    delete globalThis.cancelAnimationFrame;
  }
});

// --- abort -----------------------------------------------------------------------

test('abort before the response arrives: aborted at once, request cancelled', async () => {
  const k = key('abort-early');
  const run = streamMessage(server.url(`/chat?key=${k}&headersDelay=3000`));
  await until(() => server.connections(k).length === 1);
  const started = Date.now();
  run.abort();
  assert.equal(run.getSnapshot().status, 'aborted');
  const final = await run.finished;
  assert.equal(final.status, 'aborted');
  assert.ok(Date.now() - started < 200);
  await until(() => server.connections(k)[0].clientClosed);
});

test('abort during streaming: partial kept, request cancelled, no notification after finished', async () => {
  const k = key('abort-mid');
  const run = streamMessage(server.url(`/chat?key=${k}&endless=1`));
  const seen = watch(run);
  await until(() => run.getSnapshot().text.length > 10);
  run.abort();
  const snapshot = run.getSnapshot();
  assert.equal(snapshot.status, 'aborted');
  assert.ok(snapshot.text.startsWith('t0 t1 '));
  const final = await run.finished;
  assert.equal(final, snapshot);
  const count = seen.length;
  assert.equal(seen.at(-1), final);
  await until(() => server.connections(k)[0].clientClosed);
  await sleep(40);
  assert.equal(seen.length, count);
  assert.equal(run.getSnapshot(), final);
});

test('abort after the end is safe and changes nothing', async () => {
  const run = streamMessage(server.url(`/chat?key=${key('abort-late')}`));
  const final = await run.finished;
  run.abort();
  run.abort();
  assert.equal(run.getSnapshot(), final);
  assert.equal(run.getSnapshot().status, 'done');
});

test('abort by signal: already aborted (no request) and mid-stream', async () => {
  const k = key('signal-pre');
  const pre = streamMessage(server.url(`/chat?key=${k}`), { signal: AbortSignal.abort() });
  assert.equal(pre.getSnapshot().status, 'aborted');
  assert.equal((await pre.finished).status, 'aborted');

  const controller = new AbortController();
  const k2 = key('signal-mid');
  const run = streamMessage(server.url(`/chat?key=${k2}&endless=1`), { signal: controller.signal });
  await until(() => run.getSnapshot().text.length > 0);
  controller.abort();
  const final = await run.finished;
  assert.equal(final.status, 'aborted');
  assert.ok(final.text.length > 0);
  await until(() => server.connections(k2)[0].clientClosed);
  assert.equal(server.connections(k).length, 0);
});

test('abort while waiting to resume: the backoff is cancelled, no reconnection', async () => {
  const k = key('abort-backoff');
  const run = streamMessage(server.url(`/chat?key=${k}&ids=1&drop=5`), { retry: { minDelayMs: 5000, maxDelayMs: 5000 } });
  await until(() => run.getSnapshot().text === textOfFirst('hello', 5));
  await sleep(50);
  assert.equal(run.getSnapshot().status, 'streaming');
  const started = Date.now();
  run.abort();
  const final = await run.finished;
  assert.equal(final.status, 'aborted');
  assert.equal(final.text, textOfFirst('hello', 5));
  assert.ok(Date.now() - started < 200);
  await sleep(50);
  assert.equal(server.connections(k).length, 1);
});

test('abort of a Node stream input destroys it; an async generator that stalls hits the idle timeout', async () => {
  const pass = new PassThrough();
  pass.write('event: text_delta\ndata: "partial"\n\n');
  const run = streamMessage(pass);
  await until(() => run.getSnapshot().text === 'partial');
  run.abort();
  assert.equal((await run.finished).status, 'aborted');
  assert.equal(pass.destroyed, true);

  async function* stalls() {
    yield 'event: text_delta\ndata: "so far"\n\n';
    await new Promise(() => {});
  }
  const final = await streamMessage(stalls(), { idleTimeoutMs: 100 }).finished;
  assert.equal(final.status, 'error');
  assert.equal(final.error.code, 'interrupted');
  assert.equal(final.text, 'so far');
});

// --- never rejects -----------------------------------------------------------------

test('finished never rejects: bad input, bad options, unreachable server, broken fetch, broken source', async () => {
  const cases = [
    [streamMessage(42), 'invalid_input'],
    [streamMessage(server.url('/chat'), { protocol: 5 }), 'invalid_options'],
    [streamMessage(server.url('/chat'), { retry: 'often' }), 'invalid_options'],
    [streamMessage(server.url('/chat'), { idleTimeoutMs: -1 }), 'invalid_options'],
    [streamMessage(server.url('/chat'), { fetch: () => { throw new Error('no network here'); } }), 'network_error'],
    [streamMessage(server.url('/chat'), { fetch: async () => 'not a response' }), 'invalid_response'],
    [streamMessage('http://127.0.0.1:1/chat'), 'network_error'],
    [streamMessage(Readable.from((async function* broken() {
      yield 'event: text_delta\ndata: "a"\n\n';
      throw new Error('disk on fire');
    })())), 'interrupted'],
    [streamMessage((async function* numbers() { yield 42; })()), 'invalid_chunk'],
  ];
  for (const [run, code] of cases) {
    const final = await run.finished;
    assert.equal(final.status, 'error');
    assert.equal(final.error.code, code, final.error.message);
    assert.ok(Object.isFrozen(final));
  }
});

test('nothing left running: no timers or sockets held by finished runs', async () => {
  await sleep(50);
  const timers = process.getActiveResourcesInfo().filter((r) => r === 'Timeout');
  assert.deepEqual(timers, []);
});
