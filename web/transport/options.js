// streamMessage() options: checked once, up front, into the plain settings a run
// uses. A bad option is a TypeError with `code` (the run turns it into its error).
import { limitOption } from '../core.js';
import { MAX_TIMER_MS, classify, hasGlobal } from './connection.js';
import { buildInit } from './http.js';

export const DEFAULT_RETRY = Object.freeze({ attempts: 3, minDelayMs: 500, maxDelayMs: 10000 });
/** A server `retry:` above this (one hour) is ignored in favour of the client's own backoff. */
export const MAX_SERVER_RETRY_MS = 3_600_000;
const LIMIT_OPTIONS = ['maxEventBytes', 'maxToolInputBytes', 'maxJsonDepth', 'maxParts', 'maxMessageBytes'];

export function optionError(message, code = 'invalid_options') {
  return Object.assign(new TypeError(`sse-wasm: ${message}`), { code });
}

const isDelay = (value) => typeof value === 'number' && value >= 0 && !Number.isNaN(value);

function retryOf(option) {
  if (option === undefined) return DEFAULT_RETRY;
  if (option === false) return { ...DEFAULT_RETRY, attempts: 0 };
  if (option === null || typeof option !== 'object') throw optionError('retry must be an object or false');
  const retry = { ...DEFAULT_RETRY };
  for (const key of ['attempts', 'minDelayMs', 'maxDelayMs']) {
    const value = option[key];
    if (value === undefined) continue;
    if (!isDelay(value)) throw optionError(`retry.${key} must be a number >= 0`);
    // A delay above what a timer can wait would fire at once: capped (attempts may be Infinity).
    retry[key] = key === 'attempts' ? value : Math.min(value, MAX_TIMER_MS);
  }
  if (retry.maxDelayMs < retry.minDelayMs) retry.maxDelayMs = retry.minDelayMs;
  return retry;
}

/**
 * The delay before reconnection number `attempt` (1, 2, ...). A server's `retry:`
 * (up to MAX_SERVER_RETRY_MS) is the first delay exactly, as WHATWG says, and later
 * ones double from it; `maxDelayMs` caps the doubling but never cuts the server's
 * own value short, and `minDelayMs` never raises it. Without one: exponential from
 * `minDelayMs` with up to 50 % jitter, within [minDelayMs, maxDelayMs].
 */
export function reconnectDelay(attempt, serverRetry, retry, random = Math.random) {
  const { minDelayMs, maxDelayMs } = retry;
  const growth = 2 ** (attempt - 1);
  let delay;
  if (typeof serverRetry === 'number' && serverRetry >= 0 && serverRetry <= MAX_SERVER_RETRY_MS) {
    delay = Math.min(serverRetry * growth, Math.max(maxDelayMs, serverRetry));
  } else {
    const base = minDelayMs * growth;
    delay = Math.min(maxDelayMs, Math.max(minDelayMs, base + random() * base * 0.5));
  }
  // Never above what setTimeout can wait (a longer delay would fire at once).
  return Math.min(delay, MAX_TIMER_MS);
}

/** Every setting of a run, from its input and options; throws optionError. */
export function settingsOf(input, options) {
  if (options === null || typeof options !== 'object') throw optionError('the options must be an object');
  const kind = classify(input);
  if (!kind) {
    throw optionError('streamMessage() takes a URL, a Request, a Response, a ReadableStream, an async '
      + 'iterable or an EventSource', 'invalid_input');
  }
  const settings = {
    input,
    kind,
    fetch: null,
    init: null,          // fetch init ('url')
    request: null,       // an unread clone of the Request, cloned again per attempt ('request')
    extraHeaders: null,  // options.headers over a Request's own
    restartable: false,  // a new connection can be opened (resume or retry)
    retry: retryOf(options.retry),
    idleMs: 60000,
    streamOptions: {},
    autoProtocol: (options.protocol ?? 'auto') === 'auto',
    signal: null,
  };
  if (options.idleTimeoutMs !== undefined) {
    if (!isDelay(options.idleTimeoutMs)) throw optionError('idleTimeoutMs must be a number >= 0 (0 turns it off)');
    // 0 and Infinity turn it off; above what a timer can wait, it waits that long.
    settings.idleMs = options.idleTimeoutMs === Infinity ? 0 : Math.min(options.idleTimeoutMs, MAX_TIMER_MS);
  }
  if (options.protocol !== undefined) settings.streamOptions.protocol = options.protocol;
  for (const key of LIMIT_OPTIONS) {
    if (options[key] === undefined) continue;
    try {
      settings.streamOptions[key] = limitOption(key, options[key]);
    } catch (error) {
      throw optionError(error.message.replace(/^sse-wasm: /, ''));
    }
  }
  if (options.signal !== undefined && options.signal !== null) {
    if (typeof options.signal.addEventListener !== 'function' || typeof options.signal.aborted !== 'boolean') {
      throw optionError('signal must be an AbortSignal');
    }
    settings.signal = options.signal;
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function') throw optionError('fetch must be a function');
  settings.fetch = options.fetch ?? (hasGlobal('fetch') ? (...args) => globalThis.fetch(...args) : null);

  switch (kind) {
    case 'url': {
      const { init, restartable } = buildInit(options);
      settings.init = init;
      settings.restartable = restartable;
      break;
    }
    case 'request':
      if (input.bodyUsed) throw optionError('the Request body was already read', 'invalid_input');
      settings.request = input.clone();
      settings.extraHeaders = new Headers(options.headers ?? undefined);
      settings.signal ??= input.signal ?? null;
      settings.restartable = true;
      break;
    case 'response':
      if (input.bodyUsed) throw optionError('the Response body was already read', 'invalid_input');
      break;
    case 'readable':
      if (input.locked) throw optionError('the ReadableStream is locked (already being read)', 'invalid_input');
      break;
    case 'eventsource':
      settings.restartable = typeof input.constructor === 'function' && input.constructor !== Object;
      break;
    default:
      break;
  }
  if ((kind === 'url' || kind === 'request') && !settings.fetch) {
    throw optionError('there is no global fetch here: pass options.fetch');
  }
  return settings;
}
