// Where the time of one contender goes: V8's sampling profiler (node:inspector, no
// CLI flag needed) around a few runs, self time grouped into the layers of the
// stack. The release wasm has no function names, so the C++ core is one bucket;
// a build linked with `--profiling-funcs` shows C++ names (see `top`).
import { Session } from 'node:inspector/promises';

const BUCKETS = [
  ['GC', (f) => f.functionName === '(garbage collector)'],
  ['C++ core (wasm)', (f) => f.url.startsWith('wasm://') || /^wasm-function\[/.test(f.functionName)],
  ['TextDecoder / TextEncoder', (f) => f.url.startsWith('node:internal/encoding') || /^(decode|encode|encodeInto|decodeUTF8|encodeUtf8String)$/.test(f.functionName)],
  ['embind glue (sse_core.mjs)', (f) => f.url.endsWith('sse_core.mjs') || /^js-to-wasm|^GenericJSToWasmWrapper/.test(f.functionName)],
  ['sse-wasm wrapper JS (web/)', (f) => /\/web\/[^/]+\.js$/.test(f.url)],
  ['eventsource-parser', (f) => f.url.includes('/eventsource-parser/')],
  ['bench loop (bench/)', (f) => f.url.includes('/bench/')],
];

/**
 * Profiles `reps` calls of `run` (after one unprofiled warm-up call) and returns
 * { total ms, buckets: [[name, ms, share]], top: [[function, ms]] }.
 */
export async function profile(run, reps = 3) {
  await run();
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
    for (let i = 0; i < reps; i++) await run();
    const { profile: p } = await session.post('Profiler.stop');
    return summarize(p);
  } finally {
    session.disconnect();
  }
}

function summarize(p) {
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  // Samples under the inspector's own calls (Profiler.stop serializing the
  // profile) are not the contender's.
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inspector = (id) => {
    for (let at = id; at !== undefined; at = parent.get(at)) {
      if (nodes.get(at).callFrame.url === 'node:inspector') return true;
    }
    return false;
  };
  const self = new Map();
  for (let i = 0; i < p.samples.length; i++) {
    self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  const buckets = new Map(BUCKETS.map(([name]) => [name, 0]));
  buckets.set('other (runtime, builtins)', 0);
  const byFunction = new Map();
  let total = 0;
  for (const [id, us] of self) {
    const frame = nodes.get(id).callFrame;
    if (frame.functionName === '(idle)' || frame.functionName === '(program)' || inspector(id)) continue;
    total += us;
    const bucket = BUCKETS.find(([, test]) => test(frame))?.[0] ?? 'other (runtime, builtins)';
    buckets.set(bucket, buckets.get(bucket) + us);
    const key = `${frame.functionName || '(anonymous)'}${frame.url ? ` ${frame.url.split('/').pop()}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  }
  return {
    total: total / 1000,
    buckets: [...buckets].filter(([, us]) => us > 0).sort((a, b) => b[1] - a[1]).map(([name, us]) => [name, us / 1000, us / total]),
    top: [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([name, us]) => [name, us / 1000]),
  };
}

/** "C++ core (wasm) 41 % · GC 22 % · ..." */
export function formatBuckets(result, min = 0.02) {
  return result.buckets.filter(([, , share]) => share >= min).map(([name, , share]) => `${name} ${(share * 100).toFixed(0)} %`).join(' · ');
}
