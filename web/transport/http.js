// HTTP: the fetch of each attempt, and what a response must be before its body is
// read as a stream (a 2xx status, text/event-stream).
import { BODY_EXCERPT_BYTES, failure, httpFailure } from './errors.js';
import { bodySource, hasGlobal } from './connection.js';

const FETCH_OPTIONS = ['credentials', 'mode', 'cache', 'redirect', 'referrer', 'referrerPolicy', 'integrity',
  'keepalive', 'priority'];

export function isPlainObject(value) {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A header value is a byte string: the id's UTF-8 bytes, one character each, as
 * EventSource sends it. Built in slices: an id may be megabytes long.
 */
export function headerBytes(text) {
  const bytes = new TextEncoder().encode(text);
  let out = '';
  for (let i = 0; i < bytes.length; i += 0x4000) out += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x4000));
  return out;
}

/**
 * The fetch init of a URL input. `cache` defaults to 'no-store' (as EventSource
 * fetches): a cache must never replay an old stream.
 */
export function buildInit(options) {
  const headers = new Headers(options.headers ?? undefined);
  let body = options.body;
  if (isPlainObject(body) || Array.isArray(body)) {
    body = JSON.stringify(body);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  if (!headers.has('accept')) headers.set('accept', 'text/event-stream');
  const hasBody = body !== undefined && body !== null;
  const init = { method: options.method ?? (hasBody ? 'POST' : 'GET'), headers, cache: 'no-store' };
  if (hasBody) init.body = body;
  for (const key of FETCH_OPTIONS) if (options[key] !== undefined) init[key] = options[key];
  // A streamed body cannot be sent twice: no resume, no retry.
  const streamedBody = hasGlobal('ReadableStream') && body instanceof ReadableStream;
  if (streamedBody) init.duplex = 'half';
  return { init, restartable: !streamedBody };
}

/** Starts the fetch of one attempt; `lastEventId` is sent when resuming. */
export function fetchAttempt(settings, lastEventId, signal) {
  if (settings.request) {
    const request = settings.request.clone();
    const headers = new Headers(request.headers);
    for (const [name, value] of settings.extraHeaders) headers.set(name, value);
    if (!headers.has('accept')) headers.set('accept', 'text/event-stream');
    if (lastEventId !== null) headers.set('last-event-id', headerBytes(lastEventId));
    return settings.fetch(request, { headers, signal });
  }
  const init = { ...settings.init, headers: new Headers(settings.init.headers), signal };
  if (lastEventId !== null) init.headers.set('last-event-id', headerBytes(lastEventId));
  return settings.fetch(settings.input, init);
}

/**
 * The status and content type: a MessageError, or null when the body is a stream
 * to read. An error's body excerpt is read through `connection` (bounded, and
 * stopped with it).
 */
export async function checkResponse(response, connection) {
  const status = response.status;
  if (status === 204) return failure('no_content', { status });
  const ok = status >= 200 && status <= 299;
  const type = response.headers?.get?.('content-type') ?? '';
  if (ok && type.split(';')[0].trim().toLowerCase() === 'text/event-stream') return null;
  const body = await bodyExcerpt(response, connection);
  if (!ok) return httpFailure(status, response.statusText, body);
  return failure('bad_content_type', {
    status, body, detail: `Expected text/event-stream, got ${type ? `'${type}'` : 'no content type'}`,
  });
}

// The first BODY_EXCERPT_BYTES of a body as text (a character cut at the end is dropped).
async function bodyExcerpt(response, connection) {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const bytes = new Uint8Array(BODY_EXCERPT_BYTES);
  let length = 0;
  try {
    connection.source = bodySource(response.body);
    while (connection.source && length < BODY_EXCERPT_BYTES) {
      const result = await connection.read();
      if (connection.stopped || result.done) break;
      connection.touch();
      const chunk = typeof result.value === 'string' ? encoder.encode(result.value) : new Uint8Array(result.value);
      const take = Math.min(chunk.length, BODY_EXCERPT_BYTES - length);
      bytes.set(chunk.subarray(0, take), length);
      length += take;
    }
  } catch {
    // what arrived is enough
  }
  return decoder.decode(bytes.subarray(0, length), { stream: true });
}
