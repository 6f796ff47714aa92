// CommonJS consumer: require() of the package's ES modules (Node 20.19+ and 22.12+
// load them synchronously, as long as they have no top-level await). Streams the
// answer from SSE_URL with streamMessage, feeds a MessageStream by hand, and checks
// that require() and import() give the same module (one core, not two copies).
// Prints one JSON line.
const { ready, MessageStream, streamMessage } = require('sse-wasm');
const { useMessageStream, useChatStream } = require('sse-wasm/react');

async function main() {
  await ready();
  const run = streamMessage(process.env.SSE_URL);
  const snapshot = await run.finished;
  run.dispose();

  const stream = new MessageStream();
  stream.feed('event: text_delta\ndata: "by hand"\n\nevent: done\ndata: {"finish_reason":"stop"}\n\n');
  stream.end();
  const byHand = stream.snapshot();
  stream.dispose();

  const esm = await import('sse-wasm');
  const esmReact = await import('sse-wasm/react');
  const tool = snapshot.parts.find((part) => part.type === 'tool');
  console.log(JSON.stringify({
    exports: [typeof ready, typeof MessageStream, typeof streamMessage, typeof useMessageStream, typeof useChatStream],
    sameModule: esm.ready === ready && esm.MessageStream === MessageStream && esm.streamMessage === streamMessage
      && esmReact.useMessageStream === useMessageStream,
    status: snapshot.status,
    text: snapshot.text,
    tool: tool && { name: tool.name, input: tool.input, state: tool.state },
    finishReason: snapshot.finishReason,
    usage: snapshot.usage,
    protocol: snapshot.protocol,
    byHand: { status: byHand.status, text: byHand.text },
  }));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
