// Workload 2: a streaming tool input (partial JSON) of 20, 100 and 500 KB, in 3–10
// character fragments, with the best-effort value read after EVERY fragment.
//   ours:       MessageStream({ protocol: 'native' }) fed `tool_start`, then one
//               `tool_delta` event per fragment; snapshot().parts[0].input per fragment
//   ours, core: the same feeds, input read once at the end (C++ PartialJson and the
//               per-feed patch, without the JavaScript value materialization)
//   partial-json parse(buffer) and ai's parsePartialJson(buffer) on the whole buffer
//               after each fragment: O(n²) over the stream.
// The re-parsing baselines get slow fast (minutes at 500 KB), so each runs as many
// full rounds as fit a budget; a run predicted to take longer than FULL_RUN_MAX_MS is
// measured by sampling instead: the buffer grows fragment by fragment as usual, but
// only every k-th parse is timed and the sum is multiplied by k (the parse calls of a
// systematic sample have the same size distribution as all of them).
import { parse as partialJsonParse } from 'partial-json';
import * as aiModule from 'ai';
import { MessageStream } from '../web/index.js';
import { fragment, nativeToolEvents, rowsInput, writeFileInput } from './inputs.js';
import { compare, fmtMBs, fmtMs, fmtRatio, gc, log, median, now, ratio, table, version } from './lib.js';
import { formatBuckets, profile } from './profile.js';

const SIZES_KB = [20, 100, 500];
const FULL_RUN_MAX_MS = 5000;     // predicted longer than this: sampled instead
const CONTENDER_BUDGET_MS = 3000; // full rounds of one baseline at one size
const SAMPLE_BUDGET_MS = 2000;    // parse time actually spent by one sampled run

const parsePartialJson = typeof aiModule.parsePartialJson === 'function' ? aiModule.parsePartialJson : null;

const SHAPES = [
  { key: 'write', title: '(a) "write file" call: `{"path": "...", "content": "<long text>"}`', make: writeFileInput, seed: 201 },
  { key: 'rows', title: '(b) structured call: `{"rows": [{"id","name","tags","score"}, ...]}`', make: rowsInput, seed: 301 },
];

function oursRun(events, readEveryFragment) {
  const { start, bytes, offsets } = events;
  const n = offsets.length - 1;
  return () => {
    const stream = new MessageStream({ protocol: 'native' });
    stream.feed(start);
    let input;
    for (let i = 0; i < n; i++) {
      stream.feed(bytes.subarray(offsets[i], offsets[i + 1]));
      if (readEveryFragment) input = stream.snapshot().parts[0].input;
    }
    input = stream.snapshot().parts[0].input;
    stream.dispose();
    return input;
  };
}

function reparseRun(fragments, parseFn, isAsync) {
  if (isAsync) {
    return async () => {
      let buffer = '';
      let value;
      for (const f of fragments) {
        buffer += f;
        value = (await parseFn(buffer)).value;
      }
      return value;
    };
  }
  return () => {
    let buffer = '';
    let value;
    for (const f of fragments) {
      buffer += f;
      value = parseFn(buffer);
    }
    return value;
  };
}

// Times every k-th parse only (phase k-1, so the last fragments are in the sample).
function sampledRun(fragments, parseFn, isAsync, k) {
  return async () => {
    let buffer = '';
    let ms = 0;
    for (let i = 0; i < fragments.length; i++) {
      buffer += fragments[i];
      if (i % k === k - 1) {
        const t0 = now();
        if (isAsync) await parseFn(buffer);
        else parseFn(buffer);
        ms += now() - t0;
      }
    }
    const last = isAsync ? (await parseFn(buffer)).value : parseFn(buffer);
    return { result: last, ms: ms * k };
  };
}

// Time of each tenth of the stream (ours, input read after every fragment): flat
// for a linear cost, growing for a cost that depends on the size so far. Returns the
// median time of each tenth and the growth: the median over runs of
// (last two tenths) / (first two tenths).
function tenths(events, reps = 5) {
  const { start, bytes, offsets } = events;
  const n = offsets.length - 1;
  const runs = [];
  for (let r = 0; r < reps; r++) {
    gc();
    const stream = new MessageStream({ protocol: 'native' });
    stream.feed(start);
    const times = [];
    for (let d = 0; d < 10; d++) {
      const t0 = now();
      for (let i = Math.floor((d * n) / 10); i < Math.floor(((d + 1) * n) / 10); i++) {
        stream.feed(bytes.subarray(offsets[i], offsets[i + 1]));
        stream.snapshot().parts[0].input;
      }
      times.push(now() - t0);
    }
    stream.dispose();
    runs.push(times);
  }
  return {
    times: runs[0].map((_, d) => median(runs.map((t) => t[d]))),
    growth: median(runs.map((t) => (t[8] + t[9]) / (t[0] + t[1]))),
  };
}

// Untimed: does ours show the same best-effort value as partial-json mid-stream?
function agreement(events, fragments, every = 10) {
  const { start, bytes, offsets } = events;
  const stream = new MessageStream({ protocol: 'native' });
  stream.feed(start);
  let buffer = '';
  let compared = 0;
  let differ = 0;
  let whitespace = 0; // partial-json trims the buffer: an open string loses trailing whitespace
  let example = null;
  for (let i = 0; i < fragments.length; i++) {
    stream.feed(bytes.subarray(offsets[i], offsets[i + 1]));
    buffer += fragments[i];
    if (i % every !== 0) continue;
    const ours = JSON.stringify(stream.snapshot().parts[0].input);
    let theirs;
    try {
      theirs = JSON.stringify(partialJsonParse(buffer));
    } catch (e) {
      theirs = `(throws ${e.constructor.name})`;
    }
    compared++;
    if (ours !== theirs) {
      differ++;
      if (/\s$/.test(buffer)) whitespace++;
      else if (!example) example = { tail: buffer.slice(-40), ours: ours?.slice(-80), theirs: theirs?.slice(-80) };
    }
  }
  stream.dispose();
  return { compared, differ, whitespace, example };
}

async function runShape(shape, rounds) {
  const baselines = [
    { key: 'pj', label: `partial-json ${version('partial-json')} \`parse(buffer)\` per fragment`, fn: partialJsonParse, isAsync: false },
  ];
  if (parsePartialJson) baselines.push({ key: 'ai', label: `\`ai\` ${version('ai')} \`await parsePartialJson(buffer)\` per fragment`, fn: parsePartialJson, isAsync: true });
  const prev = new Map(); // baseline key -> { bytes, ms } of the previous size
  const rows = [];
  const facts = { sizes: [] };
  let agree = null;
  const eventsBySize = new Map();

  for (const kb of SIZES_KB) {
    const text = shape.make(kb * 1024, shape.seed + kb);
    const bytes = Buffer.byteLength(text);
    const fragments = fragment(text, shape.seed + kb + 1);
    const events = nativeToolEvents(fragments, shape.key === 'write' ? 'write_file' : 'insert_rows');
    eventsBySize.set(kb, events);
    const expected = JSON.stringify(JSON.parse(text));
    log(`  partial ${shape.key} ${kb} KB: ${bytes} bytes, ${fragments.length} fragments`);
    if (!agree) agree = agreement(events, fragments);

    const contenders = [
      { name: 'ours', run: oursRun(events, true) },
      { name: 'core', run: oursRun(events, false) },
    ];
    const plans = new Map();
    for (const b of baselines) {
      let predicted;
      const p = prev.get(b.key);
      if (p) {
        predicted = p.ms * (bytes / p.bytes) ** 2;
      } else {
        gc(); // probe run: warms the baseline up and tells how long one run takes
        const t0 = now();
        await reparseRun(fragments, b.fn, b.isAsync)();
        predicted = now() - t0;
      }
      if (predicted <= FULL_RUN_MAX_MS) {
        const n = Math.max(1, Math.min(rounds, Math.floor(CONTENDER_BUDGET_MS / predicted)));
        plans.set(b.key, { predicted, k: 1, rounds: n });
        contenders.push({ name: b.key, run: reparseRun(fragments, b.fn, b.isAsync), rounds: n, warmup: 0 });
      } else {
        const k = Math.ceil(predicted / SAMPLE_BUDGET_MS);
        plans.set(b.key, { predicted, k, rounds: 1 });
        contenders.push({ name: b.key, run: sampledRun(fragments, b.fn, b.isAsync, k), rounds: 1, warmup: 0, timed: true });
      }
    }
    const r = await compare(contenders, {
      rounds,
      warmup: 1,
      check(results) {
        for (const [name, value] of Object.entries(results)) {
          if (JSON.stringify(value) !== expected) {
            throw new Error(`bench: partial JSON ${shape.key} ${kb} KB: ${name}'s final value differs from JSON.parse of the input`);
          }
        }
      },
    });
    const size = { kb, bytes, fragments: fragments.length, ours: r.ours.median, core: r.core.median, baselines: {} };
    rows.push([`**sse-wasm**, input read after every fragment`, `${kb} KB`, fmtMs(r.ours.median), fmtMBs(bytes, r.ours.median), '1.00×', `${r.ours.rounds}`]);
    rows.push([`sse-wasm core only (input read once, at the end)`, `${kb} KB`, fmtMs(r.core.median), fmtMBs(bytes, r.core.median), fmtRatio(ratio(r, 'core', 'ours')), `${r.core.rounds}`]);
    for (const b of baselines) {
      const plan = plans.get(b.key);
      const res = r[b.key];
      const how = plan.k > 1 ? `1, sampled: 1 parse in ${plan.k} timed, ×${plan.k} †` : `${res.rounds}`;
      rows.push([b.label, `${kb} KB`, `${plan.k > 1 ? '≈ ' : ''}${fmtMs(res.median)}`, fmtMBs(bytes, res.median), fmtRatio(ratio(r, b.key, 'ours')), how]);
      size.baselines[b.key] = { ms: res.median, sampled: plan.k, rounds: res.rounds, predicted: plan.predicted };
      prev.set(b.key, { bytes, ms: res.median });
    }
    facts.sizes.push(size);
    if (kb === SIZES_KB[SIZES_KB.length - 1]) {
      facts.tenths = tenths(events);
      facts.profiles = {
        ours: formatBuckets(await profile(oursRun(events, true), 1)),
        core: formatBuckets(await profile(oursRun(events, false), 1)),
      };
    }
  }

  const [s20, s100, s500] = facts.sizes;
  // Linearity: 100 and 500 KB interleaved in the same rounds, so that the ratio is
  // paired (a load change between two separate measurements would skew it).
  const e100 = eventsBySize.get(100);
  const e500 = eventsBySize.get(500);
  const lin = await compare([
    { name: 'ours 100', run: oursRun(e100, true) },
    { name: 'ours 500', run: oursRun(e500, true) },
    { name: 'core 100', run: oursRun(e100, false) },
    { name: 'core 500', run: oursRun(e500, false) },
  ], { rounds, warmup: 1 });
  facts.linear = { ours: ratio(lin, 'ours 500', 'ours 100'), core: ratio(lin, 'core 500', 'core 100'), sizeRatio: s500.bytes / s100.bytes };
  facts.agree = agree;
  // Cross-check of the sampled 500 KB numbers: the power law through 20 and 100 KB.
  facts.extrapolated = {};
  for (const b of baselines) {
    const t20 = s20.baselines[b.key].ms;
    const t100 = s100.baselines[b.key].ms;
    const exponent = Math.log(t100 / t20) / Math.log(s100.bytes / s20.bytes);
    facts.extrapolated[b.key] = { exponent, ms500: t100 * (s500.bytes / s100.bytes) ** exponent, label: b.label };
  }
  return { shape, rows, facts, baselines };
}

// Wide open containers (issue 12, item 6): a 40,000-item array and a 4,000-key
// object in 8-character pieces, a snapshot after every piece, beside a string of the
// same size fed the same way. Taking a snapshot costs O(depth): `input` is built
// when read, so "snapshot per fragment" must cost about what the string costs.
// Reading `input` after every piece still copies the open container each time (a
// new frozen array per read), shown once for contrast.
const WIDE_PIECE = 8;

function wideTexts() {
  const items = Array.from({ length: 40_000 }, (_, i) => String((i * 7919) % 100_000));
  const keys = Array.from({ length: 4_000 }, (_, i) => `"k${i}":${i}`);
  const array = `{"rows":[${items.join(',')}]}`;
  const object = `{"rows":{${keys.join(',')}}}`;
  const string = (like) => `{"rows":"${'x'.repeat(like.length - 11)}"}`;
  return [
    { key: 'array', label: '40,000-item array', text: array, same: string(array) },
    { key: 'object', label: '4,000-key object', text: object, same: string(object) },
  ];
}

function piecesOf(text) {
  const out = [];
  for (let i = 0; i < text.length; i += WIDE_PIECE) out.push(text.slice(i, i + WIDE_PIECE));
  return out;
}

async function runWide(rounds) {
  const rows = [];
  const facts = [];
  for (const w of wideTexts()) {
    const wide = nativeToolEvents(piecesOf(w.text), 'insert_rows');
    const str = nativeToolEvents(piecesOf(w.same), 'insert_rows');
    const snapshotRun = (events) => {
      const { start, bytes, offsets } = events;
      return () => {
        const stream = new MessageStream({ protocol: 'native' });
        stream.feed(start);
        for (let i = 0; i < offsets.length - 1; i++) {
          stream.feed(bytes.subarray(offsets[i], offsets[i + 1]));
          stream.snapshot();
        }
        const input = stream.snapshot().parts[0].input;
        stream.dispose();
        return input;
      };
    };
    const contenders = [
      { name: 'wide', run: snapshotRun(wide) },
      { name: 'string', run: snapshotRun(str) },
    ];
    if (w.key === 'array') contenders.push({ name: 'wide read', run: oursRun(wide, true), rounds: 1, warmup: 0 });
    const r = await compare(contenders, {
      rounds,
      warmup: 1,
      check(results) {
        for (const [name, value] of Object.entries(results)) {
          const want = name === 'string' ? w.same : w.text;
          if (JSON.stringify(value) !== JSON.stringify(JSON.parse(want))) throw new Error(`bench: wide ${w.key}: ${name}'s final value is wrong`);
        }
      },
    });
    const fragments = wide.offsets.length - 1;
    rows.push([`${w.label}, snapshot per fragment`, `${(w.text.length / 1024).toFixed(0)} KB`, `${fragments.toLocaleString('en-US')}`, fmtMs(r.wide.median), fmtRatio(ratio(r, 'wide', 'string')), `${r.wide.rounds}`]);
    rows.push([`string of the same size, snapshot per fragment`, `${(w.same.length / 1024).toFixed(0)} KB`, `${(str.offsets.length - 1).toLocaleString('en-US')}`, fmtMs(r.string.median), '1.00×', `${r.string.rounds}`]);
    if (r['wide read']) {
      rows.push([`${w.label}, snapshot and \`input\` read per fragment`, `${(w.text.length / 1024).toFixed(0)} KB`, `${fragments.toLocaleString('en-US')}`, fmtMs(r['wide read'].median), fmtRatio(r['wide read'].median / r.string.median), `${r['wide read'].rounds}`]);
    }
    facts.push({ key: w.key, wide: r.wide.median, string: r.string.median, ratio: ratio(r, 'wide', 'string'), read: r['wide read']?.median });
  }
  const header = ['input', 'size', 'fragments', 'median', 'ratio (time / string)', 'runs'];
  return { table: table(header, rows), facts };
}

export async function runPartial({ rounds = 5 } = {}) {
  const shapes = [];
  for (const shape of SHAPES) shapes.push(await runShape(shape, rounds));
  const header = ['contender', 'input', 'median', 'MB/s', 'ratio (time / ours)', 'runs'];
  log('  partial wide array / object, snapshot per fragment');
  const wide = await runWide(rounds);
  return {
    key: 'partial',
    aiExported: parsePartialJson !== null,
    shapes: shapes.map((s) => ({ ...s, table: table(header, s.rows) })),
    wide,
    summary: [...shapes.map((s) => {
      const s500 = s.facts.sizes[2];
      return `partial JSON ${s.shape.key}: ours ${fmtMs(s500.ours)} at 500 KB (core ${fmtMs(s500.core)}), t(500)/t(100) = ${s.facts.linear.ours.toFixed(2)}`;
    }), `partial JSON wide, snapshot per fragment: ${wide.facts.map((f) => `${f.key} ${fmtMs(f.wide)} vs string ${fmtMs(f.string)} (${fmtRatio(f.ratio)})`).join(', ')}`].join('\n'),
  };
}

// `node bench/partial.js wide`: only the wide-container rows.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href && process.argv[2] === 'wide') {
  const { ready } = await import('../web/index.js');
  await ready();
  const wide = await runWide(5);
  process.stdout.write(`${wide.table}\n`);
}
