// A real HTTP server for the transport tests: it streams one assistant answer in
// the native SSE vocabulary (text, reasoning, a tool call with streamed input and a
// result, done) with realistic timing, and every fault a network or a server can
// produce, chosen by query parameters:
//
//   key=NAME        groups the connections of one scenario (see connections(key))
//   prompt=TEXT     the prompt (GET); a POST's JSON body { prompt } is echoed instead
//   ids=1           every event has an id (1, 2, ...); a request with Last-Event-ID
//                   continues after that event
//   bad=N           the first N connections of the key misbehave (default 1) as below
//   drop=K          after K events, half of the next one, then the socket is destroyed
//   stall=K         after K events, nothing more (the connection stays open)
//   endEarly=K      after K events, the response ends cleanly without `done`
//   errorEvent=K    after K events, an `error` event, then the end
//   status=CODE     answers CODE with a long text body (204: no body)
//   resumeStatus=C  a resume (with Last-Event-ID) answers C while the key is blocked
//   type=MIME       answers 200 with this content type and a JSON body
//   eol=crlf|cr     line endings
//   split=N         every event written N bytes at a time (splits UTF-8 sequences)
//   heartbeat=MS    half-way, MS of `: ping` comments (every 40 ms) and no event
//   retry=MS        a `retry:` field first
//   delay=MS        between events (default 2)
//   headersDelay=MS before the response headers
//   fast=N          N short text deltas written as fast as possible, then done
//   endless=1       a text delta every 15 ms until the client goes away
//   idPad=N         with ids=1: each id is the number, '-', then N characters 'é'
//   redirect=loop   answers 302 to itself, forever
//   hollow=KIND     every connection brings no content, then the socket is destroyed:
//                   ids      a new `id:` (hollow-<n> on connection n), no event
//                   empty    a new `id:` and an event with empty data
//                   comments `id: hollow-1` on the first connection only; then, on
//                            every connection, only `: keepalive` comments
//                   (with retry=MS, a `retry:` field first)
import { createServer } from 'node:http';

/** A promise that resolves after `ms` milliseconds. */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let keys = 0;
/** A connection key no other test of this process uses (the server counts connections per key). */
export const key = (name) => `${name}-${++keys}`;

/** Reconnection delays short enough for tests. */
export const FAST_RETRY = { minDelayMs: 10, maxDelayMs: 40 };

/** The answer's events for `prompt`, in order. */
export function answerEvents(prompt) {
  const e = (event, data) => ({ event, data: JSON.stringify(data) });
  return [
    e('reasoning_delta', 'The user wants the weather; '),
    e('reasoning_delta', 'I will call the tool.'),
    e('text_delta', 'You asked: '),
    e('text_delta', `${prompt} `),
    e('text_delta', 'Let me check.'),
    e('tool_start', { id: 'call_1', name: 'get_weather' }),
    e('tool_delta', { id: 'call_1', delta: '{"city":' }),
    e('tool_delta', { id: 'call_1', delta: ' "Paris", "unit"' }),
    e('tool_delta', { id: 'call_1', delta: ': "C"}' }),
    e('tool_result', { id: 'call_1', result: { temperature: 21, sky: 'clear' } }),
    e('text_delta', 'It is 21 °C in Paris ☀️, '),
    e('text_delta', 'déjà vu — 東京 too 🌸. '),
    e('text_delta', 'Anything else?'),
    e('done', { finish_reason: 'stop', usage: { input_tokens: 12, output_tokens: 34 } }),
  ];
}

/** The text the answer adds up to. */
export function answerText(prompt) {
  return `You asked: ${prompt} Let me check.It is 21 °C in Paris ☀️, déjà vu — 東京 too 🌸. Anything else?`;
}

/** The text of the first `count` events of the answer. */
export function textOfFirst(prompt, count) {
  return answerEvents(prompt).slice(0, count).filter((e) => e.event === 'text_delta')
    .map((e) => JSON.parse(e.data)).join('');
}

function serialize({ event, data }, id, eol) {
  return `${id !== undefined ? `id: ${id}${eol}` : ''}event: ${event}${eol}data: ${data}${eol}${eol}`;
}

/** The whole answer as SSE text, for inputs that are not HTTP (streams, iterables). */
export function sseText(prompt, { ids = false, eol = '\n', count = Infinity } = {}) {
  return answerEvents(prompt).slice(0, count).map((e, i) => serialize(e, ids ? i + 1 : undefined, eol)).join('');
}

/** Starts the server on 127.0.0.1 and a free port. */
export async function startServer() {
  const connections = new Map(); // key -> [{ method, lastEventId, headers, body, time, clientClosed }]
  const blocked = new Set();
  const sockets = new Set();

  // Large enough for a resume with a multi-megabyte Last-Event-ID.
  const server = createServer({ maxHeaderSize: 16 << 20 }, async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const q = Object.fromEntries(url.searchParams);
    const num = (name) => (q[name] === undefined ? undefined : Number(q[name]));
    const key = q.key ?? url.pathname;
    let body = '';
    for await (const chunk of req) body += chunk;
    const record = {
      method: req.method, lastEventId: req.headers['last-event-id'], headers: req.headers, body,
      time: Date.now(), clientClosed: false, done: false,
    };
    if (!connections.has(key)) connections.set(key, []);
    const list = connections.get(key);
    list.push(record);
    res.on('close', () => {
      if (!res.writableFinished) record.clientClosed = true;
    });
    const closed = () => res.destroyed || res.writableEnded;
    const bad = list.length <= (num('bad') ?? 1);
    const eol = q.eol === 'crlf' ? '\r\n' : q.eol === 'cr' ? '\r' : '\n';

    for (const until = Date.now() + (num('headersDelay') ?? 0); Date.now() < until && !closed();) await sleep(10);
    if (closed()) return;

    if (q.redirect === 'loop') {
      res.writeHead(302, { location: req.url });
      return res.end();
    }
    if (q.status && bad) {
      const status = num('status');
      if (status === 204) return res.writeHead(204).end();
      res.writeHead(status, { 'content-type': 'text/plain' });
      return res.end(`Upstream failure   (status ${status})\n\n${'The model service is unavailable. '.repeat(30)}`);
    }
    if (q.resumeStatus && record.lastEventId && blocked.has(key)) {
      res.writeHead(num('resumeStatus'), { 'content-type': 'text/plain' });
      return res.end('Try again later');
    }
    if (q.type) {
      res.writeHead(200, { 'content-type': q.type });
      return res.end(JSON.stringify({ error: { message: 'This endpoint does not stream' } }));
    }

    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    res.socket?.setNoDelay(true);
    res.flushHeaders();

    if (q.hollow) {
      const n = list.length;
      if (q.retry) res.write(`retry: ${q.retry}${eol}${eol}`);
      if (q.hollow === 'ids') res.write(`id: hollow-${n}${eol}${eol}`);
      else if (q.hollow === 'empty') res.write(`id: hollow-${n}${eol}data:${eol}${eol}`);
      else if (n === 1) res.write(`id: hollow-1${eol}${eol}`);
      for (let i = 0; i < 3 && !closed(); i++) {
        res.write(`: keepalive${eol}${eol}`);
        await sleep(5);
      }
      res.socket?.destroy();
      return;
    }
    if (q.fast) {
      const n = num('fast');
      for (let i = 0; i < n; i += 100) {
        let batch = '';
        for (let j = i; j < Math.min(n, i + 100); j++) batch += `event: text_delta${eol}data: "w${j} "${eol}${eol}`;
        res.write(batch);
        await new Promise((resolve) => setImmediate(resolve));
      }
      res.end(`event: done${eol}data: {}${eol}${eol}`);
      record.done = true;
      return;
    }
    if (q.endless) {
      for (let i = 0; !closed(); i++) {
        res.write(`event: text_delta${eol}data: "t${i} "${eol}${eol}`);
        await sleep(15);
      }
      return;
    }

    let prompt = q.prompt ?? 'hello';
    if (body) {
      try {
        prompt = JSON.parse(body).prompt ?? prompt;
      } catch {
        prompt = body;
      }
    }
    const events = answerEvents(prompt);
    const ids = q.ids === '1';
    // Header values arrive as latin1: the id's UTF-8 bytes, one character each.
    const start = ids && record.lastEventId ? Number.parseInt(record.lastEventId, 10) : 0;
    const idOf = (i) => (q.idPad ? `${i + 1}-${'é'.repeat(num('idPad'))}` : i + 1);
    const write = async (text) => {
      const split = num('split');
      if (!split) return void res.write(text);
      const bytes = Buffer.from(text);
      for (let i = 0; i < bytes.length && !closed(); i += split) {
        res.write(bytes.subarray(i, i + split));
        await sleep(1);
      }
    };
    if (q.retry) res.write(`retry: ${q.retry}${eol}${eol}`);
    for (let i = start; i < events.length; i++) {
      if (closed()) return;
      const sent = i - start;
      if (bad && sent === num('drop')) {
        const whole = serialize(events[i], ids ? idOf(i) : undefined, eol);
        res.write(whole.slice(0, Math.ceil(whole.length / 2)));
        await sleep(10);
        res.socket?.destroy();
        return;
      }
      if (bad && sent === num('stall')) return; // the client's idle timeout ends it
      if (bad && sent === num('endEarly')) return void res.end();
      if (sent === num('errorEvent')) {
        res.end(serialize({ event: 'error', data: JSON.stringify({ message: 'The model is overloaded',
          code: 'overloaded', retryable: true }) }, undefined, eol));
        return;
      }
      if (q.heartbeat && i === Math.floor(events.length / 2)) {
        for (const until = Date.now() + num('heartbeat'); Date.now() < until && !closed();) {
          res.write(`: ping${eol}${eol}`);
          await sleep(40);
        }
      }
      await write(serialize(events[i], ids ? idOf(i) : undefined, eol));
      await sleep(num('delay') ?? 2);
    }
    if (closed()) return;
    record.done = true;
    res.end();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    /** The connections made for `key`, in order. */
    connections: (key) => connections.get(key) ?? [],
    /** While blocked, resumes of `key` get `resumeStatus`. */
    block: (key) => blocked.add(key),
    unblock: (key) => blocked.delete(key),
    close: () => new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
