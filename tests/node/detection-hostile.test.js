// Detection ('auto'), Gemini's end marker and OpenAI Responses sequence numbers
// against hostile servers (issue 12, items 3, 9, 10, 11), through the wasm core and,
// where a connection matters, through streamMessage over real HTTP on 127.0.0.1
// (a small server in this file):
//   * unknown events before any known one: wasm memory bounded by the detection
//     queue's cap, not by the events; text after them kept;
//   * an OpenAI error as the first event (also after an OpenRouter comment) is the
//     message's error, with the server's message and code;
//   * an OpenAI stream sent with the AI SDK header is read as OpenAI;
//   * a Gemini answer whose server then holds the connection open, resets it, or
//     replays on resume is done once, at its finishReason;
//   * Responses sequence numbers that jump, step back or restart keep every event.
// The memory test runs first: wasm memory never shrinks.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { ready, coreStats, MessageStream, streamMessage } from '../../web/index.js';
import { sleep } from './sse-test-server.js';

const MiB = 1 << 20;
const data = (json) => `data: ${typeof json === 'string' ? json : JSON.stringify(json)}\n\n`;
const named = (event, json) => `event: ${event}\n${data(json)}`;
const chatText = (content) => data({ id: 'c1', object: 'chat.completion.chunk',
  choices: [{ index: 0, delta: { content }, finish_reason: null }] });
const rateLimit = { error: { message: 'Rate limit reached for gpt-4o', type: 'requests', param: null,
  code: 'rate_limit_exceeded' } };
const codes = (snapshot) => snapshot.warnings.map((w) => w.code);

function decode(protocol, chunks, { hint, connections } = {}) {
  const stream = new MessageStream({ protocol });
  try {
    if (hint) stream.hintProtocol(hint);
    for (const [i, connection] of (connections ?? [chunks]).entries()) {
      if (i > 0) stream.endConnection();
      for (const chunk of connection) stream.feed(chunk);
    }
    stream.end();
    return stream.snapshot();
  } finally {
    stream.dispose();
  }
}

// --- a small server: each test registers what it sends under a path of its own ------

let server;
let base;
const routes = new Map();
const hits = new Map();
const sockets = new Set();
let paths = 0;

function route(name, behaviour) {
  const path = `/${name}-${++paths}`;
  routes.set(path, behaviour);
  hits.set(path, []);
  return { url: `${base}${path}`, connections: () => hits.get(path) };
}

before(async () => {
  await ready();
  server = createServer(async (req, res) => {
    const behaviour = routes.get(new URL(req.url, 'http://127.0.0.1').pathname);
    for await (const chunk of req) void chunk;
    if (!behaviour) return void res.writeHead(404).end();
    const list = hits.get(new URL(req.url, 'http://127.0.0.1').pathname);
    list.push({ lastEventId: req.headers['last-event-id'] });
    try {
      await behaviour(req, res, list.length);
    } catch {
      res.destroy();
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => new Promise((done) => {
  for (const socket of sockets) socket.destroy();
  server.close(() => done());
}));

function head(res, headers = {}) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
  res.socket?.setNoDelay(true);
  res.flushHeaders();
}

// --- item 3: the detection queue is bounded in bytes --------------------------------

test('40 unknown events of 2 MiB before any known one: wasm memory grows by less than 16 MiB, text after '
  + 'them kept', () => {
  const before = coreStats().wasmMemoryBytes;
  const stream = new MessageStream({ protocol: 'auto' });
  try {
    const blob = named('blob', 'x'.repeat(2 * MiB));
    for (let i = 0; i < 40; i += 1) stream.feed(blob);
    const growth = coreStats().wasmMemoryBytes - before;
    assert.ok(growth < 16 * MiB, `wasm memory grew by ${(growth / MiB).toFixed(1)} MiB for 80 MiB of unknown events`);
    stream.feed(chatText('Hello') + data('[DONE]'));
    stream.end();
    const snap = stream.snapshot();
    assert.equal(snap.status, 'done');
    assert.equal(snap.text, 'Hello');
    assert.equal(snap.protocol, 'openai-chat');
    assert.ok(codes(snap).includes('undetected_events'), JSON.stringify(snap.warnings));
  } finally {
    stream.dispose();
  }
});

test('unknown events are charged to maxMessageBytes', () => {
  const stream = new MessageStream({ protocol: 'auto', maxMessageBytes: 10000 });
  try {
    for (let i = 0; i < 4; i += 1) stream.feed(named('blob', 'x'.repeat(3000)));
    assert.equal(stream.snapshot().status, 'error');
    assert.equal(stream.snapshot().error.code, 'message_too_large');
  } finally {
    stream.dispose();
  }
});

// --- item 10: detection never loses an error or text -------------------------------

test('an OpenAI error as the first event, also after an OpenRouter comment: the server\'s message and code', () => {
  for (const prefix of ['', ': OPENROUTER PROCESSING\n\n']) {
    const snap = decode('auto', [prefix + data(rateLimit)]);
    assert.equal(snap.status, 'error', prefix);
    assert.equal(snap.error.message, 'Rate limit reached for gpt-4o');
    assert.equal(snap.error.code, 'rate_limit_exceeded');
    assert.equal(snap.protocol, 'openai-chat');
  }
});

test('text after 100 undetectable events is kept; undetectable events alone are warned about', () => {
  const pings = named('ping', '{}').repeat(100);
  const snap = decode('auto', [pings, chatText('Hel'), chatText('lo'), data('[DONE]')]);
  assert.equal(snap.status, 'done');
  assert.equal(snap.text, 'Hello');
  const alone = decode('auto', [data('plain text, no protocol')]);
  assert.equal(alone.status, 'error');
  assert.deepEqual(codes(alone), ['undetected_events']);
});

test('an OpenAI chat stream sent with the AI SDK header is read as OpenAI chat, with a warning', async () => {
  const { url } = route('ai-sdk-header', async (req, res) => {
    head(res, { 'x-vercel-ai-ui-message-stream': 'v1' });
    res.end(chatText('Hel') + chatText('lo') + data('[DONE]'));
  });
  const final = await streamMessage(url).finished;
  assert.equal(final.status, 'done');
  assert.equal(final.text, 'Hello');
  assert.equal(final.protocol, 'openai-chat');
  assert.deepEqual(codes(final), ['protocol_hint_mismatch']);
});

test('an AI SDK stream with its header is still the AI SDK', async () => {
  const { url } = route('ai-sdk', async (req, res) => {
    head(res, { 'x-vercel-ai-ui-message-stream': 'v1' });
    res.end(data({ type: 'start' }) + data({ type: 'text-start', id: 't' })
      + data({ type: 'text-delta', id: 't', delta: 'Hi' }) + data({ type: 'text-end', id: 't' })
      + data({ type: 'finish' }) + data('[DONE]'));
  });
  const final = await streamMessage(url).finished;
  assert.equal(final.status, 'done');
  assert.equal(final.text, 'Hi');
  assert.equal(final.protocol, 'ai-sdk');
  assert.deepEqual(final.warnings, []);
});

// --- item 9: a Gemini finishReason ends the message --------------------------------

const geminiChunk = (text, extra = {}) => data({ candidates: [{ content: { parts: [{ text }], role: 'model' },
  index: 0, ...extra }] });
const geminiAnswer = (ids) => [
  geminiChunk('The answer'),
  geminiChunk(' is 42.', { finishReason: 'STOP' }),
].map((chunk, i) => (ids ? `id: ${i + 1}\n${chunk}` : chunk)).join('');

test('Gemini: the server holds the connection open after finishReason STOP: done, before the idle timeout',
  { timeout: 10000 }, async () => {
  const { url } = route('gemini-open', async (req, res) => {
    head(res);
    res.write(geminiAnswer(false));
    await sleep(20);
    res.write(data({ usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 5 } }));
    // ... and nothing more: the connection stays open.
  });
  const started = Date.now();
  const final = await streamMessage(url, { idleTimeoutMs: 2000 }).finished;
  assert.equal(final.status, 'done');
  assert.equal(final.text, 'The answer is 42.');
  assert.equal(final.finishReason, 'STOP');
  assert.deepEqual(final.usage, { inputTokens: 3, outputTokens: 5 });
  assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms: the idle timeout decided`);
});

test('Gemini: the connection is reset after finishReason: done, no reconnection', { timeout: 10000 }, async () => {
  const { url, connections } = route('gemini-reset', async (req, res) => {
    head(res);
    res.write(geminiAnswer(true));
    await sleep(20);
    res.destroy();
  });
  const final = await streamMessage(url, { retry: { attempts: 3, minDelayMs: 10, maxDelayMs: 20 } }).finished;
  assert.equal(final.status, 'done');
  assert.equal(final.text, 'The answer is 42.');
  assert.equal(connections().length, 1);
});

test('Gemini: a server that replays on resume, or answers it with an empty body: the text once, done',
  { timeout: 10000 }, async () => {
  for (const resume of ['replay', 'empty']) {
    const { url, connections } = route(`gemini-${resume}`, async (req, res, n) => {
      head(res);
      if (n > 1 && resume === 'empty') return void res.end();
      res.write(geminiAnswer(true));
      await sleep(20);
      res.destroy();
    });
    const final = await streamMessage(url, { retry: { attempts: 3, minDelayMs: 10, maxDelayMs: 20 } }).finished;
    assert.equal(final.status, 'done', resume);
    assert.equal(final.text, 'The answer is 42.', resume);
    assert.equal(connections().length, 1, resume);
  }
});

// --- item 11: OpenAI Responses sequence numbers ------------------------------------

const delta = (text, sequence, extra = {}) => named('response.output_text.delta', {
  type: 'response.output_text.delta', sequence_number: sequence, item_id: 'msg_1', output_index: 0,
  content_index: 0, delta: text, ...extra });
const completed = (sequence) => named('response.completed', { type: 'response.completed', sequence_number: sequence,
  response: { status: 'completed' } });

test('Responses: numbers that jump (0, 1, 10^15, 3, 4, 5) or step back (0, 1, 3, 2) keep every event, one warning',
  () => {
    const jump = decode('auto', [delta('a', 0), delta('b', 1), delta('c', 1e15), delta('d', 3), delta('e', 4),
      delta('f', 5), completed(6)]);
    assert.equal(jump.status, 'done');
    assert.equal(jump.text, 'abcdef');
    assert.deepEqual(codes(jump), ['sequence_out_of_order']);
    const back = decode('openai-responses', [delta('a', 0), delta('b', 1), delta('d', 3), delta('c', 2),
      completed(4)]);
    assert.equal(back.text, 'abdc');
    assert.deepEqual(codes(back), ['sequence_out_of_order']);
  });

test('Responses: numbering restarted on a resumed connection keeps everything; an exact replay is dropped', () => {
  const restarted = decode('auto', null, { connections: [[delta('Hel', 0), delta('lo', 1)],
    [delta(' wor', 0), delta('ld', 1), completed(2)]] });
  assert.equal(restarted.status, 'done');
  assert.equal(restarted.text, 'Hello world');
  assert.deepEqual(codes(restarted), ['sequence_restarted']);
  const replayed = decode('auto', null, { connections: [[delta('Hel', 0), delta('lo', 1)],
    [delta('Hel', 0, { obfuscation: 'q1' }), delta('lo', 1, { obfuscation: 'z9' }), delta(' world', 2),
      completed(3)]] });
  assert.equal(replayed.text, 'Hello world');
  assert.deepEqual(replayed.warnings, []);
});
