// Loading the WebAssembly core once, and the few helpers every wrapper shares:
// reading a result batch out of wasm memory and freeing sessions three ways.
import createSseCore from '../dist/sse_core.mjs';

let core = null;
let loading = null;

/**
 * Loads the WebAssembly core. Idempotent: every call returns the same promise.
 * The wasm ships inside the package's JavaScript, so no option is needed; pass
 * `wasmBinary` (bytes) or `wasmUrl` to load it from elsewhere.
 * @param {{ wasmBinary?: ArrayBuffer | Uint8Array, wasmUrl?: string | URL }} [options]
 */
export function ready(options = {}) {
  if (!loading) {
    loading = loadBytes(options)
      .then((wasmBinary) => createSseCore(wasmBinary ? { wasmBinary } : {}))
      .then((module) => {
        core = module;
      });
    loading.catch(() => {
      loading = null; // a failed load may be retried
    });
  }
  return loading;
}

async function loadBytes({ wasmBinary, wasmUrl }) {
  if (wasmBinary) return wasmBinary;
  if (!wasmUrl) return null;
  const response = await fetch(wasmUrl);
  if (!response.ok) throw new Error(`sse-wasm: could not load ${wasmUrl}: HTTP ${response.status}`);
  return response.arrayBuffer();
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
 * Reads the batch a session published at `headerAddress` (see src/batch_writer.h):
 * the record words and the decoded text. The words view is only valid until the
 * next call into wasm.
 */
export function readBatch(module, headerAddress) {
  const heap32 = module.HEAPU32;
  const h = headerAddress >>> 2;
  const wordsAddress = heap32[h];
  const wordCount = heap32[h + 1];
  const textAddress = heap32[h + 2];
  const textBytes = heap32[h + 3];
  return {
    words: heap32.subarray(wordsAddress >>> 2, (wordsAddress >>> 2) + wordCount),
    text: textBytes === 0 ? '' : utf8Decoder.decode(module.HEAPU8.subarray(textAddress, textAddress + textBytes)),
    status: heap32[h + 4],
  };
}

// A session's input buffer keeps its address until it must grow, so the crossing
// that asks for it is made only when a chunk is larger than any before.
const inputBuffers = new WeakMap();

function inputBuffer(session, length) {
  const known = inputBuffers.get(session);
  if (known && known.capacity >= length) return known.address;
  const capacity = Math.max(length, 4096);
  const address = session.inputBuffer(capacity);
  inputBuffers.set(session, { capacity, address });
  return address;
}

/**
 * Copies one chunk (Uint8Array, ArrayBuffer view or string) into a session's input
 * buffer in slices of at most `sliceBytes`, calling `consume(length)` per slice.
 * Strings are encoded straight into wasm memory; a surrogate pair is never split.
 */
export function feedChunk(module, session, chunk, consume, sliceBytes = 65536) {
  if (typeof chunk === 'string') {
    for (let start = 0; start < chunk.length;) {
      let end = Math.min(chunk.length, start + (sliceBytes / 3) | 0);
      const last = chunk.charCodeAt(end - 1);
      if (end < chunk.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
      const capacity = (end - start) * 3;
      const address = inputBuffer(session, capacity);
      const { written } = utf8Encoder.encodeInto(chunk.slice(start, end),
        module.HEAPU8.subarray(address, address + capacity));
      consume(written);
      start = end;
    }
    return;
  }
  const bytes = chunk instanceof Uint8Array ? chunk
    : ArrayBuffer.isView(chunk) ? new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    : chunk instanceof ArrayBuffer ? new Uint8Array(chunk)
    : null;
  if (!bytes) throw new TypeError('sse-wasm: feed() takes a Uint8Array, an ArrayBuffer or a string');
  for (let start = 0; start < bytes.length; start += sliceBytes) {
    const slice = bytes.subarray(start, Math.min(bytes.length, start + sliceBytes));
    const address = inputBuffer(session, slice.length);
    module.HEAPU8.set(slice, address);
    consume(slice.length);
  }
}

export const disposeSymbol = Symbol.dispose ?? Symbol.for('Symbol.dispose');

// The backstop for sessions a user forgot to dispose: the wasm-side object is
// freed when its JavaScript owner is garbage-collected.
const registry = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry((session) => {
    if (!session.isDeleted()) {
      session.delete();
      live--;
    }
  })
  : null;

let live = 0;

export function trackSession(owner, session) {
  live++;
  registry?.register(owner, session, owner);
}

export function releaseSession(owner, session) {
  registry?.unregister(owner);
  if (!session.isDeleted()) {
    session.delete();
    live--;
  }
}

/**
 * Diagnostics: wasm-side sessions alive now, and the wasm memory size in bytes.
 * Sessions reclaimed by the FinalizationRegistry backstop are counted out too.
 */
export function coreStats() {
  return { liveSessions: live, wasmMemoryBytes: core ? core.HEAPU8.length : 0 };
}
