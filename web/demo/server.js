// The demo server: a simulated AI assistant streaming Server-Sent Events at
// POST /api/chat (native vocabulary, with ids so a dropped answer resumes after
// Last-Event-ID), a fault/speed control at POST /api/control, and the page:
// the Vite build (web/demo/dist) in production, Vite's dev middleware with --dev.
//
//   node web/demo/server.js            # serves web/demo/dist (build it first)
//   node web/demo/server.js --dev      # Vite dev middleware, hot reload
//   PORT=8080 HOST=0.0.0.0 node web/demo/server.js
//
// Nothing here calls an external service: the answers are scripted from the
// question, deterministically, so a resumed request continues the same answer.
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = fileURLToPath(new URL('.', import.meta.url));
export const DEFAULT_DIST = join(here, 'dist');

// ---------------------------------------------------------------------------
// Scripted answers

// Splits text into word-sized tokens, as a model would stream them.
function tokens(text) {
  return text.match(/\s*\S+|\s+/g) ?? [];
}

// Splits a JSON text into small fragments, as a model streams tool arguments.
function fragments(json, size = 7) {
  const out = [];
  for (let i = 0; i < json.length; i += size) out.push(json.slice(i, i + size));
  return out;
}

function hash(text) {
  return createHash('sha256').update(text).digest('hex').slice(0, 10);
}

function pick(list, seed) {
  return list[parseInt(seed.slice(0, 6), 16) % list.length];
}

function cityOf(prompt) {
  const match = prompt.match(/\b(?:in|at|for)\s+([A-Z][\p{L}'-]+(?:\s+[A-Z][\p{L}'-]+)?)/u);
  return match ? match[1] : 'Lisbon';
}

function weatherFor(city) {
  const seed = hash(city.toLowerCase());
  const n = parseInt(seed.slice(0, 7), 16); // 28 bits: shifts stay positive
  const conditions = ['Sunny', 'Partly cloudy', 'Light rain', 'Overcast', 'Clear skies', 'Breezy'];
  const temperature = 8 + (n % 22);
  const condition = conditions[(n >> 3) % conditions.length];
  return {
    city,
    temperature,
    feels_like: temperature - ((n >> 5) % 4),
    condition,
    humidity: 0.35 + ((n >> 8) % 50) / 100,
    wind_kmh: condition === 'Breezy' ? 24 + ((n >> 12) % 14) : 4 + ((n >> 12) % 16),
    forecast: [0, 1, 2].map((d) => {
      const high = temperature + ((n >> (d * 4 + 14)) % 7) - 3;
      return {
        day: ['Tomorrow', 'In 2 days', 'In 3 days'][d],
        high,
        low: high - 5 - ((n >> (d * 3 + 20)) % 5),
        condition: conditions[((n >> (d * 3 + 6)) + d) % conditions.length],
      };
    }),
  };
}

function tipFor(w) {
  const c = w.condition.toLowerCase();
  if (c.includes('rain')) return 'Take an umbrella if you are heading out: the showers come and go.';
  if (w.temperature < 15) return 'Bring a light jacket if you are heading out this evening.';
  if (c.includes('sun') || c.includes('clear')) return 'A great day to be outside; sunscreen is a good idea around midday.';
  return 'Comfortable weather for a walk, though the sky may stay grey.';
}

const script = {
  weather(prompt) {
    const city = cityOf(prompt);
    const w = weatherFor(city);
    return [
      ['reasoning', `The user wants the current weather in ${city}. I don't know it offhand, so I'll call the `
        + `get_weather tool with the city and metric units, then summarise the result with a practical tip.`],
      ['tool', 'get_weather', { city, unit: 'celsius', include_forecast: true }, w],
      ['text', `Here's the weather in **${city}** right now:\n\n`
        + `- **Temperature:** ${w.temperature} °C (feels like ${w.feels_like} °C)\n`
        + `- **Conditions:** ${w.condition.toLowerCase()}\n`
        + `- **Humidity:** ${Math.round(w.humidity * 100)}%\n`
        + `- **Wind:** ${w.wind_kmh} km/h\n\n`
        + `Looking ahead, expect highs around **${w.forecast[0].high} °C** tomorrow. `
        + tipFor(w)
        + `\n\nWant me to compare it with another city? Try *"weather in Oslo"*.`],
    ];
  },

  resume() {
    return [
      ['reasoning', 'The question is about recovering a dropped stream. The relevant mechanism is the SSE '
        + 'Last-Event-ID header: the client remembers the id of the last event it processed and the server '
        + 'continues after it. Let me look up the docs to quote the exact behaviour.'],
      ['tool', 'search_docs', { query: 'resume dropped SSE stream Last-Event-ID', limit: 3 }, {
        results: [
          { title: 'Server-sent events: event stream format', snippet: 'The id field sets the last event ID; a reconnecting client sends it as Last-Event-ID.' },
          { title: 'sse-wasm: streamMessage() retry', snippet: 'retry() resumes by Last-Event-ID when ids exist, else starts again, keeping the partial output.' },
          { title: 'sse-wasm/react: useChatStream', snippet: 'retry() regenerates the last answer, or resumes it via run.retry() when the server sends ids.' },
        ],
      }],
      ['text', 'Dropped connections are normal on phones and flaky networks, so an AI stream should **resume**, '
        + 'not restart. Here is how it works:\n\n'
        + '1. The server tags every event with an `id:` line.\n'
        + '2. The client remembers the last id it processed.\n'
        + '3. On reconnect it sends `Last-Event-ID`, and the server continues *after* that event.\n\n'
        + 'With `sse-wasm/react` the whole loop is one call:\n\n'
        + '```js\n'
        + "import { useChatStream } from 'sse-wasm/react';\n\n"
        + 'function Chat() {\n'
        + "  const { messages, error, send, retry } = useChatStream({ api: '/api/chat' });\n"
        + '  // error.retryable is true after a dropped connection:\n'
        + '  // retry() resumes from the last event id, keeping the partial text.\n'
        + '  return <Conversation messages={messages} onRetry={retry} />;\n'
        + '}\n'
        + '```\n\n'
        + 'On the server, skip the events up to the id you receive:\n\n'
        + '```js\n'
        + "const last = Number(req.headers['last-event-id'] ?? -1);\n"
        + 'for (const [i, event] of events.entries()) {\n'
        + '  if (i <= last) continue;\n'
        + '  res.write(`id: ${i}\\nevent: ${event.type}\\ndata: ${event.data}\\n\\n`);\n'
        + '}\n'
        + '```\n\n'
        + '> Try it here: press **Drop connection** in the Stream lab while I am answering, then **Retry**.'],
    ];
  },

  report() {
    const topics = ['latency', 'throughput', 'reliability', 'memory', 'rendering', 'parsing', 'backpressure', 'resumption'];
    const adjectives = ['steady', 'bursty', 'predictable', 'noisy', 'compact', 'incremental', 'lossless', 'bounded'];
    const sections = [];
    for (let s = 0; s < 24; s++) {
      const topic = topics[s % topics.length];
      let body = `## ${s + 1}. ${topic[0].toUpperCase()}${topic.slice(1)} under load\n\n`;
      for (let p = 0; p < 3; p++) {
        const sentences = [];
        for (let k = 0; k < 6; k++) {
          const a = adjectives[(s * 7 + p * 3 + k) % adjectives.length];
          sentences.push(`A ${a} stream of tokens keeps ${topic} visible to the user while the parser stays `
            + `off the critical path (sample ${s}.${p}.${k}).`);
        }
        body += `${sentences.join(' ')}\n\n`;
      }
      body += `- **Observed:** ${topic} stayed ${adjectives[s % adjectives.length]}\n`
        + `- **Renders:** one per animation frame, not one per event\n`
        + `- **Parts:** unchanged parts keep identity, so \`React.memo\` skips them\n\n`;
      sections.push(body);
    }
    return [
      ['reasoning', 'A stress test: produce a long structured report so the client receives thousands of '
        + 'small events. The UI should keep rendering at most once per frame.'],
      ['text', '# Streaming report\n\nThis answer is deliberately long: set the speed to **Firehose** to '
        + 'push thousands of events per second and watch the counters.\n\n' + sections.join('')
        + '**End of report.**'],
    ];
  },

  intro(prompt) {
    const seed = hash(prompt);
    const opener = pick(['Happy to help!', 'Good question.', 'Sure thing.'], seed);
    return [
      ['reasoning', 'A general question. I will introduce what this demo shows and suggest prompts that '
        + 'exercise the interesting paths: tools, code, and a long stress answer.'],
      ['text', `${opener} I'm a **simulated assistant** running entirely on this machine: every word you see `
        + 'arrives as a Server-Sent Event and is parsed by a C++ core compiled to *WebAssembly*.\n\n'
        + 'Things to try:\n\n'
        + '- **Tools:** ask *"What\'s the weather in Lisbon?"* and watch the tool card fill in live.\n'
        + '- **Code:** ask *"How do I resume a dropped stream?"* for formatted code blocks.\n'
        + '- **Stress:** ask for *"a long report"* and switch the speed to **Firehose**.\n'
        + '- **Faults:** use the Stream lab to drop the connection or inject an error mid-answer, then press **Retry**.\n\n'
        + `You asked: \`${prompt.slice(0, 80).replace(/`/g, "'")}\``],
    ];
  },
};

function scenarioFor(prompt) {
  const p = prompt.toLowerCase();
  if (/weather|temperature|forecast|rain|sunny/.test(p)) return 'weather';
  if (/resume|reconnect|dropp?|last-event|retry|code|example/.test(p)) return 'resume';
  if (/report|long|stress|essay|firehose/.test(p)) return 'report';
  return 'intro';
}

/**
 * The events of the answer to `messages`: [{ event, data, pause }] where pause
 * marks the simulated tool runtime. The same messages give the same events.
 */
export function answerEvents(messages) {
  const lastUser = [...messages].reverse().find((m) => m?.role === 'user');
  const prompt = String(lastUser?.content ?? '').slice(0, 2000);
  const steps = script[scenarioFor(prompt)](prompt);
  const events = [];
  let outputTokens = 0;
  for (const step of steps) {
    if (step[0] === 'text' || step[0] === 'reasoning') {
      for (const t of tokens(step[1])) {
        events.push({ event: step[0] === 'text' ? 'text_delta' : 'reasoning_delta', data: JSON.stringify(t) });
        outputTokens++;
      }
    } else {
      const [, name, input, result] = step;
      const id = `call_${hash(name + JSON.stringify(input))}`;
      events.push({ event: 'tool_start', data: JSON.stringify({ id, name }) });
      for (const delta of fragments(JSON.stringify(input))) {
        events.push({ event: 'tool_delta', data: JSON.stringify({ id, delta }) });
        outputTokens++;
      }
      events.push({ event: 'tool_result', data: JSON.stringify({ id, result }), pause: true });
    }
  }
  const inputTokens = messages.reduce((n, m) => n + tokens(String(m?.content ?? '')).length, 0);
  events.push({ event: 'done', data: JSON.stringify({ finish_reason: 'stop',
    usage: { input_tokens: inputTokens, output_tokens: outputTokens } }) });
  return { key: hash(JSON.stringify(messages)), events };
}

// ---------------------------------------------------------------------------
// Sessions: per-page speed and faults (the page sends x-demo-session)

// ms between writes, events per write, simulated tool runtime
export const SPEEDS = {
  slow: { delay: 140, batch: 1, tool: 1800 },
  normal: { delay: 28, batch: 1, tool: 900 },
  fast: { delay: 4, batch: 1, tool: 250 },
  firehose: { delay: 8, batch: 80, tool: 40 }, // about 10,000 events per second
};

const sessions = new Map();

function sessionOf(req) {
  const id = String(req.headers['x-demo-session'] ?? 'default').slice(0, 64);
  let session = sessions.get(id);
  if (!session) {
    if (sessions.size >= 1000) sessions.delete(sessions.keys().next().value); // the oldest
    session = { speed: 'normal', fault: null, streams: new Set() };
    sessions.set(id, session);
  }
  return session;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function readJson(req, limit = 1 << 20) {
  let size = 0;
  const chunks = [];
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw Object.assign(new Error('body too large'), { status: 413 });
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw Object.assign(new Error('invalid JSON'), { status: 400 });
  }
}

function sendJson(res, status, value) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(value));
}

async function chat(req, res) {
  const session = sessionOf(req);
  const body = await readJson(req);
  const messages = Array.isArray(body.messages) ? body.messages.slice(-50) : [];
  if (!messages.some((m) => m?.role === 'user')) return sendJson(res, 400, { error: 'messages must include a user message' });
  const { key, events } = answerEvents(messages);

  // Resume: continue after the event the client last processed.
  let next = 0;
  const lastId = String(req.headers['last-event-id'] ?? '');
  const [lastKey, lastIndex] = lastId.split('.');
  if (lastKey === key && /^\d+$/.test(lastIndex ?? '')) next = Math.min(events.length, Number(lastIndex) + 1);

  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
  res.socket?.setNoDelay(true);

  const stream = { closed: false, fault: null };
  session.streams.add(stream);
  res.on('close', () => {
    stream.closed = true;
    session.streams.delete(stream);
  });
  // A fault armed while idle strikes this answer about a third of the way in.
  const midway = next + Math.max(3, Math.floor((events.length - next) / 3));
  if (session.fault) {
    stream.fault = { ...session.fault, at: midway };
    session.fault = null;
  }

  try {
    while (next < events.length && !stream.closed) {
      if (stream.fault && next >= stream.fault.at) {
        const { type } = stream.fault;
        stream.fault = null;
        if (type === 'drop') {
          res.socket?.destroy(); // an abrupt network failure, no end of stream
          return;
        }
        // No id: the client's Last-Event-ID stays on the last content event.
        res.end(`event: error\ndata: ${JSON.stringify({ message: 'The model is overloaded right now. Please try again.',
          code: 'overloaded', retryable: true })}\n\n`);
        return;
      }
      const speed = SPEEDS[session.speed] ?? SPEEDS.normal;
      let chunk = '';
      let pause = false;
      for (let n = 0; n < speed.batch && next < events.length; n++) {
        const e = events[next];
        if (e.pause && n > 0) break; // the tool's result comes after its runtime
        if (e.pause) pause = true;
        chunk += `id: ${key}.${next}\nevent: ${e.event}\ndata: ${e.data}\n\n`;
        next++;
        if (pause) break;
      }
      if (pause) await sleep(speed.tool);
      if (stream.closed) return;
      res.write(chunk);
      if (next < events.length) await sleep(speed.delay);
    }
    if (!stream.closed) res.end();
  } finally {
    session.streams.delete(stream);
  }
}

async function control(req, res) {
  const session = sessionOf(req);
  const body = await readJson(req, 4096);
  if (body.speed !== undefined) {
    if (!Object.hasOwn(SPEEDS, body.speed)) return sendJson(res, 400, { error: 'unknown speed' });
    session.speed = body.speed;
  }
  let applied = null;
  if (body.fault === 'drop' || body.fault === 'error') {
    if (session.streams.size > 0) {
      for (const stream of session.streams) stream.fault = { type: body.fault, at: 0 };
      applied = 'now';
    } else {
      session.fault = { type: body.fault };
      applied = 'next-answer';
    }
  } else if (body.fault === null) {
    session.fault = null;
  }
  sendJson(res, 200, { speed: session.speed, armed: session.fault?.type ?? null, applied });
}

// ---------------------------------------------------------------------------
// Static files (production)

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon',
  '.json': 'application/json', '.wasm': 'application/wasm', '.txt': 'text/plain; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.svg', '.json', '.txt']);

function staticHandler(root) {
  const cache = new Map(); // path -> { body, gzip }
  return async (req, res, pathname) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let rel;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      return false;
    }
    if (rel.endsWith('/')) rel += 'index.html';
    const file = resolve(root, `.${rel}`);
    if (file !== root && !file.startsWith(root + sep)) return false;
    let entry = cache.get(file);
    if (!entry) {
      try {
        const body = await readFile(file);
        const ext = extname(file);
        entry = { body, type: TYPES[ext] ?? 'application/octet-stream',
          gzip: COMPRESSIBLE.has(ext) && body.length > 1024 ? gzipSync(body) : null };
        if (!file.endsWith('index.html')) cache.set(file, entry); // index.html may be rebuilt
      } catch {
        return false;
      }
    }
    const gzip = entry.gzip && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
    const body = gzip ? entry.gzip : entry.body;
    res.writeHead(200, {
      'content-type': entry.type,
      'content-length': body.length,
      'cache-control': rel.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
      ...(gzip ? { 'content-encoding': 'gzip', vary: 'accept-encoding' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}

// ---------------------------------------------------------------------------

/**
 * Starts the demo server. `port` 0 picks a free port.
 * @returns {Promise<{ server: import('node:http').Server, url: string, close: () => Promise<void> }>}
 */
export async function startDemoServer({ port = 5173, host = '127.0.0.1', dist = DEFAULT_DIST, dev = false } = {}) {
  let vite = null;
  const serveStatic = dev ? null : staticHandler(resolve(dist));
  const server = createServer(async (req, res) => {
    const { pathname } = new URL(req.url, 'http://localhost');
    try {
      if (pathname === '/api/chat' && req.method === 'POST') return await chat(req, res);
      if (pathname === '/api/control' && req.method === 'POST') return await control(req, res);
      if (pathname === '/api/health') return sendJson(res, 200, { ok: true });
      if (pathname.startsWith('/api/')) return sendJson(res, 404, { error: 'not found' });
      if (vite) return vite.middlewares(req, res);
      if (await serveStatic(req, res, pathname)) return;
      // The single page for any other route; 404 for a missing file.
      if (!extname(pathname) && (await serveStatic(req, res, '/index.html'))) return;
      res.writeHead(404, { 'content-type': 'text/plain' }).end(
        pathname === '/' ? 'The demo is not built: run `bash scripts/start.sh` (or vite build).' : 'not found');
    } catch (error) {
      if (!error.status) console.error(`demo server: ${req.method} ${pathname}:`, error);
      if (res.headersSent) return res.destroy();
      sendJson(res, error.status ?? 500, { error: error.message });
    }
  });

  if (dev) {
    // Vite's dev middleware, its hot-reload socket on this same server.
    const { createServer: createVite } = await import('vite');
    vite = await createVite({ configFile: join(here, 'vite.config.js'), appType: 'spa',
      server: { middlewareMode: true, ws: { server } } });
  }

  await new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolveListen);
  });
  const address = server.address();
  const shownHost = host === '0.0.0.0' || host === '::' || host === '127.0.0.1' ? 'localhost' : host;
  const url = `http://${shownHost}:${address.port}/`;
  return {
    server,
    url,
    close: async () => {
      server.closeAllConnections?.();
      await new Promise((r) => server.close(r));
      await vite?.close();
    },
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dev = process.argv.includes('--dev');
  const { url } = await startDemoServer({
    port: Number(process.env.PORT ?? 5173),
    host: process.env.HOST ?? '127.0.0.1',
    dist: process.env.DEMO_DIST ?? DEFAULT_DIST,
    dev,
  });
  console.log(`sse-wasm demo${dev ? ' (dev)' : ''}: ${url}`);
}
