// Deterministic benchmark inputs: every generator takes its own seed, so each run
// of the bench (and each machine) sees byte-identical streams.
import { pick, prng, randInt } from './lib.js';

const encoder = new TextEncoder();

const WORDS = [
  'the', 'model', 'stream', 'token', 'server', 'event', 'parser', 'value', 'answer', 'latency',
  'buffer', 'chunk', 'render', 'browser', 'message', 'function', 'result', 'request', 'network',
  'assistant', 'because', 'however', 'therefore', 'example', 'simple', 'quickly', 'JSON', 'API',
  'a', 'of', 'to', 'in', 'is', 'it', 'and', 'we', 'you', 'can', 'will', 'this', 'that', 'with',
];
const UNICODE = ['café', 'naïve', 'Zoë', '日本語', '中文', '—', '→', '😀', '🚀 ok', 'Ω', 'ß', 'München', 'é'];
const PUNCT = ['.', ',', '!', '?', ':', ';', '\n', '\n\n', ' (', ')', ' -', '...'];
const ESCAPES = [' "quoted"', '\\path', '\t', '"', '\\n', ' C:\\dir', '\r\n', ' \\"x\\"', '\u0001'];
const CODE = ['()', ' {', '}', ' =>', ' [', ']', ' = ', '`x`', ' &&', '</div>'];

// Cuts to at most `max` UTF-16 units without splitting a surrogate pair.
function clip(s, max) {
  if (s.length <= max) return s;
  let end = max;
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end -= 1;
  return s.slice(0, Math.max(1, end));
}

/** A chat-model token of 1–12 characters: words, punctuation, unicode, escapes, code. */
export function makeTokenSource(seed) {
  const rand = prng(seed);
  return function token() {
    const r = rand();
    let t;
    if (r < 0.62) t = (rand() < 0.8 ? ' ' : '') + pick(rand, WORDS);
    else if (r < 0.74) t = pick(rand, PUNCT);
    else if (r < 0.84) t = (rand() < 0.5 ? ' ' : '') + pick(rand, UNICODE);
    else if (r < 0.92) t = pick(rand, ESCAPES);
    else t = pick(rand, CODE);
    return clip(t, 12);
  };
}

function randomId(rand, n) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
  return s;
}

/**
 * Builds an SSE stream of at least `bytes` bytes from `event(i)` (each returns one
 * complete event's text), with optional fixed `head` and `tail` events. Returns the
 * encoded bytes and the number of events generated.
 */
function buildStream(bytes, event, { head = '', tail = '' } = {}) {
  const pieces = [head];
  let size = head.length;
  let n = 0;
  while (size < bytes) {
    const e = event(n++);
    pieces.push(e);
    size += e.length; // UTF-16 units: a lower bound of the UTF-8 size, close enough
  }
  pieces.push(tail);
  return { bytes: encoder.encode(pieces.join('')), events: n };
}

/** Splits bytes into network chunks of random sizes in [min, max] (views, no copy). */
export function splitChunks(bytes, seed, min = 1, max = 4096) {
  const rand = prng(seed);
  const chunks = [];
  for (let i = 0; i < bytes.length;) {
    const n = randInt(rand, min, max);
    chunks.push(bytes.subarray(i, Math.min(bytes.length, i + n)));
    i += n;
  }
  return chunks;
}

/** Workload 1: OpenAI-style `data: {chat.completion.chunk}` events, minimal fields. */
export function openAiDataStream(bytes, seed) {
  const rand = prng(seed);
  const token = makeTokenSource(seed + 1);
  const id = `chatcmpl-${randomId(rand, 24)}`;
  let contentChars = 0;
  const stream = buildStream(bytes, () => {
    const content = token();
    const data = JSON.stringify({ id, object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }] });
    contentChars += data.length;
    return `data: ${data}\n\n`;
  });
  return { ...stream, dataChars: contentChars };
}

/** Workload 3: the native vocabulary, `event: text_delta` with a JSON string. */
export function nativeTextStream(bytes, seed) {
  const token = makeTokenSource(seed);
  let text = '';
  const parts = [];
  const stream = buildStream(bytes, () => {
    const t = token();
    parts.push(t);
    return `event: text_delta\ndata: ${JSON.stringify(t)}\n\n`;
  }, { tail: 'event: done\ndata: {"finish_reason":"stop"}\n\n' });
  text = parts.join('');
  return { ...stream, text };
}

/** Workload 4: a realistic OpenAI Chat Completions text stream (role, content, finish, [DONE]). */
export function openAiChatTextStream(bytes, seed) {
  const rand = prng(seed);
  const token = makeTokenSource(seed + 1);
  const base = { id: `chatcmpl-${randomId(rand, 24)}`, object: 'chat.completion.chunk', created: 1732540000, model: 'gpt-4o-mini-2024-07-18', system_fingerprint: 'fp_0ba0d124f1' };
  const chunk = (delta, finish = null) => `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
  const parts = [];
  const stream = buildStream(bytes, () => {
    const content = token();
    parts.push(content);
    return chunk({ content });
  }, {
    head: chunk({ role: 'assistant', content: '', refusal: null }),
    tail: `${chunk({}, 'stop')}data: [DONE]\n\n`,
  });
  return { ...stream, text: parts.join('') };
}

/** Workload 4 (tool call): `function.arguments` of one call streamed in `fragments`. */
export function openAiChatToolStream(fragments, seed) {
  const rand = prng(seed);
  const base = { id: `chatcmpl-${randomId(rand, 24)}`, object: 'chat.completion.chunk', created: 1732540000, model: 'gpt-4o-mini-2024-07-18', system_fingerprint: 'fp_0ba0d124f1' };
  const chunk = (delta, finish = null) => `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
  const callId = `call_${randomId(rand, 24)}`;
  const pieces = [chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: callId, type: 'function', function: { name: 'write_file', arguments: '' } }], refusal: null })];
  for (const f of fragments) pieces.push(chunk({ tool_calls: [{ index: 0, function: { arguments: f } }] }));
  pieces.push(chunk({}, 'tool_calls'), 'data: [DONE]\n\n');
  return { bytes: encoder.encode(pieces.join('')), callId };
}

// --- tool inputs ----------------------------------------------------------------

const IDENTS = ['label', 'items', 'count', 'result', 'props', 'state', 'handler', 'value', 'index', 'total'];
function codeLine(rand) {
  const indent = '  '.repeat(randInt(rand, 0, 3));
  switch (randInt(rand, 0, 9)) {
    case 0: return `${indent}const ${pick(rand, IDENTS)} = "${pick(rand, WORDS)} ${pick(rand, UNICODE)}";`;
    case 1: return `${indent}// TODO: handle \\n and "quoted" ${pick(rand, WORDS)} — see ${pick(rand, UNICODE)}`;
    case 2: return `${indent}if (${pick(rand, IDENTS)} < ${randInt(rand, 0, 999)}) { return '${pick(rand, WORDS)}'; }`;
    case 3: return `${indent}<p className="note">${pick(rand, WORDS)} ${pick(rand, WORDS)} ${pick(rand, UNICODE)}</p>`;
    case 4: return '';
    case 5: return `${indent}\tpath: "C:\\\\Users\\\\${pick(rand, WORDS)}",`;
    case 6: return `${indent}${pick(rand, IDENTS)}.push({ id: ${randInt(rand, 0, 1e5)}, ok: ${rand() < 0.5} });`;
    case 7: return `${indent}export function ${pick(rand, IDENTS)}${randInt(rand, 1, 99)}(${pick(rand, IDENTS)}) {`;
    case 8: return `${indent}}`;
    default: return `${indent}console.log(\`${pick(rand, WORDS)}: \${${pick(rand, IDENTS)}}\`); // 😀 ok`;
  }
}

/** Shape (a): a "write file" call, `{"path": "...", "content": "<long text>"}` of ~`bytes`. */
export function writeFileInput(bytes, seed) {
  const rand = prng(seed);
  const path = `src/components/${pick(rand, ['Chat', 'Tool', 'Message'])}Panel.tsx`;
  const lines = [];
  let size = 30 + path.length;
  while (size < bytes) {
    const line = codeLine(rand);
    lines.push(line);
    size += encoder.encode(JSON.stringify(line)).length - 1; // + '\n' escaped (2) - quotes (2)
  }
  const text = `{"path": ${JSON.stringify(path)}, "content": ${JSON.stringify(lines.join('\n'))}}`;
  return text;
}

const FIRST = ['Ada', 'Grace', 'Alan', 'Zoë', 'José', 'Łukasz', 'Søren', 'Mei', '李', 'Chloé', 'Omar', 'Priya'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Müller', 'García', 'Nowak', 'Kierkegaard', 'Wang', '王', 'Dubois'];
const TAGS = ['a', 'b', 'urgent', 'beta', 'ops', 'ui', 'backend', 'q3'];

/** Shape (b): a structured call, `{"rows": [{"id","name","tags","score"}, ...]}` of ~`bytes`. */
export function rowsInput(bytes, seed) {
  const rand = prng(seed);
  const rows = [];
  let size = 12;
  while (size < bytes) {
    const tags = [];
    for (let k = randInt(rand, 0, 3); k > 0; k--) tags.push(pick(rand, TAGS));
    const row = { id: rows.length + 1, name: `${pick(rand, FIRST)} ${pick(rand, LAST)}`, tags, score: Math.round(rand() * 10000) / 100 };
    rows.push(row);
    size += encoder.encode(JSON.stringify(row)).length + 1;
  }
  return JSON.stringify({ rows });
}

/** Splits text into fragments of `min`–`max` UTF-16 units, never inside a surrogate pair. */
export function fragment(text, seed, min = 3, max = 10) {
  const rand = prng(seed);
  const out = [];
  for (let i = 0; i < text.length;) {
    let end = Math.min(text.length, i + randInt(rand, min, max));
    const c = text.charCodeAt(end - 1);
    if (end < text.length && c >= 0xd800 && c <= 0xdbff) end += 1;
    out.push(text.slice(i, end));
    i = end;
  }
  return out;
}

/**
 * The native-vocabulary events of one streaming tool call: the `tool_start` event,
 * then one `tool_delta` event per fragment, all in one buffer; `offsets[i]` to
 * `offsets[i + 1]` is fragment i's event.
 */
export function nativeToolEvents(fragments, name = 'write_file') {
  const start = encoder.encode(`event: tool_start\ndata: ${JSON.stringify({ id: 't1', name })}\n\n`);
  const texts = fragments.map((delta) => `event: tool_delta\ndata: ${JSON.stringify({ id: 't1', delta })}\n\n`);
  const bytes = encoder.encode(texts.join(''));
  const offsets = new Uint32Array(fragments.length + 1);
  let at = 0;
  for (let i = 0; i < texts.length; i++) {
    offsets[i] = at;
    at += encoder.encode(texts[i]).length;
  }
  offsets[texts.length] = at;
  if (at !== bytes.length) throw new Error('bench: tool event offsets are wrong');
  return { start, bytes, offsets };
}
