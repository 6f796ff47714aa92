// Hostile servers and hostile options at the JavaScript boundary (issue 12, items 7,
// 8 and 12c/d): limits above 2^32 saturate instead of wrapping, timer delays above
// what setTimeout can wait are capped, reconnections that bring no content run out
// of attempts, fail() takes any value, and a surrogate pair split between string
// chunks is joined. Against the wasm build and the real HTTP server of
// sse-test-server.js.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { EventSource } from 'eventsource';
import { ready, MessageStream, streamMessage } from '../../web/index.js';
import { reconnectDelay } from '../../web/transport/options.js';
import { startServer, answerText, sseText, sleep, key } from './sse-test-server.js';

const server = await startServer();
after(() => server.close());
before(() => ready());

const fast = { minDelayMs: 5, maxDelayMs: 20 };
const MAX_TIMER_MS = 2 ** 31 - 1;

// The native vocabulary, one event per line of `events`.
const sse = (...events) => events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join('');
const DONE = ['done', { finish_reason: 'stop' }];

function streamOf(options, text) {
  const stream = new MessageStream({ protocol: 'native', ...options });
  try {
    stream.feed(text);
    stream.end();
    return stream.snapshot();
  } finally {
    stream.dispose();
  }
}

// --- item 7: limits above 2^32 saturate ------------------------------------------------

test('limits at or above 2^32 - 1 mean no limit: they never wrap to a small one', () => {
  const line = sse(['text_delta', 'x'.repeat(20)], DONE); // each line < 40 bytes
  for (const big of [2 ** 32 + 16, 2 ** 32, 2 ** 32 - 1, 2 ** 53, Number.MAX_VALUE, Infinity]) {
    const label = `limit ${big}`;
    let s = streamOf({ maxEventBytes: big }, line);
    assert.equal(s.status, 'done', `${label}: maxEventBytes: ${s.error?.code}`);
    assert.equal(s.text, 'x'.repeat(20));

    s = streamOf({ maxMessageBytes: big }, line);
    assert.equal(s.status, 'done', `${label}: maxMessageBytes: ${s.error?.code}`);

    const threeParts = sse(['text_delta', 'a'], ['tool_start', { id: 't', name: 'f' }],
      ['tool_delta', { id: 't', delta: '{"a":{"b":[1]}}' }], ['text_delta', 'b'], DONE);
    s = streamOf({ maxParts: big + 1 }, threeParts); // 2^32 + 1 wrapped to 1 part
    assert.equal(s.status, 'done', `${label}: maxParts: ${s.error?.code}`);
    assert.equal(s.parts.length, 3);

    s = streamOf({ maxToolInputBytes: big + 4, maxJsonDepth: big + 1 }, threeParts);
    assert.equal(s.status, 'done', `${label}: maxToolInputBytes/maxJsonDepth: ${s.error?.code}`);
    assert.deepEqual(s.parts[1].input, { a: { b: [1] } });
  }
});

test('a limit above 2^32 is no limit, not the default: a 9 MiB line passes maxEventBytes: 2 ** 40', () => {
  const big = 'y'.repeat(9 << 20);
  const s = streamOf({ maxEventBytes: 2 ** 40 }, sse(['text_delta', big], DONE));
  assert.equal(s.status, 'done', s.error?.code);
  assert.equal(s.text.length, big.length);
});

test('small limits still hold; fractions round down, never to the default', () => {
  const s = streamOf({ maxMessageBytes: 10.9 }, sse(['text_delta', 'x'.repeat(11)], DONE));
  assert.equal(s.error?.code, 'message_too_large');
  const tiny = streamOf({ maxParts: 0.5 }, sse(['text_delta', 'a'], ['tool_start', { id: 't', name: 'f' }], DONE));
  assert.equal(tiny.error?.code, 'too_many_parts', '0.5 is one part, not the default 10,000');
});

test('a limit that is NaN, negative or not a number is a TypeError naming the option; null and 0 keep the default', () => {
  for (const name of ['maxEventBytes', 'maxToolInputBytes', 'maxJsonDepth', 'maxParts', 'maxMessageBytes']) {
    for (const bad of [NaN, -1, -Infinity, '100', true, 10n, {}, [5]]) {
      assert.throws(() => new MessageStream({ [name]: bad }), (error) => error instanceof TypeError
        && error.message.includes(name), `${name}: ${String(bad)}`);
    }
    for (const fine of [null, 0, undefined]) new MessageStream({ [name]: fine }).dispose();
  }
});

test('streamMessage: a wrapped limit would fail a small message; a bad one is invalid_options up front', async () => {
  async function* body() {
    yield sse(['text_delta', 'twenty-eight bytes of text!!'], DONE);
  }
  const final = await streamMessage(body(), { maxEventBytes: 2 ** 32 + 16, maxMessageBytes: 2 ** 32 + 16 }).finished;
  assert.equal(final.status, 'done', final.error?.code);
  assert.equal(final.text, 'twenty-eight bytes of text!!');

  const bad = await streamMessage(body(), { maxParts: NaN }).finished;
  assert.equal(bad.status, 'error');
  assert.equal(bad.error.code, 'invalid_options');
  assert.match(bad.error.detail, /maxParts/);
});

// --- item 7: timer delays ---------------------------------------------------------------

// Runs `body` while recording the delay of every setTimeout call.
async function recordingTimers(body) {
  const delays = [];
  const original = globalThis.setTimeout;
  globalThis.setTimeout = (callback, ms, ...args) => {
    delays.push(ms);
    return original(callback, ms, ...args);
  };
  try {
    await body();
  } finally {
    globalThis.setTimeout = original;
  }
  return delays;
}

test('idleTimeoutMs above 2^31 - 1: the idle timer waits, it does not fire every millisecond', async () => {
  for (const idleTimeoutMs of [2 ** 31, 2 ** 40, 1e300]) {
    let final;
    const delays = await recordingTimers(async () => {
      const run = streamMessage(server.url(`/chat?key=${key('idle-big')}&endless=1`), { idleTimeoutMs });
      await sleep(250);
      run.abort();
      final = await run.finished;
    });
    assert.equal(final.status, 'aborted');
    assert.ok(final.text.length > 0, 'text arrived');
    assert.ok(delays.every((ms) => !(ms > MAX_TIMER_MS)), `a delay above 2^31 - 1 was set (${idleTimeoutMs})`);
    const idleTimers = delays.filter((ms) => ms > MAX_TIMER_MS - 1e6).length;
    assert.ok(idleTimers <= 1, `${idleTimers} idle timers in 250 ms (${idleTimeoutMs})`);
  }
});

test('idleTimeoutMs: Infinity turns it off like 0', async () => {
  const delays = await recordingTimers(async () => {
    const final = await streamMessage(server.url(`/chat?key=${key('idle-inf')}`), { idleTimeoutMs: Infinity }).finished;
    assert.equal(final.status, 'done', final.error?.code);
  });
  assert.ok(delays.every((ms) => ms < 60_000), `no idle timer was set (${delays})`);
});

test('retry delays above 2^31 - 1 wait (capped), they do not reconnect at once', async () => {
  const k = key('delay-big');
  const run = streamMessage(server.url(`/chat?key=${k}&ids=1&drop=3`),
    { retry: { attempts: 3, minDelayMs: 2 ** 31, maxDelayMs: 2 ** 40 } });
  await sleep(300);
  assert.equal(server.connections(k).length, 1, 'the resume waits, it did not fire after 1 ms');
  assert.equal(run.getSnapshot().status, 'streaming');
  run.abort();
  assert.equal((await run.finished).status, 'aborted');

  const retry = { attempts: 60, minDelayMs: 500, maxDelayMs: 1e15 };
  for (let attempt = 1; attempt <= 60; attempt++) {
    assert.ok(reconnectDelay(attempt, null, retry) <= MAX_TIMER_MS, `backoff, attempt ${attempt}`);
    assert.ok(reconnectDelay(attempt, 3_600_000, retry) <= MAX_TIMER_MS, `server retry:, attempt ${attempt}`);
  }
});

// --- item 8: attempts reset only on content ------------------------------------------

// Runs `input` at most `ms`; returns the final snapshot, or null if it was still running.
async function bounded(run, ms = 2000) {
  const final = await Promise.race([run.finished, sleep(ms).then(() => null)]);
  if (!final) run.abort();
  return final;
}

for (const hollow of ['ids', 'empty', 'comments']) {
  test(`a server whose connections bring no content (hollow=${hollow}): exactly 1 + attempts connections, then the error`, async () => {
    const k = key(`hollow-${hollow}`);
    const run = streamMessage(server.url(`/chat?key=${k}&hollow=${hollow}`),
      { body: { prompt: 'p' }, retry: { attempts: 3, ...fast } });
    const final = await bounded(run);
    const connections = server.connections(k);
    assert.ok(final, `still reconnecting after 2 s (${connections.length} connections)`);
    assert.equal(connections.length, 4, 'the first connection and three attempts');
    assert.equal(final.status, 'error');
    assert.equal(final.error.code, 'interrupted');
    assert.ok(connections.every((c) => c.method === 'POST'));
    assert.deepEqual(connections.slice(1).map((c) => c.lastEventId),
      hollow === 'comments' ? ['hollow-1', 'hollow-1', 'hollow-1'] : ['hollow-1', 'hollow-2', 'hollow-3']);
  });
}

test('EventSource: events with new ids and no content run out of attempts (1 + attempts connections)', async () => {
  const k = key('hollow-es');
  const source = new EventSource(server.url(`/chat?key=${k}&hollow=empty&retry=10`));
  const run = streamMessage(source, { retry: { attempts: 3 } });
  const final = await bounded(run);
  const connections = server.connections(k).length;
  source.close();
  assert.ok(final, `still reconnecting after 2 s (${connections} connections)`);
  assert.equal(final.status, 'error');
  assert.equal(final.error.code, 'interrupted');
  assert.equal(connections, 4);
});

test('content still resets the attempts: a drop after every three events completes with attempts: 1', async () => {
  const k = key('progress');
  const final = await streamMessage(server.url(`/chat?key=${k}&ids=1&drop=3&bad=99`),
    { retry: { attempts: 1, ...fast } }).finished;
  assert.equal(final.status, 'done', final.error?.code);
  assert.equal(final.text, answerText('hello'));
  assert.equal(server.connections(k).length, 5);
});

// --- item 12c: fail() takes any value --------------------------------------------------

test('fail() takes any value and fails with a message string', () => {
  const cases = [
    [new Error('boom'), 'boom'],
    ['plain text', 'plain text'],
    [{ message: 7 }, '7'],
    [{ message: { nested: true } }, 'The connection failed'],
    [{ message: Symbol('s') }, 'Symbol(s)'],
    [{ code: 42, retryable: 'yes', status: '500' }, 'The connection failed'],
    [null, 'The connection failed'],
    [undefined, 'The connection failed'],
    [42, '42'],
    ['', 'The connection failed'],
    [new Error(''), 'The connection failed'],
    [{ get message() { throw new Error('getter'); } }, 'The connection failed'],
    [{ message: { toString() { throw new Error('no'); } } }, 'The connection failed'],
    [Object.create(null), 'The connection failed'],
    [{ message: 'lone \uD800 surrogate', code: 'c\uDC00' }, 'lone \uFFFD surrogate'],
  ];
  for (const [value, message] of cases) {
    const stream = new MessageStream({ protocol: 'native' });
    stream.feed(sse(['text_delta', 'kept']));
    assert.doesNotThrow(() => stream.fail(value), `fail(${typeof value})`);
    const s = stream.snapshot();
    assert.equal(s.status, 'error');
    assert.equal(s.error.message, message);
    assert.equal(typeof s.error.code, 'string');
    assert.equal(typeof s.error.retryable, 'boolean');
    assert.equal(s.text, 'kept', 'the partial answer stays');
    stream.dispose();
  }
  const stream = new MessageStream({ protocol: 'native' });
  stream.fail({ message: 'x', code: 'c\uDC00', retryable: false, status: 503, body: 'b', detail: 'd' });
  assert.deepEqual({ ...stream.snapshot().error },
    { message: 'x', code: 'c\uFFFD', retryable: false, status: 503, body: 'b', detail: 'd' });
  stream.dispose();
});

// --- item 12d: surrogate pairs split between string chunks ------------------------------

test('MessageStream: a string chunk ending in a high surrogate waits for the next chunk', () => {
  const stream = new MessageStream({ protocol: 'native' });
  stream.feed('event: text_delta\ndata: "a\uD83D');
  stream.feed('\uDE00b"\n\n');
  assert.equal(stream.snapshot().text, 'a😀b');
  // Raw (not JSON-escaped) in an SSE line that is the event's data.
  stream.feed('event: text_delta\ndata: "\uD83C');
  stream.feed('\uDF38"\n\n');
  assert.equal(stream.snapshot().text, 'a😀b🌸');
  stream.dispose();
});

test('MessageStream: a high surrogate alone (then bytes, or the next chunk, or the end) is U+FFFD', () => {
  const stream = new MessageStream({ protocol: 'native' });
  stream.feed('event: text_delta\ndata: "x\uD83D');
  stream.feed(new TextEncoder().encode('y"\n\n'));
  assert.equal(stream.snapshot().text, 'x\uFFFDy');
  stream.feed('event: text_delta\ndata: "\uD83D');
  stream.feed('z"\n\n');
  assert.equal(stream.snapshot().text, 'x\uFFFDy\uFFFDz');
  stream.feed('event: text_delta\ndata: "w\uD83D');
  stream.endConnection(); // the incomplete event is dropped with it
  stream.feed('\uDE00"\n\nevent: text_delta\ndata: "v"\n\n');
  assert.equal(stream.snapshot().text, 'x\uFFFDy\uFFFDzv', 'nothing is joined across connections');
  stream.dispose();
});

test('streamMessage: an async iterable of strings split inside surrogate pairs at every position', async () => {
  const text = sseText('emoji 😀🌸 pairs');
  for (let i = 1; i < text.length; i++) {
    if (!(text.charCodeAt(i - 1) >= 0xd800 && text.charCodeAt(i - 1) <= 0xdbff)) continue;
    async function* chunks() {
      yield text.slice(0, i);
      yield text.slice(i);
    }
    const final = await streamMessage(chunks()).finished;
    assert.equal(final.status, 'done', final.error?.code);
    assert.equal(final.text, answerText('emoji 😀🌸 pairs'), `split at ${i}`);
  }
});

test('hintProtocol() with a non-string is a TypeError that names the method, and the stream goes on', () => {
  const stream = new MessageStream();
  stream.feed(sse(['text_delta', 'kept']));
  for (const value of [7, null, undefined, {}, Symbol('s')]) {
    assert.throws(() => stream.hintProtocol(value), (e) => e instanceof TypeError && /hintProtocol\(\)/.test(e.message));
  }
  stream.feed(sse(['text_delta', ' more']));
  assert.equal(stream.snapshot().text, 'kept more');
  stream.dispose();
});
