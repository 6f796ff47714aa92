// React 18 check of sse-wasm/react, run with `node run.mjs` in a folder where the
// packed sse-wasm, react@18, react-dom@18, jsdom and @testing-library/react are
// installed. Prints one line per check; exits non-zero on the first failure.
//   1. renderToString (before any DOM global exists) gives the idle snapshot.
//   2. Under jsdom, start() streams a native-protocol answer to status "done".
//   3. Under StrictMode, a start() from an effect sends one request only.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import React from 'react';
import { renderToString } from 'react-dom/server';
import { JSDOM } from 'jsdom';
import { useMessageStream } from 'sse-wasm/react';

const h = React.createElement;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (line) => console.log(`ok: ${line}`);

async function until(condition, what, timeoutMs = 10_000) {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

assert.ok(React.version.startsWith('18'), `React ${React.version} is not 18.x`);
log(`React ${React.version}`);

// ---------------------------------------------------------------------------
// The SSE server: native events, a few deltas a little apart.

const DELTAS = ['Hi', ' from', ' React', ' 18'];
const EXPECTED = DELTAS.join('');
const frame = (event, data) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
let requests = 0;

const server = createServer(async (req, res) => {
  requests++;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.flushHeaders();
  for (const delta of DELTAS) {
    res.write(frame('text_delta', delta));
    await sleep(5);
  }
  res.end(frame('done', {}));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const api = `http://127.0.0.1:${server.address().port}/stream`;

function View({ autoStart, onApi }) {
  const stream = useMessageStream({ api });
  onApi?.(stream);
  const { start } = stream;
  React.useEffect(() => {
    if (autoStart) start();
  }, [autoStart, start]);
  return h('div', { id: 'view', 'data-status': stream.status }, h('p', null, stream.text));
}

// Errors and warnings React prints (hydration, act, server useLayoutEffect, ...).
const reported = [];
for (const method of ['error', 'warn']) {
  const original = console[method];
  console[method] = (...args) => {
    reported.push(`console.${method}: ${args.map(String).join(' ')}`);
    original.apply(console, args);
  };
}

try {
  // -------------------------------------------------------------------------
  // 1. Server rendering, no DOM

  const html = renderToString(h(View, {}));
  assert.match(html, /data-status="idle"/, `server HTML: ${html}`);
  assert.match(html, /<p><\/p>/, `server HTML should have no text: ${html}`);
  assert.equal(requests, 0, 'server rendering sent a request');
  log(`renderToString: ${html}`);

  // -------------------------------------------------------------------------
  // jsdom globals, then React DOM and Testing Library (they read `window` on load)

  const { window } = new JSDOM('<!doctype html><html><body></body></html>', { url: 'http://localhost/', pretendToBeVisual: true });
  for (const name of ['window', 'document', 'navigator', 'Node', 'Element', 'HTMLElement', 'Text', 'DocumentFragment',
    'MutationObserver', 'getComputedStyle', 'requestAnimationFrame', 'cancelAnimationFrame', 'Event']) {
    const value = name === 'window' ? window : typeof window[name] === 'function' && /^[a-z]/.test(name) ? window[name].bind(window) : window[name];
    Object.defineProperty(globalThis, name, { configurable: true, writable: true, value });
  }
  globalThis.IS_REACT_ACT_ENVIRONMENT = false; // the stream updates React from real timers
  const { render } = await import('@testing-library/react');

  // -------------------------------------------------------------------------
  // 2. start() streams to done

  let stream;
  const view = render(h(View, { onApi: (s) => { stream = s; } }));
  const element = () => view.container.querySelector('#view');
  assert.equal(element().dataset.status, 'idle');
  assert.equal(requests, 0, 'rendering sent a request');
  stream.start();
  await until(() => element().dataset.status === 'done', 'status "done"');
  assert.equal(element().textContent, EXPECTED);
  assert.equal(stream.text, EXPECTED);
  assert.equal(stream.status, 'done');
  assert.equal(stream.error, null);
  assert.deepEqual(stream.parts.map((p) => p.type), ['text']);
  assert.equal(requests, 1);
  view.unmount();
  log(`start(): status done, rendered ${JSON.stringify(stream.text)}`);

  // -------------------------------------------------------------------------
  // 3. StrictMode: a start() from an effect goes out once

  const before = requests;
  const strict = render(h(React.StrictMode, null, h(View, { autoStart: true })));
  const strictElement = () => strict.container.querySelector('#view');
  await until(() => strictElement().dataset.status === 'done', 'status "done" under StrictMode');
  assert.equal(strictElement().textContent, EXPECTED);
  await sleep(100); // a second request would have arrived by now
  assert.equal(requests - before, 1, `StrictMode sent ${requests - before} requests`);
  strict.unmount();
  log('StrictMode: one request, status done');

  assert.deepEqual(reported, [], 'React printed errors or warnings');
  log('no console errors or warnings');
} finally {
  server.closeAllConnections?.();
  await new Promise((resolve) => server.close(resolve));
}
