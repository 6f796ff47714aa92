// README.md's examples, taken from README.md itself (a changed example is what runs
// here), against the FastAPI app tests/servers/fastapi_app.py under uvicorn:
//   1. tsc --strict checks every block that imports sse-wasm (the React blocks as .tsx)
//      against the package's own .d.ts, resolved as an app resolves it
//      (node_modules/sse-wasm), and emits them as JavaScript.
//   2. The Usage block runs in Node with `render` and `showRetry` as recording stubs:
//      a whole answer, a dropped connection retried by the user, a resumed one.
//   3. The React blocks render in jsdom with @testing-library/react and real fetches:
//      clicks on Ask, Send, Retry, Regenerate, Stop, Clear; the text FastAPI sent appears.
// The examples use relative URLs (/api/chat), as a page served by the API would: the
// global fetch resolves them against the FastAPI origin, as a browser resolves them
// against the page.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, symlink, writeFile, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { JSDOM } from 'jsdom';
import { startFastAPI } from '../servers/fastapi.js';
import { README_EXAMPLES } from './readme-blocks.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const TSC = join(repo, 'node_modules/.bin/tsc');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition, what, timeoutMs = 8000) {
  const start = Date.now();
  for (;;) {
    const value = condition();
    if (value) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

const EXAMPLES = README_EXAMPLES;

// Free names the plain blocks use: what an app would have.
const GLOBALS = `// The free names of the README's plain JavaScript blocks.
declare function render(snapshot: import('sse-wasm').MessageSnapshot): void;
declare function showRetry(error: import('sse-wasm').MessageError | null,
  retry: () => Promise<import('sse-wasm').MessageSnapshot>): void;
declare const bytes: Uint8Array;
declare const chunk: Uint8Array;
`;

// ---------------------------------------------------------------------------
// The app folder: node_modules/sse-wasm is this repository, React is the repo's.

let app;
let api;
let rtl;
const realFetch = globalThis.fetch;

before(async () => {
  api = await startFastAPI();
  globalThis.fetch = (input, init) => realFetch(typeof input === 'string' && input.startsWith('/')
    ? new URL(input, api.origin).href : input, init);

  app = await realpath(await mkdtemp(join(tmpdir(), 'sse-wasm-readme-')));
  await mkdir(join(app, 'node_modules/@types'), { recursive: true });
  await symlink(repo, join(app, 'node_modules/sse-wasm'), 'dir');
  await symlink(await realpath(join(repo, 'node_modules/react')), join(app, 'node_modules/react'), 'dir');
  await symlink(await realpath(join(repo, 'node_modules/@types/react')), join(app, 'node_modules/@types/react'), 'dir');
  await writeFile(join(app, 'package.json'), '{ "private": true, "type": "module" }\n');
  await writeFile(join(app, 'tsconfig.json'), `${JSON.stringify({
    compilerOptions: {
      strict: true, target: 'es2022', lib: ['es2022', 'dom'], module: 'nodenext', moduleResolution: 'nodenext',
      jsx: 'react-jsx', types: [], outDir: 'out', rootDir: '.', skipLibCheck: false,
    },
    files: ['globals.d.ts', ...Object.values(EXAMPLES).map((e) => e.file)],
  }, null, 2)}\n`);
  await writeFile(join(app, 'globals.d.ts'), GLOBALS);
  for (const example of Object.values(EXAMPLES)) await writeFile(join(app, example.file), `${example.code}\n`);
});

afterEach(() => rtl?.cleanup()); // unmounts what a test rendered, even when it failed

after(async () => {
  globalThis.fetch = realFetch;
  await api?.stop();
  if (app) await rm(app, { recursive: true, force: true });
});

let compiled = false;

test('tsc --strict accepts every README example that imports sse-wasm (React ones as .tsx)', () => {
  for (const example of Object.values(EXAMPLES)) {
    assert.match(example.code, /from 'sse-wasm(\/react)?'/, `README.md line ${example.line}: the example imports sse-wasm`);
  }
  const result = spawnSync(TSC, ['-p', 'tsconfig.json'], { cwd: app, encoding: 'utf8' });
  const where = Object.values(EXAMPLES).map((e) => `${e.file} = README.md block at line ${e.line}`).join('\n');
  assert.equal(result.status, 0, `tsc failed on the README's examples:\n${result.stdout}${result.stderr}\n${where}`);
  compiled = true;
});

async function load(name, tag) {
  assert.ok(compiled, 'the README examples did not compile');
  return import(`${pathToFileURL(join(app, 'out', EXAMPLES[name].file.replace(/\.tsx?$/, '.js'))).href}?${tag}`);
}

const requestsTo = async (path) => (await api.log()).filter((r) => r.path === path);

// ---------------------------------------------------------------------------
// The Usage block in Node

let runs = 0;
async function runUsage() {
  const rendered = [];
  const retries = [];
  globalThis.render = (snapshot) => rendered.push(snapshot);
  globalThis.showRetry = (error, retry) => retries.push({ error, retry });
  await load('usage', `run=${++runs}`); // resolves once the block's top-level `await run.finished` has
  return { rendered, retries };
}

test('Usage: the answer FastAPI streams is rendered; the object body is sent as JSON', async () => {
  await api.reset();
  const { rendered, retries } = await runUsage();
  const [request, ...others] = await requestsTo('/api/chat');
  assert.deepEqual(others, [], 'one request');
  assert.equal(request.status, 200, `FastAPI answered ${request.status} (422: the body is not the model)`);
  assert.equal(request.method, 'POST');
  assert.match(request.contentType, /^application\/json/);
  assert.equal(request.accept, 'text/event-stream');
  assert.deepEqual(JSON.parse(request.body), { prompt: 'Hello' });
  const final = rendered.at(-1);
  assert.equal(final.status, 'done');
  assert.equal(final.text, request.answer);
  assert.match(final.text, /"Hello"/);
  assert.ok(rendered.length >= 2, `rendered progressively (${rendered.length} renders)`);
  for (const snapshot of rendered) assert.ok(request.answer.startsWith(snapshot.text), 'the text only grows');
  assert.deepEqual(retries, [], 'no error, no retry offered');
});

test('Usage: a dropped connection without ids ends in a retryable error; its retry() gets the whole answer', async () => {
  await api.reset();
  await api.fault({ path: '/api/chat', drop: true });
  const { rendered, retries } = await runUsage();
  assert.equal(retries.length, 1, 'showRetry was called');
  const [{ error, retry }] = retries;
  assert.equal(error.code, 'interrupted');
  assert.equal(error.retryable, true);
  assert.equal(typeof error.message, 'string');
  assert.ok(error.message.length > 0 && error.message.length <= 200, `a short message: ${error.message}`);
  const [first] = await requestsTo('/api/chat');
  const partial = rendered.at(-1);
  assert.equal(partial.status, 'error');
  assert.ok(partial.text.length > 0 && first.answer.startsWith(partial.text) && partial.text !== first.answer,
    `the partial answer is kept: ${JSON.stringify(partial.text)}`);

  const again = await retry(); // the README's `() => run.retry()`: the new `finished`
  assert.equal(again?.status, 'done', 'retry() resolves with the retried attempt\'s final snapshot');
  assert.equal(again.text, first.answer);
  assert.equal(rendered.at(-1).text, first.answer, 'render() saw the retried answer');
  const all = await requestsTo('/api/chat');
  assert.equal(all.length, 2);
  assert.equal(all[1].lastEventId, null, 'no ids: a new request, not a resume');
  assert.deepEqual(JSON.parse(all[1].body), { prompt: 'Hello' });
});

test('Usage: a dropped connection with ids resumes by Last-Event-ID on its own', async () => {
  await api.reset();
  await api.fault({ path: '/api/chat', drop: true, ids: true });
  const { rendered, retries } = await runUsage();
  assert.deepEqual(retries, [], 'resumed without the user');
  const [first, resumed, ...others] = await requestsTo('/api/chat');
  assert.deepEqual(others, []);
  assert.match(resumed.lastEventId ?? '', /^\d+$/, 'the resume carries Last-Event-ID');
  assert.deepEqual(JSON.parse(resumed.body), { prompt: 'Hello' }, 'the same body again');
  assert.equal(rendered.at(-1).status, 'done');
  assert.equal(rendered.at(-1).text, first.answer, 'each word once');
});

// ---------------------------------------------------------------------------
// The React blocks in jsdom

let Chat;
let Conversation;

test('React setup: jsdom, @testing-library/react, the README components', async () => {
  const dom = new JSDOM('<!doctype html><html><body></body></html>', { url: `${api.origin}/`, pretendToBeVisual: true });
  const { window } = dom;
  const names = ['window', 'document', 'navigator', 'Node', 'Element', 'HTMLElement', 'Text', 'DocumentFragment',
    'MutationObserver', 'getComputedStyle', 'requestAnimationFrame', 'cancelAnimationFrame', 'Event', 'MouseEvent',
    'KeyboardEvent', 'InputEvent', 'HTMLButtonElement', 'HTMLInputElement', 'HTMLFormElement', 'SubmitEvent'];
  for (const name of names) {
    const value = typeof window[name] === 'function' && /^[a-z]/.test(name) ? window[name].bind(window) : window[name];
    Object.defineProperty(globalThis, name, { configurable: true, writable: true, value: name === 'window' ? window : value });
  }
  rtl = await import('@testing-library/react');
  globalThis.IS_REACT_ACT_ENVIRONMENT = false; // the streams update React from real timers
  ({ Chat } = await load('chat', 'react'));
  ({ Conversation } = await load('conversation', 'react'));
  assert.equal(typeof Chat, 'function', 'the React block exports Chat');
  assert.equal(typeof Conversation, 'function', 'the useChatStream block exports Conversation');
});

const button = (view, name) => view.queryAllByRole('button').find((b) => b.textContent.trim() === name) ?? null;
function click(view, name) {
  const target = button(view, name);
  assert.ok(target, `a ${name} button`);
  rtl.fireEvent.click(target);
}
const h = async (Component, props) => (await import('react')).createElement(Component, props);
const alertOf = (view) => view.queryByRole('alert');
const textOf = (view) => [...view.container.querySelectorAll('p:not([role=alert])')].map((p) => p.textContent).join('');

test('Chat: Ask streams the answer FastAPI sent; the body is {"prompt":"Hi"} as JSON (no 422)', async () => {
  await api.reset();
  await api.fault({ path: '/api/chat', delay_ms: 30 });
  const view = rtl.render(await h(Chat));
  click(view, 'Ask');
  await until(() => button(view, 'Stop') && textOf(view).length > 0, 'streamed text with a Stop button');
  const [request] = await requestsTo('/api/chat');
  assert.equal(request.status, 200, `FastAPI answered ${request.status}`);
  assert.deepEqual(JSON.parse(request.body), { prompt: 'Hi' });
  assert.match(request.contentType, /^application\/json/);
  assert.ok(request.answer.startsWith(textOf(view)) && textOf(view) !== request.answer, 'part of the answer so far');
  await until(() => textOf(view) === request.answer, 'the whole answer');
  await until(() => !button(view, 'Stop'), 'the Stop button to go');
  assert.equal(alertOf(view), null);
  view.unmount();
});

test('Chat: a dropped connection shows the error and the partial answer; Retry gets the whole answer', async () => {
  await api.reset();
  await api.fault({ path: '/api/chat', drop: true });
  const view = rtl.render(await h(Chat));
  click(view, 'Ask');
  const alert = await until(() => alertOf(view), 'the error');
  const [first] = await requestsTo('/api/chat');
  const partial = textOf(view);
  assert.ok(partial.length > 0 && first.answer.startsWith(partial) && partial !== first.answer, `partial: ${partial}`);
  assert.match(alert.textContent, /Retry$/);
  assert.ok(alert.textContent.replace(/Retry$/, '').trim().length > 0, 'the error message is shown');
  assert.equal(button(view, 'Stop'), null);
  await api.fault({ path: '/api/chat', wait_ms: 300 });
  click(view, 'Retry'); // onClick={retry}: the click event is passed and ignored
  await until(async () => (await requestsTo('/api/chat')).length === 2, 'the retried request');
  assert.equal(textOf(view), partial, 'the partial answer stays until the new attempt has content');
  await until(() => textOf(view) === first.answer && !alertOf(view) && !button(view, 'Stop'), 'the retried answer');
  const all = await requestsTo('/api/chat');
  assert.equal(all.length, 2);
  assert.equal(all[1].status, 200);
  assert.deepEqual(JSON.parse(all[1].body), { prompt: 'Hi' });
  view.unmount();
});

test('Chat: Stop keeps the partial answer and closes the connection', async () => {
  await api.reset();
  await api.fault({ path: '/api/chat', delay_ms: 40, repeat: 20 });
  const view = rtl.render(await h(Chat));
  click(view, 'Ask');
  await until(() => textOf(view).split(' ').length > 4, 'some words');
  click(view, 'Stop'); // onClick={stop}
  await until(() => !button(view, 'Stop'), 'the Stop button to go');
  const kept = textOf(view);
  assert.ok(kept.length > 0);
  await sleep(200);
  assert.equal(textOf(view), kept, 'nothing arrives after Stop');
  assert.equal(alertOf(view), null, 'a stop is not an error');
  const [request] = await requestsTo('/api/chat');
  assert.equal(request.closedEarly, true, 'FastAPI saw the client go away');
  assert.ok(request.answer.startsWith(kept) && kept !== request.answer);
  view.unmount();
});

test('Chat: a tool shows a loader while input-available, then its errorText', async () => {
  await api.reset();
  await api.fault({ path: '/api/chat', tool: true });
  const view = rtl.render(await h(Chat));
  click(view, 'Ask');
  const loader = await until(() => view.container.querySelector('[aria-busy="true"]'), 'the tool loader');
  assert.equal(loader.textContent, 'Running weather…');
  const failed = await until(() => view.container.querySelector('.tool-error'), 'the tool error');
  assert.equal(failed.textContent, 'weather failed: No weather station in Atlantis');
  assert.equal(view.container.querySelector('[aria-busy="true"]'), null, 'the loader is gone');
  const [request] = await requestsTo('/api/chat');
  await until(() => textOf(view).endsWith(request.answer), 'the text after the tool');
  view.unmount();
});

// useChatStream

function say(view, text) {
  rtl.fireEvent.change(view.getByLabelText('Message'), { target: { value: text } });
  click(view, 'Send');
}
const bubbles = (view) => [...view.container.querySelectorAll('p.user, p.assistant')]
  .map((p) => `${p.className}: ${p.textContent}`);

test('Conversation: each send POSTs the history as JSON with the body extras and headers', async () => {
  await api.reset();
  const view = rtl.render(await h(Conversation, { sessionId: 'abc' }));
  say(view, 'Hi there');
  await until(() => button(view, 'Regenerate') && bubbles(view).length === 2 && !button(view, 'Stop')
    && bubbles(view)[1] !== 'assistant: ', 'the first answer');
  const [first] = await requestsTo('/api/conversation');
  assert.equal(first.status, 200, `FastAPI answered ${first.status}`);
  assert.match(first.contentType, /^application\/json/);
  assert.equal(first.accept, 'text/event-stream');
  assert.equal(first.headers['x-session'], 'abc');
  assert.deepEqual(JSON.parse(first.body), { model: 'small', messages: [{ role: 'user', content: 'Hi there' }] });
  assert.deepEqual(bubbles(view), ['user: Hi there', `assistant: ${first.answer}`]);
  assert.equal(first.answer, 'Answer 1 with small, take 1: you said "Hi there".');
  assert.equal(view.getByLabelText('Message').value, '', 'the draft is cleared');

  say(view, 'And again');
  await until(() => bubbles(view).length === 4 && !button(view, 'Stop') && bubbles(view)[3] !== 'assistant: ',
    'the second answer');
  const second = (await requestsTo('/api/conversation'))[1];
  assert.deepEqual(JSON.parse(second.body), {
    model: 'small',
    messages: [
      { role: 'user', content: 'Hi there' },
      { role: 'assistant', content: first.answer },
      { role: 'user', content: 'And again' },
    ],
  });
  assert.deepEqual(bubbles(view).slice(2), ['user: And again', `assistant: ${second.answer}`]);

  // Regenerate after done: the same history again; the old answer stays until the new one has content.
  await api.fault({ path: '/api/conversation', wait_ms: 300 });
  click(view, 'Regenerate'); // onClick={retry}
  await until(() => button(view, 'Stop'), 'streaming again');
  await until(async () => (await requestsTo('/api/conversation')).length === 3, 'a third request');
  assert.equal(bubbles(view)[3], `assistant: ${second.answer}`, 'the old answer stays while the new one has none');
  const third = (await requestsTo('/api/conversation'))[2];
  assert.match(third.answer, /take 2/);
  await until(() => bubbles(view)[3] === `assistant: ${third.answer}` && !button(view, 'Stop'),
    'the regenerated answer in the same place');
  assert.equal(bubbles(view).length, 4);
  assert.deepEqual(JSON.parse(third.body), JSON.parse(second.body));

  click(view, 'Clear');
  await until(() => bubbles(view).length === 0, 'a cleared conversation');
  view.unmount();
});

test('Conversation: Stop while a regenerate waits for its first token keeps the old answer', async () => {
  await api.reset();
  const view = rtl.render(await h(Conversation, { sessionId: 'abc' }));
  say(view, 'Hello');
  await until(() => button(view, 'Regenerate') && !button(view, 'Stop') && bubbles(view)[1] !== 'assistant: ',
    'the first answer');
  const [first] = await requestsTo('/api/conversation');
  await api.fault({ path: '/api/conversation', wait_ms: 2000 });
  click(view, 'Regenerate');
  await until(() => button(view, 'Stop'), 'waiting for the regenerated answer');
  await until(async () => (await requestsTo('/api/conversation')).length === 2, 'the second request');
  assert.equal(bubbles(view)[1], `assistant: ${first.answer}`, 'the old answer stays while the new one has none');
  click(view, 'Stop');
  await until(() => button(view, 'Regenerate'), 'stopped');
  await until(async () => (await requestsTo('/api/conversation'))[1].closedEarly, 'FastAPI to see the request end');
  assert.equal(alertOf(view), null, 'a stop is not an error');
  assert.deepEqual(bubbles(view), ['user: Hello', `assistant: ${first.answer}`],
    'the stopped regenerate had no content: the old answer stays');
});

test('Conversation: after a drop without ids, Retry streams again at once, the partial answer kept', async () => {
  await api.reset();
  const view = rtl.render(await h(Conversation, { sessionId: 'abc' }));
  await api.fault({ path: '/api/conversation', drop: true, delay_ms: 20 });
  say(view, 'Tell me more');
  await until(() => alertOf(view), 'the error');
  const [first] = await requestsTo('/api/conversation');
  const partial = bubbles(view)[1];
  assert.ok(`assistant: ${first.answer}`.startsWith(partial) && partial.length > 'assistant: '.length,
    `the partial answer: ${partial}`);
  await api.fault({ path: '/api/conversation', wait_ms: 600 });
  click(view, 'Retry'); // onClick={retry}
  // The server waits 600 ms before its first token: the status changes before any content.
  await until(() => !alertOf(view), 'the error to clear at once (before the retried answer has content)', 300);
  assert.ok(button(view, 'Stop'), 'streaming at once');
  assert.equal(bubbles(view)[1], partial, 'the partial answer stays visible');
  await until(() => !button(view, 'Stop') && !bubbles(view)[1].startsWith(partial), 'the new answer');
  const all = await requestsTo('/api/conversation');
  assert.equal(all.length, 2);
  assert.equal(all[1].lastEventId, null, 'no ids: the same request again, not a resume');
  assert.equal(all[1].body, all[0].body);
  assert.deepEqual(bubbles(view), ['user: Tell me more', `assistant: ${all[1].answer}`]);
  view.unmount();
});

test('Conversation: after a drop with ids, the answer resumes by Last-Event-ID on its own', async () => {
  await api.reset();
  const view = rtl.render(await h(Conversation, { sessionId: 'abc' }));
  await api.fault({ path: '/api/conversation', drop: true, ids: true });
  say(view, 'Resume me');
  await until(() => bubbles(view).length === 2 && !button(view, 'Stop') && bubbles(view)[1] !== 'assistant: ',
    'the answer');
  const [first, resumed, ...others] = await requestsTo('/api/conversation');
  assert.deepEqual(others, []);
  assert.match(resumed.lastEventId ?? '', /^\d+$/);
  assert.equal(resumed.body, first.body);
  assert.deepEqual(bubbles(view), ['user: Resume me', `assistant: ${first.answer}`]);
  assert.equal(alertOf(view), null);
  view.unmount();
});

test('Conversation: Stop keeps the tokens; the server sees the connection close', async () => {
  await api.reset();
  const view = rtl.render(await h(Conversation, { sessionId: 'abc' }));
  await api.fault({ path: '/api/conversation', delay_ms: 40, repeat: 20 });
  say(view, 'Go on');
  await until(() => (bubbles(view)[1] ?? '').split(' ').length > 5, 'some tokens');
  click(view, 'Stop');
  await until(() => button(view, 'Regenerate'), 'stopped');
  const kept = bubbles(view)[1];
  await sleep(200);
  assert.equal(bubbles(view)[1], kept, 'nothing arrives after Stop');
  assert.equal(alertOf(view), null);
  const [request] = await requestsTo('/api/conversation');
  assert.equal(request.closedEarly, true);
  view.unmount();
});
