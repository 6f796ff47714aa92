// The real memory bound of a message at the size limits (issue 12): what a message of
// maxMessageBytes costs in wasm memory, measured in a fresh process each (wasm memory
// only grows, so a shared process would measure the largest earlier test). The
// numbers are in RELIABILITY.md ("Memory bounds, measured").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

const MiB = 1 << 20;
const index = new URL('../../web/index.js', import.meta.url).href;

// Runs `body` (module code with ready, MessageStream, ev, feedTool in scope) in a
// fresh Node process; returns { base, wasm, result } in bytes.
function measure(body) {
  const script = `
    import { ready, MessageStream, coreStats } from ${JSON.stringify(index)};
    await ready();
    const ev = (t, d) => 'event: ' + t + '\\ndata: ' + JSON.stringify(d) + '\\n\\n';
    const base = coreStats().wasmMemoryBytes;
    const result = await (async () => { ${body} })();
    console.log(JSON.stringify({ base, wasm: coreStats().wasmMemoryBytes, result }));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { maxBuffer: 1 << 20 });
  return JSON.parse(out.toString());
}

test('a text of 63 MiB (just under maxMessageBytes) costs at most 2.1 × its size in wasm memory', () => {
  const { base, wasm, result } = measure(`
    const s = new MessageStream({ protocol: 'native' });
    const chunk = ev('text_delta', 'x'.repeat(4096)).repeat(64);
    for (let fed = 0; fed < 63 * ${MiB}; fed += 4096 * 64) { s.feed(chunk); s.snapshot(); }
    const snap = s.snapshot();
    return { status: snap.status, length: snap.text.length };`);
  assert.equal(result.status, 'streaming');
  assert.equal(result.length, 63 * MiB);
  assert.ok(wasm - base <= 2.1 * result.length, `wasm grew ${wasm - base} bytes for ${result.length} bytes of text`);
});

for (const snapshots of [true, false]) {
  test(`four tool inputs of 15.5 MiB cost at most 2.8 × their size in wasm memory (${snapshots ? 'a snapshot per chunk' : 'no snapshot until the end'})`, () => {
    const { base, wasm, result } = measure(`
      const s = new MessageStream({ protocol: 'native' });
      for (let t = 0; t < 4; t++) {
        s.feed(ev('tool_start', { id: 't' + t, name: 'w' }) + ev('tool_delta', { id: 't' + t, delta: '{"a":"' }));
        const chunk = ev('tool_delta', { id: 't' + t, delta: 'x'.repeat(4096) }).repeat(64);
        for (let fed = 0; fed < 15.5 * ${MiB}; fed += 4096 * 64) { s.feed(chunk); if (${snapshots}) s.snapshot(); }
        s.feed(ev('tool_delta', { id: 't' + t, delta: '"}' }));
      }
      const snap = s.snapshot();
      return { status: snap.status, states: snap.parts.map((p) => p.state),
        bytes: snap.parts.reduce((n, p) => n + p.inputText.length, 0), a: snap.parts[3].input.a.length };`);
    assert.equal(result.status, 'streaming');
    assert.deepEqual(result.states, Array(4).fill('input-available'));
    assert.equal(result.a, 15.5 * MiB);
    assert.ok(wasm - base <= 2.8 * result.bytes, `wasm grew ${wasm - base} bytes for ${result.bytes} bytes of tool input`);
  });
}
