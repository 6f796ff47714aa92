// MessageStream: every protocol fixture replayed whole, at split points and in
// random pieces (with the protocol named and with 'auto'), and the rules of the
// native vocabulary and of snapshots.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { ready, MessageStream } from '../../web/index.js';
import { PROTOCOLS, loadFixtures, assertMatches, rng, randomChunks } from './fixture-replay.js';

before(() => ready());

function replay(bytes, chunks, protocol) {
  const s = new MessageStream({ protocol });
  try {
    let lastText = '';
    for (const chunk of chunks) {
      s.feed(chunk);
      const text = s.snapshot().text;
      assert.ok(text.startsWith(lastText), 'text never shrinks or changes while streaming');
      lastText = text;
    }
    s.end();
    return s.snapshot();
  } finally {
    s.dispose();
  }
}

test('native fixtures exist', () => assert.ok(loadFixtures('native').length >= 5));

for (const protocol of PROTOCOLS) {
  const fixtures = loadFixtures(protocol);
  if (fixtures.length === 0) continue;
  describe(`fixtures/${protocol}`, () => {
    for (const f of fixtures) {
      test(f.name, () => {
        const whole = replay(f.bytes, [f.bytes], protocol);
        assertMatches(whole, f.expected, 'whole');
        assert.equal(whole.protocol, protocol);
        const auto = replay(f.bytes, [f.bytes], 'auto');
        assertMatches(auto, f.expected, 'auto');
        assert.equal(auto.protocol, protocol, 'auto-detected protocol');
        const step = Math.max(1, Math.floor(f.bytes.length / 150));
        for (let i = 1; i < f.bytes.length; i += step) {
          assertMatches(replay(f.bytes, [f.bytes.subarray(0, i), f.bytes.subarray(i)], protocol), f.expected, `split at ${i}`);
        }
        const random = rng(f.bytes.length);
        for (let k = 0; k < 8; k++) {
          assertMatches(replay(f.bytes, randomChunks(f.bytes, random, 1 + k * 3), protocol), f.expected, `random ${k}`);
        }
        assertMatches(replay(f.bytes, Array.from(f.bytes, (_, i) => f.bytes.subarray(i, i + 1)), protocol),
          f.expected, 'byte by byte');
      });
    }
  });
}

const sse = (type, data, id) => `${id !== undefined ? `id: ${id}\n` : ''}event: ${type}\ndata: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

function stream(protocol = 'native') {
  return new MessageStream({ protocol });
}

describe('native vocabulary rules', () => {
  test('status goes idle -> streaming -> done', () => {
    const s = stream();
    assert.equal(s.snapshot().status, 'idle');
    s.feed(sse('text_delta', '"a"'));
    assert.equal(s.snapshot().status, 'streaming');
    s.feed(sse('done', ''));
    assert.equal(s.snapshot().status, 'done');
    s.end();
    assert.equal(s.snapshot().status, 'done', 'end() after done keeps done');
    s.dispose();
  });

  test('text after a tool starts a new part; consecutive text extends the last part', () => {
    const s = stream();
    s.feed(sse('text_delta', '"a"') + sse('text_delta', '"b"') + sse('tool_start', { id: 't', name: 'x', input: {} }) + sse('text_delta', '"c"'));
    assert.deepEqual(s.snapshot().parts.map((p) => p.type), ['text', 'tool', 'text']);
    assert.equal(s.snapshot().parts[0].text, 'ab');
    assert.equal(s.snapshot().text, 'abc');
    s.dispose();
  });

  test('tool states: input-streaming -> input-available -> output-available', () => {
    const s = stream();
    s.feed(sse('tool_start', { id: 't', name: 'search' }));
    assert.equal(s.snapshot().parts[0].state, 'input-streaming');
    assert.equal(s.snapshot().parts[0].input, undefined);
    s.feed(sse('tool_delta', { id: 't', delta: '{"q": "x' }));
    assert.deepEqual(s.snapshot().parts[0].input, { q: 'x' });
    assert.equal(s.snapshot().parts[0].inputText, '{"q": "x');
    s.feed(sse('tool_delta', { id: 't', delta: 'y"}' }));
    assert.equal(s.snapshot().parts[0].state, 'input-available', 'a complete input means the tool runs');
    assert.deepEqual(s.snapshot().parts[0].input, { q: 'xy' });
    s.feed(sse('tool_result', { id: 't', result: { ok: true } }));
    assert.equal(s.snapshot().parts[0].state, 'output-available');
    assert.deepEqual(s.snapshot().parts[0].output, { ok: true });
    s.dispose();
  });

  test('streamed input at every cut point: best-effort input is always consistent with the final input', () => {
    const input = { path: 'src/a "quoted".txt', content: 'line 1\nline 2 é 😀 \\ done', n: [1, -2.5e3, true, null, { deep: ['x'] }] };
    const json = JSON.stringify(input);
    for (let cut = 1; cut < json.length; cut++) {
      const code = json.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) continue; // a JS string cut inside a surrogate pair: see below
      const s = stream();
      s.feed(sse('tool_start', { id: 't', name: 'write' }));
      s.feed(sse('tool_delta', { id: 't', delta: json.slice(0, cut) }));
      const partial = s.snapshot().parts[0].input;
      assertConsistent(partial, input, `cut ${cut}`);
      s.feed(sse('tool_delta', { id: 't', delta: json.slice(cut) }));
      assert.deepEqual(s.snapshot().parts[0].input, input);
      s.dispose();
    }
  });

  test('a delta carrying a lone surrogate escape is kept (as U+FFFD), not dropped', () => {
    const s = stream();
    s.feed(sse('tool_start', { id: 't', name: 'x' }));
    s.feed(`event: tool_delta\ndata: {"id":"t","delta":"{\\"s\\": \\"a\\ud83d"}\n\n`);
    s.feed(sse('tool_delta', { id: 't', delta: 'b"}' }));
    assert.deepEqual(s.snapshot().warnings, []);
    assert.deepEqual(s.snapshot().parts[0].input, { s: 'a\ufffdb' });
    s.dispose();
  });

  test('unicode escapes including surrogate pairs split across fragments', () => {
    const s = stream();
    s.feed(sse('tool_start', { id: 't', name: 'x' }));
    for (const piece of ['{"s": "\\u00', 'e9 \\ud8', '3d\\ude', '00', ' \\u2603"}']) {
      s.feed(sse('tool_delta', { id: 't', delta: piece }));
    }
    assert.deepEqual(s.snapshot().parts[0].input, { s: 'é 😀 ☃' });
    s.dispose();
  });

  test('invalid JSON in an event is a warning and disturbs nothing else', () => {
    const s = stream();
    s.feed(sse('text_delta', '"ok"') + sse('tool_start', '{nope') + sse('tool_delta', '{"id":"zz","delta":"1"}'));
    const snap = s.snapshot();
    assert.equal(snap.status, 'streaming');
    assert.equal(snap.text, 'ok');
    assert.deepEqual(snap.warnings.map((w) => w.code), ['invalid_json', 'unknown_tool']);
    s.dispose();
  });

  test('a result for a tool that never started is kept on its own tool part', () => {
    const s = stream();
    s.feed(sse('tool_result', { id: 'ghost', result: 42 }));
    const [part] = s.snapshot().parts;
    assert.equal(part.id, 'ghost');
    assert.equal(part.state, 'output-available');
    assert.equal(part.output, 42);
    s.dispose();
  });

  test('missing done: error interrupted, retryable, text kept', () => {
    const s = stream();
    s.feed(sse('text_delta', '"partial"'));
    s.end();
    const snap = s.snapshot();
    assert.equal(snap.status, 'error');
    assert.equal(snap.error.code, 'interrupted');
    assert.equal(snap.error.retryable, true);
    assert.equal(snap.text, 'partial');
    s.dispose();
  });

  test('a transport failure keeps the partial answer; abort keeps it too', () => {
    const s = stream();
    s.feed(sse('text_delta', '"so far"'));
    s.fail(new Error('socket hang up'));
    assert.equal(s.snapshot().status, 'error');
    assert.equal(s.snapshot().error.code, 'network_error');
    assert.equal(s.snapshot().error.message, 'socket hang up');
    assert.equal(s.snapshot().text, 'so far');
    const t = stream();
    t.feed(sse('text_delta', '"so far"'));
    t.abort();
    assert.equal(t.snapshot().status, 'aborted');
    assert.equal(t.snapshot().text, 'so far');
    s.dispose();
    t.dispose();
  });

  test('done carries finish reason and usage; lastEventId follows the ids', () => {
    const s = stream();
    s.feed(sse('text_delta', '"x"', '7') + sse('done', { finish_reason: 'length', usage: { input_tokens: 3, output_tokens: 9 } }));
    const snap = s.snapshot();
    assert.equal(snap.finishReason, 'length');
    assert.deepEqual(snap.usage, { inputTokens: 3, outputTokens: 9 });
    assert.equal(snap.lastEventId, '7');
    assert.equal(s.lastEventId, '7');
    s.dispose();
  });

  test('limits end the message with a clear code and keep what came before', () => {
    const s = new MessageStream({ protocol: 'native', maxParts: 2 });
    s.feed(sse('text_delta', '"a"') + sse('tool_start', { id: '1', name: 'x', input: {} }) + sse('text_delta', '"b"'));
    assert.equal(s.snapshot().status, 'error');
    assert.equal(s.snapshot().error.code, 'too_many_parts');
    assert.equal(s.snapshot().parts.length, 2);
    assert.equal(s.snapshot().text, 'a');
    s.dispose();
  });
});

describe('snapshots', () => {
  test('the same object while nothing changed; frozen; unchanged parts keep identity', () => {
    const s = stream();
    s.feed(sse('text_delta', '"a"') + sse('tool_start', { id: 't', name: 'x' }));
    const a = s.snapshot();
    assert.equal(s.snapshot(), a);
    assert.equal(s.getSnapshot(), a);
    assert.ok(Object.isFrozen(a) && Object.isFrozen(a.parts) && Object.isFrozen(a.parts[0]));
    s.feed(sse('tool_delta', { id: 't', delta: '{"k": [1' }));
    const b = s.snapshot();
    assert.notEqual(b, a);
    assert.equal(b.parts[0], a.parts[0], 'the text part did not change');
    assert.notEqual(b.parts[1], a.parts[1]);
    s.feed(': comment only\n\n');
    assert.equal(s.snapshot(), b, 'a comment changes nothing');
    s.dispose();
  });

  test('closed subtrees of a streaming input keep identity', () => {
    const s = stream();
    s.feed(sse('tool_start', { id: 't', name: 'x' }));
    s.feed(sse('tool_delta', { id: 't', delta: '{"done": {"a": 1}, "open": "x' }));
    const a = s.snapshot().parts[0].input;
    s.feed(sse('tool_delta', { id: 't', delta: 'yz' }));
    const b = s.snapshot().parts[0].input;
    assert.equal(b.open, 'xyz');
    assert.equal(b.done, a.done);
    assert.ok(Object.isFrozen(b) && Object.isFrozen(b.done));
    s.dispose();
  });

  test('subscribe is called once per change, unsubscribe stops it', () => {
    const s = stream();
    let calls = 0;
    const off = s.subscribe(() => calls++);
    s.feed(sse('text_delta', '"a"') + sse('text_delta', '"b"'));
    assert.equal(calls, 1, 'one feed, one notification');
    s.feed(': nothing\n\n');
    assert.equal(calls, 1, 'no change, no notification');
    off();
    s.feed(sse('text_delta', '"c"'));
    assert.equal(calls, 1);
    s.dispose();
  });

  test('use after dispose is a clear error; dispose is idempotent', () => {
    const s = stream();
    s.dispose();
    s.dispose();
    assert.throws(() => s.feed('x'), /disposed/);
  });
});

// A best-effort value is consistent with the final one: strings are prefixes,
// objects have a subset of keys with consistent values, arrays a prefix whose last
// item may be partial; a number still being typed may differ.
function assertConsistent(partial, full, label) {
  if (partial === undefined) return;
  if (typeof full === 'string') {
    assert.equal(typeof partial, 'string', label);
    assert.ok(full.startsWith(partial), `${label}: ${JSON.stringify(partial)} is a prefix`);
  } else if (Array.isArray(full)) {
    assert.ok(Array.isArray(partial), label);
    assert.ok(partial.length <= full.length, label);
    partial.forEach((v, i) => assertConsistent(v, full[i], `${label}[${i}]`));
  } else if (full !== null && typeof full === 'object') {
    assert.equal(typeof partial, 'object', label);
    for (const k of Object.keys(partial)) {
      assert.ok(k in full, `${label}: unexpected key ${k}`);
      assertConsistent(partial[k], full[k], `${label}.${k}`);
    }
  } else if (typeof full === 'number') {
    assert.equal(typeof partial, 'number', label);
  } else {
    assert.equal(partial, full, label);
  }
}
