// The wasm boundary itself (bindings/sse_wasm.cpp through bindings/embind_invoker.js):
// the registered functions check their argument count and convert arguments as
// embind does, and strings passed to the core are freed after each call.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ready, getCore } from '../../web/core.js';

before(() => ready());

test('a registered function called with the wrong number of arguments is a BindingError naming it', () => {
  const core = getCore();
  const session = core.sseCreate(0);
  try {
    assert.throws(() => core.sseFeed(session), (e) => e instanceof core.BindingError
      && /function sseFeed called with 1 arguments, expected 2 args!/.test(e.message));
    assert.throws(() => core.sseRetry(), /function sseRetry called with 0 arguments, expected 1 args!/);
    assert.throws(() => core.msgHintProtocol(0, 'a', 'b'), /function msgHintProtocol called with 3 arguments/);
  } finally {
    core.sseDestroy(session);
  }
});

test('arguments convert as embind converts them: unsigned wraps, bool, double, string; results come back', () => {
  const core = getCore();
  const session = core.sseCreate(0);
  try {
    const input = core.sseInputBuffer(session, 64);
    const bytes = new TextEncoder().encode('retry: 1500\nid: é\ndata: x\n\n');
    core.HEAPU8.set(bytes, input);
    assert.equal(core.sseFeed(session, bytes.length), 1); // uint32_t result: one event
    assert.equal(core.sseRetry(session), 1500); // double result
    assert.equal(core.sseLastEventIdLength(session), 2); // size_t result: 'é' is two bytes
  } finally {
    core.sseDestroy(session);
  }
  const message = core.msgCreate('openai-chat', 0, 0, 0, 0, 0);
  try {
    assert.equal(core.msgProtocol(message), 'openai-chat'); // std::string both ways
    assert.throws(() => core.msgHintProtocol(message, 42), /Cannot pass non-string to std::string/);
  } finally {
    core.msgDestroy(message);
  }
});

test('strings passed to the core are freed after each call: 20,000 calls with 4 KB strings leave the heap flat', () => {
  const core = getCore();
  const message = core.msgCreate('auto', 0, 0, 0, 0, 0);
  const name = 'x'.repeat(4096);
  try {
    for (let i = 0; i < 1000; i++) core.msgHintProtocol(message, name);
    const before = core.HEAPU8.length;
    for (let i = 0; i < 20000; i++) core.msgHintProtocol(message, name); // 80 MB if never freed
    assert.equal(core.HEAPU8.length, before);
  } finally {
    core.msgDestroy(message);
  }
});
