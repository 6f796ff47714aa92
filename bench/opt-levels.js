// Not part of `npm run bench`: compares wasm builds made with different optimization
// flags, side by side. Each build lives in its own copy of web/ and dist/ (see the
// "Build flags" section of BENCHMARKS.md for how they are made):
//   node bench/opt-levels.js /tmp/v-O3 /tmp/v-Oz ...
// The first DIR is the reference: every other build's time is also given as the
// median of its per-round ratios to it. ROUNDS=n overrides the 7 rounds; ONLY=a,b runs
// only the workloads whose labels contain a or b; sizes are `gzip -9` of
// dist/sse_core.wasm.
// Each build runs in its own child process, driven round by round from here (the
// runs stay interleaved): with all builds in one process, the first one loaded ran the
// partial-JSON workloads up to 1.4x faster than a byte-identical copy loaded later.
// Workloads (the same inputs and seeds as bench/sse.js, text.js, openai.js and
// partial.js): raw SSEParser.feed on 5 MB; native text stream, snapshot per chunk
// (5 MB); OpenAI Chat text stream, snapshot per chunk (5 MB); OpenAI Chat tool call
// (500 KB of arguments in 3-10 character fragments); partial JSON (a) write-file and
// (b) rows (100 KB each), tool input read after every fragment.
import { execFileSync, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  fragment, nativeTextStream, nativeToolEvents, openAiChatTextStream, openAiChatToolStream,
  openAiDataStream, rowsInput, splitChunks, writeFileInput,
} from './inputs.js';
import { assertSame, compare, fmtMs, fmtRatio, gc, log, now, ratio } from './lib.js';

if (process.argv[2] === '--child') {
  const api = await import(`${process.argv[3]}/web/index.js`);
  await api.ready();
  const sseChunks = splitChunks(openAiDataStream(5e6, 1).bytes, 2);
  const textChunks = splitChunks(nativeTextStream(5e6, 3).bytes, 4);
  const chatChunks = splitChunks(openAiChatTextStream(5e6, 501).bytes, 502);
  const toolChunks = splitChunks(openAiChatToolStream(fragment(writeFileInput(500 * 1024, 601), 602), 603).bytes, 604);
  const partial = (make, seed, name) => nativeToolEvents(fragment(make(100 * 1024, seed + 100), seed + 101), name);
  const writeEvents = partial(writeFileInput, 201, 'write_file');
  const rowsEvents = partial(rowsInput, 301, 'insert_rows');

  const textRun = (api, chunks, protocol) => () => {
    const s = new api.MessageStream({ protocol });
    let length = 0;
    for (const c of chunks) { s.feed(c); length = s.snapshot().text.length; }
    const text = s.snapshot().text;
    s.dispose();
    return { length, text };
  };
  const toolRun = (api) => () => {
    const s = new api.MessageStream({ protocol: 'openai-chat' });
    for (const c of toolChunks) s.feed(c);
    s.end();
    const input = s.snapshot().parts.find((p) => p.type === 'tool')?.input;
    s.dispose();
    return input;
  };
  const partialRun = (api, { start, bytes, offsets }) => () => {
    const s = new api.MessageStream({ protocol: 'native' });
    s.feed(start);
    let input;
    for (let i = 0; i + 1 < offsets.length; i++) {
      s.feed(bytes.subarray(offsets[i], offsets[i + 1]));
      input = s.snapshot().parts[0].input;
    }
    s.dispose();
    return input;
  };

  const workloads = [
    ['SSE parser', (api) => () => {
      const p = new api.SSEParser();
      let chars = 0;
      for (const c of sseChunks) for (const e of p.feed(c)) chars += e.data.length;
      p.dispose();
      return chars;
    }],
    ['native text', (api) => textRun(api, textChunks, 'native')],
    ['OpenAI text', (api) => textRun(api, chatChunks, 'openai-chat')],
    ['OpenAI tool', toolRun],
    ['partial (a) write', (api) => partialRun(api, writeEvents)],
    ['partial (b) rows', (api) => partialRun(api, rowsEvents)],
  ];
  process.on('message', ({ index }) => {
    const run = workloads[index][1](api);
    gc();
    const t0 = now();
    const result = run();
    const ms = now() - t0;
    process.send({ ms, result: createHash('sha256').update(JSON.stringify(result)).digest('hex') });
  });
  process.send({ ready: workloads.map(([label]) => label) });
} else {
  await main();
}

async function main() {
  const dirs = process.argv.slice(2);
  const rounds = Number(process.env.ROUNDS ?? 7);
  const self = fileURLToPath(import.meta.url);
  const builds = [];
  let labels;
  for (const dir of dirs) {
    const wasm = readFileSync(`${dir}/dist/sse_core.wasm`);
    const child = fork(self, ['--child', dir]);
    const pending = [];
    child.on('message', (m) => pending.shift()(m));
    const ask = (msg) => new Promise((resolve) => { pending.push(resolve); if (msg) child.send(msg); });
    ({ ready: labels } = await ask());
    const gz = execFileSync('gzip', ['-9', '-c', `${dir}/dist/sse_core.wasm`], { maxBuffer: 1 << 26 }).length;
    builds.push({ name: dir.split('/').pop(), child, ask, raw: wasm.length, gz });
  }
  const only = process.env.ONLY?.split(',');
  const chosen = labels.map((label, index) => ({ label, index }))
    .filter(({ label }) => !only || only.some((w) => label.includes(w)));
  const results = [];
  for (const { index } of chosen) {
    const r = await compare(builds.map((b) => ({ name: b.name, timed: true, run: () => b.ask({ index }) })), {
      rounds, warmup: 2, check: (res) => assertSame(labels[index], res),
    });
    results.push(r);
    log(`${labels[index]} done`);
  }
  for (const b of builds) b.child.kill();
  const ref = builds[0].name;
  console.log(`| build | wasm raw | wasm gzip -9 | ${chosen.map((c) => c.label).join(' | ')} |`);
  console.log(`|---|---:|---:|${chosen.map(() => '---:').join('|')}|`);
  for (const b of builds) {
    const cells = results.map((r) => b.name === ref ? fmtMs(r[b.name].median)
      : `${fmtMs(r[b.name].median)} (${fmtRatio(ratio(r, b.name, ref))})`);
    console.log(`| ${b.name} | ${b.raw} B | ${b.gz} B | ${cells.join(' | ')} |`);
  }
}
