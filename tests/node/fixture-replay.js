// Shared by the Node tests: the protocol fixtures (tests/fixtures/<protocol>/*.sse
// with a sibling *.expected.json) and a comparison of a snapshot with an expected
// final state. Fields absent from the expected file are not compared (e.g. a tool's
// inputText, or an error's message).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';

export const PROTOCOLS = ['native', 'openai-chat', 'openai-responses', 'anthropic', 'ai-sdk', 'gemini'];

export function loadFixtures(protocol) {
  const dir = new URL(`../fixtures/${protocol}/`, import.meta.url);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.sse')).sort().map((file) => ({
    name: file.replace(/\.sse$/, ''),
    bytes: new Uint8Array(readFileSync(new URL(file, dir))),
    expected: JSON.parse(readFileSync(new URL(file.replace(/\.sse$/, '.expected.json'), dir), 'utf8')),
  }));
}

export function assertMatches(snapshot, expected, label) {
  for (const key of ['status', 'text', 'finishReason', 'usage']) {
    if (key in expected) assert.deepEqual(snapshot[key], expected[key], `${label}: ${key}`);
  }
  if ('error' in expected) {
    if (expected.error === null) assert.equal(snapshot.error, null, `${label}: error`);
    else {
      assert.ok(snapshot.error, `${label}: an error was expected`);
      for (const [k, v] of Object.entries(expected.error)) assert.deepEqual(snapshot.error[k], v, `${label}: error.${k}`);
    }
  }
  if ('parts' in expected) {
    assert.equal(snapshot.parts.length, expected.parts.length,
      `${label}: part count (got ${JSON.stringify(snapshot.parts.map((p) => p.type))})`);
    expected.parts.forEach((want, i) => {
      for (const [k, v] of Object.entries(want)) assert.deepEqual(snapshot.parts[i][k], v, `${label}: parts[${i}].${k}`);
    });
  }
}

// A small deterministic generator, so failures reproduce.
export function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomChunks(bytes, random, maxPiece) {
  const chunks = [];
  for (let i = 0; i < bytes.length;) {
    const n = 1 + Math.floor(random() * maxPiece);
    chunks.push(bytes.subarray(i, i + n));
    i += n;
  }
  return chunks;
}
