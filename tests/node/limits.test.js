// Limits against a hostile server, through MessageStream (issue 12): complete tool
// inputs obey the same limits as streamed ones, warnings keep bounded data, lone
// surrogate escapes read the same while streaming and once complete, tool results
// without a usable id keep every result, usage counts saturate.
// This file runs in its own process (node --test), so wasm memory growth measured
// here is this file's own.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ready, MessageStream, coreStats } from '../../web/index.js';

before(() => ready());

const MiB = 1 << 20;
const ev = (event, data) => `event: ${event}\ndata: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
const utf8Bytes = (s) => new TextEncoder().encode(s).length;

function run(events, options = {}, { end = true } = {}) {
  const s = new MessageStream({ protocol: 'native', ...options });
  for (const e of events) s.feed(e);
  if (end) s.end();
  const snap = s.snapshot();
  s.dispose();
  return snap;
}

test('24 complete tool inputs of 4 MiB end in message_too_large within bounded wasm memory', () => {
  const before = coreStats().wasmMemoryBytes;
  const s = new MessageStream({ protocol: 'native' });
  const input = { s: 'x'.repeat(4 * MiB - 8) };
  s.feed(ev('text_delta', 'before'));
  for (let i = 0; i < 24; i++) {
    s.feed(ev('tool_start', { id: `t${i}`, name: 'f', input }));
    s.snapshot();
  }
  s.feed(ev('done', {}));
  s.end();
  const snap = s.snapshot();
  const growth = coreStats().wasmMemoryBytes - before;
  s.dispose();
  assert.equal(snap.status, 'error');
  assert.equal(snap.error.code, 'message_too_large');
  assert.equal(snap.text, 'before');
  const kept = snap.parts.filter((p) => p.type === 'tool' && p.state === 'input-available');
  assert.equal(kept.length, 15, 'the inputs that fit in maxMessageBytes (64 MiB) stay');
  assert.equal(kept[14].input.s.length, 4 * MiB - 8);
  // The budget is 64 MiB of kept data; the rest is one event in the input buffer and
  // the SSE parser, and the allocator's slack.
  assert.ok(growth < 96 * MiB, `wasm memory grew by ${(growth / MiB).toFixed(1)} MiB`);
});

test('a complete input over maxToolInputBytes is tool_input_too_large and is not stored', () => {
  const snap = run([
    ev('text_delta', 'before'),
    ev('tool_start', { id: 'a', name: 'f', input: { s: 'x'.repeat(900) } }),
    ev('tool_start', { id: 'b', name: 'f', input: { s: 'x'.repeat(5000) } }),
    ev('done', {}),
  ], { maxToolInputBytes: 1000 });
  assert.equal(snap.status, 'error');
  assert.equal(snap.error.code, 'tool_input_too_large');
  assert.equal(snap.text, 'before');
  assert.equal(snap.parts[1].input.s.length, 900);
  assert.equal(snap.parts[2].inputText, '');
});

test('100 tool_delta events with 1 MiB ids keep small warnings', () => {
  const id = 'i'.repeat(MiB);
  const events = [];
  for (let i = 0; i < 100; i++) events.push(ev('tool_delta', { id, delta: 'x' }));
  const snap = run(events, {}, { end: false });
  assert.equal(snap.status, 'streaming');
  assert.equal(snap.warnings.length, 100);
  const bytes = snap.warnings.reduce((n, w) => n + utf8Bytes(w.code) + utf8Bytes(w.message), 0);
  assert.ok(bytes < 100 * 200, `warnings hold ${bytes} bytes`);
  assert.ok(snap.warnings[0].message.includes(`${'i'.repeat(64)}…`), snap.warnings[0].message);
});

test('a lone surrogate escape reads U+FFFD while streaming and once complete', () => {
  const s = new MessageStream({ protocol: 'native' });
  s.feed(ev('tool_start', { id: 't', name: 'f' }));
  s.feed(ev('tool_delta', { id: 't', delta: '{"s": "a\\ud800b", "k": "\\udc00' }));
  const streaming = s.snapshot().parts[0];
  assert.equal(streaming.state, 'input-streaming');
  assert.deepEqual(streaming.input, { s: 'a\uFFFDb', k: '\uFFFD' });
  s.feed(ev('tool_delta', { id: 't', delta: '", "p": "\\ud83d\\ude00"}' }));
  s.feed(ev('tool_start', { id: 'u', name: 'f', input: '\ud800' }));
  s.feed(ev('tool_result', { id: 'u', result: ['\udfff'] }));
  const snap = s.snapshot();
  s.dispose();
  assert.equal(snap.parts[0].state, 'input-available');
  assert.deepEqual(snap.parts[0].input, { s: 'a\uFFFDb', k: '\uFFFD', p: '\u{1F600}' });
  assert.equal(snap.parts[1].input, '\uFFFD');
  assert.deepEqual(snap.parts[1].output, ['\uFFFD']);
});

test('tool_result with a numeric id matches its tool; without an id each result keeps its own part', () => {
  const snap = run([
    ev('tool_start', { id: 7, name: 'f', input: {} }),
    ev('tool_result', { id: 7, result: 'seven' }),
    ev('tool_result', { result: 'first' }),
    ev('tool_result', { result: 'second' }),
    ev('done', {}),
  ]);
  assert.equal(snap.status, 'done');
  assert.deepEqual(snap.parts.map((p) => [p.id, p.name, p.output]),
    [['7', 'f', 'seven'], ['', '', 'first'], ['', '', 'second']]);
  assert.equal(snap.warnings.filter((w) => w.code === 'invalid_event').length, 2);
});

test('usage counts saturate at 2^32-1, negative or fractional counts are 0', () => {
  const usage = (input, output) => run([
    ev('done', `{"usage": {"input_tokens": ${input}, "output_tokens": ${output}}}`),
  ]).usage;
  assert.deepEqual(usage('1e20', '18446744073709551616'), { inputTokens: 2 ** 32 - 1, outputTokens: 2 ** 32 - 1 });
  assert.deepEqual(usage('4294967296', '12'), { inputTokens: 2 ** 32 - 1, outputTokens: 12 });
  assert.deepEqual(usage('-3', '12.5'), { inputTokens: 0, outputTokens: 0 });
});

test('maxJsonDepth: Infinity means the ceiling, 500: inputs that deep are frozen values, streamed or complete; deeper is json_too_deep', () => {
  const nested = (depth) => '['.repeat(depth) + ']'.repeat(depth);
  const parts = (depth) => {
    const json = nested(depth);
    const events = [ev('text_delta', 'before'), ev('tool_start', { id: 's', name: 'f' })];
    for (let i = 0; i < json.length; i += 7) events.push(ev('tool_delta', { id: 's', delta: json.slice(i, i + 7) }));
    events.push(ev('tool_start', { id: 'c', name: 'f', input: '' }).replace('""', json), ev('done', {}));
    return events;
  };
  const snap = run(parts(500), { maxJsonDepth: Infinity });
  assert.equal(snap.status, 'done', `${snap.error?.code}: ${snap.error?.message}`);
  assert.equal(snap.parts.length, 3);
  for (const part of snap.parts.slice(1)) {
    assert.equal(part.state, 'input-available');
    let node = part.input;
    let levels = 0;
    for (; Array.isArray(node) && node.length > 0; node = node[0]) {
      assert.ok(Object.isFrozen(node));
      levels++;
    }
    assert.equal(levels, 499, `${part.id}: the innermost array is empty`);
    assert.ok(Array.isArray(node) && Object.isFrozen(node));
  }
  const deeper = run(parts(100000), { maxJsonDepth: Infinity });
  assert.equal(deeper.status, 'error');
  assert.equal(deeper.error.code, 'json_too_deep');
  assert.equal(deeper.text, 'before', 'what came before stays');
});
