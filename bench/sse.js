// Workload 1: the bare SSE parser. A 5 MB stream of OpenAI-style `data:` events in
// random 1–4096-byte network chunks; every event's data is read as a JS string.
// Besides the head-to-head, a profile split: the same stream through the layers of
// SSEParser.feed one at a time (copy in, wasm parse, batch decode, event objects).
import { createParser } from 'eventsource-parser';
import { SSEParser } from '../web/index.js';
import * as core from '../web/core.js';
import { openAiDataStream, splitChunks } from './inputs.js';
import { assertSame, compare, fmtMBs, fmtMs, fmtRatio, gc, log, now, ratio, table, version } from './lib.js';
import { formatBuckets, profile } from './profile.js';

// The layer split drives the wrapper's own internals (web/core.js); when they change
// shape, the split is skipped rather than wrong.
const { feedChunk, getCore, readBatch } = core;
const layerHelpers = [feedChunk, getCore, readBatch].every((f) => typeof f === 'function');

const BYTES = 5e6;

function oursRun(chunks) {
  return () => {
    const parser = new SSEParser();
    let events = 0;
    let chars = 0;
    for (const chunk of chunks) {
      for (const event of parser.feed(chunk)) {
        events++;
        chars += event.data.length;
      }
    }
    parser.dispose();
    return { events, chars };
  };
}

function espRun(chunks) {
  return () => {
    const decoder = new TextDecoder();
    let events = 0;
    let chars = 0;
    const parser = createParser({
      onEvent(event) {
        events++;
        chars += event.data.length;
      },
    });
    for (const chunk of chunks) parser.feed(decoder.decode(chunk, { stream: true }));
    parser.feed(decoder.decode());
    return { events, chars };
  };
}

// The layers of SSEParser.feed, cumulatively (web/core.js is the wrapper's own code).
function layerRun(chunks, layer) {
  return () => {
    const module = getCore();
    const session = new module.SseSession(0);
    const header = session.header();
    let events = 0;
    for (const chunk of chunks) {
      feedChunk(module, session, chunk, (length) => {
        if (layer === 'copy') return;
        const n = session.feed(length);
        if (layer === 'parse') {
          events += n;
          return;
        }
        const { words } = readBatch(module, header); // decodes the batch text
        events += words.length / 6;
      });
    }
    session.delete();
    return layer === 'copy' ? undefined : { events };
  };
}

function decodeOnlyRun(chunks) {
  return () => {
    const decoder = new TextDecoder();
    let chars = 0;
    for (const chunk of chunks) chars += decoder.decode(chunk, { stream: true }).length;
    return undefined;
  };
}

// One embind call with a trivial body (the input buffer lookup), many times.
function crossingCost() {
  const module = getCore();
  const session = new module.SseSession(0);
  const n = 1e6;
  for (let i = 0; i < 1e5; i++) session.inputBuffer(16);
  gc();
  const t0 = now();
  for (let i = 0; i < n; i++) session.inputBuffer(16);
  const ns = ((now() - t0) * 1e6) / n;
  session.delete();
  return ns;
}

export async function runSse({ rounds = 9, warmup = 3 } = {}) {
  const stream = openAiDataStream(BYTES, 101);
  const size = stream.bytes.length;
  const chunks = splitChunks(stream.bytes, 102);
  const big = splitChunks(stream.bytes, 103, 65536, 65536);
  const layersAvailable = layerHelpers && typeof getCore().SseSession === 'function';
  log(`  sse: ${size} bytes, ${stream.events} events, ${chunks.length} chunks`);

  const contenders = [
    { name: 'ours', run: oursRun(chunks) },
    { name: 'esp', run: espRun(chunks) },
    { name: 'decode only', run: decodeOnlyRun(chunks) },
    { name: 'ours 64K', run: oursRun(big) },
    { name: 'esp 64K', run: espRun(big) },
  ];
  if (layersAvailable) {
    contenders.push(
      { name: 'L1 copy', run: layerRun(chunks, 'copy') },
      { name: 'L2 parse', run: layerRun(chunks, 'parse') },
      { name: 'L3 decode', run: layerRun(chunks, 'decode') },
    );
  }
  const r = await compare(contenders, {
    rounds,
    warmup,
    check(results) {
      const expected = { events: stream.events, chars: stream.dataChars };
      assertSame('SSE events and data length', { expected, ours: results.ours, esp: results.esp, 'ours 64K': results['ours 64K'], 'esp 64K': results['esp 64K'] });
      if (layersAvailable) assertSame('SSE event count per layer', {
        expected: { events: stream.events },
        'L2 parse': results['L2 parse'],
        'L3 decode': results['L3 decode'],
      });
    },
  });
  const crossingNs = layersAvailable ? crossingCost() : NaN;
  const profiles = { ours: await profile(oursRun(chunks), 3), esp: await profile(espRun(chunks), 3) };

  const ours = r.ours.median;
  const row = (label, name, ref = 'ours') => [label, fmtMs(r[name].median), fmtMBs(size, r[name].median), fmtRatio(ratio(r, name, ref))];
  const main = table(['contender', 'median', 'MB/s', 'ratio (time / ours)'], [
    row('**sse-wasm** `SSEParser.feed(Uint8Array)`', 'ours'),
    row(`eventsource-parser ${version('eventsource-parser')} + \`TextDecoder\` (stream)`, 'esp'),
  ]);
  const sensitivity = table(['contender (same stream, fixed 64 KiB chunks)', 'median', 'MB/s', 'ratio (time / ours 64K)'], [
    row('**sse-wasm** `SSEParser`', 'ours 64K', 'ours 64K'),
    row('eventsource-parser + `TextDecoder`', 'esp 64K', 'ours 64K'),
  ]);

  const l1 = r['L1 copy']?.median ?? NaN;
  const l2 = r['L2 parse']?.median ?? NaN;
  const l3 = r['L3 decode']?.median ?? NaN;
  const full = r.ours.median;
  const share = (ms) => `${((100 * ms) / full).toFixed(0)} %`;
  const crossings = chunks.length * 2;
  const crossingMs = (crossings * crossingNs) / 1e6;
  const split = !layersAvailable ? '(skipped: web/core.js or the core no longer expose feedChunk/getCore/readBatch/SseSession)' : table(['layer of `SSEParser.feed` (cumulative run)', 'median', 'this layer adds', 'share of full feed'], [
    ['1. copy chunk into wasm (`inputBuffer()` call + `HEAPU8.set`)', fmtMs(l1), fmtMs(l1), share(l1)],
    ['2. + C++ parse (`feed()` call; batch built, not read)', fmtMs(l2), fmtMs(l2 - l1), share(l2 - l1)],
    ['3. + `TextDecoder.decode` of each batch text', fmtMs(l3), fmtMs(l3 - l2), share(l3 - l2)],
    ['4. + event objects (`text.slice` per field, array) = full `SSEParser.feed`', fmtMs(full), fmtMs(full - l3), share(full - l3)],
    [`(embind crossings alone: ${crossings} calls × ${crossingNs.toFixed(0)} ns)`, '', fmtMs(crossingMs), share(crossingMs)],
    ['(eventsource-parser side: `TextDecoder.decode` of the chunks alone)', fmtMs(r['decode only'].median), '', ''],
  ]);

  const espRatio = ratio(r, 'esp', 'ours');
  return {
    key: 'sse',
    summary: `SSE parser: ours ${fmtMBs(size, ours)} MB/s vs eventsource-parser ${fmtMBs(size, r.esp.median)} MB/s (eventsource-parser takes ${fmtRatio(espRatio)} of our time)`,
    facts: { size, events: stream.events, chunks: chunks.length, espRatio, esp64Ratio: ratio(r, 'esp 64K', 'ours 64K'), l1, l2, l3, full, crossingNs, crossingMs, esp: r.esp.median, decodeOnly: r['decode only'].median, ours64: r['ours 64K'].median, esp64: r['esp 64K'].median },
    tables: { main, sensitivity, split },
    profiles: { ours: formatBuckets(profiles.ours), esp: formatBuckets(profiles.esp) },
  };
}
