// Install test: the package as npm packs it, installed the way users install it.
//   1. `npm pack` (prepack builds the wasm): the tarball holds what it must, nothing more.
//   2. Node ESM: a fresh folder installs the tarball and streams a message from a server.
//   3. TypeScript: a typed example checks under --strict (nodenext and bundler
//      resolution, and the React hooks), and deliberate misuses fail where marked.
//   4. Vite + React: `vite build` served statically, and the Vite dev server (with
//      its dependency pre-bundling), each rendering a streamed answer in Chromium; then
//      built with `import 'sse-wasm/inline'` first, served with no .wasm.
//   4b. The README's React examples, verbatim, as a fresh Vite + React + TypeScript app
//      (production build) against the FastAPI app of tests/servers, clicked in Chromium.
//   5. webpack 5 + React: the same app, production build, no wasm config, in Chromium.
//   6. A plain <script type="module"> page (an import map into node_modules/sse-wasm/dist/):
//      the default entry fetches the .wasm; `sse-wasm/inline` streams from a server that
//      answers 404 for every .wasm (and the default entry, there, reports the missing file).
//   7. Node require(): a CommonJS file requires 'sse-wasm' and 'sse-wasm/react' (Node
//      20.19+ loads ES modules with require()) and streams a message; one module for
//      require() and import.
//   8. Next.js (App Router): a 'use client' component with useMessageStream, streaming
//      from a route handler; `next build` (Turbopack, then `--webpack`) and `next start`,
//      then `next dev`, each driven in Chromium. No next.config.
// The apps are templates in tests/install/apps/, copied into a temp folder. Dev tools
// come from the npm cache (`npm install --offline`, falling back to --prefer-offline)
// at the exact versions of the repo's package-lock. Chromium is Debian's.
//
// Run: node --test tests/install/
// Env: SSE_WASM_TARBALL=path  test that tarball instead of running npm pack
//      SSE_WASM_KEEP_TMP=1    keep the temp folder (its path is printed)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, request as httpRequest } from 'node:http';
import { cp, mkdir, mkdtemp, readFile, readdir, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { README_EXAMPLES } from '../node/readme-blocks.js';
import { startFastAPI } from '../servers/fastapi.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const apps = fileURLToPath(new URL('./apps/', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const TSC = join(repo, 'node_modules/.bin/tsc');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
const tail = (text, chars = 6000) => (text.length > chars ? `…${text.slice(-chars)}` : text);

// ---------------------------------------------------------------------------
// Versions of the dev tools the apps install: the repo's lockfile, else package.json.

const lock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8'));
const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
function spec(name) {
  const version = lock.packages?.[`node_modules/${name}`]?.version ?? manifest.devDependencies?.[name];
  assert.ok(version, `no version of ${name} in the repo's package-lock.json or package.json`);
  return `${name}@${version}`;
}

// ---------------------------------------------------------------------------
// Child processes. Children get the environment without the test runner's marker
// (a `node` child would otherwise think it is a test file) or npm's lifecycle
// variables (when this runs under `npm test`).

const childEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) =>
  key !== 'NODE_TEST_CONTEXT' && key !== 'NODE_OPTIONS' && key !== 'INIT_CWD'
  && !/^npm_(lifecycle|package|command|execpath|node_execpath)/i.test(key)));

function run(command, args, { cwd, env, timeoutMs = 300_000 } = {}) {
  return new Promise((resolvePromise) => {
    const started = Date.now();
    const child = spawn(command, args, { cwd, env: { ...childEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const done = (code, signal, error) => {
      clearTimeout(timer);
      resolvePromise({
        code, signal, stdout, stderr: error ? `${stderr}\n${error.stack}` : stderr,
        ms: Date.now() - started, line: `(cd ${cwd ?? '.'} && ${[command, ...args].join(' ')})`,
      });
    };
    child.on('error', (error) => done(null, null, error));
    child.on('close', (code, signal) => done(code, signal));
  });
}

function describeRun(result) {
  return `$ ${result.line}\nexit ${result.code ?? result.signal} after ${seconds(result.ms)}\n`
    + `--- stdout\n${tail(result.stdout)}\n--- stderr\n${tail(result.stderr)}`;
}

/** The error with more context after its message (a new Error: `stack` holds the message). */
function withContext(error, context) {
  const wrapped = new Error(`${error.message}\n${context}`);
  const frames = String(error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  wrapped.stack = `${error.name ?? 'Error'}: ${wrapped.message}\n${frames.slice(0, 6).join('\n')}`;
  return wrapped;
}

function mustSucceed(result, what) {
  if (result.code !== 0) throw new Error(`${what} failed:\n${describeRun(result)}`);
  return result;
}

async function npmInstall(cwd, specs, t) {
  const base = ['install', '--no-audit', '--no-fund', '--loglevel=error'];
  let result = await run('npm', [...base, '--offline', ...specs], { cwd });
  if (result.code !== 0) {
    t.diagnostic(`npm install --offline failed (the cache lacks something); retrying with --prefer-offline:\n${tail(result.stderr, 1500)}`);
    result = await run('npm', [...base, '--prefer-offline', ...specs], { cwd });
  }
  mustSucceed(result, `npm install ${specs.join(' ')}`);
  t.diagnostic(`npm install (${specs.length} specs): ${seconds(result.ms)}`);
}

// ---------------------------------------------------------------------------
// State shared by the steps; every temp folder, server, process and the browser is
// registered for cleanup.

const state = { tmp: null, tarball: null, nodeApp: null, browser: null };
const cleanups = [];
const sizes = [];
const notes = [];
const timings = [];

before(async () => {
  state.tmp = await realpath(await mkdtemp(join(tmpdir(), 'sse-wasm-install-')));
  console.log(`# temp folder: ${state.tmp}`);
});

after(async () => {
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (error) {
      console.error(`# cleanup failed: ${error.stack}`);
    }
  }
  if (state.tmp && !process.env.SSE_WASM_KEEP_TMP) await rm(state.tmp, { recursive: true, force: true });
  if (timings.length) console.log(`# timings: ${timings.join(', ')}`);
  for (const line of sizes) console.log(`# bundle size: ${line}`);
  for (const line of notes) console.log(`# note: ${line}`);
});

function timed(label, started) {
  timings.push(`${label} ${seconds(Date.now() - started)}`);
}

async function copyApp(name, into) {
  await mkdir(into, { recursive: true });
  await cp(join(apps, name), into, { recursive: true });
}

// ---------------------------------------------------------------------------
// The answer every client streams: native protocol, written in 11-byte slices (events
// and UTF-8 sequences split anywhere), one CRLF-terminated event, a tool call whose
// input arrives in fragments.

const TEXT_DELTAS = ['Bonjour', ' —', ' this answer', ' was streamed', ' through', ' WebAssembly.'];
const EXPECTED_TEXT = TEXT_DELTAS.join('');
const TOOL_INPUT = { city: 'Paris', days: 3 };
const TOOL_FRAGMENTS = ['{"city":', '"Paris","da', 'ys":3}'];
const EXPECTED_PARTS = [
  `text: ${EXPECTED_TEXT}`,
  `tool: weather ${JSON.stringify(TOOL_INPUT)} input-available`,
];
const frame = (event, data, id) => `${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
const SSE_BODY = Buffer.from([
  ': a comment first\n\n',
  ...TEXT_DELTAS.map((text, i) => frame('text_delta', text, String(i + 1))),
  frame('tool_start', { id: 'call_1', name: 'weather' }).replaceAll('\n', '\r\n'),
  ...TOOL_FRAGMENTS.map((delta) => frame('tool_delta', { id: 'call_1', delta })),
  frame('done', { finish_reason: 'stop', usage: { input_tokens: 12, output_tokens: 9 } }),
].join(''));

const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml', '.wasm': 'application/wasm', '.map': 'application/json',
};

async function streamAnswer(res) {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  res.flushHeaders();
  let closed = false;
  res.on('close', () => { closed = true; });
  for (let i = 0; i < SSE_BODY.length && !closed; i += 11) {
    res.write(SSE_BODY.subarray(i, i + 11));
    await sleep(3);
  }
  res.end();
}

/**
 * A static file server for `root` (null: none) that also answers /api/stream, or,
 * with `proxy` (an origin), forwards every /api/ request there as it streams. With
 * `refuse` (a RegExp), paths it matches get 404 whether the file exists or not (a host
 * that does not serve them).
 */
async function startServer(root, { proxy, refuse } = {}) {
  const requests = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (proxy && url.pathname.startsWith('/api/')) {
      const upstream = httpRequest(`${proxy}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
        // A connection the API dropped is dropped here too, not left open.
        answer.on('close', () => {
          if (!answer.complete) res.destroy();
        });
      });
      upstream.on('error', () => res.destroy());
      res.on('close', () => upstream.destroy());
      return req.pipe(upstream);
    }
    if (url.pathname === '/api/stream') return streamAnswer(res);
    if (!root || refuse?.test(url.pathname)) return res.writeHead(404).end('not found');
    let file = resolve(root, `.${decodeURIComponent(url.pathname)}`);
    if (file !== root && !file.startsWith(root + sep)) return res.writeHead(403).end('forbidden');
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${server.address().port}`;
  let closed = false;
  const close = () => new Promise((r) => {
    if (closed) return r();
    closed = true;
    server.closeAllConnections();
    server.close(() => r());
  });
  cleanups.push(close);
  return { origin, requests, close };
}

async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * Starts a server process (a dev server, `next start`) in its own process group on
 * a free port, and waits until `origin + readyPath` answers 2xx. `args(port)` gives
 * its arguments. Returns { origin, output() (its stdout and stderr so far), stop() };
 * stop() (also a cleanup) ends the whole group: SIGTERM, then SIGKILL after 5 s.
 */
async function startProcessServer(label, command, args, { cwd, env, readyPath = '/', timeoutMs = 30_000 } = {}) {
  const port = await freePort();
  const child = spawn(command, args(port), {
    cwd, env: { ...childEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  let running = true;
  exited.then(() => { running = false; });
  const stop = async () => {
    if (!running) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const timeout = sleep(5000).then(() => 'timeout');
    if (await Promise.race([exited, timeout]) === 'timeout') {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  cleanups.push(stop);
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  const started = Date.now();
  for (;;) {
    if (!running) {
      await stop();
      throw new Error(`${label} exited before answering:\n${tail(output, 4000)}`);
    }
    try {
      if ((await fetch(`${origin}${readyPath}`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${label} did not answer ${readyPath} within ${seconds(timeoutMs)}:\n${tail(output, 4000)}`);
    }
    await sleep(200);
  }
  return { origin, output: () => output, stop, readyMs: Date.now() - started };
}

// ---------------------------------------------------------------------------
// Chromium: one browser for every page check.

async function browser() {
  if (!state.browser) {
    assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM} (apt-get install chromium)`);
    state.browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-quic'],
    });
    cleanups.push(() => state.browser.close());
  }
  return state.browser;
}

const FINISHED = ':not([data-status="loading"]):not([data-status="idle"]):not([data-status="streaming"])';

/**
 * A new Chromium page whose console, errors, failed requests and HTTP errors go to
 * `log`, and whose responses ({ url, status, type, method }) go to `responses`.
 */
async function watchedPage() {
  const page = await (await browser()).newPage();
  const log = [];
  const responses = [];
  page.on('console', (m) => log.push(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.push(`pageerror: ${e.stack ?? e.message}`));
  page.on('requestfailed', (r) => log.push(`requestfailed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => {
    responses.push({ url: r.url(), status: r.status(), type: r.headers()['content-type'] ?? '', method: r.request().method() });
    if (r.status() >= 400) log.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return { page, log, responses };
}

/**
 * Opens `url` and waits for each section id to finish; each must show the expected
 * answer, and the page must throw nothing. Failures carry the page's console, errors,
 * failed requests and HTML. Returns the page's responses (see watchedPage).
 */
async function checkPage(t, url, sectionIds) {
  const { page, log, responses } = await watchedPage();
  const started = Date.now();
  try {
    await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
    for (const id of sectionIds) {
      await page.waitForSelector(`#${id}[data-status]${FINISHED}`, { timeout: 30_000 });
      const shown = await page.$eval(`#${id}`, (el) => ({
        status: el.dataset.status,
        text: el.querySelector('.text')?.textContent ?? null,
        parts: [...el.querySelectorAll('.parts li')].map((li) => `${li.dataset.type}: ${li.textContent}`),
        error: el.querySelector('.error, pre')?.textContent ?? null,
      }));
      assert.deepEqual(shown, { status: 'done', text: EXPECTED_TEXT, parts: EXPECTED_PARTS, error: null },
        `#${id} did not show the streamed answer`);
    }
    const errors = log.filter((line) => line.startsWith('pageerror'));
    assert.deepEqual(errors, [], 'the page threw');
    t.diagnostic(`${url}: ${sectionIds.map((id) => `#${id}`).join(', ')} done in ${seconds(Date.now() - started)}`);
    return responses;
  } catch (error) {
    let html = '';
    try {
      html = await page.content();
    } catch {
      // the page is gone
    }
    throw withContext(error, `--- page ${url}: console, errors, failed requests\n${log.join('\n') || '(nothing)'}\n--- HTML\n${tail(html, 3000)}`);
  } finally {
    await page.close();
  }
}

const isWasm = (url) => new URL(url).pathname.endsWith('.wasm');

/**
 * The default entry loads the wasm as its own file: the page fetched exactly one
 * .wasm, successfully (ready() is shared by every section and hook). Returns its path.
 */
function assertOneWasmFile(t, label, responses) {
  const wasm = responses.filter((r) => isWasm(r.url));
  assert.deepEqual(wasm.map((r) => r.status), [200],
    `${label}: the page should fetch the wasm file once: ${JSON.stringify(wasm)}`);
  const { pathname } = new URL(wasm[0].url);
  t.diagnostic(`${label}: wasm fetched from ${pathname} (${wasm[0].type || 'no content-type'})`);
  return pathname;
}

/** Reports the size of each built script (raw and gzipped) and notes build paths it embeds. */
async function reportBundle(t, label, dir) {
  for (const name of await readdir(dir, { recursive: true })) {
    if (!/\.(m?js|css)$/.test(name)) continue;
    const bytes = await readFile(join(dir, name));
    const line = `${label} ${name}: ${kib(bytes.length)}, gzipped ${kib(gzipSync(bytes, { level: 9 }).length)}`;
    sizes.push(line);
    t.diagnostic(line);
    // Not a failure, but worth knowing: a bundle that embeds the build machine's paths
    // (e.g. a bundler inlining `import.meta.url`) differs from machine to machine.
    const text = bytes.toString('latin1');
    const at = text.indexOf(state.tmp);
    if (at >= 0) {
      const note = `${label} ${name} embeds the build folder's absolute path: …${text.slice(Math.max(0, at - 40), at + 120)}…`;
      notes.push(note);
      t.diagnostic(`note: ${note}`);
    }
  }
}

function needTarball(t) {
  if (state.tarball) return true;
  t.skip('no tarball (npm pack failed)');
  return false;
}

// ---------------------------------------------------------------------------
// 1. npm pack

// The published layout: three ESM entries built into dist/ (sharing one chunk), the
// wasm as its own file next to them, the types in web/.
const REQUIRED = ['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/react.js', 'dist/inline.js',
  'dist/sse_core.wasm', 'web/index.d.ts', 'web/react.d.ts', 'web/inline.d.ts'];
const ENTRIES = ['.', './react', './inline'];
const FORBIDDEN = ['src/', 'tests/', 'web/demo/', 'bench/', 'build/', 'node_modules/', 'bindings/', 'scripts/', '.ci/'];

test('npm pack: the tarball holds the package and nothing else', { timeout: 600_000 }, async (t) => {
  const started = Date.now();
  const dest = join(state.tmp, 'pack');
  await mkdir(dest);
  let tarball = process.env.SSE_WASM_TARBALL && resolve(process.env.SSE_WASM_TARBALL);
  if (tarball) {
    t.diagnostic(`SSE_WASM_TARBALL: testing ${tarball} (no npm pack)`);
  } else {
    const result = mustSucceed(await run('npm', ['pack', '--pack-destination', dest], { cwd: repo }), 'npm pack');
    const made = (await readdir(dest)).filter((name) => name.endsWith('.tgz'));
    assert.equal(made.length, 1, `npm pack should make one .tgz in ${dest}, made: ${made}\n${describeRun(result)}`);
    tarball = join(dest, made[0]);
    t.diagnostic(`npm pack (prepack builds the wasm): ${seconds(result.ms)}`);
  }
  const listing = mustSucceed(await run('tar', ['tzf', tarball]), 'tar tzf');
  const files = listing.stdout.split('\n').filter(Boolean).map((line) => line.replace(/^package\//, ''));
  const missing = REQUIRED.filter((file) => !files.includes(file));
  assert.deepEqual(missing, [], `the tarball lacks required files; it holds:\n${files.join('\n')}`);
  const extra = files.filter((file) => FORBIDDEN.some((prefix) => file.startsWith(prefix)));
  assert.deepEqual(extra, [], 'the tarball holds files that must not ship');

  // The later steps install this tarball even if one of the checks below fails.
  state.tarball = tarball;

  // Every relative import of the shipped JavaScript, and every file it locates with
  // new URL('…', import.meta.url) (the wasm), resolves inside the tarball. A .d.ts
  // importing './x.js' means './x.d.ts' (TypeScript's resolution); JSDoc type imports
  // (`{import('./x.d.ts').T}`) count too: a bundle that copies them from web/ into
  // dist/ ships references to nothing.
  const unpacked = join(dest, 'unpacked');
  await mkdir(unpacked);
  mustSucceed(await run('tar', ['xzf', tarball, '-C', unpacked]), 'tar xzf');
  const broken = [];
  const located = [];
  const inPackage = (file, target) => relative(join(unpacked, 'package'), resolve(join(unpacked, 'package', file, '..'), target));
  for (const file of files.filter((f) => /\.(m?js|d\.ts)$/.test(f))) {
    const source = await readFile(join(unpacked, 'package', file), 'utf8');
    for (const [match, target] of source.matchAll(/\{?(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const resolved = inPackage(file, target);
      const typeOf = file.endsWith('.d.ts') ? resolved.replace(/\.js$/, '.d.ts') : null;
      if (files.includes(resolved) || files.includes(typeOf)) continue;
      const what = match.startsWith('{') ? 'has a JSDoc type import of' : 'imports';
      broken.push(`${file} ${what} ${target} (${resolved}): not in the tarball`);
    }
    for (const [, target] of source.matchAll(/new URL\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g)) {
      const resolved = inPackage(file, target);
      located.push(`${file} -> ${resolved}`);
      if (!files.includes(resolved)) broken.push(`${file} locates ${target} (${resolved}) with import.meta.url: not in the tarball`);
    }
  }
  assert.deepEqual([...new Set(broken)], [], 'shipped files import files that are not shipped');
  assert.ok(located.some((line) => line.endsWith('-> dist/sse_core.wasm')),
    `no shipped file locates dist/sse_core.wasm with new URL(…, import.meta.url); found: ${located.join(', ') || 'none'}`);

  // The packed manifest's exports: each entry (types and JavaScript) is a shipped file.
  const packed = JSON.parse(await readFile(join(unpacked, 'package/package.json'), 'utf8'));
  const targets = (value) => (typeof value === 'string' ? [value] : Object.values(value ?? {}).flatMap(targets));
  const exportProblems = [];
  for (const entry of ENTRIES) {
    const conditions = packed.exports?.[entry];
    if (!conditions) {
      exportProblems.push(`exports has no ${entry}`);
      continue;
    }
    if (!conditions.types) exportProblems.push(`exports[${entry}] has no types`);
    for (const target of targets(conditions)) {
      if (!files.includes(target.replace(/^\.\//, ''))) exportProblems.push(`exports[${entry}] -> ${target}: not in the tarball`);
    }
  }
  assert.deepEqual(exportProblems, [], `the packed package.json's exports: ${JSON.stringify(packed.exports, null, 2)}`);

  const { size } = await stat(tarball);
  t.diagnostic(`${basename(tarball)}: ${kib(size)}, ${files.length} files: ${files.join(' ')}`);
  sizes.push(`tarball ${basename(tarball)}: ${kib(size)}`);
  timed('pack', started);
});

// ---------------------------------------------------------------------------
// 2. Node ESM

test('Node ESM: the installed tarball streams a message', { timeout: 300_000 }, async (t) => {
  if (!needTarball(t)) return;
  const started = Date.now();
  const app = join(state.tmp, 'node-app');
  await copyApp('node', app);
  await writeFile(join(app, 'package.json'), `${JSON.stringify({ name: 'node-app', private: true, type: 'module' }, null, 2)}\n`);
  await npmInstall(app, [state.tarball], t);
  const installed = join(app, 'node_modules/sse-wasm');
  assert.ok(!lstatSync(installed).isSymbolicLink(), 'sse-wasm should be installed as a copy, not a link');
  state.nodeApp = app;

  const server = await startServer(null);
  const result = mustSucceed(await run(process.execPath, ['run.mjs'], { cwd: app, env: { SSE_URL: `${server.origin}/api/stream` }, timeoutMs: 60_000 }), 'node run.mjs');
  const lastLine = result.stdout.trim().split('\n').at(-1);
  let got;
  try {
    got = JSON.parse(lastLine);
  } catch {
    assert.fail(`run.mjs printed no JSON:\n${describeRun(result)}`);
  }
  assert.deepEqual(got, {
    status: 'done',
    text: EXPECTED_TEXT,
    tool: { name: 'weather', input: TOOL_INPUT, state: 'input-available' },
    finishReason: 'stop',
    usage: { inputTokens: 12, outputTokens: 9 },
    protocol: 'native',
    events: TEXT_DELTAS.length + 1 + TOOL_FRAGMENTS.length + 1,
  }, `run.mjs printed an unexpected result:\n${describeRun(result)}`);
  t.diagnostic(`node run.mjs: ${got.text} (${seconds(result.ms)})`);
  await server.close();
  timed('node', started);
});

// ---------------------------------------------------------------------------
// 3. TypeScript

const TS_STRICT = ['--noEmit', '--strict', '--target', 'es2022', '--lib', 'es2022,dom'];
const TS_NODENEXT = [...TS_STRICT, '--module', 'nodenext', '--moduleResolution', 'nodenext'];
const TS_BUNDLER = [...TS_STRICT, '--module', 'esnext', '--moduleResolution', 'bundler'];

test('TypeScript: the public types check, and misuses fail', { timeout: 300_000 }, async (t) => {
  if (!state.nodeApp) return t.skip('no Node app (an earlier step failed)');
  const started = Date.now();
  const app = state.nodeApp;
  await npmInstall(app, [spec('@types/react')], t);
  const tsc = async (args) => {
    const result = await run(TSC, args, { cwd: app, timeoutMs: 120_000 });
    if (/Cannot find name 'Disposable'|'dispose' does not exist on type 'SymbolConstructor'/.test(result.stdout)) {
      result.stdout += '\nhint: the package types use Disposable / Symbol.dispose (lib esnext.disposable), which a'
        + ' project compiled with lib es2022 does not have; the .d.ts must bring them itself\n';
    }
    return result;
  };

  await t.test('example.ts, nodenext resolution', async () => {
    mustSucceed(await tsc([...TS_NODENEXT, 'example.ts']), 'tsc example.ts (nodenext)');
  });
  await t.test('example.ts, bundler resolution', async () => {
    mustSucceed(await tsc([...TS_BUNDLER, 'example.ts']), 'tsc example.ts (bundler)');
  });
  await t.test('example-inline.ts (sse-wasm/inline), nodenext and bundler resolution', async () => {
    mustSucceed(await tsc([...TS_NODENEXT, 'example-inline.ts']), 'tsc example-inline.ts (nodenext)');
    mustSucceed(await tsc([...TS_BUNDLER, 'example-inline.ts']), 'tsc example-inline.ts (bundler)');
  });
  await t.test('example-react.tsx (sse-wasm/react), nodenext resolution', async () => {
    mustSucceed(await tsc([...TS_NODENEXT, '--jsx', 'react-jsx', 'example-react.tsx']), 'tsc example-react.tsx');
  });
  await t.test('bad.ts fails exactly on its marked lines', async () => {
    const source = await readFile(join(app, 'bad.ts'), 'utf8');
    const marked = source.split('\n').flatMap((line, i) => (/\/\/ expect-error/.test(line) ? [i + 1] : []));
    assert.ok(marked.length >= 4, 'bad.ts should mark its errors');
    const result = await tsc([...TS_NODENEXT, 'bad.ts']);
    assert.notEqual(result.code, 0, `tsc accepted bad.ts: the types check nothing\n${describeRun(result)}`);
    const output = result.stdout + result.stderr;
    const failing = new Set([...output.matchAll(/^bad\.ts\((\d+),\d+\): error/gm)].map((m) => Number(m[1])));
    assert.deepEqual([...failing].sort((a, b) => a - b), marked,
      `tsc should fail on bad.ts lines ${marked.join(', ')} and no others:\n${describeRun(result)}`);
  });
  timed('typescript', started);
});

// ---------------------------------------------------------------------------
// 4. Vite + React

async function makeReactApp(t, name, template, tools) {
  const app = join(state.tmp, name);
  await copyApp(template, app);
  await cp(join(apps, 'shared/answers.js'), join(app, 'answers.js'));
  await writeFile(join(app, 'package.json'), `${JSON.stringify({ name, private: true, type: 'module' }, null, 2)}\n`);
  await npmInstall(app, [state.tarball, spec('react'), spec('react-dom'), ...tools.map(spec)], t);
  return app;
}

test('Vite + React: build and dev server render the stream in Chromium', { timeout: 300_000 }, async (t) => {
  if (!needTarball(t)) return;
  const started = Date.now();
  const app = await makeReactApp(t, 'vite-app', 'vite-react', ['vite', '@vitejs/plugin-react']);
  const vite = join(app, 'node_modules/vite/bin/vite.js');

  await t.test('vite build, served statically', async (t) => {
    const result = mustSucceed(await run(process.execPath, [vite, 'build'], { cwd: app, timeoutMs: 180_000 }), 'vite build');
    t.diagnostic(`vite build: ${seconds(result.ms)}`);
    const warnings = `${result.stdout}\n${result.stderr}`.split('\n').filter((l) => /warn|\(!\)/i.test(l));
    if (warnings.length) t.diagnostic(`vite build warnings:\n${warnings.join('\n')}`);
    await reportBundle(t, 'vite', join(app, 'dist'));
    const server = await startServer(join(app, 'dist'));
    assertOneWasmFile(t, 'vite build', await checkPage(t, `${server.origin}/`, ['core', 'hook']));
    await server.close();
  });

  await t.test('vite dev server (dependency pre-bundling)', async (t) => {
    const api = await startServer(null);
    let dev;
    try {
      dev = await startProcessServer('the Vite dev server', process.execPath,
        (port) => [vite, '--host', '127.0.0.1', '--port', String(port), '--strictPort'],
        { cwd: app, env: { SSE_API_ORIGIN: api.origin } });
      const { origin, output } = dev;
      assertOneWasmFile(t, 'vite dev', await checkPage(t, `${origin}/`, ['core', 'hook']));
      const depsDir = join(app, 'node_modules/.vite/deps');
      const deps = existsSync(depsDir) ? (await readdir(depsDir)).filter((f) => f.endsWith('.js')) : [];
      t.diagnostic(`pre-bundled by Vite: ${deps.join(', ') || '(nothing)'}`);
      const warnings = output().split('\n').filter((l) => /warn|error/i.test(l));
      if (warnings.length) t.diagnostic(`vite dev server warnings:\n${warnings.join('\n')}`);
    } catch (error) {
      throw dev ? withContext(error, `--- vite dev output\n${tail(dev.output(), 4000)}`) : error;
    } finally {
      await dev?.stop();
      await api.close();
    }
  });

  // Last, as it rewrites main.jsx: the same app with `import 'sse-wasm/inline'` first.
  // The hooks and the core API must use the embedded bytes (the entry's side effect
  // survives tree shaking), from a server that serves no .wasm.
  await t.test("vite build with import 'sse-wasm/inline' first: no .wasm fetched", async (t) => {
    const main = join(app, 'main.jsx');
    await writeFile(main, `import 'sse-wasm/inline';\n${await readFile(main, 'utf8')}`);
    const outDir = join(app, 'dist-inline');
    mustSucceed(await run(process.execPath, [vite, 'build', '--outDir', outDir], { cwd: app, timeoutMs: 180_000 }), 'vite build (inline)');
    await reportBundle(t, 'vite-inline', outDir);
    const server = await startServer(outDir, { refuse: /\.wasm$/ });
    const responses = await checkPage(t, `${server.origin}/`, ['core', 'hook']);
    assert.deepEqual(responses.filter((r) => isWasm(r.url)), [], 'with sse-wasm/inline imported, the page should ask for no .wasm');
    await server.close();
  });
  timed('vite', started);
});

// ---------------------------------------------------------------------------
// 4b. The README's React examples as a user ships them: a fresh Vite + React +
// TypeScript app, production build, the API a FastAPI app with pydantic request
// models (tests/servers/fastapi_app.py), clicked through in Chromium.

test("the README's React examples in a fresh Vite app, against FastAPI, in Chromium", { timeout: 300_000 }, async (t) => {
  if (!needTarball(t)) return;
  const started = Date.now();
  const app = await makeReactApp(t, 'readme-app', 'vite-readme', ['vite', '@vitejs/plugin-react']);
  await writeFile(join(app, 'Chat.tsx'), `${README_EXAMPLES.chat.code}\n`);
  await writeFile(join(app, 'Conversation.tsx'), `${README_EXAMPLES.conversation.code}\n`);
  const vite = join(app, 'node_modules/vite/bin/vite.js');
  mustSucceed(await run(process.execPath, [vite, 'build'], { cwd: app, timeoutMs: 180_000 }), 'vite build');
  const fastapi = await startFastAPI();
  cleanups.push(() => fastapi.stop());
  const server = await startServer(join(app, 'dist'), { proxy: fastapi.origin });
  const page = await (await browser()).newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.stack ?? e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console.error: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  try {
    await page.goto(`${server.origin}/`, { waitUntil: 'load', timeout: 30_000 });
    const chat = page.locator('#chat');
    const conversation = page.locator('#conversation');

    // useMessageStream: Ask streams FastAPI's answer.
    const answer = 'FastAPI got "Hi" and streams this answer word by word.';
    await chat.getByRole('button', { name: 'Ask' }).click();
    await chat.getByText(answer).waitFor({ timeout: 20_000 });

    // A dropped connection: the alert keeps the partial; onClick={retry} completes it.
    await fastapi.fault({ path: '/api/chat', drop: true });
    await chat.getByRole('button', { name: 'Ask' }).click();
    await chat.getByRole('alert').waitFor({ timeout: 20_000 });
    await chat.getByRole('button', { name: 'Retry' }).click();
    await chat.getByText(answer).waitFor({ timeout: 20_000 });
    assert.equal(await chat.getByRole('alert').count(), 0, 'the error is gone after the retry');

    // useChatStream: a message typed and sent, answered with the body extras.
    await conversation.getByRole('textbox', { name: 'Message' }).fill('hello from Chromium');
    await conversation.getByRole('button', { name: 'Send' }).click();
    await conversation.getByText('Answer 1 with small, take 1: you said "hello from Chromium".').waitFor({ timeout: 20_000 });

    const log = await fastapi.log();
    assert.deepEqual(log.map((r) => r.status), log.map(() => 200), `FastAPI answered every request: ${JSON.stringify(log)}`);
    const asks = log.filter((r) => r.path === '/api/chat');
    assert.ok(asks.length >= 3);
    for (const ask of asks) {
      assert.match(ask.contentType, /^application\/json/);
      assert.deepEqual(JSON.parse(ask.body), { prompt: 'Hi' });
    }
    const [turn] = log.filter((r) => r.path === '/api/conversation');
    assert.deepEqual(JSON.parse(turn.body), { model: 'small', messages: [{ role: 'user', content: 'hello from Chromium' }] });
    assert.equal(turn.headers['x-session'], 'install-test');
    assert.deepEqual(problems, []);
    await mkdir(join(repo, 'test-results'), { recursive: true });
    await page.screenshot({ path: join(repo, 'test-results/install-readme-app.png') });
  } catch (error) {
    throw withContext(error, `--- page\n${problems.join('\n')}\n${tail(await page.content(), 4000)}`);
  } finally {
    await page.close();
    await server.close();
    await fastapi.stop();
  }
  timed('readme app', started);
});

// ---------------------------------------------------------------------------
// 5. webpack 5 + React

test('webpack 5 + React: production build renders the stream in Chromium', { timeout: 300_000 }, async (t) => {
  if (!needTarball(t)) return;
  const started = Date.now();
  const app = await makeReactApp(t, 'webpack-app', 'webpack-react', ['webpack', 'webpack-cli']);
  const result = mustSucceed(await run(join(app, 'node_modules/.bin/webpack'), ['--config', 'webpack.config.js'], { cwd: app, timeoutMs: 180_000 }), 'webpack');
  t.diagnostic(`webpack: ${seconds(result.ms)}`);
  const warnings = result.stdout.split('\n').filter((l) => /WARNING/.test(l));
  if (warnings.length) t.diagnostic(`webpack warnings:\n${warnings.join('\n')}`);
  await cp(join(app, 'index.html'), join(app, 'dist/index.html'));
  await reportBundle(t, 'webpack', join(app, 'dist'));
  const server = await startServer(join(app, 'dist'));
  assertOneWasmFile(t, 'webpack', await checkPage(t, `${server.origin}/`, ['core', 'hook']));
  await server.close();
  timed('webpack', started);
});

// ---------------------------------------------------------------------------
// 6. A plain module script, no bundler: an import map into node_modules/sse-wasm/dist/.

const PLAIN_DEFAULT = '/node_modules/sse-wasm/dist/index.js';
const PLAIN_INLINE = '/node_modules/sse-wasm/dist/inline.js';

/** Opens `url` and waits for section `id` to show a load error matching `pattern`. */
async function checkLoadError(t, url, id, pattern) {
  const page = await (await browser()).newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.stack ?? e.message}`));
  try {
    await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
    await page.waitForSelector(`#${id}[data-status]${FINISHED}`, { timeout: 30_000 });
    const shown = await page.$eval(`#${id}`, (el) => ({ status: el.dataset.status, text: el.textContent }));
    assert.equal(shown.status, 'load-error', `#${id} should fail to load: ${shown.text}`);
    assert.match(shown.text, pattern);
    assert.deepEqual(errors, [], 'the page threw');
    t.diagnostic(`${url}: #${id} load-error as expected: ${shown.text.split('\n')[0]}`);
  } finally {
    await page.close();
  }
}

test('plain <script type="module"> pages: the default entry fetches the .wasm; sse-wasm/inline needs no .wasm file', { timeout: 120_000 }, async (t) => {
  if (!state.nodeApp) return t.skip('no Node app (an earlier step failed)');
  const started = Date.now();
  const template = await readFile(join(apps, 'plain/index.html'), 'utf8');
  assert.ok(template.includes(`"${PLAIN_DEFAULT}"`), `apps/plain/index.html should map sse-wasm to ${PLAIN_DEFAULT}`);
  await writeFile(join(state.nodeApp, 'plain.html'), template);
  await writeFile(join(state.nodeApp, 'plain-inline.html'), template.replace(`"${PLAIN_DEFAULT}"`, `"${PLAIN_INLINE}"`));

  await t.test('the default entry (dist/index.js) streams, the wasm fetched as its own file', async (t) => {
    const server = await startServer(state.nodeApp);
    const responses = await checkPage(t, `${server.origin}/plain.html`, ['core']);
    assert.equal(assertOneWasmFile(t, 'plain page', responses), '/node_modules/sse-wasm/dist/sse_core.wasm');
    await server.close();
  });

  await t.test('sse-wasm/inline (dist/inline.js) streams from a server that serves no .wasm', async (t) => {
    const server = await startServer(state.nodeApp, { refuse: /\.wasm$/ });
    const responses = await checkPage(t, `${server.origin}/plain-inline.html`, ['core']);
    assert.deepEqual(responses.filter((r) => isWasm(r.url) && r.status < 400), [], 'no .wasm request may succeed');
    assert.deepEqual(server.requests.filter((line) => /\.wasm\b/.test(line)), [],
      'the embedded variant should not even ask for a .wasm');
    assert.ok(server.requests.includes(`GET ${PLAIN_INLINE}`), `the page should load ${PLAIN_INLINE}: ${server.requests.join(', ')}`);
    // The control: on that server, the default entry cannot load the core, and says why.
    await checkLoadError(t, `${server.origin}/plain.html`, 'core', /could not load .*sse_core\.wasm: HTTP 404/);
    await server.close();
  });
  timed('plain', started);
});

// ---------------------------------------------------------------------------
// 7. Node require(): a CommonJS app (no "type": "module") with React installed.

test("Node require(): require('sse-wasm') and require('sse-wasm/react') stream a message", { timeout: 300_000 }, async (t) => {
  if (!needTarball(t)) return;
  const started = Date.now();
  const app = join(state.tmp, 'require-app');
  await copyApp('require', app);
  await writeFile(join(app, 'package.json'), `${JSON.stringify({ name: 'require-app', private: true }, null, 2)}\n`);
  await npmInstall(app, [state.tarball, spec('react')], t);
  const server = await startServer(null);
  const result = await run(process.execPath, ['run.cjs'], { cwd: app, env: { SSE_URL: `${server.origin}/api/stream` }, timeoutMs: 60_000 });
  await server.close();
  if (result.code !== 0) {
    const hint = /ERR_REQUIRE_ESM|ERR_REQUIRE_ASYNC_MODULE/.test(result.stderr)
      ? `\nhint: Node ${process.version} could not require() the package's ES modules (require(esm) needs Node 20.19+`
        + ' or 22.12+, and modules without top-level await)'
      : '';
    assert.fail(`node run.cjs failed${hint}:\n${describeRun(result)}`);
  }
  let got;
  try {
    got = JSON.parse(result.stdout.trim().split('\n').at(-1));
  } catch {
    assert.fail(`run.cjs printed no JSON:\n${describeRun(result)}`);
  }
  assert.deepEqual(got, {
    exports: ['function', 'function', 'function', 'function', 'function'],
    sameModule: true,
    status: 'done',
    text: EXPECTED_TEXT,
    tool: { name: 'weather', input: TOOL_INPUT, state: 'input-available' },
    finishReason: 'stop',
    usage: { inputTokens: 12, outputTokens: 9 },
    protocol: 'native',
    byHand: { status: 'done', text: 'by hand' },
  }, `run.cjs printed an unexpected result:\n${describeRun(result)}`);
  const warnings = result.stderr.split('\n').filter((line) => /warning/i.test(line));
  t.diagnostic(`node ${process.version} run.cjs: ${got.text} (${seconds(result.ms)})${warnings.length ? `; ${warnings.join('; ')}` : ''}`);
  timed('require', started);
});

// ---------------------------------------------------------------------------
// 8. Next.js, App Router, zero config: apps/next/ has no next.config. The page (a
// server component) renders a 'use client' component that streams, with
// useMessageStream, from the route handler app/api/chat/route.js, which sends
// answer.json's deltas as native text_delta events, a pause between them, then done.

const NEXT_ENV = { NEXT_TELEMETRY_DISABLED: '1' };
// Next.js 16 builds with Turbopack; `--webpack` is the opt-out many apps still use.
// Each build is served by `next start`; the dev server (Turbopack) compiles on demand.
const NEXT_RUNS = [
  { label: 'Turbopack (the default)', name: 'next', build: [] },
  { label: 'webpack', name: 'next-webpack', build: ['--webpack'] },
  { label: 'dev server', name: 'next-dev', build: null },
];

test('Next.js (App Router): next build + start and next dev, the client component streams from a route handler in Chromium', { timeout: 900_000 }, async (t) => {
  if (!needTarball(t)) return;
  const started = Date.now();
  const app = join(state.tmp, 'next-app');
  await copyApp('next', app);
  await writeFile(join(app, 'package.json'), `${JSON.stringify({ name: 'next-app', private: true }, null, 2)}\n`);
  const configs = (await readdir(app)).filter((name) => /^next\.config\./.test(name));
  assert.deepEqual(configs, [], 'the Next.js app must need no configuration');
  const answer = JSON.parse(await readFile(join(app, 'answer.json'), 'utf8'));
  const expected = answer.deltas.join('');
  await npmInstall(app, [state.tarball, spec('next'), spec('react'), spec('react-dom')], t);
  const next = join(app, 'node_modules/next/dist/bin/next');

  for (const build of NEXT_RUNS) {
    const command = build.build ? ['next build', ...build.build].join(' ') : 'next dev';
    await t.test(`${build.label}: ${command}${build.build ? ', next start' : ''}`, async (t) => {
      await rm(join(app, '.next'), { recursive: true, force: true });
      if (build.build) {
        const built = mustSucceed(await run(process.execPath, [next, 'build', ...build.build], { cwd: app, env: NEXT_ENV, timeoutMs: 400_000 }), command);
        t.diagnostic(`${command}: ${seconds(built.ms)}`);
        const buildWarnings = `${built.stdout}\n${built.stderr}`.split('\n').filter((l) => /warn|⚠/i.test(l));
        if (buildWarnings.length) t.diagnostic(`${command} warnings:\n${buildWarnings.join('\n')}`);
        const staticDir = join(app, '.next/static');
        const emitted = (await readdir(staticDir, { recursive: true })).filter((name) => name.endsWith('.wasm'));
        assert.ok(emitted.length >= 1, `${command} should emit the wasm as a file under .next/static:\n${describeRun(built)}`);
        await reportBundle(t, build.name, staticDir);
        for (const name of emitted) sizes.push(`${build.name} ${name}: ${kib((await stat(join(staticDir, name))).size)}`);
      }

      // The dev server compiles the page on its first request (the readiness probe).
      const serve = build.build ? 'start' : 'dev';
      const server = await startProcessServer(`next ${serve}`, process.execPath,
        (port) => [next, serve, '--hostname', '127.0.0.1', '--port', String(port)],
        { cwd: app, env: NEXT_ENV, timeoutMs: build.build ? 30_000 : 180_000 });
      t.diagnostic(`next ${serve} answered after ${seconds(server.readyMs)}`);
      const { page, log, responses } = await watchedPage();
      // Every state #answer shows, recorded as it changes, to see the text arrive in pieces.
      await page.addInitScript(() => {
        window.__seen = [];
        const record = () => {
          const el = document.getElementById('answer');
          if (!el) return;
          const entry = { status: el.dataset.status, text: el.querySelector('.text')?.textContent ?? '' };
          const last = window.__seen.at(-1);
          if (!last || last.status !== entry.status || last.text !== entry.text) window.__seen.push(entry);
        };
        new MutationObserver(record).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
      });
      try {
        // The prerendered HTML shows the hook's server snapshot: idle, nothing loaded.
        const html = await (await fetch(`${server.origin}/`)).text();
        assert.match(html, /<section id="answer" data-status="idle">/, `the server-rendered page should show the idle snapshot:\n${tail(html, 2000)}`);

        await page.goto(`${server.origin}/`, { waitUntil: 'load', timeout: 30_000 });
        await page.waitForSelector(`#answer[data-status]${FINISHED}`, { timeout: 30_000 });
        const shown = await page.$eval('#answer', (el) => ({
          status: el.dataset.status,
          text: el.querySelector('.text')?.textContent ?? null,
          error: el.querySelector('.error')?.textContent ?? null,
        }));
        assert.deepEqual(shown, { status: 'done', text: expected, error: null }, '#answer did not show the streamed answer');
        const seen = await page.evaluate(() => window.__seen);
        const partial = seen.filter((s) => s.status === 'streaming' && s.text && s.text !== expected && expected.startsWith(s.text));
        assert.ok(partial.length >= 2, `the text should arrive in pieces while streaming; #answer showed: ${JSON.stringify(seen)}`);
        assert.deepEqual(log.filter((line) => line.startsWith('pageerror')), [], 'the page threw');
        // A hydration mismatch or a failed request would show here.
        assert.deepEqual(log.filter((line) => line.startsWith('console.error') || line.startsWith('HTTP ')), [],
          'the page logged errors');
        const wasm = assertOneWasmFile(t, build.name, responses);
        assert.ok(wasm.startsWith('/_next/static/'), `the wasm should come from what next build emitted: ${wasm}`);
        const chat = responses.filter((r) => new URL(r.url).pathname === '/api/chat');
        assert.deepEqual(chat.map((r) => [r.method, r.status]), [['POST', 200]], 'the page should POST /api/chat once');
        t.diagnostic(`#answer: ${seen.length} states, ${partial.length} partial while streaming`);
      } catch (error) {
        let html = '';
        try {
          html = await page.content();
        } catch {
          // the page is gone
        }
        throw withContext(error, `--- page: console, errors, failed requests\n${log.join('\n') || '(nothing)'}\n`
          + `--- HTML\n${tail(html, 3000)}\n--- next ${serve} output\n${tail(server.output(), 3000)}`);
      } finally {
        await page.close();
        await server.stop();
      }
    });
  }
  timed('next', started);
});
