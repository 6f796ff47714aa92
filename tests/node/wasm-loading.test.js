// Where the core comes from: the .wasm file next to the package's JavaScript (read
// from disk in Node, fetched and compiled while streaming in browsers), a URL you
// host, bytes you pass, or the base64 of `sse-wasm/inline`. Each case runs in a
// fresh Node process (the core loads once per process), against a copy of the
// published bundles (dist/) in a temp folder, so a missing file is really missing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
const wasm = readFileSync(join(dist, 'sse_core.wasm'));
let folder;
let server;
let base;
const served = [];

before(async () => {
  folder = mkdtempSync(join(tmpdir(), 'sse-wasm-loading-'));
  for (const file of ['index.js', 'inline.js', 'react.js']) cpSync(join(dist, file), join(folder, 'dist', file));
  server = createServer((req, res) => {
    served.push(req.url);
    if (req.url === '/wasm') res.writeHead(200, { 'content-type': 'application/wasm' }).end(wasm);
    else if (req.url === '/octets') res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(wasm);
    else res.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(() => {
  server?.close();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

// Runs `body` in a fresh process with `m` = the entry's module; prints what it returns.
function inChild(entry, body) {
  const url = pathToFileURL(join(folder, 'dist', entry)).href;
  const script = `const m = await import(${JSON.stringify(url)});
const stream = () => { const s = new m.MessageStream(); s.feed('event: text_delta\\ndata: "ok"\\n\\nevent: done\\ndata: {}\\n\\n'); const t = s.snapshot().text; s.dispose(); return t; };
const out = await (async () => { ${body} })();
console.log(JSON.stringify(out));`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop()));
    });
  });
}

test('sse-wasm/inline loads the embedded core with no .wasm file anywhere near it', async () => {
  const out = await inChild('inline.js', 'await m.ready(); return stream();');
  assert.equal(out, 'ok');
});

test('sse-wasm with its .wasm file missing: ready() rejects with the path and the ways out, then loads from bytes', async () => {
  const out = await inChild('index.js', `
    let message = null;
    try { await m.ready(); } catch (e) { message = e.message; }
    const bytes = (await import('node:fs')).readFileSync(${JSON.stringify(join(dist, 'sse_core.wasm'))});
    await m.ready({ wasmBinary: bytes });
    return { message, text: stream() };`);
  assert.match(out.message, /could not read file:.*sse_core\.wasm: ENOENT/);
  assert.match(out.message, /wasmUrl/);
  assert.match(out.message, /sse-wasm\/inline/);
  assert.equal(out.text, 'ok', 'a failed load may be retried with other bytes');
});

test('ready({ wasmUrl }) compiles an application/wasm response while it streams, and any other type from its bytes', async () => {
  for (const path of ['/wasm', '/octets']) {
    const out = await inChild('index.js', `await m.ready({ wasmUrl: ${JSON.stringify(base + path)} }); return stream();`);
    assert.equal(out, 'ok', path);
  }
  assert.ok(served.includes('/wasm') && served.includes('/octets'));
});

test('a URL that is not there is an HTTP error naming it, not a hang', async () => {
  const out = await inChild('index.js', `try { await m.ready({ wasmUrl: ${JSON.stringify(`${base}/missing.wasm`)} }); return 'loaded'; } catch (e) { return e.message; }`);
  assert.match(out, /could not load http:\/\/127\.0\.0\.1:\d+\/missing\.wasm: HTTP 404/);
});

test('require() of the published entry gives the same single core as import', async () => {
  const out = await inChild('index.js', `
    const { createRequire } = await import('node:module');
    const required = createRequire(import.meta.url)(${JSON.stringify(join(folder, 'dist', 'index.js'))});
    await required.ready({ wasmBinary: (await import('node:fs')).readFileSync(${JSON.stringify(join(dist, 'sse_core.wasm'))}) });
    return { same: required.ready === m.ready && required.MessageStream === m.MessageStream, ready: m.isReady(), text: stream() };`);
  assert.deepEqual(out, { same: true, ready: true, text: 'ok' });
});
