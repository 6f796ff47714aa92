// streamMessage(url, { protocol: 'auto' }) against every recorded provider stream,
// served over HTTP by a local server the way the provider sends it: the final state
// must match the fixture's expected state, and the protocol must be detected.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { ready, streamMessage } from '../../web/index.js';
import { PROTOCOLS, loadFixtures, assertMatches } from './fixture-replay.js';

let server;
let base;
const routes = new Map();

before(async () => {
  await ready();
  server = createServer((req, res) => {
    const route = routes.get(new URL(req.url, 'http://x').pathname);
    if (!route) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', ...route.headers });
    // Network-sized writes that cut events (and characters) anywhere.
    let at = 0;
    const write = () => {
      if (at >= route.bytes.length) return res.end();
      const n = 1 + ((at * 7919) % 97);
      res.write(route.bytes.subarray(at, at + n));
      at += n;
      setImmediate(write);
    };
    write();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(() => server.close());

for (const protocol of PROTOCOLS) {
  describe(`streamMessage over HTTP: ${protocol}`, () => {
    for (const f of loadFixtures(protocol)) {
      test(f.name, async () => {
        const path = `/${protocol}/${f.name}`;
        routes.set(path, { bytes: f.bytes, headers: {} });
        // No resume: a fixture cut without its end marker must end 'interrupted'.
        const run = streamMessage(`${base}${path}`, { method: 'POST', body: '{}', protocol: 'auto', retry: false });
        const final = await run.finished;
        assertMatches(final, f.expected, `${protocol}/${f.name}`);
        assert.equal(final.protocol, protocol, 'detected protocol');
      });
    }
  });
}

test('the x-vercel-ai-ui-message-stream header selects the AI SDK protocol before any event tells', async () => {
  // A stream whose first events alone do not name their protocol: only `start`
  // chunks of an unknown shape... so the header decides.
  const bytes = new TextEncoder().encode(
    'data: {"type":"text-start","id":"t"}\n\ndata: {"type":"text-delta","id":"t","delta":"via header"}\n\n' +
    'data: {"type":"text-end","id":"t"}\n\ndata: {"type":"finish"}\n\ndata: [DONE]\n\n');
  routes.set('/header', { bytes, headers: { 'x-vercel-ai-ui-message-stream': 'v1' } });
  const final = await streamMessage(`${base}/header`, { retry: false }).finished;
  assert.equal(final.protocol, 'ai-sdk');
  assert.equal(final.status, 'done');
  assert.equal(final.text, 'via header');
});
