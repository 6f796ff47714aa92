// Memory: creating and disposing many streams leaves the wasm heap and the JS heap
// flat; forgotten streams are reclaimed; a 200 MB stream runs in bounded memory.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ready, MessageStream, SSEParser, coreStats } from '../../web/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

before(() => ready());

async function collect() {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10)); // let FinalizationRegistry callbacks run
  }
}

const event = (type, data) => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
const message = event('text_delta', 'hello ') + event('tool_start', { id: 't', name: 'x' }) +
  event('tool_delta', { id: 't', delta: '{"a": [1, 2, "three"' }) + event('text_delta', 'world') + event('done', {});

test('10,000 MessageStreams created, fed and disposed: wasm and JS heaps stay flat', async () => {
  const cycle = (n) => {
    for (let i = 0; i < n; i++) {
      const s = new MessageStream();
      s.feed(message);
      s.snapshot();
      s.dispose();
    }
  };
  cycle(1000); // warm up: reach the steady state of allocators and JIT
  await collect();
  const wasmBefore = coreStats().wasmMemoryBytes;
  const jsBefore = process.memoryUsage().heapUsed;
  const liveBefore = coreStats().liveSessions;
  cycle(10_000);
  await collect();
  assert.equal(coreStats().liveSessions, liveBefore, 'every session was freed');
  assert.ok(coreStats().wasmMemoryBytes - wasmBefore <= 1 << 20,
    `wasm memory grew by ${coreStats().wasmMemoryBytes - wasmBefore} bytes`);
  const jsGrowth = process.memoryUsage().heapUsed - jsBefore;
  assert.ok(jsGrowth < 8 << 20, `JS heap grew by ${jsGrowth} bytes`);
});

test('streams a user forgets to dispose are reclaimed by the FinalizationRegistry', async () => {
  await collect();
  const before = coreStats().liveSessions;
  (() => {
    for (let i = 0; i < 1000; i++) new MessageStream().feed(message);
    for (let i = 0; i < 1000; i++) new SSEParser().feed('data: x\n\n');
  })();
  assert.equal(coreStats().liveSessions, before + 2000);
  for (let i = 0; i < 20 && coreStats().liveSessions > before; i++) await collect();
  assert.equal(coreStats().liveSessions, before, 'all 2,000 forgotten sessions were reclaimed');
});

test('a 200 MB stream processes in bounded memory', async () => {
  // Mostly protocol overhead (ids, heartbeats, JSON): the message itself is ~7 MB.
  const unit = new TextEncoder().encode(
    `: heartbeat ${'.'.repeat(200)}\n\nid: 123456\nevent: text_delta\ndata: ${JSON.stringify('tok ')}\n\n`);
  const chunk = new Uint8Array(unit.length * 256);
  for (let i = 0; i < 256; i++) chunk.set(unit, i * unit.length);
  const total = 200 << 20;
  const s = new MessageStream();
  const p = new SSEParser();
  let events = 0;
  for (let fed = 0; fed < total; fed += chunk.length) {
    s.feed(chunk);
    s.snapshot();
    events += p.feed(chunk).length;
  }
  const snap = s.snapshot();
  assert.equal(snap.status, 'streaming');
  assert.equal(snap.text.length, events * 4);
  const wasm = coreStats().wasmMemoryBytes;
  assert.ok(wasm < snap.text.length + (16 << 20), `wasm memory ${wasm} bytes for ${snap.text.length} bytes of text`);
  s.dispose();
  p.dispose();
});
