// The OpenAI decoders (openai-chat, openai-responses) through the wasm build:
//
//  * every fixture of tests/fixtures/openai-{chat,responses}/ fed to MessageStream
//    (whole, with protocol 'auto', and in random chunks) must end in its expected
//    final state;
//  * differential: the same bytes go through the official `openai` SDK (v6), served
//    by a fake fetch, and its final result must agree with ours on the text, the
//    tool calls (ids, names, arguments), the finish reason, the usage and whether
//    the stream succeeded. For the Responses API the parts themselves are compared:
//    each message content part, reasoning summary part and reasoning text is one of
//    our parts, in the order of the SDK's final `output`.
//
// Where the SDK and the documented stream format disagree, we follow the format;
// each such fixture is listed in SDK_DIFFERS with the reason, and the test checks
// that exact difference, so that a change on either side is noticed.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { ready, MessageStream } from '../../web/index.js';
import { loadFixtures, assertMatches, rng, randomChunks } from './fixture-replay.js';

const CHAT = loadFixtures('openai-chat');
const RESPONSES = loadFixtures('openai-responses');

before(() => ready());

function run(protocol, chunks) {
  const stream = new MessageStream({ protocol });
  try {
    let textLength = 0;
    for (const chunk of chunks) {
      stream.feed(chunk);
      const { text } = stream.snapshot();
      assert.ok(text.length >= textLength, 'the text never shrinks');
      textLength = text.length;
    }
    stream.end();
    return stream.snapshot();
  } finally {
    stream.dispose();
  }
}

for (const [protocol, fixtures] of [['openai-chat', CHAT], ['openai-responses', RESPONSES]]) {
  describe(`${protocol} fixtures through MessageStream`, () => {
    test('fixtures exist', () => assert.ok(fixtures.length >= 12, `only ${fixtures.length} fixtures`));
    for (const f of fixtures) {
      test(f.name, () => {
        const whole = run(protocol, [f.bytes]);
        assertMatches(whole, f.expected, `${f.name} (whole)`);
        assert.equal(whole.protocol, protocol);
        const auto = run('auto', [f.bytes]);
        assertMatches(auto, f.expected, `${f.name} (auto)`);
        assert.equal(auto.protocol, protocol, `${f.name}: detected protocol`);
        const random = rng(f.bytes.length);
        for (let round = 0; round < 10; round++) {
          const chunked = run(protocol, randomChunks(f.bytes, random, 1 + round * 7));
          assertMatches(chunked, f.expected, `${f.name} (chunked ${round})`);
          assert.deepEqual(chunked.parts, whole.parts, `${f.name} (chunked ${round}): parts`);
        }
      });
    }
  });
}

// --- the official SDK, fed the same bytes ------------------------------------------

// A client whose every request is answered with `bytes` as an event stream.
function client(bytes) {
  return new OpenAI({
    apiKey: 'sk-test',
    baseURL: 'http://sdk.invalid/v1',
    maxRetries: 0,
    logLevel: 'off', // the SDK logs the invalid chunk of 'invalid-json' before throwing
    fetch: async () => new Response(bytes, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
  });
}

// JSON.parse keeps a lone surrogate that our UTF-8 core shows as U+FFFD.
const wellFormed = (s) => (s ?? '').toWellFormed();

function parseArguments(text) {
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function ourTools(snapshot) {
  return snapshot.parts.filter((p) => p.type === 'tool').map((p) => ({ id: p.id, name: p.name, arguments: p.inputText }));
}

// --- chat completions --------------------------------------------------------------

async function sdkChat(bytes) {
  const stream = client(bytes).chat.completions.stream({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] });
  let snapshot;
  stream.on('chunk', (_chunk, s) => {
    snapshot = s;
  });
  try {
    return { ok: true, completion: await stream.finalChatCompletion() };
  } catch (error) {
    return { ok: false, error, snapshot };
  }
}

// The SDK's view of choice 0, final or partial, in our terms.
function chatView(message, finishReason, usage) {
  const tools = (message?.tool_calls ?? []).map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments }));
  if (message?.function_call) {
    tools.push({ id: 'function_call', name: message.function_call.name, arguments: message.function_call.arguments ?? '' });
  }
  return {
    text: wellFormed((message?.content ?? '') + (message?.refusal ?? '')),
    tools,
    finishReason: finishReason ?? null,
    usage: usage ? { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens } : null,
  };
}

// Fixtures on which the SDK's result differs from the format (and from us).
const SDK_DIFFERS = {
  // The format ends a stream with `data: [DONE]`; the SDK accepts a stream that
  // stops after finish_reason without it. We report the message as interrupted.
  'cut-after-finish': 'sdk-accepts-missing-done',
  // Invalid JSON in one chunk: the SDK throws and loses the stream; we skip the
  // chunk with a warning (the format says nothing about recovery).
  'invalid-json': 'sdk-throws',
  // Compatible servers' tool-call quirks (outside the documented format): the SDK
  // merges strictly by `index`, so calls without an index are lost and calls that
  // share index 0 are merged into one call with invalid arguments.
  'missing-index': 'sdk-merges-by-index',
  'duplicated-index': 'sdk-merges-by-index',
  'duplicated-index-no-id': 'sdk-merges-by-index',
};

describe('openai-chat agrees with the openai SDK', () => {
  for (const f of CHAT) {
    test(f.name, async () => {
      const ours = run('openai-chat', [f.bytes]);
      const sdk = await sdkChat(f.bytes);
      const differs = SDK_DIFFERS[f.name];

      if (differs === 'sdk-merges-by-index') {
        // The SDK cannot represent these streams: fewer calls than were sent.
        const calls = sdk.ok ? (sdk.completion.choices[0].message.tool_calls ?? []) : [];
        assert.ok(calls.length < ourTools(ours).length, 'the SDK merges or loses calls');
        return;
      }
      if (differs === 'sdk-throws') {
        assert.equal(sdk.ok, false, 'the SDK throws');
        assert.equal(ours.status, 'done');
        assert.ok(ours.warnings.some((w) => w.code === 'invalid_json'));
        return;
      }
      if (differs === 'sdk-accepts-missing-done') {
        assert.equal(sdk.ok, true, 'the SDK accepts the stream');
        assert.equal(ours.status, 'error');
        assert.equal(ours.error.code, 'interrupted');
      } else {
        assert.equal(sdk.ok, ours.status === 'done',
          `success: SDK ${sdk.ok ? 'resolved' : `threw ${sdk.error?.message}`}, ours ${ours.status}`);
      }

      // Reasoning (reasoning_content / reasoning) is an extension the SDK does not
      // accumulate, so only the answer is compared.
      const want = sdk.ok
        ? chatView(sdk.completion.choices[0].message, sdk.completion.choices[0].finish_reason, sdk.completion.usage)
        : chatView(sdk.snapshot?.choices[0]?.message, sdk.snapshot?.choices[0]?.finish_reason, sdk.snapshot?.usage);
      assert.equal(ours.text, want.text, 'text');
      assert.deepEqual(ourTools(ours).map((t) => [t.id, t.name]), want.tools.map((t) => [t.id, t.name]), 'tool ids and names');
      ourTools(ours).forEach((t, i) => {
        const theirs = want.tools[i].arguments;
        // An empty argument text is the input {} for us.
        assert.equal(t.arguments, theirs === '' ? '{}' : theirs, `tool ${t.id}: argument text`);
        const parsed = parseArguments(theirs);
        if (parsed !== undefined) {
          const part = ours.parts.find((p) => p.type === 'tool' && p.id === t.id);
          assert.deepEqual(part.input, parsed, `tool ${t.id}: parsed arguments`);
        }
      });
      assert.equal(ours.finishReason, want.finishReason, 'finish reason');
      if (sdk.ok) assert.deepEqual(ours.usage, want.usage, 'usage');
    });
  }
});

// --- responses ---------------------------------------------------------------------

async function sdkResponses(bytes) {
  const stream = client(bytes).responses.stream({ model: 'gpt-test', input: 'hi' });
  try {
    return { ok: true, response: await stream.finalResponse() };
  } catch (error) {
    return { ok: false, error };
  }
}

// The SDK's final output as our parts: one per message content part, reasoning
// summary part and reasoning text, and one tool per function call.
function responseParts(response) {
  const parts = [];
  for (const item of response.output) {
    if (item.type === 'message') {
      for (const c of item.content) {
        if (c.type === 'output_text') parts.push({ type: 'text', text: c.text });
        if (c.type === 'refusal') parts.push({ type: 'text', text: c.refusal });
      }
    } else if (item.type === 'reasoning') {
      for (const c of item.content ?? []) parts.push({ type: 'reasoning', text: c.text });
      for (const s of item.summary ?? []) parts.push({ type: 'reasoning', text: s.text });
    } else if (item.type === 'function_call') {
      parts.push({ type: 'tool', id: item.call_id, name: item.name, input: parseArguments(item.arguments) });
    }
  }
  return parts;
}

const RESPONSES_SDK_DIFFERS = {
  // Without a terminal event (response.completed / incomplete / failed) the stream
  // was cut; the SDK returns its last snapshot (status "in_progress") as final.
  cut: 'sdk-accepts-cut',
  // Unknown event types: the SDK's accumulator throws ("Unhandled response stream
  // event"); we ignore them, so new event types do not break old clients.
  'unknown-events': 'sdk-throws-on-unknown',
};

describe('openai-responses agrees with the openai SDK', () => {
  for (const f of RESPONSES) {
    test(f.name, async () => {
      const ours = run('openai-responses', [f.bytes]);
      const sdk = await sdkResponses(f.bytes);
      const differs = RESPONSES_SDK_DIFFERS[f.name];

      if (differs === 'sdk-throws-on-unknown') {
        assert.equal(sdk.ok, false);
        assert.match(String(sdk.error?.message), /Unhandled response stream event/);
        assert.equal(ours.status, 'done');
        return;
      }
      if (differs === 'sdk-accepts-cut') {
        assert.equal(sdk.ok, true);
        assert.equal(sdk.response.status, 'in_progress');
        assert.equal(ours.status, 'error');
        assert.equal(ours.error.code, 'interrupted');
        return;
      }
      if (!sdk.ok) {
        // error events: the SDK throws; so do we (status error).
        assert.equal(ours.status, 'error', `the SDK threw ${sdk.error?.message}`);
        return;
      }

      const response = sdk.response;
      const status = { completed: 'done', incomplete: 'done', failed: 'error' }[response.status];
      assert.equal(ours.status, status, `status (SDK: ${response.status})`);
      if (response.status === 'failed') assert.equal(ours.error.code, response.error.code, 'error code');

      const want = responseParts(response);
      const got = ours.parts.map((p) => (p.type === 'tool' ? { type: 'tool', id: p.id, name: p.name, input: p.input }
        : { type: p.type, text: p.text }));
      assert.deepEqual(got, want, 'parts');
      assert.equal(ours.text, wellFormed(want.filter((p) => p.type === 'text').map((p) => p.text).join('')), 'text');

      const finish = response.status === 'incomplete' ? response.incomplete_details?.reason
        : response.status === 'completed' ? (response.output.some((i) => i.type === 'function_call') ? 'tool_calls' : 'stop')
        : null;
      assert.equal(ours.finishReason, finish, 'finish reason');
      const usage = response.usage ? { inputTokens: response.usage.input_tokens, outputTokens: response.usage.output_tokens } : null;
      assert.deepEqual(ours.usage, usage, 'usage');
    });
  }
});
