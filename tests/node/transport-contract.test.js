// The transport and store contract as users met it against real servers (issue 11):
// `finished` and the last notification agree whatever a listener does, the HTTP
// cache is bypassed, the server's `retry:` is the delay, any Last-Event-ID goes out
// on a resume, failures have the right class and a sentence an end user can read,
// a retry shows 'streaming' at once and can be stopped, and store actions can be
// used as event handlers. Against the real HTTP server of sse-test-server.js.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { streamMessage } from '../../web/index.js';
import { ChatStore, MessageStore } from '../../web/stores.js';
import { ERRORS, failure, httpFailure } from '../../web/transport/errors.js';
import { DEFAULT_RETRY, MAX_SERVER_RETRY_MS, reconnectDelay } from '../../web/transport/options.js';
import { startServer, answerText, textOfFirst, sleep, key, FAST_RETRY } from './sse-test-server.js';

const server = await startServer();
after(() => server.close());

const fast = FAST_RETRY;
const TERMINAL = ['done', 'error', 'aborted'];

async function until(condition, ms = 3000) {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (condition()) return;
    await sleep(5);
  }
  assert.fail('timed out waiting for a condition');
}

// Subscribes `act(snapshot, index)` and records what every notification carried.
function listen(run, act = () => {}) {
  const seen = [];
  run.subscribe(() => {
    const snapshot = run.getSnapshot();
    seen.push(snapshot);
    act(snapshot, seen.length - 1);
  });
  return seen;
}

// The contract of docs/transport.md: the last notification carries the final state,
// and `finished` resolves after it, with it.
async function assertFinishedAfterLast(run, finished, seen) {
  const final = await finished;
  assert.ok(TERMINAL.includes(final.status), `finished gave status '${final.status}'`);
  await sleep(30); // nothing may follow
  assert.equal(seen.at(-1), final, 'the last notification carries the snapshot finished resolved with');
  assert.equal(run.getSnapshot(), final);
  return final;
}

// --- finished and listeners ------------------------------------------------------

test('abort() inside a listener, at the first notification: finished resolves aborted, after the last notification', async () => {
  const run = streamMessage(server.url(`/chat?key=${key('abort-in-listener')}&delay=5`));
  const seen = listen(run, (snapshot, i) => {
    if (i === 0) run.abort();
  });
  const final = await assertFinishedAfterLast(run, run.finished, seen);
  assert.equal(final.status, 'aborted');
  assert.equal(seen.length, 2);
  assert.equal(seen[0].status, 'streaming');
});

test('dispose() inside a listener while streaming: aborted, partial kept, finished after the last notification; retry() is then a no-op', async () => {
  const k = key('dispose-in-listener');
  const run = streamMessage(server.url(`/chat?key=${k}&delay=5`));
  let partial = null;
  const seen = listen(run, (snapshot) => {
    if (snapshot.text !== '' && !partial) {
      partial = snapshot.text;
      run.dispose();
    }
  });
  const final = await assertFinishedAfterLast(run, run.finished, seen);
  assert.equal(final.status, 'aborted');
  assert.equal(final.text, partial);
  assert.equal(run.retry(), run.finished);
  run.dispose(); // idempotent
  run[Symbol.dispose]();
  await sleep(20);
  assert.equal(server.connections(k).length, 1);
});

test('retry() inside the listener of the error notification: each finished resolves with its own last notification', async () => {
  const k = key('retry-in-listener');
  const run = streamMessage(server.url(`/chat?key=${k}&drop=6`), { body: { prompt: 'again' } });
  const first = run.finished;
  let second = null;
  const seen = listen(run, (snapshot) => {
    if (snapshot.status === 'error' && !second) second = run.retry();
  });
  const failed = await first;
  assert.equal(failed.status, 'error');
  assert.ok(seen.includes(failed), 'the first finished carries a notified snapshot');
  await until(() => second !== null);
  const final = await assertFinishedAfterLast(run, second, seen);
  assert.equal(final.status, 'done');
  assert.equal(final.text, answerText('again'));
});

test('abort() inside a listener while a retry waits for content: aborted, the earlier partial kept', async () => {
  const k = key('abort-during-retry');
  const run = streamMessage(server.url(`/chat?key=${k}&drop=6&headersDelay=300&bad=1`), { body: { prompt: 'p' } });
  const failed = await run.finished;
  assert.equal(failed.status, 'error');
  let again = null;
  const seen = listen(run, (snapshot) => {
    // The first notification after retry(): the wait for the new response.
    if (again && snapshot.status === 'streaming') run.abort();
  });
  again = run.retry();
  const final = await assertFinishedAfterLast(run, again, seen);
  assert.equal(final.status, 'aborted');
  assert.equal(final.text, failed.text, 'the partial of the first attempt stays');
  assert.equal(final.parts, failed.parts);
});

test('abort() inside the listener of the done notification changes nothing', async () => {
  const run = streamMessage(server.url(`/chat?key=${key('abort-at-done')}`));
  const seen = listen(run, (snapshot) => {
    if (snapshot.status === 'done') run.abort();
  });
  const final = await assertFinishedAfterLast(run, run.finished, seen);
  assert.equal(final.status, 'done');
});

// --- HTTP ------------------------------------------------------------------------

test('URL inputs bypass the HTTP cache (cache: no-store, as EventSource); the caller can override it', async () => {
  const k = key('cache');
  assert.equal((await streamMessage(server.url(`/chat?key=${k}`)).finished).status, 'done');
  const sent = server.connections(k)[0].headers;
  assert.equal(sent['cache-control'], 'no-cache');
  assert.equal(sent.pragma, 'no-cache');
  const k2 = key('cache-default');
  assert.equal((await streamMessage(server.url(`/chat?key=${k2}`), { cache: 'default' }).finished).status, 'done');
  assert.equal(server.connections(k2)[0].headers['cache-control'], undefined);
});

test("the server's retry: is the reconnection delay: 50 ms is not raised to minDelayMs", async () => {
  const k = key('retry-50');
  const final = await streamMessage(server.url(`/chat?key=${k}&ids=1&drop=4&retry=50`)).finished;
  assert.equal(final.status, 'done', final.error?.message);
  const [lost, resumed] = server.connections(k);
  const gap = resumed.time - lost.time;
  // The dropped connection lasted a few ms; the default minDelayMs (500) would add 500 more.
  assert.ok(gap < DEFAULT_RETRY.minDelayMs - 100, `reconnected after ${gap} ms`);
});

test("maxDelayMs does not cut the server's retry: short", async () => {
  const k = key('retry-600');
  const final = await streamMessage(server.url(`/chat?key=${k}&ids=1&drop=4&retry=600`),
    { retry: { minDelayMs: 10, maxDelayMs: 100 } }).finished;
  assert.equal(final.status, 'done', final.error?.message);
  const [lost, resumed] = server.connections(k);
  assert.ok(resumed.time - lost.time >= 600, `reconnected after ${resumed.time - lost.time} ms`);
});

test('reconnectDelay: the server value first, doubling from it, never cut by maxDelayMs; absurd values ignored', () => {
  const retry = { attempts: 5, minDelayMs: 500, maxDelayMs: 10000 };
  assert.equal(reconnectDelay(1, 50, retry), 50);
  assert.equal(reconnectDelay(2, 50, retry), 100);
  assert.equal(reconnectDelay(1, 15000, retry), 15000, 'above maxDelayMs: still the server value');
  assert.equal(reconnectDelay(3, 15000, retry), 15000, 'growth is capped, the server value is not');
  assert.equal(reconnectDelay(10, 3000, retry), 10000);
  assert.equal(reconnectDelay(1, MAX_SERVER_RETRY_MS, retry), MAX_SERVER_RETRY_MS);
  assert.equal(reconnectDelay(1, MAX_SERVER_RETRY_MS + 1, retry, () => 0), 500, 'over an hour: the client backoff');
  assert.equal(reconnectDelay(1, null, retry, () => 0), 500);
  assert.equal(reconnectDelay(2, null, retry, () => 1), 1500);
  assert.equal(reconnectDelay(9, null, retry, () => 1), 10000);
});

test('a 260 KB Last-Event-ID (multi-byte) goes out whole on the resume', async () => {
  const k = key('long-id');
  const pad = 130_000; // 'é' is 2 bytes in UTF-8
  const final = await streamMessage(server.url(`/chat?key=${k}&ids=1&idPad=${pad}&drop=4`), { retry: fast }).finished;
  assert.equal(final.status, 'done', `${final.error?.code}: ${final.error?.detail}`);
  assert.equal(final.text, answerText('hello'));
  const [, resumed] = server.connections(k);
  const sentId = Buffer.from(resumed.lastEventId, 'latin1').toString('utf8');
  assert.equal(sentId, `4-${'é'.repeat(pad)}`);
});

test('a redirect loop is too_many_redirects, not retryable', async () => {
  const final = await streamMessage(server.url(`/chat?key=${key('loop')}&redirect=loop`)).finished;
  assert.equal(final.status, 'error');
  assert.equal(final.error.code, 'too_many_redirects');
  assert.equal(final.error.retryable, false);
  assert.match(final.error.detail, /redirect/);
});

test('a fetch whose response body is not a stream is invalid_response', async () => {
  for (const body of ['data: "x"\n\n', 42, { text: 'not a stream' }]) {
    const fetch = async () => ({
      status: 200, statusText: 'OK', body, headers: new Headers({ 'content-type': 'text/event-stream' }),
    });
    const final = await streamMessage('http://example.invalid/chat', { fetch }).finished;
    assert.equal(final.status, 'error');
    assert.equal(final.error.code, 'invalid_response', `${typeof body}: ${final.error.detail}`);
    assert.equal(final.error.retryable, false);
  }
});

// --- errors ------------------------------------------------------------------------

test('HTTP errors: a sentence for the user, the status and at most 1 KiB of the body in their own fields', async () => {
  const k = key('http-422');
  const final = await streamMessage(server.url(`/chat?key=${k}&status=422`)).finished;
  assert.equal(final.error.code, 'http_422');
  assert.equal(final.error.status, 422);
  assert.equal(final.error.message, 'The server could not accept the request (HTTP 422).');
  assert.ok(final.error.body.startsWith('Upstream failure'));
  assert.ok(Buffer.byteLength(final.error.body) <= 1024 && Buffer.byteLength(final.error.body) > 1000);
  const multiByte = httpFailure(500, 'Internal Server Error', 'é'.repeat(10));
  assert.equal(multiByte.body, 'é'.repeat(10));
  assert.equal(multiByte.detail, 'HTTP 500 Internal Server Error');
  assert.ok(Object.isFrozen(multiByte));
});

test('every transport error message is a short sentence an end user can read', () => {
  const messages = [...Object.keys(ERRORS).map((kind) => failure(kind).message),
    ...[400, 401, 403, 404, 408, 413, 418, 422, 429, 500, 502, 503].map((s) => httpFailure(s, '', '').message)];
  for (const message of messages) {
    assert.ok(message.length <= 200, message);
    assert.match(message, /^[A-Z].*[.]$/, `a sentence: ${message}`);
    assert.doesNotMatch(message, /sse-wasm|partial response|maxDelay|fetch|Last-Event-ID|undefined/i, message);
  }
});

test('the error table and docs/transport.md list the same codes with the same retryable flags', () => {
  const doc = readFileSync(new URL('../../docs/transport.md', import.meta.url), 'utf8');
  const rows = new Map();
  for (const match of doc.matchAll(/^\| `([a-z_<>]+)` \| (yes|no|408, 429, 5xx) \|/gm)) rows.set(match[1], match[2]);
  const codes = new Map(Object.values(ERRORS).map(([code, retryable]) => [code, retryable ? 'yes' : 'no']));
  codes.set('http_<status>', '408, 429, 5xx');
  assert.deepEqual(new Map([...rows].sort()), new Map([...codes].sort()));
});

test('index.d.ts MessageErrorCode names every code of the error table', () => {
  const types = readFileSync(new URL('../../web/index.d.ts', import.meta.url), 'utf8');
  const union = /export type MessageErrorCode =([^;]+);/.exec(types)?.[1] ?? '';
  const typed = new Set([...union.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]));
  for (const [code] of Object.values(ERRORS)) if (code !== 'aborted') assert.ok(typed.has(code), `${code} is not typed`);
  assert.match(union, /`http_\$\{number\}`/);
});

// --- stores ------------------------------------------------------------------------

// What a store notifies, read as a user's UI would.
function storeSnapshots(store) {
  const seen = [];
  store.subscribe(() => seen.push(store.getSnapshot()));
  return seen;
}

// An object like a React click event: not a plain object, with fields that would
// be harmful as options.
class FakeClickEvent {
  type = 'click';
  nativeEvent = {};
  api = 'http://127.0.0.1:1/not-here';
  body = { injected: true };
  headers = { 'x-injected': '1' };
}

test('ChatStore: after an error, retry() is streaming at once with the partial shown; stop() during the wait stops it', async () => {
  const k = key('chat-retry-stop');
  const store = new ChatStore({ api: server.url(`/chat?key=${k}&drop=6&headersDelay=400&bad=1`) });
  store.mount();
  const seen = storeSnapshots(store);
  store.send('first');
  await until(() => store.getSnapshot().status === 'error');
  const failed = store.getSnapshot().messages[1];
  assert.equal(failed.text, textOfFirst('hello', 6));
  store.retry(new FakeClickEvent());
  let snapshot = store.getSnapshot();
  assert.equal(snapshot.status, 'streaming', 'feedback at once');
  assert.equal(snapshot.error, null, 'the old error is cleared');
  assert.equal(snapshot.messages[1].text, failed.text, 'the partial is still shown');
  await sleep(50); // the request is out, no byte yet
  assert.equal(server.connections(k).length, 2);
  store.stop();
  await until(() => store.getSnapshot().status === 'aborted');
  snapshot = store.getSnapshot();
  assert.equal(snapshot.messages[1].text, failed.text, 'stopping the wait keeps the partial');
  await sleep(500);
  assert.equal(store.getSnapshot().status, 'aborted', 'the second answer did not complete anyway');
  const shown = seen.map((s) => s.messages[1]?.text ?? '');
  const first = shown.findIndex((text) => text !== '');
  assert.ok(first >= 0 && shown.slice(first).every((text) => text !== ''), 'the answer never flashed empty');
  const second = server.connections(k)[1];
  assert.equal(JSON.parse(second.body).injected, undefined, 'the click event was not taken as options');
  assert.equal(second.headers['x-injected'], undefined);
  store.unmount();
});

test('ChatStore: a new send() during a retry wait aborts it; send(event) sends nothing', async () => {
  const k = key('chat-retry-send');
  const store = new ChatStore({ api: server.url(`/chat?key=${k}&drop=6&headersDelay=400&bad=1`) });
  store.mount();
  store.send('first');
  await until(() => store.getSnapshot().status === 'error');
  store.retry();
  await sleep(50);
  const waiting = store.getSnapshot().messages[1];
  store.send(new FakeClickEvent());
  assert.equal(store.getSnapshot().messages.length, 2, 'an event is not a message');
  store.send('second');
  await until(() => store.getSnapshot().messages.length === 4 && store.getSnapshot().status === 'done', 4000);
  const messages = store.getSnapshot().messages;
  assert.equal(messages[1].status, 'aborted');
  assert.equal(messages[1].text, waiting.text, 'the aborted answer keeps its partial');
  assert.equal(messages[3].text, answerText('hello'));
  store.unmount();
});

test('MessageStore: retry(event) after an error resumes at once as streaming; actions ignore event arguments', async () => {
  const k = key('message-retry');
  const store = new MessageStore({ api: server.url(`/chat?key=${k}&drop=6&bad=1`) });
  store.mount();
  store.start(new FakeClickEvent());
  await until(() => store.getSnapshot().status === 'error');
  const failed = store.getSnapshot();
  store.retry(new FakeClickEvent());
  assert.equal(store.getSnapshot().status, 'streaming');
  assert.equal(store.getSnapshot().error, null);
  assert.equal(store.getSnapshot().parts, failed.parts);
  await until(() => store.getSnapshot().status === 'done');
  assert.equal(store.getSnapshot().text, answerText('hello'));
  for (const connection of server.connections(k)) {
    assert.equal(connection.method, 'GET', 'the event body was not sent');
    assert.equal(connection.headers['x-injected'], undefined);
  }
  store.unmount();
});
