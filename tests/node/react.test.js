// sse-wasm/react: useMessageStream and useChatStream against a local SSE server,
// rendered in jsdom with @testing-library/react (no JSX: React.createElement).
// Server rendering runs first, before any DOM global exists.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import React from 'react';
import { renderToString } from 'react-dom/server';
import { JSDOM } from 'jsdom';
import { isReady } from '../../web/index.js';
import { useChatStream, useMessageStream } from '../../web/react.js';

const h = React.createElement;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition, what, timeoutMs = 5000) {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

// ---------------------------------------------------------------------------
// The local SSE server

const requests = new Map(); // path -> count
const closedEarly = new Map(); // path -> connections the client closed
const chatBodies = [];

const count = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);
const frame = (id, event, data) => `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

function openStream(req, res, path) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.flushHeaders();
  const state = { closed: false };
  res.on('close', () => {
    state.closed = true;
    if (!res.writableEnded) count(closedEarly, path);
  });
  return state;
}

async function readBody(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}

// GET /burst?n=&per=&ms=&parts=1 : optional reasoning + a finished tool call first,
// then n text deltas, `per` per write, one write every `ms` milliseconds.
async function burst(req, res, url) {
  const n = Number(url.searchParams.get('n') ?? 1000);
  const per = Number(url.searchParams.get('per') ?? 10);
  const ms = Number(url.searchParams.get('ms') ?? 2);
  const state = openStream(req, res, url.pathname);
  let id = 0;
  if (url.searchParams.get('parts') === '1') {
    res.write(frame(++id, 'reasoning_delta', 'Thinking about it.')
      + frame(++id, 'tool_start', { id: 't1', name: 'lookup' })
      + frame(++id, 'tool_delta', { id: 't1', delta: '{"q":' })
      + frame(++id, 'tool_delta', { id: 't1', delta: '"x"}' })
      + frame(++id, 'tool_result', { id: 't1', result: { ok: true } }));
    await sleep(40);
  }
  for (let i = 0; i < n && !state.closed; i += per) {
    let chunk = '';
    for (let j = i; j < Math.min(n, i + per); j++) chunk += frame(++id, 'text_delta', `w${j} `);
    res.write(chunk);
    await sleep(ms);
  }
  if (!state.closed) res.end(frame(++id, 'done', { finish_reason: 'stop' }));
}

// GET /slow : a text delta every 20 ms until the client goes away.
async function slow(req, res, url) {
  const state = openStream(req, res, url.pathname);
  for (let id = 1; !state.closed && id < 10000; id++) {
    res.write(frame(id, 'text_delta', `tick${id} `));
    await sleep(20);
  }
}

// POST /chat : answers "echo: <last user message>" in a few deltas.
// POST /chat-slow : answers forever (for stop()).
async function chat(req, res, url) {
  const body = JSON.parse(await readBody(req));
  chatBodies.push(body);
  const state = openStream(req, res, url.pathname);
  const last = body.messages.at(-1)?.content ?? '';
  const words = url.pathname === '/chat-slow'
    ? Array.from({ length: 10000 }, (_, i) => `part${i} `)
    : ['echo', ': ', ...last.split(/(?= )/)];
  for (let i = 0; i < words.length && !state.closed; i++) {
    res.write(frame(i + 1, 'text_delta', words[i]));
    await sleep(url.pathname === '/chat-slow' ? 20 : 3);
  }
  if (!state.closed) res.end(frame(words.length + 1, 'done', { finish_reason: 'stop' }));
}

let server;
let base;

before(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    count(requests, url.pathname);
    if (url.pathname === '/burst') return burst(req, res, url);
    if (url.pathname === '/slow') return slow(req, res, url);
    if (url.pathname === '/chat' || url.pathname === '/chat-slow') return chat(req, res, url);
    res.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(async () => {
  server.closeAllConnections?.();
  await new Promise((resolve) => server.close(resolve));
});

// ---------------------------------------------------------------------------
// Server rendering: before jsdom exists

function StreamView({ api }) {
  const { status, text, parts, error } = useMessageStream({ api });
  return h('div', { 'data-status': status }, h('p', null, text), h('span', null, `${parts.length} parts`),
    error ? h('em', null, error.message) : null);
}

function ChatView({ api }) {
  const { messages, status } = useChatStream({ api, initialMessages: [{ id: 'm1', role: 'user', content: 'Hello' }] });
  return h('ul', { 'data-status': status }, messages.map((m) => h('li', { key: m.id }, `${m.role}: ${m.text}`)));
}

let serverMarkup;

test('server rendering: idle snapshot, no window, no wasm', async () => {
  const touched = [];
  const names = ['window', 'document', 'requestAnimationFrame', 'navigator', 'localStorage'];
  const saved = names.map((name) => [name, Object.getOwnPropertyDescriptor(globalThis, name)]);
  for (const name of names) {
    Object.defineProperty(globalThis, name, {
      configurable: true,
      get() {
        touched.push(name);
        return undefined;
      },
    });
  }
  try {
    serverMarkup = renderToString(h('main', null, h(StreamView, { api: '/never' }), h(ChatView, { api: '/never' })));
  } finally {
    for (const [name, descriptor] of saved) {
      if (descriptor) Object.defineProperty(globalThis, name, descriptor);
      else delete globalThis[name];
    }
  }
  assert.deepEqual(touched, [], `render touched ${touched.join(', ')}`);
  assert.match(serverMarkup, /data-status="idle"/);
  assert.match(serverMarkup, /0 parts/);
  assert.match(serverMarkup, /user: Hello/);
  await sleep(20);
  assert.equal(isReady(), false, 'rendering on the server must not load the wasm');
  assert.equal(requests.size, 0, 'rendering on the server must not send a request');
});

// ---------------------------------------------------------------------------
// The DOM, then React DOM (it reads `window` when it loads)

let rtl;

test('setup: jsdom and @testing-library/react', async () => {
  const dom = new JSDOM('<!doctype html><html><body></body></html>', { url: 'http://localhost/', pretendToBeVisual: true });
  const { window } = dom;
  const globals = ['window', 'document', 'navigator', 'Node', 'Element', 'HTMLElement', 'Text', 'DocumentFragment',
    'MutationObserver', 'getComputedStyle', 'requestAnimationFrame', 'cancelAnimationFrame', 'Event', 'MouseEvent',
    'KeyboardEvent', 'HTMLButtonElement', 'HTMLInputElement'];
  for (const name of globals) {
    const value = name === 'window' ? window : typeof window[name] === 'function' && /^[a-z]/.test(name) ? window[name].bind(window) : window[name];
    Object.defineProperty(globalThis, name, { configurable: true, writable: true, value });
  }
  rtl = await import('@testing-library/react');
  globalThis.IS_REACT_ACT_ENVIRONMENT = false; // the streams update React from real timers
});

test('hydration: the first client render matches the server HTML', async () => {
  const container = document.createElement('div');
  container.innerHTML = serverMarkup;
  document.body.append(container);
  const errors = [];
  const original = console.error;
  console.error = (...args) => errors.push(args.join(' '));
  try {
    const { hydrateRoot } = await import('react-dom/client');
    const root = hydrateRoot(container,
      h('main', null, h(StreamView, { api: '/never' }), h(ChatView, { api: '/never' })),
      { onRecoverableError: (error) => errors.push(String(error)) });
    await sleep(50);
    assert.deepEqual(errors, []);
    assert.match(container.innerHTML, /data-status="idle"/);
    root.unmount();
  } finally {
    console.error = original;
    container.remove();
  }
  assert.equal(requests.size, 0);
});

// ---------------------------------------------------------------------------
// useMessageStream

test('a fast stream renders at most about once per animation frame', async () => {
  let renders = 0;
  let api;
  function Probe() {
    renders++;
    api = useMessageStream({ api: `${base}/burst?n=3000&per=15&ms=1` });
    return h('p', null, api.text.length);
  }
  const view = rtl.render(h(Probe));
  const rendersBefore = renders;
  const startedAt = performance.now();
  api.start();
  await until(() => api.status === 'done', 'the burst to finish', 15000);
  const elapsed = performance.now() - startedAt;
  const streamRenders = renders - rendersBefore;
  const frames = Math.ceil(elapsed / (1000 / 60));
  console.log(`# render counts: 3000 events -> ${streamRenders} renders in ${elapsed.toFixed(0)} ms (~${frames} frames)`);
  assert.equal(api.parts.length, 1);
  assert.equal(api.text.split(' ').length - 1, 3000);
  assert.ok(streamRenders >= 2, 'the text should appear progressively');
  assert.ok(streamRenders <= frames + 3, `${streamRenders} renders for ${frames} frames`);
  assert.ok(streamRenders * 20 < 3000, `far fewer renders than events (${streamRenders})`);
  view.unmount();
});

test('unchanged parts keep their identity: React.memo children skip them', async () => {
  const partRenders = [0, 0, 0];
  const seen = [new Set(), new Set(), new Set()];
  const Part = React.memo(function Part({ index, part }) {
    partRenders[index]++;
    seen[index].add(part);
    return h('div', null, part.type === 'tool' ? `${part.name}:${part.state}` : part.text);
  });
  let api;
  let renders = 0;
  function Message() {
    renders++;
    api = useMessageStream({ api: `${base}/burst?parts=1&n=600&per=6&ms=4` });
    return h('section', null, api.parts.map((part, index) => h(Part, { key: index, index, part })));
  }
  const view = rtl.render(h(Message));
  api.start();
  await until(() => api.status === 'done', 'the stream to finish', 15000);
  assert.deepEqual(api.parts.map((p) => p.type), ['reasoning', 'tool', 'text']);
  assert.equal(api.parts[1].state, 'output-available');
  assert.deepEqual(api.parts[1].input, { q: 'x' });
  console.log(`# identity: ${renders} renders of the message; part renders reasoning=${partRenders[0]} tool=${partRenders[1]} text=${partRenders[2]}`);
  assert.ok(partRenders[2] >= 5, `the text part re-rendered as it grew (${partRenders[2]})`);
  assert.equal(partRenders[0], seen[0].size, 'the reasoning part re-rendered only when it changed');
  assert.equal(partRenders[1], seen[1].size, 'the tool part re-rendered only when it changed');
  assert.ok(partRenders[0] <= 2 && partRenders[1] <= 3, `finished parts are skipped (${partRenders})`);
  assert.ok(renders > partRenders[0] + 3);
  view.unmount();
});

test('StrictMode: a start from an effect sends one request', async () => {
  const path = '/burst';
  const before = requests.get(path) ?? 0;
  let api;
  let effects = 0;
  function AutoStart() {
    api = useMessageStream({ api: `${base}/burst?n=40&per=4&ms=2` });
    const { start } = api;
    React.useEffect(() => {
      effects++;
      start();
    }, [start]);
    return h('p', null, api.text);
  }
  const view = rtl.render(h(React.StrictMode, null, h(AutoStart)));
  await until(() => api.status === 'done', 'the stream to finish');
  await sleep(50);
  assert.equal(effects, 2, 'StrictMode ran the effect twice');
  assert.equal((requests.get(path) ?? 0) - before, 1, 'one request only');
  assert.equal(api.text.split(' ').length - 1, 40);
  view.unmount();
});

test('StrictMode: useChatStream sending from an effect sends one request', async () => {
  const before = requests.get('/chat') ?? 0;
  let api;
  function AutoSend() {
    api = useChatStream({ api: `${base}/chat` });
    const { send } = api;
    React.useEffect(() => {
      send('hello there');
    }, [send]);
    return h('p', null, api.messages.length);
  }
  const view = rtl.render(h(React.StrictMode, null, h(AutoSend)));
  await until(() => api.status === 'done', 'the answer');
  await sleep(30);
  assert.equal((requests.get('/chat') ?? 0) - before, 1);
  assert.equal(api.messages.length, 2);
  assert.equal(api.messages[1].text, 'echo: hello there');
  view.unmount();
});

test('unmount aborts the run: the server sees the connection closed', async () => {
  const before = closedEarly.get('/slow') ?? 0;
  let api;
  function Slow() {
    api = useMessageStream({ api: `${base}/slow` });
    return h('p', null, api.text);
  }
  const view = rtl.render(h(Slow));
  api.start();
  await until(() => api.text.includes('tick3'), 'some text');
  assert.equal(api.status, 'streaming');
  view.unmount();
  await until(() => (closedEarly.get('/slow') ?? 0) > before, 'the server to see the connection close');
});

test('start() aborts the running request; stop() keeps the partial; retry() runs again', async () => {
  let api;
  function Slow() {
    api = useMessageStream({ api: `${base}/slow` });
    return h('p', null, api.text);
  }
  const view = rtl.render(h(Slow));
  const closedBefore = closedEarly.get('/slow') ?? 0;
  api.start();
  await until(() => api.text.includes('tick2'), 'some text');
  const firstSnapshot = api.snapshot;
  api.start(); // a second request replaces the first
  assert.equal(api.status, 'streaming');
  await until(() => (closedEarly.get('/slow') ?? 0) > closedBefore, 'the first connection to close');
  await until(() => api.snapshot !== firstSnapshot && api.text.includes('tick2'), 'the second stream');
  api.stop();
  await until(() => api.status === 'aborted', 'aborted');
  const partial = api.text;
  assert.ok(partial.length > 0, 'the partial text is kept');
  await sleep(60);
  assert.equal(api.text, partial, 'nothing arrives after stop()');
  api.retry();
  await until(() => api.status === 'streaming' && api.text !== partial, 'the retried stream');
  view.unmount();
});

test('options: headers and body reach the server; api is required', async () => {
  let api;
  function View() {
    api = useMessageStream({ api: `${base}/chat`, method: 'POST', headers: { 'content-type': 'application/json' } });
    return h('p', null, api.text);
  }
  const view = rtl.render(h(View));
  api.start({ body: JSON.stringify({ messages: [{ role: 'user', content: 'from start' }] }) });
  await until(() => api.status === 'done', 'the answer');
  assert.equal(api.text, 'echo: from start');
  view.unmount();

  function NoApi() {
    api = useMessageStream({});
    return null;
  }
  const second = rtl.render(h(NoApi));
  assert.throws(() => api.start(), /api/);
  second.unmount();
});

// ---------------------------------------------------------------------------
// useChatStream

test('useChatStream: a conversation, stop keeps the tokens, retry regenerates', async () => {
  let api;
  const Bubble = React.memo(function Bubble({ message }) {
    return h('li', { 'data-role': message.role }, message.text);
  });
  function Chat({ path }) {
    api = useChatStream({ api: `${base}${path}`, body: { model: 'test' } });
    return h('ul', null, api.messages.map((m) => h(Bubble, { key: m.id, message: m })));
  }
  const view = rtl.render(h(Chat, { path: '/chat' }));
  const start = chatBodies.length;
  api.send('first question');
  assert.equal(api.messages.length, 0, 'the hook value updates on the next render');
  await until(() => api.status === 'done', 'the first answer');
  assert.equal(api.messages.length, 2);
  assert.deepEqual(api.messages.map((m) => m.role), ['user', 'assistant']);
  assert.equal(api.messages[1].text, 'echo: first question');
  assert.deepEqual(api.messages[1].parts, [{ type: 'text', text: 'echo: first question' }]);
  const firstUser = api.messages[0];
  const firstAnswer = api.messages[1];

  api.send('second one');
  await until(() => api.status === 'done' && api.messages.length === 4, 'the second answer');
  assert.equal(api.messages[0], firstUser, 'finished messages keep their identity');
  assert.equal(api.messages[1], firstAnswer);
  assert.deepEqual(chatBodies[start + 1], {
    model: 'test',
    messages: [
      { role: 'user', content: 'first question' },
      { role: 'assistant', content: 'echo: first question' },
      { role: 'user', content: 'second one' },
    ],
  });

  // retry() on a finished answer regenerates it (same slot, same history)
  const requestsBefore = requests.get('/chat');
  api.retry();
  await until(() => requests.get('/chat') === requestsBefore + 1 && api.status === 'done', 'the regenerated answer');
  assert.equal(api.messages.length, 4);
  assert.equal(api.messages[3].text, 'echo: second one');
  assert.deepEqual(chatBodies.at(-1).messages, chatBodies[start + 1].messages);
  view.unmount();

  // stop() keeps the tokens so far
  const slowView = rtl.render(h(Chat, { path: '/chat-slow' }));
  api.send('go on forever');
  await until(() => api.messages[1]?.text.includes('part3'), 'some tokens');
  api.stop();
  await until(() => api.status === 'aborted', 'aborted');
  const kept = api.messages[1].text;
  assert.ok(kept.startsWith('part0 part1 part2 part3'));
  await sleep(60);
  assert.equal(api.messages[1].text, kept);
  assert.equal(api.messages[1].status, 'aborted');

  // a new send while streaming stops the running answer and keeps it
  api.send('again');
  await until(() => api.messages.length === 4 && api.messages[3].text.includes('part2'), 'the next answer');
  api.send('and again');
  await until(() => api.messages.length === 6, 'the third question');
  assert.equal(api.messages[3].status, 'aborted');
  assert.ok(api.messages[3].text.includes('part2'));
  api.stop();
  api.setMessages([]);
  await until(() => api.messages.length === 0, 'a cleared conversation');
  slowView.unmount();
});
