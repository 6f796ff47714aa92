// sse-wasm: streaming AI responses over Server-Sent Events, parsed by a C++ core
// compiled to WebAssembly. See index.d.ts for the documented API.
export { ready, isReady, coreStats } from './core.js';
export { SSEParser } from './sse-parser.js';
export { MessageStream } from './message-stream.js';
export { streamMessage } from './transport/run.js';
