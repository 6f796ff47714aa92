// Workload 5: what an app downloads for sse-wasm. A fresh app that imports
// `sse-wasm` (streamMessage, MessageStream, SSEParser) and `sse-wasm/react`
// (useChatStream, useMessageStream) is built by Vite (production, minified) against
// the package as published (package.json exports -> dist/); React is left out of
// the bundle (external) so that every byte left is the package's. Counted the way a
// browser downloads it: every JavaScript chunk and the .wasm, each gzip -9. The split
// per piece (wasm, Emscripten glue, wrapper, React hooks) bundles and minifies each
// piece alone, so the pieces add up to a little more than the whole.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { table } from './lib.js';

export const BUDGET = 64 * 1024;

const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const bytes = (n) => `${n.toLocaleString('en-US')} B`;

const APP = `import { streamMessage, MessageStream, SSEParser, ready } from 'sse-wasm';
import { useChatStream, useMessageStream } from 'sse-wasm/react';
export { streamMessage, MessageStream, SSEParser, ready, useChatStream, useMessageStream };
`;
const INLINE_APP = `import { streamMessage, MessageStream, SSEParser, ready } from 'sse-wasm/inline';
import { useChatStream, useMessageStream } from 'sse-wasm/react';
export { streamMessage, MessageStream, SSEParser, ready, useChatStream, useMessageStream };
`;

// One production build of `source` as an app's entry; the package is linked into the
// app's node_modules, so Vite resolves it through package.json like an installed one.
async function viteBuild(root, source) {
  const { build } = await import('vite');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sse-wasm-size-'));
  try {
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(root, path.join(dir, 'node_modules/sse-wasm'), 'dir');
    fs.writeFileSync(path.join(dir, 'main.js'), source);
    const result = await build({
      root: dir,
      logLevel: 'silent',
      configFile: false,
      build: {
        write: false,
        minify: true,
        target: 'es2022',
        lib: false,
        rollupOptions: { input: path.join(dir, 'main.js'), external: [/^react(\/|$)/], preserveEntrySignatures: 'strict' },
      },
    });
    const outputs = (Array.isArray(result) ? result : [result]).flatMap((r) => r.output);
    const files = [];
    for (const o of outputs) {
      const content = Buffer.from(o.type === 'chunk' ? o.code : o.source);
      files.push({ name: o.fileName, raw: content.length, gz: gz(content) });
    }
    return files;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// One piece alone, bundled and minified by rolldown (Vite's bundler) with the other
// pieces external.
async function pieceSize(entry, external) {
  const { rolldown } = await import('rolldown');
  const bundle = await rolldown({ input: entry, external, logLevel: 'silent' });
  const { output } = await bundle.generate({ format: 'esm', minify: true });
  await bundle.close();
  const code = Buffer.from(output.filter((o) => o.type === 'chunk').map((o) => o.code).join(''));
  return { raw: code.length, gz: gz(code) };
}

async function pieceSizes(root) {
  const web = (f) => path.join(root, 'web', f);
  return {
    glue: await pieceSize(path.join(root, 'dist/sse_core.mjs'), []),
    wrapper: await pieceSize(web('index.js'), [/sse_core\.mjs$/]),
    hooks: await pieceSize(web('react.js'), [/^react$/, /[\\/]web[\\/](core|snapshots|message-stream|sse-parser|partial-value)\.js$/, /[\\/]transport[\\/]/]),
  };
}

export async function runSizes(root) {
  const app = { files: await viteBuild(root, APP) };
  const inline = { files: await viteBuild(root, INLINE_APP) };
  const total = app.files.reduce((s, f) => s + f.gz, 0);
  const inlineTotal = inline.files.filter((f) => !f.name.endsWith('.wasm')).reduce((s, f) => s + f.gz, 0);
  const pieces = await pieceSizes(root);
  const wasm = app.files.find((f) => f.name.endsWith('.wasm'));

  const fileRows = app.files.map((f) => [`\`${f.name.replace(/-[\w-]{8}\./, '-[hash].')}\``, bytes(f.raw), bytes(f.gz)]);
  const main = table(['what the app downloads (Vite production build; React external)', 'raw', 'gzip -9'], [
    ...fileRows,
    ['**total**', '', `**${bytes(total)} = ${kib(total)}**`],
    ['budget', '', `${bytes(BUDGET)} = 64 KiB`],
  ]);
  const label = { wasm: 'the wasm (`dist/sse_core.wasm`)', glue: 'Emscripten/embind glue (`dist/sse_core.mjs`, inside the chunk)', wrapper: 'the wrapper (`web/*.js`, `web/transport/*.js`)', hooks: 'the React hooks and stores (`web/react.js`, `web/stores.js`)', app: 'the app\'s own entry' };
  const split = table(['piece', 'minified', 'gzip -9 (alone)'], [
    [label.wasm, bytes(wasm?.raw ?? 0), bytes(wasm?.gz ?? 0)],
    ...['glue', 'wrapper', 'hooks'].filter((k) => pieces[k]).map((k) => [label[k], bytes(pieces[k].raw), bytes(pieces[k].gz)]),
  ]);
  const inlineTable = table(['`sse-wasm/inline` (the wasm embedded as base64; no .wasm fetched)', 'raw', 'gzip -9'], [
    ...inline.files.filter((f) => !f.name.endsWith('.wasm')).map((f) => [`\`${f.name.replace(/-[\w-]{8}\./, '-[hash].')}\``, bytes(f.raw), bytes(f.gz)]),
    ['**total**', '', `**${bytes(inlineTotal)} = ${kib(inlineTotal)}**`],
  ]);

  const others = [];
  for (const name of ['ai', '@ai-sdk/react']) {
    const dir = path.join(root, 'node_modules', name);
    if (!fs.existsSync(dir)) continue;
    const version = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
    const esm = path.join(dir, 'dist/index.mjs');
    if (fs.existsSync(esm)) others.push([`\`${name}\` ${version}: \`dist/index.mjs\` alone (before tree-shaking; its @ai-sdk/* deps not included)`, bytes(gz(fs.readFileSync(esm)))]);
  }
  const ep = path.join(root, 'node_modules/eventsource-parser/dist/index.js');
  if (fs.existsSync(ep)) others.push([`\`eventsource-parser\` ${JSON.parse(fs.readFileSync(path.join(root, 'node_modules/eventsource-parser/package.json'), 'utf8')).version}: \`dist/index.js\``, bytes(gz(fs.readFileSync(ep)))]);
  const compare = table(['for comparison', 'gzip -9'], others);

  return {
    key: 'sizes',
    summary: `sizes: ${kib(total)} gzipped for sse-wasm + sse-wasm/react in a Vite production build (wasm ${kib(wasm?.gz ?? 0)}), budget 64 KiB: ${total <= BUDGET ? 'within' : 'OVER'}; inline variant ${kib(inlineTotal)}`,
    facts: { total, inlineTotal, files: app.files, pieces, wasm, withinBudget: total <= BUDGET },
    tables: { main, split, inline: inlineTable, compare },
  };
}
