// Not part of `npm run bench`: compares wasm builds made at different optimization
// levels, side by side in one process. Each build lives in its own copy of web/ and
// dist/ (see the "Build flags" section of BENCHMARKS.md for how they are made):
//   node bench/opt-levels.js /tmp/v-O3 /tmp/v-Oz ...
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { openAiDataStream, nativeTextStream, splitChunks } from './inputs.js';
import { compare, fmtMs, log } from './lib.js';

const dirs = process.argv.slice(2);
const builds = [];
for (const dir of dirs) {
  const api = await import(`${dir}/web/index.js`);
  await api.ready();
  const size = gzipSync(readFileSync(`${dir}/dist/sse_core.mjs`), { level: 9 }).length;
  builds.push({ name: dir.split('/').pop(), api, size });
}

const sseChunks = splitChunks(openAiDataStream(5e6, 1).bytes, 2);
const textChunks = splitChunks(nativeTextStream(5e6, 3).bytes, 4);

const sse = await compare(builds.map((b) => ({ name: b.name, run: () => {
  const p = new b.api.SSEParser();
  let chars = 0;
  for (const c of sseChunks) for (const e of p.feed(c)) chars += e.data.length;
  p.dispose();
  return chars;
} })), { rounds: 7, warmup: 2 });

const text = await compare(builds.map((b) => ({ name: b.name, run: () => {
  const s = new b.api.MessageStream({ protocol: 'native' });
  let length = 0;
  for (const c of textChunks) { s.feed(c); length = s.snapshot().text.length; }
  s.dispose();
  return length;
} })), { rounds: 7, warmup: 2 });

console.log('| build | dist/sse_core.mjs gzipped | SSE parser (5 MB) | native text stream (5 MB) |');
console.log('|---|---:|---:|---:|');
for (const b of builds) {
  console.log(`| ${b.name} | ${(b.size / 1024).toFixed(1)} KiB | ${fmtMs(sse[b.name].median)} | ${fmtMs(text[b.name].median)} |`);
}
log('done');
