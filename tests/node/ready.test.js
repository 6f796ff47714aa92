// ready(): loading the core with bytes you supply, and recovering from a failed load.
// Its own file: node --test runs each file in a fresh process, so the core is not
// loaded yet when these tests start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ready, isReady, MessageStream } from '../../web/index.js';

// The package's wasm, as a user would ship it from elsewhere.
const wasmFile = () => readFileSync(new URL('../../dist/sse_core.wasm', import.meta.url));

test('using the core before ready() is a clear error', () => {
  assert.equal(isReady(), false);
  assert.throws(() => new MessageStream(), /await ready\(\)/);
});

test('a bad wasmBinary rejects ready(); a later call with good bytes loads the core', async () => {
  await assert.rejects(ready({ wasmBinary: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 42]) }));
  assert.equal(isReady(), false);
  const bytes = wasmFile();
  await ready({ wasmBinary: bytes });
  assert.equal(isReady(), true);
  assert.equal(ready(), ready(), 'idempotent: the same promise');
  const s = new MessageStream();
  s.feed('event: text_delta\ndata: "loaded from bytes"\n\nevent: done\ndata: {}\n\n');
  assert.equal(s.snapshot().text, 'loaded from bytes');
  assert.equal(s.snapshot().status, 'done');
  s.dispose();
});
