// Snapshot values shared by the transport and the stores, and the one rule for a
// new attempt at a message (a retry that starts over, a regenerated answer).

const EMPTY = Object.freeze([]);

/** The snapshot before anything started (also what server rendering shows). */
export const IDLE_SNAPSHOT = Object.freeze({
  status: 'idle', parts: EMPTY, text: '', error: null, finishReason: null, usage: null,
  lastEventId: '', protocol: null, warnings: EMPTY,
});

/** Asked for, not yet answered: the request may not even be sent. */
export const STARTING_SNAPSHOT = Object.freeze({ ...IDLE_SNAPSHOT, status: 'streaming' });

const TERMINAL = new Set(['done', 'error', 'aborted']);

/** done, error or aborted: nothing changes the message any more (but a retry). */
export const isTerminal = (status) => TERMINAL.has(status);

/** idle or streaming: an answer is on its way. */
export const isActive = (status) => status === 'idle' || status === 'streaming';

/**
 * A frozen MessageError: `{ message, code, retryable }` plus those of `extra`'s
 * `status` (number), `body` and `detail` (strings) that are present.
 */
export function errorValue(message, code, retryable, extra) {
  const error = { message, code, retryable };
  if (extra) {
    if (typeof extra.status === 'number') error.status = extra.status;
    if (typeof extra.body === 'string') error.body = extra.body;
    if (typeof extra.detail === 'string') error.detail = extra.detail;
  }
  return Object.freeze(error);
}

/**
 * Freezes `value` and everything reachable from it, with an explicit stack rather
 * than recursion: a tool input may be nested as deep as maxJsonDepth allows
 * (Infinity included), far deeper than the call stack.
 */
export function deepFreeze(value) {
  const stack = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (item === null || typeof item !== 'object' || Object.isFrozen(item)) continue;
    Object.freeze(item);
    for (const key of Object.keys(item)) stack.push(item[key]);
  }
  return value;
}

/**
 * A new attempt replaces `previous` (the output of the last attempt). The rule:
 * the previous output stays visible until the new attempt has content. Until then
 * the view shows previous's parts and text with the new attempt's status and
 * error, and an attempt not yet answered ('idle') reads 'streaming': a retry shows
 * 'streaming' at once, and an attempt that fails or is stopped before its first
 * part keeps the old output. Once the attempt has a part, or ends done, it is shown
 * as it is, for good. `previous` may be null or empty (a first attempt): then only
 * an idle snapshot reads as STARTING_SNAPSHOT. Returns `view(snapshot)`; the same
 * input gives the same object.
 */
export function overPrevious(previous) {
  let held = previous && previous.parts.length > 0 ? previous : null;
  let source = null;
  let shown = null;
  return (snapshot) => {
    if (held && (snapshot.parts.length > 0 || snapshot.status === 'done')) held = null;
    if (!held) return snapshot.status === 'idle' ? STARTING_SNAPSHOT : snapshot;
    if (source !== snapshot) {
      source = snapshot;
      const status = snapshot.status === 'idle' ? 'streaming' : snapshot.status;
      // A new attempt's first snapshots differ in nothing that is shown: keep the object.
      if (!shown || shown.status !== status || shown.error !== snapshot.error || shown.protocol !== snapshot.protocol
          || shown.lastEventId !== snapshot.lastEventId) {
        shown = Object.freeze({ ...snapshot, parts: held.parts, text: held.text, status });
      }
    }
    return shown;
  };
}
