// Node ESM consumer: streams the answer from SSE_URL through the installed package
// and prints what it got as one JSON line.
import { ready, MessageStream, SSEParser } from 'sse-wasm';

await ready();
const stream = new MessageStream();
const parser = new SSEParser();
let events = 0;
const response = await fetch(process.env.SSE_URL);
if (!response.ok) throw new Error(`HTTP ${response.status}`);
for await (const chunk of response.body) {
  stream.feed(chunk);
  events += parser.feed(chunk).length;
}
stream.end();
events += parser.end().length;
const snapshot = stream.snapshot();
const tool = snapshot.parts.find((part) => part.type === 'tool');
console.log(JSON.stringify({
  status: snapshot.status,
  text: snapshot.text,
  tool: tool && { name: tool.name, input: tool.input, state: tool.state },
  finishReason: snapshot.finishReason,
  usage: snapshot.usage,
  protocol: snapshot.protocol,
  events,
}));
stream.dispose();
parser.dispose();
