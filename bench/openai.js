// Workload 4: OpenAI Chat Completions streams, decoded by MessageStream's
// 'openai-chat' protocol when the wasm build has it (detected, not assumed).
//   text: 5 MB of chat.completion.chunk content deltas, snapshot read per chunk,
//         vs eventsource-parser + JSON.parse + reducer.
//   tool: one call whose 500 KB `function.arguments` streams in 3–10 character
//         fragments, input read at the end, vs the `openai` SDK's ChatCompletionStream
//         accumulation and vs eventsource-parser + JSON.parse + reducer.
// `ChatCompletionStream.fromReadableStream` reads the NDJSON that the SDK's own
// toReadableStream() writes, not SSE bytes; so the SDK contender is a real client
// (`client.chat.completions.stream()`) whose `fetch` answers with the SSE bytes in
// memory (no network): the SDK's own SSE decoder, JSON.parse and accumulation.
import OpenAI from 'openai';
import { MessageStream } from '../web/index.js';
import { fragment, openAiChatTextStream, openAiChatToolStream, splitChunks, writeFileInput } from './inputs.js';
import { JsMessageReducer, openAiChatEvents } from './reducer.js';
import { jsTextRun, oursTextRun, textCheck } from './text.js';
import { compare, fmtMBs, fmtMs, fmtRatio, log, ratio, table, version } from './lib.js';
import { formatBuckets, profile } from './profile.js';

const TEXT_BYTES = 5e6;
const TOOL_INPUT_BYTES = 500 * 1024;
export const SKIPPED = 'skipped: openai-chat not built';

/** Whether this wasm build decodes 'openai-chat': one chunk in, its text out. */
export function openAiChatSupported() {
  let stream;
  try {
    stream = new MessageStream({ protocol: 'openai-chat' });
    stream.feed('data: {"id":"chatcmpl-probe","object":"chat.completion.chunk","created":0,"model":"m","choices":[{"index":0,"delta":{"content":"probe"},"finish_reason":null}]}\n\n');
    const s = stream.snapshot();
    return s.protocol === 'openai-chat' && s.text === 'probe';
  } catch {
    return false;
  } finally {
    stream?.dispose();
  }
}

function oursToolRun(chunks) {
  return () => {
    const stream = new MessageStream({ protocol: 'openai-chat' });
    for (const chunk of chunks) stream.feed(chunk);
    stream.end();
    const part = stream.snapshot().parts.find((p) => p.type === 'tool');
    stream.dispose();
    return part?.input;
  };
}

function jsToolRun(chunks) {
  return () => {
    const reducer = new JsMessageReducer(openAiChatEvents);
    for (const chunk of chunks) reducer.feed(chunk);
    return reducer.toolInput();
  };
}

function sdkToolRun(chunks) {
  return async () => {
    let i = 0;
    const body = () => new ReadableStream({
      pull(controller) {
        if (i < chunks.length) controller.enqueue(chunks[i++]);
        else controller.close();
      },
    });
    const client = new OpenAI({
      apiKey: 'bench-no-network',
      baseURL: 'http://bench.invalid/v1',
      maxRetries: 0,
      fetch: async () => new Response(body(), { status: 200, headers: { 'content-type': 'text/event-stream' } }),
    });
    const stream = client.chat.completions.stream({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'write the file' }],
      tools: [{ type: 'function', function: { name: 'write_file', parameters: { type: 'object' } } }],
    });
    const completion = await stream.finalChatCompletion();
    return JSON.parse(completion.choices[0].message.tool_calls[0].function.arguments);
  };
}

export async function runOpenAi({ rounds = 7, warmup = 3 } = {}) {
  const supported = openAiChatSupported();
  log(`  openai-chat in this build: ${supported ? 'yes' : 'no'}`);

  // Text.
  const text = openAiChatTextStream(TEXT_BYTES, 501);
  const textSize = text.bytes.length;
  const textChunks = splitChunks(text.bytes, 502);
  const textContenders = [{ name: 'js', run: jsTextRun(textChunks, openAiChatEvents) }];
  if (supported) textContenders.unshift({ name: 'ours', run: oursTextRun(textChunks, 'openai-chat') });
  const rt = await compare(textContenders, {
    rounds,
    warmup,
    check: textCheck('openai-chat text stream', text.text, textContenders.map((c) => c.name)),
  });

  // Tool call.
  const input = writeFileInput(TOOL_INPUT_BYTES, 601);
  const inputBytes = Buffer.byteLength(input);
  const fragments = fragment(input, 602);
  const tool = openAiChatToolStream(fragments, 603);
  const toolChunks = splitChunks(tool.bytes, 604);
  log(`  openai tool: ${inputBytes} bytes of arguments, ${fragments.length} fragments, ${tool.bytes.length} bytes of SSE`);
  const expected = JSON.stringify(JSON.parse(input));
  const toolContenders = [
    { name: 'sdk', run: sdkToolRun(toolChunks) },
    { name: 'js', run: jsToolRun(toolChunks) },
  ];
  if (supported) toolContenders.unshift({ name: 'ours', run: oursToolRun(toolChunks) });
  const rtool = await compare(toolContenders, {
    rounds: Math.min(rounds, 5),
    warmup: 2,
    check(results) {
      for (const [name, value] of Object.entries(results)) {
        if (JSON.stringify(value) !== expected) throw new Error(`bench: openai tool call: ${name}'s input differs from the generated arguments`);
      }
    },
  });

  const profiles = supported
    ? { text: formatBuckets(await profile(oursTextRun(textChunks, 'openai-chat'), 3)), tool: formatBuckets(await profile(oursToolRun(toolChunks), 1)) }
    : null;
  const ref = supported ? 'ours' : null;
  const row = (r, size, label, name) => [label, fmtMs(r[name].median), fmtMBs(size, r[name].median), ref ? fmtRatio(ratio(r, name, ref)) : '–'];
  const skippedRow = (label) => [label, SKIPPED, '', ''];
  const textTable = table(['contender (snapshot read after every chunk)', 'median', 'MB/s', 'ratio (time / ours)'], [
    supported ? row(rt, textSize, '**sse-wasm** `MessageStream({protocol:"openai-chat"})`', 'ours') : skippedRow('**sse-wasm** `MessageStream({protocol:"openai-chat"})`'),
    row(rt, textSize, 'eventsource-parser + `JSON.parse` + reducer', 'js'),
  ]);
  const toolTable = table(['contender (500 KB `function.arguments`, input read at the end)', 'median', 'MB/s (of SSE)', 'ratio (time / ours)'], [
    supported ? row(rtool, tool.bytes.length, '**sse-wasm** `MessageStream({protocol:"openai-chat"})`', 'ours') : skippedRow('**sse-wasm** `MessageStream({protocol:"openai-chat"})`'),
    row(rtool, tool.bytes.length, `\`openai\` ${version('openai')} \`chat.completions.stream()\` (SSE bytes via custom \`fetch\`) + \`JSON.parse\``, 'sdk'),
    row(rtool, tool.bytes.length, 'eventsource-parser + `JSON.parse` + reducer, `JSON.parse` at the end', 'js'),
  ]);
  return {
    key: 'openai',
    supported,
    summary: supported
      ? `openai-chat text: JS takes ${fmtRatio(ratio(rt, 'js', 'ours'))} of our time; tool call: SDK ${fmtRatio(ratio(rtool, 'sdk', 'ours'))}, JS ${fmtRatio(ratio(rtool, 'js', 'ours'))}`
      : `openai-chat: ${SKIPPED} (JS baselines measured: text ${fmtMs(rt.js.median)}, tool call SDK ${fmtMs(rtool.sdk.median)} / JS ${fmtMs(rtool.js.median)})`,
    facts: { textSize, textChunks: textChunks.length, toolSseBytes: tool.bytes.length, inputBytes, fragments: fragments.length, toolChunks: toolChunks.length },
    tables: { text: textTable, tool: toolTable },
    profiles,
  };
}
