// Workload 3: a 5 MB native-vocabulary text stream (`event: text_delta` with a JSON
// string token of 1–12 characters) in random 1–4096-byte network chunks, with the
// snapshot read after every chunk: MessageStream vs eventsource-parser + JSON.parse +
// a reducer handing out the same immutable snapshots.
import { createParser } from 'eventsource-parser';
import { MessageStream } from '../web/index.js';
import { nativeTextStream, splitChunks } from './inputs.js';
import { JsMessageReducer, nativeEvents } from './reducer.js';
import { assertSame, compare, fmtMBs, fmtMs, fmtRatio, log, ratio, table } from './lib.js';
import { formatBuckets, profile } from './profile.js';

const BYTES = 5e6;

export function oursTextRun(chunks, protocol, perChunk = true) {
  return () => {
    const stream = new MessageStream({ protocol });
    let length = 0;
    for (const chunk of chunks) {
      stream.feed(chunk);
      if (perChunk) length = stream.snapshot().text.length;
    }
    const s = stream.snapshot();
    length = s.text.length;
    stream.dispose();
    return { length, status: s.status, text: s.text };
  };
}

export function jsTextRun(chunks, onEvent, perChunk = true) {
  return () => {
    const reducer = new JsMessageReducer(onEvent);
    let length = 0;
    for (const chunk of chunks) {
      reducer.feed(chunk);
      if (perChunk) length = reducer.snapshot().text.length;
    }
    const s = reducer.snapshot();
    length = s.text.length;
    return { length, status: s.status, text: s.text };
  };
}

function espOnlyRun(chunks) {
  return () => {
    const decoder = new TextDecoder();
    let chars = 0;
    const parser = createParser({ onEvent(e) { chars += e.data.length; } });
    for (const chunk of chunks) parser.feed(decoder.decode(chunk, { stream: true }));
    return undefined;
  };
}

export function textCheck(label, expected, names) {
  return (results) => {
    const picked = { expected: { length: expected.length, status: 'done' } };
    for (const name of names) {
      const r = results[name];
      if (r.text !== expected) throw new Error(`bench: ${label}: ${name}'s text differs from the generated text`);
      picked[name] = { length: r.length, status: r.status };
    }
    assertSame(label, picked);
  };
}

export async function runText({ rounds = 9, warmup = 3 } = {}) {
  const stream = nativeTextStream(BYTES, 401);
  const size = stream.bytes.length;
  const chunks = splitChunks(stream.bytes, 402);
  log(`  text: ${size} bytes, ${stream.events} events, ${chunks.length} chunks`);
  const r = await compare([
    { name: 'ours', run: oursTextRun(chunks, 'native') },
    { name: 'js', run: jsTextRun(chunks, nativeEvents) },
    { name: 'ours end', run: oursTextRun(chunks, 'native', false) },
    { name: 'js end', run: jsTextRun(chunks, nativeEvents, false) },
    { name: 'esp only', run: espOnlyRun(chunks) },
  ], { rounds, warmup, check: textCheck('native text stream', stream.text, ['ours', 'js', 'ours end', 'js end']) });

  const row = (label, name, ref = 'ours') => [label, fmtMs(r[name].median), fmtMBs(size, r[name].median), fmtRatio(ratio(r, name, ref))];
  const main = table(['contender (snapshot read after every chunk)', 'median', 'MB/s', 'ratio (time / ours)'], [
    row('**sse-wasm** `MessageStream({protocol:"native"})`', 'ours'),
    row('eventsource-parser + `JSON.parse` + reducer', 'js'),
  ]);
  const extra = table(['variant', 'median', 'MB/s', 'ratio (time / ours)'], [
    row('sse-wasm, snapshot read once at the end', 'ours end'),
    row('JS pipeline, snapshot read once at the end', 'js end'),
    row('eventsource-parser + `TextDecoder` alone (no JSON.parse, no state)', 'esp only'),
  ]);
  const jsRatio = ratio(r, 'js', 'ours');
  const profiles = {
    ours: formatBuckets(await profile(oursTextRun(chunks, 'native'), 3)),
    js: formatBuckets(await profile(jsTextRun(chunks, nativeEvents), 3)),
  };
  return {
    key: 'text',
    summary: `native text stream: ours ${fmtMBs(size, r.ours.median)} MB/s vs JS pipeline ${fmtMBs(size, r.js.median)} MB/s (JS takes ${fmtRatio(jsRatio)} of our time; target ≥ 2×)`,
    facts: { size, events: stream.events, chunks: chunks.length, jsRatio, ours: r.ours.median, js: r.js.median, oursEnd: r['ours end'].median, jsEnd: r['js end'].median, espOnly: r['esp only'].median },
    tables: { main, extra },
    profiles,
  };
}
