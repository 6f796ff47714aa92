// A streamed tool input (PartialJson's ops replayed by web/partial-value.js): long
// numbers stay O(input) (issue 12, item 1); taking a snapshot costs O(depth), the
// lazily built `input` of every retained snapshot is the value of its moment
// (item 6); keys such as "__proto__" are own keys as with JSON.parse (item 12).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ready, MessageStream, coreStats } from '../../web/index.js';
import { partialValueCounters } from '../../web/partial-value.js';
import { rng } from './fixture-replay.js';

before(() => ready());

const sse = (type, data) => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
const START = sse('tool_start', { id: 't', name: 'x' });
const delta = (piece) => sse('tool_delta', { id: 't', delta: piece });

function pieces(text, size) {
  const out = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

// ---------------------------------------------------------------------------
// Item 1: long numbers.

for (const [label, head, digit, expected] of [
  ['integer', '1', '7', Infinity],
  ['fraction', '1.', '7', 1.7777777777777777],
  ['exponent', '1e', '7', Infinity],
  ['exponent of zeros', '2E+', '0', 2000],
]) {
  test(`a 130,000-digit ${label} in 10-character tool_delta events, one feed(): done, bounded wasm memory`, () => {
    const number = head + digit.repeat(130_000) + (digit === '0' ? '3' : '');
    const text = `{"n":${number}}`;
    const body = START + pieces(text, 10).map(delta).join('') + sse('done', {});
    const before = coreStats().wasmMemoryBytes;
    const s = new MessageStream({ protocol: 'native' });
    try {
      s.feed(body); // aborted the core at 1 GB of wasm memory for the integer before the fix
      const snapshot = s.snapshot();
      assert.equal(snapshot.status, 'done');
      const part = snapshot.parts[0];
      assert.equal(part.state, 'input-available');
      assert.equal(part.inputText, text);
      assert.equal(part.input.n, expected);
      const growth = coreStats().wasmMemoryBytes - before;
      assert.ok(growth < 64 << 20, `wasm memory grew by ${(growth / 2 ** 20).toFixed(1)} MiB`);
    } finally {
      s.dispose();
    }
  });
}

test('a long number read while it streams: the value of each moment, its text kept until read', () => {
  const s = new MessageStream({ protocol: 'native' });
  s.feed(START);
  const snapshots = [];
  let text = '[1';
  s.feed(delta('[1'));
  snapshots.push([s.snapshot(), text]);
  for (let i = 0; i < 2000; i++) {
    const piece = i === 150 ? '.5' : '9';
    text += piece;
    s.feed(delta(piece));
    snapshots.push([s.snapshot(), text]);
  }
  s.feed(delta('e'));
  snapshots.push([s.snapshot(), `${text}e`]); // "…e" still shows the number before it
  for (const [snapshot, prefix] of snapshots.reverse()) {
    assert.deepEqual(snapshot.parts[0].input, [Number(prefix.slice(1).replace(/e$/, ''))]);
  }
  s.dispose();
});

// ---------------------------------------------------------------------------
// Item 12: keys that are special to JavaScript objects.

// Strict structural equality: same types, same own keys in the same order, same
// prototype, numbers by Object.is; every object frozen when `frozen`.
function same(actual, expected, path = 'input', frozen = true) {
  if (expected === null || typeof expected !== 'object') {
    if (!Object.is(actual, expected)) assert.fail(`${path}: ${String(actual)} !== ${String(expected)}`);
    return;
  }
  if (actual === null || typeof actual !== 'object') assert.fail(`${path}: ${String(actual)} is not an object`);
  if (Array.isArray(actual) !== Array.isArray(expected)) assert.fail(`${path}: array vs object`);
  if (Object.getPrototypeOf(actual) !== Object.getPrototypeOf(expected)) assert.fail(`${path}: another prototype`);
  if (frozen && !Object.isFrozen(actual)) assert.fail(`${path}: not frozen`);
  const keys = Reflect.ownKeys(actual);
  assert.deepEqual(keys, Reflect.ownKeys(expected), `${path}: own keys`);
  for (const key of keys) {
    if (key === 'length') continue;
    const a = Object.getOwnPropertyDescriptor(actual, key);
    const e = Object.getOwnPropertyDescriptor(expected, key);
    if (!a.enumerable || !('value' in a)) assert.fail(`${path}.${key}: not an enumerable data property`);
    same(a.value, e.value, `${path}[${JSON.stringify(key)}]`, frozen);
  }
}

test('"__proto__", "constructor" and numeric-like keys are own keys while streaming, as JSON.parse makes them', () => {
  const text = '{"__proto__": {"x": 1}, "constructor": "c", "10": 1, "b": 2, "2": [{"__proto__": null}], "toString": 0, "after": 3}';
  const s = new MessageStream({ protocol: 'native' });
  s.feed(START);
  for (let cut = 1; cut < text.length; cut++) {
    s.feed(delta(text[cut - 1]));
    const input = s.snapshot().parts[0].input;
    if (text[cut - 1] === ',') same(input, JSON.parse(`${text.slice(0, cut - 1)}}`), `input at ${cut}`);
  }
  s.feed(delta(text.at(-1)));
  same(s.snapshot().parts[0].input, JSON.parse(text));
  s.dispose();
});

test('the issue\'s case: {"__proto__": …, "after": …} while streaming has both own keys', () => {
  const s = new MessageStream({ protocol: 'native' });
  s.feed(START);
  s.feed(delta('{"__proto__": {"polluted": true}, "after": 1'));
  const input = s.snapshot().parts[0].input;
  assert.deepEqual(Object.keys(input), ['__proto__', 'after']);
  assert.equal(Object.getPrototypeOf(input), Object.prototype);
  assert.equal(input.polluted, undefined);
  same(input, JSON.parse('{"__proto__": {"polluted": true}, "after": 1}'));
  s.dispose();
});

// ---------------------------------------------------------------------------
// Item 6: lazy input, as of its snapshot.

// An independent best-effort parser for a valid JSON prefix, by the rules of
// src/partial_json.h (no surrogate escapes: the generator below makes none).
function reference(text) {
  let i = 0;
  const NONE = null;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const define = (object, key, value) => {
    if (Object.hasOwn(object, key)) reference.repeatedKeys++;
    Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  };
  const ESCAPES = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
  function string() {
    i++;
    let s = '';
    while (i < text.length) {
      const c = text[i];
      if (c === '"') {
        i++;
        return { value: s, done: true };
      }
      if (c === '\\') {
        if (i + 1 >= text.length) break;
        if (text[i + 1] === 'u') {
          if (i + 6 > text.length) break;
          s += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else {
          s += ESCAPES[text[i + 1]];
          i += 2;
        }
        continue;
      }
      s += c;
      i++;
    }
    i = text.length;
    return { value: s, done: false };
  }
  function container(open) {
    const isArray = open === '[';
    const result = isArray ? [] : {};
    i++;
    for (;;) {
      ws();
      if (i >= text.length) return { value: result, done: false };
      if (text[i] === (isArray ? ']' : '}')) {
        i++;
        return { value: result, done: true };
      }
      if (text[i] === ',') {
        i++;
        ws();
      }
      let key;
      if (!isArray) {
        if (i >= text.length) return { value: result, done: false };
        key = string();
        if (!key.done) return { value: result, done: false };
        ws();
        if (i >= text.length) return { value: result, done: false };
        i++; // ':'
      }
      const item = value();
      if (item === NONE) return { value: result, done: false };
      if (isArray) result.push(item.value);
      else define(result, key.value, item.value);
      if (!item.done) return { value: result, done: false };
    }
  }
  function value() {
    ws();
    if (i >= text.length) return NONE;
    const c = text[i];
    if (c === '{' || c === '[') return container(c);
    if (c === '"') return string();
    if (c === 't' || c === 'f' || c === 'n') {
      const word = c === 't' ? 'true' : c === 'f' ? 'false' : 'null';
      let n = 0;
      while (n < word.length && i + n < text.length && text[i + n] === word[n]) n++;
      i += n;
      return { value: JSON.parse(word), done: n === word.length };
    }
    let j = i;
    while (j < text.length && '-+.eE0123456789'.includes(text[j])) j++;
    const shown = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, j));
    const done = j < text.length;
    i = j;
    return shown ? { value: Number(shown[0]), done } : NONE;
  }
  const result = value();
  return result === NONE ? undefined : result.value;
}
reference.repeatedKeys = 0;

// Random JSON text: repeated keys (the last wins, in the first one's place), keys
// special to JavaScript, long and odd numbers, escapes, wide arrays, whitespace.
const KEYS = ['a', 'b', '__proto__', 'constructor', 'toString', '10', '2', '0', '', 'k y', 'é', '😀', 'a'];
const WORDS = ['x', 'café', 'line\nbreak', 'tab\there', 'q"uote', 'back\\slash', '\u0001', '😀', '', 'ünï', ' '];
function randomText(random, depth = 0) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  const space = () => (random() < 0.15 ? pick([' ', '\n  ', '\t']) : '');
  const kind = depth === 0 ? 5 + Math.floor(random() * 2) : Math.floor(random() * (depth > 3 ? 5 : 7));
  switch (kind) {
    case 0: return pick(['null', 'true', 'false']);
    case 1: return String(Math.floor(random() * 2e6) - 1e6);
    case 2: return pick(['-0', '0.5', '-12.25e+3', '1E9', '3e-7', '0.000', '1e999', '-1e-999', '123456789012345678901234567890']);
    case 3: {
      const digits = (n) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');
      return `${random() < 0.5 ? '-' : ''}${1 + Math.floor(random() * 9)}${digits(Math.floor(random() * 40))}` +
        `${random() < 0.5 ? `.${digits(1 + Math.floor(random() * 40))}` : ''}${random() < 0.3 ? `e${pick(['', '+', '-'])}${digits(1 + Math.floor(random() * 3))}` : ''}`;
    }
    case 4: return JSON.stringify(pick(WORDS) + pick(WORDS) + (random() < 0.1 ? 'y'.repeat(40) : ''));
    case 5: {
      const n = random() < 0.1 ? 20 + Math.floor(random() * 40) : Math.floor(random() * 6);
      return `[${space()}${Array.from({ length: n }, () => randomText(random, depth + 1) + space()).join(`,${space()}`)}]`;
    }
    default: {
      const n = Math.floor(random() * 7);
      const members = Array.from({ length: n }, () => `${JSON.stringify(pick(KEYS))}${space()}:${space()}${randomText(random, depth + 1)}`);
      return `{${space()}${members.join(`${space()},${space()}`)}${space()}}`;
    }
  }
}

function randomPieces(text, random, max) {
  const out = [];
  for (let i = 0; i < text.length;) {
    let end = Math.min(text.length, i + 1 + Math.floor(random() * max));
    const code = text.charCodeAt(end - 1);
    if (code >= 0xd800 && code <= 0xdbff) end++; // a JS string cut inside a surrogate pair is another item
    out.push(text.slice(i, end));
    i = end;
  }
  return out;
}

test('the reference parser agrees with JSON.parse on complete texts', () => {
  const random = rng(7);
  for (let round = 0; round < 300; round++) {
    const text = randomText(random);
    same(reference(text), JSON.parse(text), `round ${round}: ${text}`, false);
  }
});

test('every retained snapshot\'s input, read afterwards in random order, is the best-effort value of its moment', () => {
  const random = rng(2026);
  let checked = 0;
  const repeatedBefore = reference.repeatedKeys;
  for (let round = 0; round < 200; round++) {
    const text = randomText(random);
    const s = new MessageStream({ protocol: 'native' });
    s.feed(START);
    const retained = [];
    let prefix = '';
    for (const piece of randomPieces(text, random, round % 2 ? 3 : 9)) {
      s.feed(delta(piece));
      prefix += piece;
      const snapshot = s.snapshot();
      retained.push({ snapshot, prefix });
      // Some inputs are read at once: reading must not disturb later snapshots.
      if (random() < 0.2) same(snapshot.parts[0].input, reference(prefix), `round ${round} at once, prefix ${JSON.stringify(prefix)}`);
    }
    assert.equal(s.snapshot().parts[0].state, 'input-available');
    for (let k = retained.length - 1; k > 0; k--) {
      const j = Math.floor(random() * (k + 1));
      [retained[k], retained[j]] = [retained[j], retained[k]];
    }
    for (const { snapshot, prefix: p } of retained) {
      same(snapshot.parts[0].input, reference(p), `round ${round}, prefix ${JSON.stringify(p)}`);
      checked++;
    }
    s.dispose();
  }
  assert.ok(checked > 3000, `${checked} snapshots checked`);
  const repeated = reference.repeatedKeys - repeatedBefore;
  assert.ok(repeated > 100, `${repeated} repeated keys met`);
});

test('a repeated key replacing an earlier member does not change snapshots taken before it', () => {
  const s = new MessageStream({ protocol: 'native' });
  s.feed(START);
  const steps = ['{"a": [1, 2], "b": "x', 'y", "a": 7', '0', ', "b": {"c": 1', '}, "a": "z"'];
  const snapshots = [];
  let prefix = '';
  for (const step of steps) {
    s.feed(delta(step));
    prefix += step;
    snapshots.push([s.snapshot(), prefix]);
  }
  for (const [snapshot, p] of snapshots.reverse()) same(snapshot.parts[0].input, reference(p), p);
  assert.deepEqual(snapshots[0][0].parts[0].input, { a: 'z', b: { c: 1 } });
  assert.deepEqual(snapshots[4][0].parts[0].input, { a: [1, 2], b: 'x' });
  s.dispose();
});

test('the lazy input is an enumerable, cached getter: JSON.stringify, spread and identity behave', () => {
  const s = new MessageStream({ protocol: 'native' });
  s.feed(START);
  s.feed(delta('{"done": {"a": 1}, "list": [1, 2'));
  const first = s.snapshot();
  const part = first.parts[0];
  assert.ok(Object.isFrozen(part));
  assert.equal(part.input, part.input, 'built once, the same object on every read');
  assert.equal(JSON.stringify(first.parts), JSON.stringify([{ type: 'tool', id: 't', name: 'x', state: 'input-streaming',
    inputText: '{"done": {"a": 1}, "list": [1, 2', input: { done: { a: 1 }, list: [1, 2] } }]));
  assert.deepStrictEqual(part, { type: 'tool', id: 't', name: 'x', state: 'input-streaming',
    inputText: '{"done": {"a": 1}, "list": [1, 2', input: { done: { a: 1 }, list: [1, 2] } });
  assert.deepEqual(Object.keys(part), ['type', 'id', 'name', 'state', 'inputText', 'input']);
  assert.deepEqual({ ...part }.input, { done: { a: 1 }, list: [1, 2] });
  assert.deepEqual(structuredClone(part).input, { done: { a: 1 }, list: [1, 2] });
  // Whitespace changes inputText, not the value: a new part, the same input.
  s.feed(delta('  '));
  const second = s.snapshot();
  assert.notEqual(second.parts[0], part);
  assert.equal(second.parts[0].input, part.input);
  // Unchanged subtrees keep their identity.
  s.feed(delta(', 3], "more": true'));
  const third = s.snapshot().parts[0].input;
  assert.equal(third.done, part.input.done);
  assert.deepEqual(third, { done: { a: 1 }, list: [1, 2, 3], more: true });
  // The first snapshot still reads its own moment; nothing copied when it is read again.
  const copied = partialValueCounters.copied;
  assert.deepEqual(first.parts[0].input, { done: { a: 1 }, list: [1, 2] });
  assert.equal(partialValueCounters.copied, copied);
  s.dispose();
});

for (const [label, n, item] of [
  ['a 40,000-element array', 40_000, (i) => (i % 3 === 0 ? `"s${i}"` : String(i))],
  ['a 4,000-key object', 4_000, (i) => `"key${i}":${i}`],
]) {
  test(`${label} in 8-character pieces with a snapshot after each: snapshots copy nothing, one read copies it once`, () => {
    const isArray = label.includes('array');
    const members = Array.from({ length: n }, (_, i) => item(i));
    const text = `{"wide":${isArray ? '[' : '{'}${members.join(',')}${isArray ? ']' : '}'}}`;
    const s = new MessageStream({ protocol: 'native' });
    s.feed(START);
    const all = pieces(text, 8);
    const start = partialValueCounters.copied;
    let last;
    for (const piece of all.slice(0, -2)) {
      s.feed(delta(piece));
      last = s.snapshot(); // not reading input
    }
    // O(depth) per snapshot: no item of the open container is copied.
    assert.equal(partialValueCounters.copied - start, 0, 'items copied by snapshots');
    const input = last.parts[0].input;
    assert.ok(partialValueCounters.copied - start <= n + 2, `one read copied ${partialValueCounters.copied - start} items`);
    same(input, reference(all.slice(0, -2).join('')));
    for (const piece of all.slice(-2)) s.feed(delta(piece));
    assert.deepEqual(s.snapshot().parts[0].input, JSON.parse(text));
    s.dispose();
  });
}

test('4,000 keys, then 5,000 repeats of one key, a snapshot per 8 characters: no copies; old snapshots keep their values', () => {
  const keys = Array.from({ length: 4_000 }, (_, i) => `"k${i}":${i}`);
  const repeats = Array.from({ length: 5_000 }, (_, i) => `"k0":${-i}`);
  const text = `{${[...keys, ...repeats].join(',')}}`;
  const s = new MessageStream({ protocol: 'native' });
  s.feed(START);
  const start = partialValueCounters.copied;
  const retained = [];
  let prefix = '';
  for (const piece of pieces(text, 8).slice(0, -1)) {
    s.feed(delta(piece));
    prefix += piece;
    const snapshot = s.snapshot();
    if (retained.length === 0 || retained.length * 4_000 < prefix.length) retained.push([snapshot, prefix]);
  }
  // A repeated key is logged for the marks to undo, not copied: snapshots stay O(depth).
  assert.equal(partialValueCounters.copied - start, 0, 'members copied by snapshots');
  for (const [snapshot, p] of retained.reverse()) same(snapshot.parts[0].input, reference(p), `prefix of ${p.length}`);
  assert.ok(retained.length >= 20);
  s.feed(delta(pieces(text, 8).at(-1)));
  assert.deepEqual(s.snapshot().parts[0].input, JSON.parse(text));
  s.dispose();
});
