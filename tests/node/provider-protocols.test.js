// The provider protocols (anthropic, ai-sdk, gemini) in the wasm build, against their
// fixtures and against the official SDKs installed as dev dependencies:
//
//  * every fixture fed to MessageStream (named protocol and 'auto', whole and in
//    random pieces) ends in its expected state;
//  * differential: the same bytes go through @anthropic-ai/sdk (a client whose fetch
//    returns the fixture, then messages.stream(...).finalMessage()) or through the
//    ai package (DefaultChatTransport's response parsing, then readUIMessageStream,
//    and createUIMessageStream's onFinish for the finish reason). Text, tool calls
//    (ids, names, parsed inputs, and for the AI SDK states, outputs and errors),
//    finish reason, usage and errors must agree with ours.
//
// Gemini has no SDK installed: fixtures only.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { DefaultChatTransport, createUIMessageStream, readUIMessageStream } from 'ai';
import { ready, MessageStream } from '../../web/index.js';
import { loadFixtures, assertMatches, rng, randomChunks } from './fixture-replay.js';

before(() => ready());

const PROVIDERS = ['anthropic', 'ai-sdk', 'gemini'];

function replay(chunks, protocol) {
  const s = new MessageStream({ protocol });
  try {
    let lastText = '';
    for (const chunk of chunks) {
      s.feed(chunk);
      const { text } = s.snapshot();
      assert.ok(text.startsWith(lastText), 'text only grows');
      lastText = text;
    }
    s.end();
    return s.snapshot();
  } finally {
    s.dispose();
  }
}

const toolsOf = (snapshot) => snapshot.parts.filter((p) => p.type === 'tool');

for (const protocol of PROVIDERS) {
  describe(`provider fixtures: ${protocol}`, () => {
    const fixtures = loadFixtures(protocol);
    test('fixtures exist', () => assert.ok(fixtures.length >= 8, `${fixtures.length} fixtures`));
    for (const f of fixtures) {
      test(f.name, () => {
        const whole = replay([f.bytes], protocol);
        assertMatches(whole, f.expected, 'whole');
        assert.equal(whole.protocol, protocol);
        const auto = replay([f.bytes], 'auto');
        assertMatches(auto, f.expected, 'auto');
        assert.equal(auto.protocol, protocol, 'auto detects the protocol');
        for (const seed of [1, 2, 3]) {
          const random = rng(seed * 7919 + f.bytes.length);
          assertMatches(replay(randomChunks(f.bytes, random, 1 + seed * 5), protocol), f.expected, `pieces ${seed}`);
        }
        // Text arrives as strings too (feed(string)).
        assertMatches(replay([new TextDecoder().decode(f.bytes)], protocol), f.expected, 'string');
      });
    }
  });
}

// --- @anthropic-ai/sdk ---------------------------------------------------------------

async function viaAnthropicSdk(bytes) {
  const client = new Anthropic({
    apiKey: 'sk-ant-test',
    maxRetries: 0,
    fetch: async () => new Response(bytes, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
  });
  const stream = client.messages.stream({
    model: 'claude-sonnet-4-5',
    max_tokens: 1024,
    messages: [{ role: 'user', content: 'Hello' }],
  });
  try {
    return { message: await stream.finalMessage() };
  } catch (error) {
    return { error };
  }
}

// Fixtures whose tool input JSON is cut short (see below).
const TRUNCATED_INPUT = new Set(['max-tokens-in-tool']);

describe('differential: @anthropic-ai/sdk MessageStream', () => {
  for (const f of loadFixtures('anthropic')) {
    test(f.name, async () => {
      const ours = replay([f.bytes], 'anthropic');
      const sdk = await viaAnthropicSdk(f.bytes);
      if (sdk.error) {
        // The SDK throws for an error event (APIError with the error body) and for a
        // stream that ends without message_stop; we end in status 'error', keeping the
        // partial message.
        assert.equal(ours.status, 'error', `the SDK failed (${sdk.error.message}); so must we`);
        const type = sdk.error.error?.error?.type;
        if (type) {
          assert.equal(ours.error.code, type);
          assert.equal(ours.error.message, sdk.error.error.error.message);
        } else {
          assert.equal(ours.error.code, 'interrupted');
        }
        return;
      }
      const m = sdk.message;
      assert.equal(ours.status, 'done');
      assert.equal(ours.text, m.content.filter((b) => b.type === 'text').map((b) => b.text).join(''), 'text');
      // tool_use and the server-run server_tool_use / mcp_tool_use blocks.
      const sdkTools = m.content.filter((b) => b.type.endsWith('tool_use')).map(({ id, name, input }) => ({ id, name, input }));
      const ourTools = toolsOf(ours).map(({ id, name, input }) => ({ id, name, input }));
      if (TRUNCATED_INPUT.has(f.name)) {
        // The input JSON was cut (max_tokens): the SDK's partial parser drops an
        // unfinished string ("sec"), our best-effort value keeps the characters that
        // arrived (PartialJson's rule, as the npm partial-json package). The Messages
        // API documents no value for a truncated input; we keep ours.
        for (const tool of [...sdkTools, ...ourTools]) delete tool.input;
      }
      assert.deepEqual(ourTools, sdkTools, 'tool calls');
      assert.equal(ours.finishReason, m.stop_reason, 'finish reason');
      assert.deepEqual(ours.usage, { inputTokens: m.usage.input_tokens, outputTokens: m.usage.output_tokens }, 'usage');
      // Thinking blocks are our reasoning parts.
      const thinking = m.content.filter((b) => b.type === 'thinking').map((b) => b.thinking);
      assert.deepEqual(ours.parts.filter((p) => p.type === 'reasoning').map((p) => p.text), thinking, 'thinking');
    });
  }
});

// --- ai (Vercel AI SDK v6) -------------------------------------------------------------

// Fixtures the SDK cannot read: it rejects an unknown chunk type (and a text delta for
// a part that never started) and stops reading the stream there, where we keep going.
const AI_SDK_STOPS = new Set(['lenient']);

async function viaAiSdk(bytes) {
  // The browser side exactly as useChat reads a response: the transport's SSE parsing
  // and chunk validation, then the UI message reducer.
  const chunks = new DefaultChatTransport().processResponseStream(new Response(bytes).body);
  const [forMessage, forFinish] = chunks.tee();
  const errors = [];
  let message;
  for await (const m of readUIMessageStream({ stream: forMessage, onError: (e) => errors.push(e) })) message = m;
  let finishReason;
  const finished = createUIMessageStream({
    execute: ({ writer }) => writer.merge(forFinish),
    onFinish: (event) => {
      finishReason = event.finishReason;
    },
  });
  for await (const chunk of finished) void chunk;
  return { message, errors, finishReason };
}

// The usage our decoder reads from message metadata (ai_sdk_protocol.h).
function usageOf(metadata) {
  if (!metadata || typeof metadata !== 'object') return null;
  const counts = metadata.usage ?? metadata.totalUsage ?? metadata;
  if (typeof counts.inputTokens !== 'number' && typeof counts.outputTokens !== 'number') return null;
  return { inputTokens: counts.inputTokens ?? 0, outputTokens: counts.outputTokens ?? 0 };
}

describe('differential: ai readUIMessageStream', () => {
  for (const f of loadFixtures('ai-sdk')) {
    if (AI_SDK_STOPS.has(f.name)) {
      // The SDK stops at the first chunk it rejects; we skip that chunk and go on.
      // Asserted as such: the SDK reports a problem, and our text extends its text.
      test(`${f.name} (the SDK stops at a chunk it rejects; we keep going)`, async () => {
        const ours = replay([f.bytes], 'ai-sdk');
        let sdkText = '';
        let problem = false;
        try {
          const { message, errors } = await viaAiSdk(f.bytes);
          problem = errors.length > 0;
          sdkText = (message?.parts ?? []).filter((p) => p.type === 'text').map((p) => p.text).join('');
        } catch {
          problem = true;
        }
        assert.ok(problem, 'the SDK rejected a chunk of this fixture');
        assert.ok(ours.text.startsWith(sdkText), `our text extends the SDK's (${JSON.stringify(sdkText)})`);
        assert.ok(ours.text.length > sdkText.length, 'we kept text the SDK dropped');
      });
      continue;
    }
    test(f.name, async () => {
      const ours = replay([f.bytes], 'ai-sdk');
      const { message, errors, finishReason } = await viaAiSdk(f.bytes);
      assert.ok(message, 'the SDK produced a message');
      const parts = message.parts;
      assert.equal(ours.text, parts.filter((p) => p.type === 'text').map((p) => p.text).join(''), 'text');
      assert.deepEqual(
        ours.parts.filter((p) => p.type === 'reasoning').map((p) => p.text),
        parts.filter((p) => p.type === 'reasoning').map((p) => p.text),
        'reasoning',
      );
      const sdkTools = parts
        .filter((p) => p.type.startsWith('tool-') || p.type === 'dynamic-tool')
        .map((p) => {
          const tool = {
            id: p.toolCallId,
            name: p.type === 'dynamic-tool' ? p.toolName : p.type.slice('tool-'.length),
            state: p.state,
            // tool-input-error: the SDK keeps the invalid input as rawInput (static
            // tools) and leaves input undefined; we keep it as the input.
            input: p.input === undefined ? p.rawInput : p.input,
          };
          if (p.state === 'output-available') tool.output = p.output;
          if (p.state === 'output-error') tool.errorText = p.errorText;
          return tool;
        });
      const ourTools = toolsOf(ours).map((p) => {
        const tool = { id: p.id, name: p.name, state: p.state, input: p.input };
        if (p.state === 'output-available') tool.output = p.output;
        if (p.state === 'output-error') tool.errorText = p.errorText;
        return tool;
      });
      assert.deepEqual(ourTools, sdkTools, 'tool calls');
      assert.equal(ours.finishReason, finishReason ?? null, 'finish reason');
      assert.deepEqual(ours.usage, usageOf(message.metadata), 'usage (from message metadata)');
      // An error chunk: the SDK reports it through onError and reads on; we end the
      // message in error with its text (the documented meaning of the chunk).
      if (errors.length > 0) {
        assert.equal(ours.status, 'error');
        assert.equal(ours.error.message, errors[0].message);
      } else if (ours.status === 'error') {
        // The UI stream's end marker is [DONE] (or a finish chunk); the SDK does not
        // tell a stream cut short from a complete one, we call it 'interrupted'.
        assert.equal(ours.error.code, 'interrupted', 'no error for the SDK, none for us but an interruption');
      }
    });
  }
});

test('every provider fixture has an expected state', () => {
  for (const protocol of PROVIDERS) {
    for (const f of loadFixtures(protocol)) {
      for (const key of ['status', 'text', 'parts', 'error', 'finishReason', 'usage']) {
        assert.ok(key in f.expected, `${protocol}/${f.name}: ${key}`);
      }
    }
  }
});
