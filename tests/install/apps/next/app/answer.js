'use client';
// The client component: useMessageStream from 'sse-wasm/react' streams the route
// handler's answer on mount and renders its status and text. The install test waits
// for #answer[data-status=done] and checks the text.
import { useEffect } from 'react';
import { useMessageStream } from 'sse-wasm/react';
import answer from '../answer.json';

export default function Answer() {
  const { status, text, error, start } = useMessageStream({ api: '/api/chat', body: { prompt: answer.prompt } });
  useEffect(() => {
    start();
  }, [start]);
  return (
    <section id="answer" data-status={status}>
      <p className="status">{status}</p>
      <p className="text">{text}</p>
      {error ? <p className="error">{`${error.code}: ${error.message}`}</p> : null}
    </section>
  );
}
