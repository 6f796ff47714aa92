// sse-wasm/inline: the same API as `sse-wasm`, with the wasm embedded in the
// JavaScript (base64), for hosts that cannot serve a second file. Importing this
// entry once (anywhere in the app) makes the embedded bytes the default of every
// ready(), including the one that streamMessage() and the React hooks make.
import { setInlineWasm } from './core.js';
import base64 from '../dist/sse_core.wasm.inline.js';

setInlineWasm(() => decodeBase64(base64));

function decodeBase64(text) {
  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(text);
  const nodeBuffer = globalThis.Buffer; // Node: a native decoder, many times faster than atob
  if (typeof nodeBuffer?.from === 'function') return nodeBuffer.from(text, 'base64');
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export * from './index.js';
