// Loading the WebAssembly core once, and the few helpers every wrapper shares:
// reading a result batch out of wasm memory and freeing sessions three ways.
import createSseCore from '../dist/sse_core.mjs';
import { HEADER_STATUS, HEADER_TEXT_ADDRESS, HEADER_TEXT_BYTES, HEADER_WORDS_ADDRESS, HEADER_WORD_COUNT } from './wire.js';

let core = null;
let loading = null;
let inlineWasm = null;

/**
 * Where the wasm is by default: next to the package's JavaScript. Written this way
 * (a literal path and import.meta.url) so that bundlers (Vite, webpack 5, Rollup,
 * Next.js) emit the file and rewrite the URL, with no configuration. The path is
 * right both from web/ (the sources) and from dist/ (the published bundle).
 */
const defaultWasmUrl = () => new URL('../dist/sse_core.wasm', import.meta.url);

/**
 * Makes embedded bytes the default source of the wasm (the `sse-wasm/inline` entry
 * calls it with the base64 of the same file).
 * @param {() => Uint8Array} bytes called once, on the first ready() without options
 */
export function setInlineWasm(bytes) {
  inlineWasm = bytes;
}

/**
 * Loads the WebAssembly core. Idempotent: every call returns the same promise.
 * By default the wasm is the file next to the package's JavaScript (in browsers it
 * compiles while it downloads); pass `wasmBinary` (bytes) or `wasmUrl` to load it
 * from elsewhere.
 * @param {{ wasmBinary?: ArrayBuffer | Uint8Array, wasmUrl?: string | URL }} [options]
 */
export function ready(options = {}) {
  if (!loading) {
    loading = instantiate(compile(options ?? {})).then((module) => {
      core = module;
    });
    loading.catch(() => {
      loading = null; // a failed load may be retried
    });
  }
  return loading;
}

// The compiled module, from whichever source applies. Compilation starts here, before
// the glue asks for the instance, and streams where the response allows it.
async function compile({ wasmBinary, wasmUrl }) {
  if (wasmBinary) return WebAssembly.compile(wasmBinary);
  if (!wasmUrl && inlineWasm) return WebAssembly.compile(inlineWasm());
  const url = wasmUrl ?? defaultWasmUrl();
  const fs = String(url).startsWith('file:') ? nodeFs() : null;
  if (fs) {
    let bytes;
    try {
      bytes = fs.readFileSync(new URL(url));
    } catch (error) {
      throw new Error(`sse-wasm: could not read ${url}: ${error.code ?? error.message}${wasmUrl ? '' : HOSTING_HINT}`);
    }
    // Node compiles on the calling thread without a size limit (browsers refuse large
    // synchronous compiles): the synchronous read and compile skip two thread hops,
    // about 0.5 ms of ready().
    return new WebAssembly.Module(bytes);
  }
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`sse-wasm: could not load ${url}: HTTP ${response.status}${wasmUrl ? '' : HOSTING_HINT}`);
  }
  const type = response.headers.get('content-type') ?? '';
  if (typeof WebAssembly.compileStreaming === 'function' && /^application\/wasm\b/i.test(type)) {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

const HOSTING_HINT = '. Serve dist/sse_core.wasm with the app, pass ready({ wasmUrl }) or '
  + 'ready({ wasmBinary }), or import from \'sse-wasm/inline\' (the wasm embedded in the JavaScript)';

// Node's fs without an import statement a browser bundler would follow
// (process.getBuiltinModule: Node 20.16 and later).
function nodeFs() {
  const get = globalThis.process?.getBuiltinModule;
  return typeof get === 'function' ? get('node:fs') : null;
}

function instantiate(compiled) {
  return new Promise((resolve, reject) => {
    createSseCore({
      instantiateWasm(imports, receive) {
        compiled
          .then((module) => WebAssembly.instantiate(module, imports).then((instance) => receive(instance, module)))
          .catch(reject);
        return {};
      },
    }).then(resolve, reject);
  });
}

/** The loaded core module; throws a clear error when ready() has not finished. */
export function getCore() {
  if (!core) throw new Error('sse-wasm: call `await ready()` before creating parsers or streams');
  return core;
}

/** True once ready() has resolved. */
export function isReady() {
  return core !== null;
}

// Both directions of text share these: the decoder keeps a leading U+FEFF (a BOM
// was already handled by the parser; anything left is data).
export const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });
export const utf8Encoder = new TextEncoder();

/**
 * Reads the batch a session published at `headerAddress` (see src/wire.h and
 * web/wire.js): the record words and the decoded text. The words view is only valid
 * until the next call into wasm.
 */
export function readBatch(module, headerAddress) {
  const heap32 = module.HEAPU32;
  const h = headerAddress >>> 2;
  const wordsAddress = heap32[h + HEADER_WORDS_ADDRESS];
  const wordCount = heap32[h + HEADER_WORD_COUNT];
  const textAddress = heap32[h + HEADER_TEXT_ADDRESS];
  const textBytes = heap32[h + HEADER_TEXT_BYTES];
  return {
    words: heap32.subarray(wordsAddress >>> 2, (wordsAddress >>> 2) + wordCount),
    text: textBytes === 0 ? '' : utf8Decoder.decode(module.HEAPU8.subarray(textAddress, textAddress + textBytes)),
    status: heap32[h + HEADER_STATUS],
  };
}

/**
 * A wasm-side session as its JavaScript owner holds it. The core's functions take a
 * session as its address (a number), so freeing is tracked here: `freed` turns true
 * once, when `destroy` is called, and an owner never passes a freed address to the
 * core again (owners drop their handle on dispose() and check it before each call).
 * The handle also caches the session's input buffer: its address stays valid until
 * the buffer must grow, so the crossing that asks for it is made only when a chunk
 * is larger than any before.
 */
export class SessionHandle {
  /**
   * @param {number} address the session in wasm memory
   * @param {(address: number, capacity: number) => number} inputBuffer the core's
   *   function returning a buffer of at least `capacity` bytes for this session
   * @param {(address: number) => void} destroy the core's function freeing it
   */
  constructor(address, inputBuffer, destroy) {
    this.address = address;
    this.inputBuffer = inputBuffer;
    this.destroy = destroy;
    this.freed = false;
    this.inputAddress = 0;
    this.inputCapacity = 0;
  }
}

function inputBuffer(session, length) {
  if (session.inputCapacity >= length && session.inputAddress !== 0) return session.inputAddress;
  const capacity = Math.max(length, 4096);
  session.inputAddress = session.inputBuffer(session.address, capacity);
  session.inputCapacity = capacity;
  return session.inputAddress;
}

/**
 * The largest value a size limit can take in the core (size_t is 32-bit in wasm).
 * A limit at or above it, or Infinity, means no limit: it is passed as this value,
 * never wrapped.
 */
export const MAX_LIMIT = 2 ** 32 - 1;

/**
 * A size limit option (maxEventBytes, maxParts, ...) as the core takes it:
 * undefined, null or 0 keep the default (0 is what the core reads as "default"); a
 * fraction is rounded down, but never to 0; values >= MAX_LIMIT and Infinity
 * saturate to MAX_LIMIT (no limit). NaN, a negative number or a non-number is a
 * TypeError that names the option.
 */
export function limitOption(name, value) {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new TypeError(`sse-wasm: ${name} must be a number >= 0 (0: the default; Infinity: no limit), `
      + `not ${describeValue(value)}`);
  }
  if (value >= MAX_LIMIT) return MAX_LIMIT;
  if (value === 0) return 0;
  return Math.max(1, Math.floor(value));
}

function describeValue(value) {
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return value === null ? 'null' : typeof value;
}

/**
 * A string whose lone surrogates are replaced by U+FFFD, as UTF-8 encoding does.
 * Strings that cross into the core through embind need it: embind would encode a
 * lone surrogate as invalid UTF-8.
 */
export function wellFormed(text) {
  if (typeof text.toWellFormed === 'function') return text.toWellFormed();
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

const isHighSurrogate = (unit) => unit >= 0xd800 && unit <= 0xdbff;

/**
 * What one stream owes between string chunks: text fed as strings may be split
 * inside a surrogate pair (a chunk ending in a high surrogate, the next starting
 * with the low one). feedChunk keeps such a trailing high surrogate here and joins
 * it to the next chunk; flushCarry() releases one that stayed alone, which the
 * UTF-8 encoding turns into U+FFFD, as does a byte chunk that follows it.
 */
export class SurrogateCarry {
  high = '';
}

/**
 * Copies one chunk (Uint8Array, ArrayBuffer view or string) into a session's input
 * buffer in slices of at most `sliceBytes`, calling `consume(length)` per slice.
 * Strings are encoded straight into wasm memory; a surrogate pair is never split,
 * neither between slices nor, given the stream's `carry`, between chunks (see
 * SurrogateCarry; without one, each chunk stands alone).
 */
export function feedChunk(module, session, chunk, consume, carry = null, sliceBytes = 65536) {
  if (typeof chunk === 'string' && carry) {
    if (carry.high) {
      chunk = carry.high + chunk;
      carry.high = '';
    }
    if (chunk.length > 0 && isHighSurrogate(chunk.charCodeAt(chunk.length - 1))) {
      carry.high = chunk[chunk.length - 1];
      chunk = chunk.slice(0, -1);
    }
  }
  if (typeof chunk === 'string') {
    feedString(module, session, chunk, consume, sliceBytes);
    return;
  }
  const bytes = chunk instanceof Uint8Array ? chunk
    : ArrayBuffer.isView(chunk) ? new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    : chunk instanceof ArrayBuffer ? new Uint8Array(chunk)
    : null;
  if (!bytes) throw new TypeError('sse-wasm: feed() takes a Uint8Array, an ArrayBuffer or a string');
  if (carry) flushCarry(module, session, consume, carry);
  for (let start = 0; start < bytes.length; start += sliceBytes) {
    const slice = bytes.subarray(start, Math.min(bytes.length, start + sliceBytes));
    const address = inputBuffer(session, slice.length);
    module.HEAPU8.set(slice, address);
    consume(slice.length);
  }
}

/** Feeds a high surrogate that no low one followed (it becomes U+FFFD). */
export function flushCarry(module, session, consume, carry) {
  if (!carry.high) return;
  const lone = carry.high;
  carry.high = '';
  feedString(module, session, lone, consume, 65536);
}

function feedString(module, session, text, consume, sliceBytes) {
  for (let start = 0; start < text.length;) {
    let end = Math.min(text.length, start + (sliceBytes / 3) | 0);
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
    const capacity = (end - start) * 3;
    const address = inputBuffer(session, capacity);
    const { written } = utf8Encoder.encodeInto(text.slice(start, end),
      module.HEAPU8.subarray(address, address + capacity));
    consume(written);
    start = end;
  }
}

export const disposeSymbol = Symbol.dispose ?? Symbol.for('Symbol.dispose');

// The backstop for sessions a user forgot to dispose: the wasm-side object is
// freed when its JavaScript owner is garbage-collected. The registry holds the
// handle, never the owner.
const registry = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry(free) : null;

let live = 0;

function free(session) {
  if (session.freed) return;
  session.freed = true;
  session.destroy(session.address);
  live--;
}

/** Starts tracking a new session handle owned by `owner`; returns the handle. */
export function trackSession(owner, session) {
  live++;
  registry?.register(owner, session, owner);
  return session;
}

/** Frees `owner`'s session now (dispose(), [Symbol.dispose]); a second call does nothing. */
export function releaseSession(owner, session) {
  registry?.unregister(owner);
  free(session);
}

/**
 * Diagnostics: wasm-side sessions alive now, and the wasm memory size in bytes.
 * Sessions reclaimed by the FinalizationRegistry backstop are counted out too.
 */
export function coreStats() {
  return { liveSessions: live, wasmMemoryBytes: core ? core.HEAPU8.length : 0 };
}
