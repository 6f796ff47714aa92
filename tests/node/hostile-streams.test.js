// Hostile and broken servers, over real HTTP on 127.0.0.1, through streamMessage
// with a URL. Whatever a server sends, the page must not crash, memory must stay
// bounded, and text already shown must never be dropped (SECURITY.md):
//   * a line that never ends (20 MB without a newline) under a 1 MiB maxEventBytes;
//   * a flood of 200,000 one-character events in large writes;
//   * tool input nested 100,000 deep, streamed and complete;
//   * invalid UTF-8 everywhere (random noise between and inside valid events);
//   * 10,000 tool calls (the default maxParts) and the same over a small maxParts;
//   * an endless stream that the user aborts;
//   * a server that resets every connection (backoff, attempt cap);
//   * 200 text/event-stream, then silence until the idle timeout.
// The hostile behaviours are served by a small second server in this file; the
// silence after the headers comes from tests/node/sse-test-server.js (stall=0).
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { ready, coreStats, streamMessage } from '../../web/index.js';
import { startServer, sleep } from './sse-test-server.js';

const verbose = process.env.SSEW_TEST_VERBOSE ? (...args) => console.log(...args) : () => {};
const MiB = 1 << 20;

async function until(condition, ms = 3000, what = 'a condition') {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (condition()) return;
    await sleep(5);
  }
  assert.fail(`timed out waiting for ${what}`);
}

// A native event as SSE text; `data` is serialized unless it is already a string.
function ev(event, data, id) {
  return `${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${typeof data === 'string' ? data
    : JSON.stringify(data)}\n\n`;
}

// Deterministic pseudo-random numbers (xorshift32), so a failure can be replayed.
function rng(seed) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
}

// --- the hostile server -------------------------------------------------------------
// Each test registers a behaviour under a path of its own; every connection is
// recorded: { time, lastEventId, bytes, clientClosed, ended }.

function startHostileServer() {
  const routes = new Map();
  const records = new Map();
  const sockets = new Set();
  let paths = 0;
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const behaviour = routes.get(url.pathname);
    for await (const chunk of req) void chunk; // the request body, if any
    const record = { time: performance.now(), lastEventId: req.headers['last-event-id'], bytes: 0,
      clientClosed: false, ended: false };
    if (!records.has(url.pathname)) records.set(url.pathname, []);
    records.get(url.pathname).push(record);
    res.on('close', () => {
      if (!res.writableFinished) record.clientClosed = true;
    });
    if (!behaviour) return void res.writeHead(404).end();
    try {
      await behaviour(req, res, record, records.get(url.pathname).length);
    } catch {
      res.destroy();
    } finally {
      record.ended = true;
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    resolve({
      /** Registers `behaviour(req, res, record, n)` (n: 1 for the first connection); returns its URL. */
      route(name, behaviour) {
        const path = `/${name}-${++paths}`;
        routes.set(path, behaviour);
        return `http://127.0.0.1:${port}${path}`;
      },
      connections: (url) => records.get(new URL(url).pathname) ?? [],
      close: () => new Promise((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
    });
  }));
}

const closed = (res) => res.destroyed || res.writableEnded;

function head(res) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.socket?.setNoDelay(true);
  res.flushHeaders();
}

// Writes with backpressure: resolves true once the chunk is handed to the socket,
// false when the client went away.
function write(res, chunk) {
  if (closed(res)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onClose = () => resolve(false);
    res.once('close', onClose);
    res.write(chunk, (error) => {
      res.off('close', onClose);
      resolve(!error && !res.destroyed);
    });
  });
}

let hostile;
let plain;
before(async () => {
  await ready();
  [hostile, plain] = await Promise.all([startHostileServer(), startServer()]);
});
after(() => Promise.all([hostile.close(), plain.close()]));

const fastRetry = { attempts: 3, minDelayMs: 10, maxDelayMs: 40 };

// --- a line that never ends ---------------------------------------------------------

test('a line that never ends (20 MB without a newline): event_too_large, text kept, request cancelled, '
  + 'wasm memory bounded', async () => {
  const total = 20 * MiB;
  const url = hostile.route('endless-line', async (req, res, record) => {
    head(res);
    await write(res, ev('text_delta', 'Before the flood. ') + ev('reasoning_delta', 'thinking')
      + ev('text_delta', 'Still here.'));
    await write(res, 'event: text_delta\ndata: ');
    const chunk = Buffer.alloc(64 * 1024, 'x');
    for (let sent = 0; sent < total; sent += chunk.length) {
      if (!await write(res, chunk)) return;
      record.bytes += chunk.length;
    }
    res.end();
  });
  const memoryBefore = coreStats().wasmMemoryBytes;
  const run = streamMessage(url, { maxEventBytes: MiB, retry: fastRetry, idleTimeoutMs: 5000 });
  const final = await run.finished;
  assert.equal(final.status, 'error');
  assert.equal(final.error.code, 'event_too_large');
  assert.equal(final.error.retryable, false);
  assert.equal(final.text, 'Before the flood. Still here.');
  assert.deepEqual(final.parts.map((p) => [p.type, p.text]),
    [['text', 'Before the flood. '], ['reasoning', 'thinking'], ['text', 'Still here.']]);
  const [connection, ...others] = hostile.connections(url);
  await until(() => connection.ended, 3000, 'the server to see the request cancelled');
  assert.equal(connection.clientClosed, true, 'the request was cancelled');
  assert.ok(connection.bytes < total, `the server could push all ${connection.bytes} bytes: nothing was cancelled`);
  assert.equal(others.length, 0, 'a limit error is final: no reconnection');
  const growth = coreStats().wasmMemoryBytes - memoryBefore;
  verbose(`endless line: the server wrote ${connection.bytes} bytes; wasm memory grew by ${growth} bytes`);
  assert.ok(growth <= 2 * MiB, `wasm memory grew by ${growth} bytes for a 1 MiB limit`);
  assert.equal(coreStats().liveSessions, 0, 'the stream was disposed');
});

// --- a flood of tiny events ---------------------------------------------------------

test('a flood of 200,000 one-character events in large writes: exact text, few notifications', async () => {
  const events = 200_000;
  const alphabet = 'abcdefghijklmnopqrstuvwxyzé東🌸 ';
  const chars = Array.from(alphabet);
  const charAt = (i) => chars[i % chars.length];
  const url = hostile.route('flood', async (req, res, record) => {
    head(res);
    let batch = '';
    for (let i = 0; i < events; i++) {
      batch += `event: text_delta\ndata: ${JSON.stringify(charAt(i))}\n\n`;
      if (batch.length >= 256 * 1024) {
        if (!await write(res, batch)) return;
        record.bytes += batch.length;
        batch = '';
      }
    }
    await write(res, `${batch}event: done\ndata: {"finish_reason":"stop"}\n\n`);
    res.end();
  });
  const run = streamMessage(url);
  let notifications = 0;
  let last = null;
  let shrank = false;
  run.subscribe(() => {
    notifications += 1;
    const snapshot = run.getSnapshot();
    if (last && !snapshot.text.startsWith(last.text)) shrank = true;
    last = snapshot;
  });
  const started = performance.now();
  const final = await run.finished;
  const elapsed = performance.now() - started;
  assert.equal(final.status, 'done', final.error?.message);
  let expected = '';
  for (let i = 0; i < events; i++) expected += charAt(i);
  assert.equal(final.text.length, expected.length);
  assert.ok(final.text === expected, 'the exact text, every character in order');
  assert.equal(final.parts.length, 1);
  assert.equal(final.finishReason, 'stop');
  assert.equal(last, final, 'the last notification carried the final state');
  assert.equal(shrank, false, 'the text only grew');
  verbose(`flood: ${notifications} notifications, ${Math.round(elapsed)} ms`);
  assert.ok(notifications >= 1 && notifications <= events / 200,
    `${notifications} notifications for ${events} events`);
  assert.ok(elapsed < 8000, `took ${Math.round(elapsed)} ms`);
});

// --- deeply nested tool input -------------------------------------------------------

test('tool input nested 100,000 deep in tool_delta: json_too_deep, earlier text and tool kept', async () => {
  const depth = 100_000;
  // The nesting in one 100,000-bracket delta, then in deltas of 7 brackets (the
  // limit falls inside a fragment); never closed, and more events after it.
  for (const fragment of [depth, 7]) {
    const url = hostile.route('deep-delta', async (req, res) => {
      head(res);
      await write(res, ev('text_delta', 'Calling the tool. ') + ev('tool_start', { id: 'call_1', name: 'nest' })
        + ev('tool_delta', { id: 'call_1', delta: '{"items": ' }));
      let batch = '';
      for (let sent = 0; sent < depth; sent += fragment) {
        batch += ev('tool_delta', { id: 'call_1', delta: '['.repeat(Math.min(fragment, depth - sent)) });
        if (batch.length > 64 * 1024) {
          if (!await write(res, batch)) return;
          batch = '';
        }
      }
      await write(res, `${batch}${ev('text_delta', 'never shown')}${ev('done', {})}`);
      res.end();
    });
    const final = await streamMessage(url).finished;
    assert.equal(final.status, 'error');
    assert.equal(final.error.code, 'json_too_deep');
    assert.equal(final.error.retryable, false);
    assert.equal(final.text, 'Calling the tool. ');
    assert.equal(final.parts.length, 2);
    const tool = final.parts[1];
    assert.equal(tool.id, 'call_1');
    assert.equal(tool.name, 'nest');
    assert.equal(tool.state, 'input-streaming');
    assert.ok(tool.inputText.startsWith('{"items": [[['));
    // The best-effort input is the value as it was at the limit: 128 levels, the object included.
    let levels = 0;
    for (let value = tool.input; value !== null && typeof value === 'object'; levels++) {
      value = Array.isArray(value) ? value[0] : value.items;
    }
    verbose(`deep delta (fragments of ${fragment}): best-effort input ${levels} levels deep`);
    assert.equal(levels, 128, `fragments of ${fragment}`);
  }
});

// A complete `input` in tool_start (or `result` in tool_result) nested 100,000 deep.
// Before 413c5cd the native protocol re-serialized it recursively: the wasm stack
// overflowed, feed() threw (reported as 'invalid_chunk') and each event leaked ~6 MB.
// Whatever the core makes of such an event (a json_too_deep error, or an ignored
// event with a warning), it must not crash, leak, or touch the text around it.
test('complete tool input and result nested 100,000 deep: no crash, no leak, the text around them kept', async () => {
  const depth = 100_000;
  const deep = `${'['.repeat(depth)}${']'.repeat(depth)}`;
  const url = hostile.route('deep-input', async (req, res) => {
    head(res);
    await write(res, ev('text_delta', 'Calling the tool. '));
    res.end(ev('tool_start', `{"id":"call_1","name":"nest","input":${deep}}`)
      + ev('tool_start', { id: 'call_2', name: 'flat', input: { ok: true } })
      + ev('tool_result', `{"id":"call_2","result":${deep}}`)
      + ev('text_delta', 'Still here.') + ev('done', {}));
  });
  const memoryBefore = coreStats().wasmMemoryBytes;
  for (let i = 0; i < 3; i++) {
    const final = await streamMessage(url).finished;
    assert.ok(final.text.startsWith('Calling the tool. '), final.text);
    if (final.status === 'error') {
      assert.equal(final.error.code, 'json_too_deep', final.error.message);
      assert.equal(final.text, 'Calling the tool. ');
    } else {
      assert.equal(final.status, 'done');
      assert.equal(final.text, 'Calling the tool. Still here.');
      const flat = final.parts.find((p) => p.id === 'call_2');
      assert.deepEqual(flat.input, { ok: true });
      assert.ok(final.warnings.length >= 1, 'a refused event leaves a warning');
    }
  }
  const growth = coreStats().wasmMemoryBytes - memoryBefore;
  assert.ok(growth <= 2 * MiB, `wasm memory grew by ${growth} bytes over 3 runs`);
  assert.equal(coreStats().liveSessions, 0);
});

// Regression: complete inputs were once not depth-checked (accepted up to 511 levels,
// dropped as 'invalid_json' from 512).
test('complete tool input deeper than maxJsonDepth: json_too_deep, earlier text kept', async () => {
  for (const depth of [200, 100_000]) {
    const url = hostile.route('deep-input-limit', async (req, res) => {
      head(res);
      await write(res, ev('text_delta', 'Calling the tool. '));
      res.end(ev('tool_start', `{"id":"call_1","name":"nest","input":${'['.repeat(depth)}${']'.repeat(depth)}}`)
        + ev('done', {}));
    });
    const final = await streamMessage(url).finished;
    assert.equal(final.text, 'Calling the tool. ');
    assert.equal(final.status, 'error', `depth ${depth}: status ${final.status}, parts ${final.parts.length}, `
      + `warnings ${JSON.stringify(final.warnings)}`);
    assert.equal(final.error.code, 'json_too_deep', final.error.message);
  }
});

// --- invalid UTF-8 everywhere -------------------------------------------------------

test('invalid UTF-8 everywhere: no crash, every valid event gives its text, U+FFFD as the WHATWG decoder '
  + 'gives it', async () => {
  const random = rng(0x5eed);
  const byte = () => Math.floor(random() * 256);
  const highBytes = (n) => Buffer.from(Array.from({ length: n }, () => 0x80 + Math.floor(random() * 128)));
  const decoder = new TextDecoder(); // WHATWG UTF-8 decode: U+FFFD per maximal invalid subpart
  const parts = [];
  let expected = '';
  // Hand-picked invalid sequences first, then random ones.
  const known = [[0xff], [0xc3, 0x28], [0xe2, 0x82], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80],
    [0xf0, 0x9f, 0x8c], [0x80, 0x80, 0x80], [0xfe, 0xfe, 0xff, 0xff]];
  for (let i = 0; i < 400; i++) {
    const invalid = i < known.length ? Buffer.from(known[i]) : highBytes(1 + Math.floor(random() * 6));
    const before = `w${i}-`;
    if (i % 3 === 2) {
      // Raw text (not JSON): taken as it is, decoded.
      const data = Buffer.concat([Buffer.from(before), invalid, Buffer.from('.')]);
      parts.push(Buffer.from('event: text_delta\ndata: '), data, Buffer.from('\n\n'));
      expected += decoder.decode(data);
    } else {
      // A JSON string holding the bad bytes (all >= 0x80: never a quote or a backslash).
      const data = Buffer.concat([Buffer.from(`"${before}`), invalid, Buffer.from('"')]);
      parts.push(Buffer.from(`${i % 2 ? `id: ${i}\n` : ''}event: text_delta\ndata: `), data, Buffer.from('\n\n'));
      expected += JSON.parse(decoder.decode(data));
    }
    // Noise between events: random bytes (any value, newlines included) closed by a
    // blank line, and invalid bytes in field names, event names and comments.
    const noise = Buffer.from(Array.from({ length: Math.floor(random() * 40) }, byte));
    if (!noise.includes(Buffer.from('data')) && !noise.includes(Buffer.from('event'))) {
      parts.push(noise, Buffer.from('\n\n'));
    }
    parts.push(Buffer.concat([Buffer.from([0xff, 0xfe]), highBytes(3), Buffer.from(': x\n'),
      Buffer.from('event: text'), highBytes(2), Buffer.from('delta\ndata: "never"\n\n'),
      Buffer.from(':'), highBytes(5), Buffer.from('\n\n')]));
  }
  parts.push(Buffer.from('event: done\ndata: {}\n\n'));
  const body = Buffer.concat(parts);
  assert.ok(expected.includes('\uFFFD'));

  const url = hostile.route('utf8', async (req, res) => {
    head(res);
    // Random write sizes, so sequences (valid or not) are split across chunks.
    const cut = rng(7);
    for (let at = 0; at < body.length;) {
      const size = 1 + Math.floor(cut() * 97);
      if (!await write(res, body.subarray(at, at + size))) return;
      at += size;
    }
    res.end();
  });
  const final = await streamMessage(url, { protocol: 'native' }).finished;
  assert.equal(final.status, 'done', final.error?.message);
  assert.ok(final.text === expected, 'the text of every valid event, decoded as the WHATWG decoder does');
  assert.ok(!final.text.includes('never'), 'events with a broken name are unknown events');
  assert.equal(final.lastEventId, '399');
  assert.deepEqual(final.warnings, []);

  // The same bytes with 'auto': the noise does not derail detection.
  const auto = await streamMessage(url).finished;
  assert.equal(auto.status, 'done', auto.error?.message);
  assert.equal(auto.protocol, 'native');
  assert.ok(auto.text === expected);
});

// Regression: fetch headers are byte strings; the resume must send the id's UTF-8
// bytes (an id above U+00FF once made every resume fail).
test('an id with invalid UTF-8 is decoded (U+FFFD) and a resume sends it back as UTF-8', async () => {
  const badId = Buffer.concat([Buffer.from('id: 7'), Buffer.from([0xff]),
    Buffer.from('\nevent: text_delta\ndata: "x"\n\n')]);
  const url = hostile.route('utf8-id', async (req, res, record, n) => {
    head(res);
    if (n === 1) {
      await write(res, badId);
      return void res.socket.destroy();
    }
    res.end(ev('text_delta', 'y') + ev('done', {}));
  });
  const run = streamMessage(url, { retry: fastRetry });
  try {
    const final = await run.finished;
    assert.equal(final.text.slice(0, 1), 'x');
    assert.equal(final.lastEventId, '7\uFFFD');
    assert.equal(final.status, 'done', final.error?.message);
    assert.equal(final.text, 'xy');
    const [, second] = hostile.connections(url);
    assert.equal(Buffer.from(second.lastEventId, 'latin1').toString('utf8'), '7\uFFFD');
  } finally {
    run.abort(); // lets go of a stream kept for retry()
  }
});

// --- 10,000 tool calls --------------------------------------------------------------

function toolsRoute(count, extraText) {
  return hostile.route('tools', async (req, res) => {
    head(res);
    let batch = '';
    for (let i = 0; i < count; i++) {
      batch += ev('tool_start', { id: `call_${i}`, name: 'lookup', input: { n: i } });
      if (batch.length > 64 * 1024) {
        if (!await write(res, batch)) return;
        batch = '';
      }
    }
    if (extraText) batch += ev('text_delta', extraText);
    await write(res, `${batch}${ev('done', {})}`);
    res.end();
  });
}

function assertTools(parts, count) {
  assert.equal(parts.length, count);
  for (let i = 0; i < count; i++) {
    const part = parts[i];
    if (part.type !== 'tool' || part.id !== `call_${i}` || part.state !== 'input-available' || part.input.n !== i) {
      assert.fail(`part ${i}: ${JSON.stringify(part)}`);
    }
  }
}

test('10,000 tool calls: all present with the default maxParts; one part more is too_many_parts', async () => {
  const final = await streamMessage(toolsRoute(10_000)).finished;
  assert.equal(final.status, 'done', final.error?.message);
  assertTools(final.parts, 10_000);

  const over = await streamMessage(toolsRoute(10_000, 'one part too many')).finished;
  assert.equal(over.status, 'error');
  assert.equal(over.error.code, 'too_many_parts');
  assertTools(over.parts, 10_000);
  assert.equal(over.text, '');
});

test('10,000 tool calls with maxParts 100: too_many_parts, the first 100 kept, no reconnection', async () => {
  const url = toolsRoute(10_000);
  const final = await streamMessage(url, { maxParts: 100 }).finished;
  assert.equal(final.status, 'error');
  assert.equal(final.error.code, 'too_many_parts');
  assert.equal(final.error.retryable, false);
  assertTools(final.parts, 100);
  const [connection] = hostile.connections(url);
  await until(() => connection.ended, 3000, 'the server to finish');
  assert.equal(hostile.connections(url).length, 1);
});

// --- an endless stream, aborted -----------------------------------------------------

test('an endless stream aborted by the user: aborted, text kept exactly, connection closed, no timers left',
  async () => {
    const url = hostile.route('forever', async (req, res, record) => {
      head(res);
      for (let i = 0; ;) {
        let batch = '';
        for (let k = 0; k < 50; k++, i++) batch += ev('text_delta', `t${i} `);
        if (!await write(res, batch)) return; // writes until the client goes away
        record.bytes += batch.length;
        await new Promise((resolve) => setImmediate(resolve));
      }
    });
    const run = streamMessage(url, { idleTimeoutMs: 5000 });
    let notifications = 0;
    run.subscribe(() => {
      notifications += 1;
    });
    await until(() => run.getSnapshot().text.length > 20_000, 5000, 'some text');
    const shown = run.getSnapshot();
    run.abort();
    const snapshot = run.getSnapshot();
    assert.equal(snapshot.status, 'aborted');
    assert.equal(snapshot.text, shown.text, 'exactly the text shown before the abort');
    const final = await run.finished;
    assert.equal(final, snapshot);
    assert.equal(final.error, null);
    const words = final.text.split(' ');
    assert.equal(words.pop(), '');
    words.forEach((word, i) => {
      if (word !== `t${i}`) assert.fail(`word ${i} is ${word}`);
    });

    const [connection] = hostile.connections(url);
    await until(() => connection.ended, 3000, 'the server to stop writing');
    assert.equal(connection.clientClosed, true);
    const count = notifications;
    await sleep(50);
    assert.equal(notifications, count, 'no notification after finished');
    assert.equal(run.getSnapshot(), final);
    assert.equal(hostile.connections(url).length, 1);
    assert.deepEqual(process.getActiveResourcesInfo().filter((r) => r === 'Timeout'), [], 'no timers left');
    assert.equal(coreStats().liveSessions, 0);
  });

// --- a server that resets every connection ------------------------------------------

test('a server that resets every connection: backoff grows within [minDelayMs, maxDelayMs] with jitter, '
  + 'attempts capped, error with the text kept', async () => {
  const retry = { attempts: 5, minDelayMs: 60, maxDelayMs: 400 };
  const url = hostile.route('reset', async (req, res, record, n) => {
    head(res);
    if (n === 1) {
      await write(res, ev('text_delta', 'one ', 1) + ev('text_delta', 'two ', 2) + ev('text_delta', 'three', 3));
    } else {
      await write(res, ': resumed\n\n');
    }
    await write(res, 'id: 4\nevent: text_delta\ndata: "lo'); // half an event, every time
    res.socket.destroy();
  });
  // The client side of each attempt: when fetch was called, when its body failed.
  const attempts = [];
  const timedFetch = async (input, init) => {
    const attempt = { fetchAt: performance.now(), endAt: null };
    attempts.push(attempt);
    const response = await fetch(input, init);
    const reader = response.body.getReader();
    const body = new ReadableStream({
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            attempt.endAt = performance.now();
            controller.close();
          } else {
            controller.enqueue(value);
          }
        } catch (error) {
          attempt.endAt = performance.now();
          controller.error(error);
        }
      },
      cancel: (reason) => reader.cancel(reason),
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };
  const run = streamMessage(url, { retry, fetch: timedFetch });
  const seen = [];
  run.subscribe(() => seen.push(run.getSnapshot()));
  const final = await run.finished;
  assert.equal(final.status, 'error');
  assert.equal(final.error.code, 'interrupted');
  assert.equal(final.error.retryable, true);
  assert.equal(final.text, 'one two three', 'the text from before is kept, the half event never shown');
  assert.equal(final.lastEventId, '3');
  assert.ok(seen.every((s) => s.status === 'streaming' || s === final), 'no error shown while reconnecting');
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i].text.startsWith(seen[i - 1].text));

  const connections = hostile.connections(url);
  assert.equal(connections.length, 1 + retry.attempts, 'attempts are capped at retry.attempts');
  assert.deepEqual(connections.map((c) => c.lastEventId), [undefined, '3', '3', '3', '3', '3']);
  assert.equal(attempts.length, 1 + retry.attempts);

  // Each delay: base = minDelayMs * 2^(k-1), plus up to 50 % jitter, within [min, max].
  const delays = attempts.slice(1).map((a, k) => a.fetchAt - attempts[k].endAt);
  verbose('reconnect delays (ms):', delays.map((d) => d.toFixed(1)).join(', '));
  const slack = 250; // timers fire late on a loaded machine, never early
  delays.forEach((delay, k) => {
    const base = retry.minDelayMs * 2 ** k;
    const low = Math.min(retry.maxDelayMs, base);
    const high = Math.min(retry.maxDelayMs, base * 1.5);
    assert.ok(delay >= low - 2, `delay ${k + 1}: ${delay.toFixed(1)} ms < ${low} ms (${delays.map(Math.round)})`);
    assert.ok(delay <= high + slack, `delay ${k + 1}: ${delay.toFixed(1)} ms > ${high} ms (${delays.map(Math.round)})`);
    assert.ok(delay >= retry.minDelayMs - 2 && delay <= retry.maxDelayMs + slack);
  });
  // Each delay is at least its base, which doubles; the measured delays grow too
  // (compared two apart, so that a late timer cannot hide the growth).
  assert.ok(delays[2] > delays[0] && delays[3] > delays[1], `the delays grow: ${delays.map(Math.round)}`);
  assert.ok(delays[3] >= retry.maxDelayMs - 2 && delays[4] >= retry.maxDelayMs - 2, 'then stay at maxDelayMs');

  await sleep(100);
  assert.equal(hostile.connections(url).length, 1 + retry.attempts, 'no reconnection after the end');
  run.abort(); // lets go of the stream kept for retry()
  assert.equal(run.getSnapshot(), final);
  assert.equal(coreStats().liveSessions, 0);
});

// --- silence after the headers ------------------------------------------------------

test('200 text/event-stream then nothing: interrupted at the idle timeout, request cancelled, no retry',
  async () => {
    const key = `silent-${Date.now()}`;
    const started = performance.now();
    const run = streamMessage(plain.url(`/chat?key=${key}&stall=0&ids=1`), { idleTimeoutMs: 200, retry: fastRetry });
    const final = await run.finished;
    const elapsed = performance.now() - started;
    assert.equal(final.status, 'error');
    assert.equal(final.error.code, 'interrupted');
    assert.equal(final.error.retryable, true);
    assert.match(final.error.detail, /No data arrived for 200 ms/);
    assert.equal(final.text, '');
    assert.deepEqual(final.parts, []);
    assert.ok(elapsed >= 195 && elapsed < 2000, `ended after ${Math.round(elapsed)} ms`);
    await until(() => plain.connections(key)[0]?.clientClosed, 3000, 'the request to be cancelled');
    await sleep(60);
    assert.equal(plain.connections(key).length, 1, 'no id arrived: nothing to resume');
  });

test('nothing left running: no timers, no live sessions', async () => {
  await sleep(50);
  assert.deepEqual(process.getActiveResourcesInfo().filter((r) => r === 'Timeout'), []);
  assert.equal(coreStats().liveSessions, 0);
});
