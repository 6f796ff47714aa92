// sse-wasm/react: React hooks over the framework-free stores of stores.js
// (React 18 and 19).
//
// Each hook owns one store, read with useSyncExternalStore, so React renders when
// the run notifies (at most once per animation frame, the run throttles) and every
// snapshot piece the run did not change keeps its identity (React.memo children
// skip unchanged parts). Rendering touches neither `window` nor the wasm core; the
// server snapshot is the idle snapshot (useChatStream: the initial messages), so
// the first client render matches the server's HTML. Unmounting aborts the running
// request; the stores' lifecycle rules (stores.js) make StrictMode send a request
// started from an effect once.
import {
  useEffect, useLayoutEffect, useMemo, useState, useSyncExternalStore,
} from 'react';
import { ChatStore, MessageStore } from './stores.js';
import { IDLE_SNAPSHOT } from './snapshots.js';

export { IDLE_SNAPSHOT };

const getServerSnapshot = () => IDLE_SNAPSHOT;

// useLayoutEffect on the client, useEffect (a no-op) on the server, without
// React 18's server warning. `typeof document` is only read at import time.
const useIsomorphicLayoutEffect = typeof document !== 'undefined' ? useLayoutEffect : useEffect;

// One store per component: it sees the latest options, lives from mount to unmount
// (unmount aborts), and is read through useSyncExternalStore. `serverSnapshot(store)`
// is what server rendering and hydration see.
function useStore(Store, options, serverSnapshot) {
  const [store] = useState(() => new Store(options));
  useIsomorphicLayoutEffect(() => {
    store.options = options;
  });
  useEffect(() => {
    store.mount();
    return () => store.unmount();
  }, [store]);
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot, () => serverSnapshot(store));
  return [store, snapshot];
}

/**
 * One streamed message: `start()` sends the request (aborting a running one),
 * the snapshot follows the stream.
 * @param {import('./react.d.ts').UseMessageStreamOptions} options
 * @returns {import('./react.d.ts').UseMessageStreamResult}
 */
export function useMessageStream(options = {}) {
  const [store, snapshot] = useStore(MessageStore, options, getServerSnapshot);
  return useMemo(() => ({
    snapshot,
    status: snapshot.status,
    text: snapshot.text,
    parts: snapshot.parts,
    error: snapshot.error,
    start: store.start,
    stop: store.stop,
    retry: store.retry,
  }), [snapshot, store]);
}

/**
 * A conversation: `send(text)` posts `{ ...body, messages: [{ role, content }] }` to
 * `api` and streams the answer into `messages`.
 * @param {import('./react.d.ts').UseChatStreamOptions} options
 * @returns {import('./react.d.ts').UseChatStreamResult}
 */
export function useChatStream(options = {}) {
  const [store, snapshot] = useStore(ChatStore, options, (s) => s.getSnapshot());
  return useMemo(() => ({
    messages: snapshot.messages,
    status: snapshot.status,
    error: snapshot.error,
    send: store.send,
    stop: store.stop,
    retry: store.retry,
    setMessages: store.setMessages,
  }), [snapshot, store]);
}
