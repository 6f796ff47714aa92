// Workload 5: what the package costs to download. gzip -9 sizes of dist/sse_core.mjs
// (the wasm is embedded in it as base64) and of every web/*.js file that
// `import ... from 'sse-wasm'` pulls in, against a 100 KiB budget, next to the
// installed size of the `ai` package (and @ai-sdk/react when installed).
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { table } from './lib.js';

const BUDGET = 100 * 1024;

const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;

// The static import graph from `entry`, following relative specifiers only.
function importGraph(entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = fs.readFileSync(file, 'utf8');
    const re = /(?:^|\n)\s*(?:import|export)\s[^;'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|(?:^|\n)\s*import\s*['"](\.{1,2}\/[^'"]+)['"]/g;
    for (const m of source.matchAll(re)) visit(path.resolve(path.dirname(file), m[1] ?? m[2]));
  };
  visit(entry);
  return [...seen];
}

// The embedded wasm: the longest base64 data URI in the file.
function embeddedWasm(source) {
  let best = '';
  for (const m of source.matchAll(/data:application\/octet-stream;base64,([A-Za-z0-9+/=]+)/g)) {
    if (m[1].length > best.length) best = m[1];
  }
  return best ? Buffer.from(best, 'base64') : null;
}

// du-like: apparent bytes and allocated blocks of every file under `dir`.
function diskUsage(dir) {
  let bytes = 0;
  let blocks = 0;
  let files = 0;
  const walk = (d) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile()) {
        const st = fs.statSync(p);
        bytes += st.size;
        blocks += st.blocks * 512;
        files++;
      }
    }
  };
  walk(dir);
  return { bytes, blocks, files };
}

// What an app's production build downloads: web/index.js bundled and minified by
// rolldown (the bundler inside Vite 8), gzipped.
async function productionBundle(entry) {
  const { rolldown } = await import('rolldown');
  const bundle = await rolldown({ input: entry, logLevel: 'silent' });
  const { output } = await bundle.generate({ format: 'esm', minify: true });
  await bundle.close?.();
  const code = output.filter((o) => o.type === 'chunk').map((o) => o.code).join('');
  return { raw: Buffer.byteLength(code), gz: gz(Buffer.from(code)) };
}

export async function runSizes(root) {
  const entry = path.join(root, 'web/index.js');
  const graph = importGraph(entry);
  const rows = [];
  let total = 0;
  let raw = 0;
  const concat = [];
  let wasm = null;
  let glue = null;
  let mjsGz = 0;
  for (const file of graph) {
    const buf = fs.readFileSync(file);
    const g = gz(buf);
    total += g;
    raw += buf.length;
    concat.push(buf);
    const rel = path.relative(root, file);
    if (rel.startsWith('dist/')) {
      const source = buf.toString('latin1');
      wasm = embeddedWasm(source);
      mjsGz = g;
      if (wasm) glue = Buffer.from(source.replace(wasm.toString('base64'), ''), 'latin1');
    }
    rows.push([`\`${rel}\``, `${buf.length.toLocaleString('en-US')} B`, `${g.toLocaleString('en-US')} B`]);
  }
  const bundled = gz(Buffer.concat(concat));
  const production = await productionBundle(entry);
  const main = table(['file (import graph of `web/index.js`)', 'raw', 'gzip -9'], [
    ...rows,
    [`**total** (${graph.length} files, each gzipped)`, `${raw.toLocaleString('en-US')} B`, `**${total.toLocaleString('en-US')} B = ${kib(total)}**`],
    ['all files concatenated, gzipped once (≈ a bundle)', '', `${bundled.toLocaleString('en-US')} B = ${kib(bundled)}`],
    ['**an app\'s production bundle**: `web/index.js` bundled and minified by rolldown (Vite 8\'s bundler)', `${production.raw.toLocaleString('en-US')} B`, `**${production.gz.toLocaleString('en-US')} B = ${kib(production.gz)}**`],
    ['budget', '', `${BUDGET.toLocaleString('en-US')} B = 100 KiB`],
    [`the wasm inside \`dist/sse_core.mjs\` (base64-decoded)`, wasm ? `${wasm.length.toLocaleString('en-US')} B` : 'not found', wasm ? `${gz(wasm).toLocaleString('en-US')} B` : ''],
    [`the Emscripten/embind JS of \`dist/sse_core.mjs\` (base64 removed)`, glue ? `${glue.length.toLocaleString('en-US')} B` : '', glue ? `${gz(glue).toLocaleString('en-US')} B` : ''],
  ]);

  const others = [];
  const compareRows = [];
  for (const name of ['ai', '@ai-sdk/react']) {
    const dir = path.join(root, 'node_modules', name);
    if (!fs.existsSync(dir)) {
      compareRows.push([`\`node_modules/${name}\``, 'not installed', '', '']);
      others.push({ name, installed: false });
      continue;
    }
    const du = diskUsage(dir);
    const version = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
    compareRows.push([`\`node_modules/${name}\` ${version} (${du.files} files)`, `${(du.bytes / 1e6).toFixed(2)} MB`, `${(du.blocks / 1e6).toFixed(2)} MB`, '']);
    others.push({ name, installed: true, ...du });
    const esm = path.join(dir, 'dist/index.mjs');
    if (fs.existsSync(esm)) {
      const buf = fs.readFileSync(esm);
      compareRows.push([`\`${name}/dist/index.mjs\` alone (the ESM entry, before tree-shaking; its @ai-sdk/* deps not included)`, `${(buf.length / 1e3).toFixed(1)} KB`, '', `${gz(buf).toLocaleString('en-US')} B = ${kib(gz(buf))}`]);
    }
  }
  compareRows.push([`sse-wasm: \`web/*.js\` + \`dist/sse_core.mjs\` as published`, `${(raw / 1e6).toFixed(2)} MB`, '', `${total.toLocaleString('en-US')} B = ${kib(total)}`]);
  const compareTable = table(['package', 'installed size (apparent, du -b)', 'disk usage (blocks, du)', 'gzip -9'], compareRows);

  return {
    key: 'sizes',
    summary: `sizes: ${kib(production.gz)} gzipped in a minified production bundle, ${kib(total)} as published (budget 100 KiB: bundle ${production.gz <= BUDGET ? 'within' : 'OVER'}), wasm ${wasm ? kib(wasm.length) : '?'} raw`,
    facts: { production, total, bundled, raw, mjsGz, wasm: wasm?.length, wasmGz: wasm ? gz(wasm) : undefined, glueGz: glue ? gz(glue) : undefined, withinBudget: total <= BUDGET, others },
    tables: { main, compare: compareTable },
  };
}
