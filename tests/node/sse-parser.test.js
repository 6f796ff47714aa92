// SSEParser against the spec-as-data fixtures (tests/fixtures/sse/*.json), replayed
// whole, at every split point, byte by byte and in random pieces; plus a property
// test on generated streams.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { ready, SSEParser } from '../../web/index.js';

const fixturesDir = new URL('../fixtures/sse/', import.meta.url);
const files = readdirSync(fixturesDir).filter((f) => f.endsWith('.json')).sort();

function bytesOf(c) {
  return c.inputHex !== undefined
    ? Uint8Array.from(c.inputHex.replace(/\s+/g, '').match(/../g) ?? [], (h) => parseInt(h, 16))
    : new TextEncoder().encode(c.input);
}

function run(c, chunks) {
  const p = new SSEParser(c.maxEventBytes ? { maxEventBytes: c.maxEventBytes } : {});
  try {
    const events = [];
    for (const chunk of chunks) events.push(...p.feed(chunk));
    const error = p.error ? p.error.code : 'none';
    events.push(...p.end());
    return { events, lastEventId: p.lastEventId, retry: p.retry, error };
  } finally {
    p.dispose();
  }
}

function expected(c) {
  return { events: c.events, lastEventId: c.lastEventId ?? '', retry: c.retry ?? null, error: c.error ?? 'none' };
}

// A small deterministic generator, so failures reproduce.
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomChunks(bytes, random, maxPiece) {
  const chunks = [];
  for (let i = 0; i < bytes.length;) {
    const n = 1 + Math.floor(random() * maxPiece);
    chunks.push(bytes.subarray(i, i + n));
    i += n;
  }
  return chunks;
}

before(() => ready());

test('fixtures exist', () => {
  assert.ok(files.length > 0, 'no fixture files in tests/fixtures/sse');
});

for (const file of files) {
  const { cases } = JSON.parse(readFileSync(new URL(file, fixturesDir), 'utf8'));
  describe(`fixtures/sse/${file}`, () => {
    for (const c of cases) {
      test(c.name, () => {
        const bytes = bytesOf(c);
        const want = expected(c);
        assert.deepEqual(run(c, [bytes]), want, 'whole');
        if (c.inputHex === undefined) assert.deepEqual(run(c, [c.input]), want, 'as a string');
        for (let i = 1; i < bytes.length; i++) {
          assert.deepEqual(run(c, [bytes.subarray(0, i), bytes.subarray(i)]), want, `split at ${i}`);
        }
        assert.deepEqual(run(c, Array.from(bytes, (_, i) => bytes.subarray(i, i + 1))), want, 'byte by byte');
        const random = rng(bytes.length + 1);
        for (let k = 0; k < 10; k++) assert.deepEqual(run(c, randomChunks(bytes, random, 7)), want, `random ${k}`);
      });
    }
  });
}

describe('chunking never changes the result (generated streams)', () => {
  const pieces = ['data', 'data:', 'data: ', 'event', 'event: ping', 'id', 'id: 1', 'id: \0', 'retry: 10',
    'retry: x', ':', ': hi', 'x', 'é', '😀', '\r', '\n', '\r\n', '\n\n', '\r\r', ' ', '\xef\xbb\xbf'];
  const rawBytes = [0xff, 0xc3, 0xe2, 0x82, 0xf0, 0x9f, 0xed, 0xa0, 0x80, 0xef, 0xbb, 0xbf];
  test('2,000 generated inputs: whole, byte by byte, random pieces', () => {
    const random = rng(42);
    const encoder = new TextEncoder();
    for (let n = 0; n < 2000; n++) {
      const parts = [];
      const count = 1 + Math.floor(random() * 30);
      for (let i = 0; i < count; i++) {
        if (random() < 0.1) parts.push(Uint8Array.of(rawBytes[Math.floor(random() * rawBytes.length)]));
        else parts.push(encoder.encode(pieces[Math.floor(random() * pieces.length)]));
      }
      const bytes = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
      let o = 0;
      for (const p of parts) { bytes.set(p, o); o += p.length; }
      const c = {};
      const whole = run(c, [bytes]);
      assert.deepEqual(run(c, Array.from(bytes, (_, i) => bytes.subarray(i, i + 1))), whole, `byte by byte, input ${n}`);
      assert.deepEqual(run(c, randomChunks(bytes, random, 5)), whole, `random pieces, input ${n}`);
      for (const e of whole.events) assert.equal(e.data.includes('\r'), false);
    }
  });
});

describe('SSEParser API', () => {
  test('events arrive as soon as they are complete; a lone CR dispatches at once', () => {
    const p = new SSEParser();
    assert.deepEqual(p.feed('data: a\r'), []);
    assert.deepEqual(p.feed('\r'), [{ type: 'message', data: 'a', id: '' }]);
    assert.deepEqual(p.feed('\ndata: b\n\n'), [{ type: 'message', data: 'b', id: '' }], 'the LF after CR is not a blank line');
    p.dispose();
  });

  test('lastEventId and retry persist across end(); end() discards an incomplete event', () => {
    const p = new SSEParser();
    p.feed('id: 42\nretry: 1500\ndata: x\n\ndata: incomplete');
    assert.deepEqual(p.end(), []);
    assert.equal(p.lastEventId, '42');
    assert.equal(p.retry, 1500);
    assert.deepEqual(p.feed('data: y\n\n'), [{ type: 'message', data: 'y', id: '42' }]);
    p.dispose();
  });

  test('a too-large event is a clear error, events before it stay, the parser recovers after end()', () => {
    const p = new SSEParser({ maxEventBytes: 16 });
    const events = p.feed(`data: ok\n\ndata: ${'x'.repeat(64)}\n\ndata: after\n\n`);
    assert.deepEqual(events, [{ type: 'message', data: 'ok', id: '' }]);
    assert.equal(p.error.code, 'event_too_large');
    assert.match(p.error.message, /maxEventBytes/);
    assert.deepEqual(p.feed('data: ignored\n\n'), [], 'input is ignored while the error is latched');
    p.end();
    assert.equal(p.error, null);
    assert.deepEqual(p.feed('data: next\n\n'), [{ type: 'message', data: 'next', id: '' }]);
    p.dispose();
  });

  test('large chunks and large events cross in slices without loss', () => {
    const p = new SSEParser();
    const big = 'é😀x'.repeat(100_000);
    const events = p.feed(`data: ${big}\n\n`.repeat(3));
    assert.equal(events.length, 3);
    for (const e of events) assert.equal(e.data, big);
    p.dispose();
  });

  test('dispose is idempotent, Symbol.dispose works, use after dispose is a clear error', () => {
    const p = new SSEParser();
    p[Symbol.dispose ?? Symbol.for('Symbol.dispose')]();
    p.dispose();
    assert.equal(p.disposed, true);
    assert.throws(() => p.feed('data: x\n\n'), /disposed/);
  });

  test('bad arguments are rejected clearly', () => {
    const p = new SSEParser();
    assert.throws(() => p.feed(42), TypeError);
    for (const bad of [-1, NaN, -Infinity, '100', true, 10n, {}]) {
      assert.throws(() => new SSEParser({ maxEventBytes: bad }), (error) => error instanceof TypeError
        && /maxEventBytes/.test(error.message), String(bad));
    }
    for (const fine of [undefined, null, 0]) new SSEParser({ maxEventBytes: fine }).dispose();
    p.dispose();
  });
});

describe('hostile input (issue 12)', () => {
  test('maxEventBytes at or above 2^32 - 1 is no limit: it never wraps to a small one', () => {
    const line = `data: ${'x'.repeat(22)}\n\n`; // a 28-byte line
    for (const big of [2 ** 32 + 16, 2 ** 32, 2 ** 32 - 1, 2 ** 53, Infinity]) {
      const p = new SSEParser({ maxEventBytes: big });
      assert.deepEqual(p.feed(line), [{ type: 'message', data: 'x'.repeat(22), id: '' }], `maxEventBytes ${big}`);
      assert.equal(p.error, null);
      p.dispose();
    }
    const p = new SSEParser({ maxEventBytes: 2 ** 40 });
    const big = 'y'.repeat(9 << 20); // above the 8 MiB default
    const events = p.feed(`data: ${big}\ndata: ${big}\n\n`);
    assert.equal(p.error, null);
    assert.equal(events[0].data.length, 2 * big.length + 1);
    p.dispose();
    const small = new SSEParser({ maxEventBytes: 27.9 });
    small.feed(line);
    assert.equal(small.error?.code, 'event_too_large', 'a fraction rounds down');
    small.dispose();
  });

  test("an event's id is right after an event with empty data (feed('data\\n\\nid: 7\\ndata\\n\\n'))", () => {
    const p = new SSEParser();
    assert.deepEqual(p.feed('data\n\nid: 7\ndata\n\n'),
      [{ type: 'message', data: '', id: '' }, { type: 'message', data: '', id: '7' }]);
    assert.equal(p.lastEventId, '7');
    assert.deepEqual(p.feed('event: \ndata\n\nevent: t\ndata\n\n'),
      [{ type: 'message', data: '', id: '7' }, { type: 't', data: '', id: '7' }]);
    p.dispose();
  });

  test('a leading U+FEFF in an id is kept (ids of 1 to 40 characters), only the stream BOM is stripped', () => {
    for (let n = 1; n <= 40; n++) {
      const id = `\uFEFF${'i'.repeat(n - 1)}`;
      for (const start of ['data: x\n\n', '\uFEFF', '']) {
        const p = new SSEParser();
        const events = p.feed(`${start}id: ${id}\ndata: y\n\n`);
        assert.equal(events.at(-1).id, id, `event.id, length ${n}, after ${JSON.stringify(start)}`);
        assert.equal(p.lastEventId, id, `lastEventId, length ${n}, after ${JSON.stringify(start)}`);
        p.end();
        assert.equal(p.lastEventId, id, 'after end()');
        p.dispose();
      }
    }
  });

  test('a surrogate pair split between string chunks is joined, at every split of the input', () => {
    const text = 'data: a😀b\nid: 🌸\nevent: é😀\n\n';
    const want = [{ type: 'é😀', data: 'a😀b', id: '🌸' }];
    for (let i = 0; i <= text.length; i++) {
      const p = new SSEParser();
      const events = [...p.feed(text.slice(0, i)), ...p.feed(text.slice(i))];
      assert.deepEqual(events, want, `split at ${i}`);
      assert.equal(p.lastEventId, '🌸');
      p.dispose();
    }
    const p = new SSEParser();
    assert.deepEqual(p.feed('data: a\uD83D'), []);
    assert.deepEqual(p.feed('\uDE00b\n\n'), [{ type: 'message', data: 'a😀b', id: '' }]);
    assert.deepEqual([...p.feed('data: \uD83D'), ...p.feed(''), ...p.feed('\uDE00\n\n')],
      [{ type: 'message', data: '😀', id: '' }], 'an empty chunk between the halves');
    p.dispose();
  });

  test('a high surrogate that no low one follows is U+FFFD: before a byte chunk, another character, or the end', () => {
    const p = new SSEParser();
    p.feed('data: a\uD83D');
    assert.deepEqual(p.feed(new TextEncoder().encode('b\n\n')), [{ type: 'message', data: 'a\uFFFDb', id: '' }]);
    p.feed('data: \uD83D');
    assert.deepEqual(p.feed('\uD83Dc\n\n'), [{ type: 'message', data: '\uFFFD\uFFFDc', id: '' }]);
    p.feed('data: \uD83D');
    p.end(); // the incomplete event and its lone surrogate are dropped
    assert.deepEqual(p.feed('\uDE00data: d\n\n'), [], 'a low surrogate after end() is not joined: an unknown field');
    assert.deepEqual(p.feed('data: e\n\n'), [{ type: 'message', data: 'e', id: '' }]);
    p.dispose();
  });
});
