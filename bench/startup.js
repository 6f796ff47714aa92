// Workload 6: start-up. The time from the start of `import('sse-wasm')` to a usable
// core (`await ready()` resolved), with the files already on disk or in the browser's
// cache, as the package is published (package.json exports -> dist/).
//   Node: a fresh `node` process per sample (a module is loaded once per process),
//     timed inside its entry module, so Node's own start is not counted.
//   Chromium (Debian's, headless): a page that times the same two steps; the files
//     are served with a one-hour max-age, loaded once to fill the cache, then the page
//     is opened again for every sample (the wasm compiles while it streams in).
// Both entries: `sse-wasm` (the .wasm as its own file) and `sse-wasm/inline`.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { table } from './lib.js';

export const TARGET_MS = 10;
const SAMPLES = 21;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
};
const ms = (x) => `${x.toFixed(1)} ms`;

// The probe is a file module, as an app's own module is: Node's loader for files is
// then warm, as it is in any app by the time it imports the package.
function nodeSamples(root, entry) {
  const url = new URL(`file://${path.join(root, entry)}`).href;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sse-wasm-startup-'));
  const probe = path.join(dir, 'probe.mjs');
  fs.writeFileSync(probe, `const t0 = performance.now();
const m = await import(${JSON.stringify(url)});
const t1 = performance.now();
await m.ready();
const t2 = performance.now();
console.log(JSON.stringify({ import: t1 - t0, total: t2 - t0 }));
`);
  try {
    const out = [];
    for (let i = 0; i < SAMPLES; i++) {
      out.push(JSON.parse(execFileSync(process.execPath, [probe], { encoding: 'utf8' })));
    }
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

async function chromiumSamples(root) {
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    return null;
  }
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) return null;
  const page = (entry) => `<!doctype html><meta charset="utf-8"><script type="module">
const t0 = performance.now();
const m = await import('/dist/${entry}');
const t1 = performance.now();
await m.ready();
const t2 = performance.now();
// The floor a separate file sets: the same cached .wasm fetched again, bytes only.
const bytes = await (await fetch('/dist/sse_core.wasm')).arrayBuffer();
window.result = { import: t1 - t0, total: t2 - t0, fetch: performance.now() - t2, bytes: bytes.byteLength };
</script>`;
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname.startsWith('/page-')) {
      res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store' }).end(page(url.pathname.slice(6)));
      return;
    }
    const file = path.join(root, path.normalize(url.pathname));
    if (!file.startsWith(path.join(root, 'dist')) || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'max-age=3600' });
    res.end(fs.readFileSync(file));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  try {
    const results = {};
    for (const entry of ['index.js', 'inline.js']) {
      const context = await browser.newContext();
      const tab = await context.newPage();
      const samples = [];
      for (let i = 0; i < SAMPLES + 2; i++) {
        await tab.goto(`${base}/page-${entry}`);
        const result = await tab.waitForFunction(() => window.result).then((h) => h.jsonValue());
        if (i >= 2) samples.push(result); // the first loads fill the caches
      }
      results[entry] = samples;
      await context.close();
    }
    return results;
  } finally {
    await browser.close();
    server.close();
  }
}

export async function runStartup(root) {
  const node = { 'index.js': nodeSamples(root, 'dist/index.js'), 'inline.js': nodeSamples(root, 'dist/inline.js') };
  const browser = await chromiumSamples(root);
  const row = (where, entry, samples) => {
    const total = median(samples.map((s) => s.total));
    return {
      cells: [where, entry === 'index.js' ? '`sse-wasm` (separate .wasm)' : '`sse-wasm/inline` (base64)',
        ms(median(samples.map((s) => s.import))), `**${ms(total)}**`,
        `${ms(Math.min(...samples.map((s) => s.total)))} – ${ms(Math.max(...samples.map((s) => s.total)))}`],
      total,
    };
  };
  const rows = [row('Node', 'index.js', node['index.js']), row('Node', 'inline.js', node['inline.js'])];
  if (browser) rows.push(row('Chromium', 'index.js', browser['index.js']), row('Chromium', 'inline.js', browser['inline.js']));
  const fetchFloor = browser ? median(browser['index.js'].map((s) => s.fetch)) : null;
  const facts = {
    fetchFloor,
    node: rows[0].total,
    nodeInline: rows[1].total,
    chromium: browser ? rows[2].total : null,
    chromiumInline: browser ? rows[3].total : null,
    samples: SAMPLES,
  };
  return {
    key: 'startup',
    summary: `start-up (median of ${SAMPLES}): Node ${ms(facts.node)}, Chromium ${facts.chromium === null ? 'not run' : ms(facts.chromium)} (target ${TARGET_MS} ms); inline: Node ${ms(facts.nodeInline)}, Chromium ${facts.chromiumInline === null ? 'not run' : ms(facts.chromiumInline)}`,
    facts,
    tables: {
      main: table(['where', 'entry', 'import() (median)', 'import() to ready() (median)', 'range'], rows.map((r) => r.cells)),
      fetchFloor: fetchFloor === null ? '' : `In the same Chromium, fetching the cached \`dist/sse_core.wasm\` again (\`fetch()\` and \`arrayBuffer()\`, nothing compiled) takes ${ms(fetchFloor)} (median): that is the floor a second file sets in this browser on this machine, before any compile.`,
    },
  };
}
