// sse-wasm/inline: the API of `sse-wasm` (see index.d.ts) with the wasm embedded in
// the JavaScript as base64, for hosts that cannot serve dist/sse_core.wasm. Importing
// this entry once makes the embedded bytes the default of every ready() in the app,
// including the ones streamMessage() and the `sse-wasm/react` hooks make. It costs
// about a third more to download than the separate file, and a base64 decode at start-up.
export * from './index.js';
