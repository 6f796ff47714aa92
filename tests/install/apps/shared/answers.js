// The component the bundler fixtures render (copied into each app as answers.js).
// Plain JavaScript with createElement, so webpack needs no JSX loader. Two ways to
// stream the same answer from /api/stream:
// - CoreAnswer: the core API (ready, MessageStream) fed from fetch().
// - HookAnswer: the `sse-wasm/react` hook.
// Each renders <section id data-status> that the test waits on; a failed wasm load
// shows data-status="load-error" with the error text.
import { createElement as h, useEffect, useState, useSyncExternalStore } from 'react';
import { ready, MessageStream } from 'sse-wasm';
import { useMessageStream } from 'sse-wasm/react';

function Part({ part }) {
  if (part.type === 'tool') {
    return h('li', { 'data-type': 'tool' }, `${part.name} ${JSON.stringify(part.input)} ${part.state}`);
  }
  return h('li', { 'data-type': part.type }, part.text);
}

function View({ id, snapshot }) {
  return h('section', { id, 'data-status': snapshot.status },
    h('p', { className: 'status' }, snapshot.status),
    h('p', { className: 'text' }, snapshot.text),
    snapshot.error ? h('p', { className: 'error' }, `${snapshot.error.code}: ${snapshot.error.message}`) : null,
    h('ul', { className: 'parts' }, snapshot.parts.map((part, i) => h(Part, { key: i, part }))));
}

function StreamView({ id, stream }) {
  const snapshot = useSyncExternalStore(stream.subscribe, stream.getSnapshot);
  return h(View, { id, snapshot });
}

export function CoreAnswer({ api }) {
  const [stream, setStream] = useState(null);
  const [failure, setFailure] = useState(null);
  useEffect(() => {
    const controller = new AbortController();
    let current = null;
    (async () => {
      await ready();
      if (controller.signal.aborted) return;
      current = new MessageStream();
      setStream(current);
      const response = await fetch(api, { signal: controller.signal });
      if (!response.ok) throw new Error(`HTTP ${response.status} from ${api}`);
      const reader = response.body.getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        current.feed(value);
      }
      current.end();
    })().catch((error) => {
      if (controller.signal.aborted) return;
      if (current) current.fail(error);
      else setFailure(String(error?.stack ?? error));
    });
    return () => {
      controller.abort();
      current?.dispose();
      setStream(null);
    };
  }, [api]);
  if (failure) return h('section', { id: 'core', 'data-status': 'load-error' }, h('pre', null, failure));
  if (!stream) return h('section', { id: 'core', 'data-status': 'loading' });
  return h(StreamView, { id: 'core', stream });
}

export function HookAnswer({ api }) {
  const { snapshot, start } = useMessageStream({ api });
  useEffect(() => {
    start();
  }, [start]);
  return h(View, { id: 'hook', snapshot });
}
