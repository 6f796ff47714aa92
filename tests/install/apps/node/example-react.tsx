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
      {error && <button onClick={retry}>{error.code} {error.status ?? ''}</button>}
      <button onClick={start}>Ask</button>
      <button onClick={stop}>Stop</button>
      <button onClick={() => start({ body: { prompt, history: [] }, cache: 'no-store', priority: 'high' })}>Ask as JSON</button>
    </div>
  );
}

export function Chat() {
  const { messages, send, status, error, stop, retry, setMessages } = useChatStream({
    api: '/api/chat', body: { model: 'm' }, headers: { authorization: 'Bearer t' },
  });
  const last: ChatMessage | undefined = messages.at(-1);
  return (
    <form onSubmit={(e) => { e.preventDefault(); send('hello'); }}>
      {messages.map((m) => <p key={m.id}>{m.role}: {m.text}</p>)}
      <output>{status} {last?.status} {error?.body}</output>
      <button type="button" onClick={retry}>Regenerate</button>
      <button type="button" onClick={stop}>Stop</button>
      <button type="button" onClick={setMessages}>Clear</button>
      <button type="button" onClick={() => retry({ body: { model: 'other' } })}>Retry with another model</button>
      <button type="button" onClick={() => setMessages([{ role: 'assistant', content: 'Hi!' }])}>Reset</button>
    </form>
  );
}
