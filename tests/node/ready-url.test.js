// ready({ wasmUrl }): the core fetched from a URL you host (own file: a fresh process).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { ready, SSEParser } from '../../web/index.js';

test('ready({ wasmUrl }) loads the core from a URL; a 404 is a clear error', async () => {
  const wasm = readFileSync(new URL('../../dist/sse_core.wasm', import.meta.url));
  const server = createServer((req, res) => {
    if (req.url === '/core.wasm') res.writeHead(200, { 'content-type': 'application/wasm' }).end(wasm);
    else res.writeHead(404).end();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${server.address().port}`;
  try {
    await assert.rejects(ready({ wasmUrl: `${base}/missing.wasm` }), /HTTP 404/);
    await ready({ wasmUrl: new URL('/core.wasm', base) });
    const p = new SSEParser();
    assert.deepEqual(p.feed('data: from a URL\n\n'), [{ type: 'message', data: 'from a URL', id: '' }]);
    p.dispose();
  } finally {
    server.close();
  }
});
