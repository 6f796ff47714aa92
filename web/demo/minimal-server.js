// A minimal demo: serves a page that streams a sample SSE response through the wasm
// parser and shows each event as it arrives. `npm start` runs it.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';

const root = new URL('../../', import.meta.url);
const port = Number(process.env.PORT || 5173);
const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript' };

const page = `<!doctype html><meta charset="utf-8"><title>sse-wasm</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}
li{font-family:ui-monospace,monospace;font-size:14px}</style>
<h1>sse-wasm</h1><p id="answer"></p><ol id="events"></ol>
<script type="module">
import { ready, SSEParser } from '/web/index.js';
await ready();
const parser = new SSEParser();
const response = await fetch('/stream');
const reader = response.body.getReader();
for (;;) {
  const { value, done } = await reader.read();
  if (done) break;
  for (const e of parser.feed(value)) {
    const li = document.createElement('li');
    li.textContent = e.type + ': ' + e.data;
    document.getElementById('events').append(li);
    if (e.type === 'text_delta') document.getElementById('answer').textContent += JSON.parse(e.data);
  }
}
parser.end();
</script>`;

const words = 'Streaming tokens through a C++ parser compiled to WebAssembly, one event at a time.'.split(/(?= )/);

createServer(async (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/') return res.writeHead(200, { 'content-type': types['.html'] }).end(page);
  if (url.pathname === '/stream') {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (const [i, w] of words.entries()) {
      res.write(`id: ${i}\nevent: text_delta\ndata: ${JSON.stringify(w)}\n\n`);
      await new Promise((r) => setTimeout(r, 80));
    }
    return res.end('event: done\ndata: {}\n\n');
  }
  if (url.pathname.startsWith('/web/') || url.pathname.startsWith('/dist/')) {
    try {
      const body = await readFile(new URL('.' + url.pathname, root));
      return res.writeHead(200, { 'content-type': types[extname(url.pathname)] ?? 'application/octet-stream' }).end(body);
    } catch {
      // fall through to 404
    }
  }
  res.writeHead(404).end('not found');
}).listen(port, '127.0.0.1', () => console.log(`sse-wasm demo: http://localhost:${port}/`));
