// Shared benchmark machinery: a seeded PRNG, a forced GC between runs, an
// interleaving runner that repeats every contender for several rounds in one
// process, and the small formatting helpers of the report.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fs from 'node:fs';
import os from 'node:os';

// --- deterministic randomness -------------------------------------------------

/** mulberry32: a tiny seeded PRNG; returns floats in [0, 1). */
export function prng(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [lo, hi] (both inclusive). */
export function randInt(rand, lo, hi) {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

export function pick(rand, items) {
  return items[Math.floor(rand() * items.length)];
}

// --- garbage collection -------------------------------------------------------

// `npm run bench` runs plain `node bench/run.js`; expose gc() without a CLI flag so
// that no run pays for the previous contender's garbage. Default: a minor GC (the
// young generation) before every run. A full GC ('full') was tried and rejected: it
// shrinks the heap, and the next run then pays for regrowing it (every contender ran
// 2–4× slower, unevenly). BENCH_GC=none|minor|full overrides.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc');
const GC_MODE = process.env.BENCH_GC ?? 'minor';
export function gc() {
  if (GC_MODE === 'full') collect();
  else if (GC_MODE === 'minor') collect({ type: 'minor' });
}

// --- timing -------------------------------------------------------------------

export const now = () => performance.now();

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Runs contenders interleaved: untimed warm-up runs of each (`warmup`, or the
 * contender's own `warmup` count), then `rounds` rounds in which every contender runs
 * once (the order rotates each round so no contender always runs first). Before
 * every run the young generation is collected (see gc()).
 *
 * A contender is { name, run, rounds?, warmup?, timed? }: `run()` returns (or
 * resolves to) a result that `check(results)` compares across contenders. With
 * `rounds` set, the contender takes part only in the first `rounds` rounds (slow
 * baselines). With `timed`, run() resolves to { result, ms } and reports its own
 * time (sampled estimates). Returns { name -> { times: (ms|undefined)[] by round,
 * median, rounds, result } }.
 */
export async function compare(contenders, { rounds = 5, warmup = 1, check } = {}) {
  const out = new Map(contenders.map((c) => [c.name, { times: [], median: NaN, rounds: 0, result: undefined }]));
  for (const c of contenders) {
    for (let w = 0; w < (c.warmup ?? warmup); w++) {
      gc();
      const result = await c.run();
      out.get(c.name).result = c.timed ? result.result : result;
    }
  }
  for (let r = 0; r < rounds; r++) {
    const active = contenders.filter((c) => (c.rounds ?? rounds) > r);
    for (let k = 0; k < active.length; k++) {
      const c = active[(k + r) % active.length];
      gc();
      const t0 = now();
      let result = await c.run();
      let ms = now() - t0;
      if (c.timed) ({ result, ms } = result);
      const entry = out.get(c.name);
      entry.times[r] = ms;
      entry.rounds++;
      entry.result = result;
    }
  }
  for (const entry of out.values()) entry.median = median(entry.times.filter((t) => t !== undefined));
  if (check) check(Object.fromEntries([...out].map(([name, e]) => [name, e.result])));
  return Object.fromEntries(out);
}

/**
 * time(a) / time(b) as the median of the per-round ratios (both ran in the same
 * round, back to back, so a noisy phase of the machine hits both); falls back to the
 * ratio of medians when they never shared a round.
 */
export function ratio(results, a, b) {
  const ra = results[a];
  const rb = results[b];
  const paired = [];
  for (let i = 0; i < ra.times.length; i++) {
    if (ra.times[i] !== undefined && rb.times[i] !== undefined) paired.push(ra.times[i] / rb.times[i]);
  }
  return paired.length ? median(paired) : ra.median / rb.median;
}

/** Throws (the bench fails loudly) unless every result equals the first. */
export function assertSame(label, results, key = (r) => JSON.stringify(r)) {
  const entries = Object.entries(results).filter(([, r]) => r !== undefined);
  const [firstName, first] = entries[0];
  for (const [name, r] of entries.slice(1)) {
    if (key(r) !== key(first)) {
      throw new Error(`bench: ${label}: ${name} disagrees with ${firstName}:\n  ${firstName}: ${key(first)}\n  ${name}: ${key(r)}`);
    }
  }
}

// --- formatting ---------------------------------------------------------------

export function fmtMs(ms) {
  if (!Number.isFinite(ms)) return '–';
  if (ms >= 10000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

export function fmtMBs(bytes, ms) {
  if (!Number.isFinite(ms) || ms <= 0) return '–';
  const v = bytes / 1e6 / (ms / 1000);
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

export function fmtRatio(r) {
  if (!Number.isFinite(r)) return '–';
  return `${r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}

export function fmtBytes(n) {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} KB`;
  return `${n} B`;
}

/** A markdown table from a header row and data rows; numbers columns right-aligned unless `left`. */
export function table(header, rows, { left = false } = {}) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((h, i) => (i === 0 || left ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
  };
}

/** The installed version of a dev dependency ('?' when it cannot be read). */
export function version(name) {
  try {
    const file = new URL(`../node_modules/${name}/package.json`, import.meta.url);
    return JSON.parse(fs.readFileSync(file, 'utf8')).version;
  } catch {
    return '?';
  }
}

/** Prints progress to stderr so stdout stays the report summary. */
export function log(...args) {
  process.stderr.write(`${args.join(' ')}\n`);
}
