// Type-checked only: the `sse-wasm/react` hooks as a React app would use them.
import { useEffect } from 'react';
import { useChatStream, useMessageStream, IDLE_SNAPSHOT } from 'sse-wasm/react';
import type { ChatMessage, MessagePart, MessageSnapshot } from 'sse-wasm/react';

function Part({ part }: { part: MessagePart }) {
  if (part.type === 'tool') return <code>{part.name}: {JSON.stringify(part.input)}</code>;
  return <span>{part.text}</span>;
}

export function Answer({ prompt }: { prompt: string }) {
  const { text, status, parts, error, start, stop, retry } = useMessageStream({
    api: '/api/answer', method: 'POST', body: JSON.stringify({ prompt }),
  });
  useEffect(() => {
    start({ headers: { 'x-request': '1' } });
    return stop;
  }, [start, stop]);
  const idle: MessageSnapshot = IDLE_SNAPSHOT;
  return (
    <div data-status={status} data-idle={idle.status}>
      <p>{text}</p>
      {parts.map((part, i) => <Part key={i} part={part} />)}
      {error && <button onClick={retry}>{error.code}</button>}
    </div>
  );
}

export function Chat() {
  const { messages, send, status } = useChatStream({ api: '/api/chat', body: { model: 'm' } });
  const last: ChatMessage | undefined = messages.at(-1);
  return (
    <form onSubmit={(e) => { e.preventDefault(); send('hello'); }}>
      {messages.map((m) => <p key={m.id}>{m.role}: {m.text}</p>)}
      <output>{status} {last?.status}</output>
    </form>
  );
}
