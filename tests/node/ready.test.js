// ready(): loading the core with bytes you supply, and recovering from a failed load.
// Its own file: node --test runs each file in a fresh process, so the core is not
// loaded yet when these tests start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ready, isReady, MessageStream } from '../../web/index.js';

// The wasm embedded in the package's JavaScript, as a user would ship it separately.
function embeddedWasm() {
  const source = readFileSync(new URL('../../dist/sse_core.mjs', import.meta.url), 'latin1');
  const match = source.match(/data:application\/octet-stream;base64,([A-Za-z0-9+/=]+)/);
  assert.ok(match, 'dist/sse_core.mjs embeds the wasm');
  return Buffer.from(match[1], 'base64');
}

test('using the core before ready() is a clear error', () => {
  assert.equal(isReady(), false);
  assert.throws(() => new MessageStream(), /await ready\(\)/);
});

test('a bad wasmBinary rejects ready(); a later call with good bytes loads the core', async () => {
  await assert.rejects(ready({ wasmBinary: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 42]) }));
  assert.equal(isReady(), false);
  const bytes = embeddedWasm();
  await ready({ wasmBinary: bytes });
  assert.equal(isReady(), true);
  assert.equal(ready(), ready(), 'idempotent: the same promise');
  const s = new MessageStream();
  s.feed('event: text_delta\ndata: "loaded from bytes"\n\nevent: done\ndata: {}\n\n');
  assert.equal(s.snapshot().text, 'loaded from bytes');
  assert.equal(s.snapshot().status, 'done');
  s.dispose();
});
