// EventSource inputs. An EventSource parses and reconnects on its own: its events
// are written back as minimal SSE for the core, and it is closed once the message
// is over, or when reconnecting would replay the message from its start.
import { Connection, contentMark, noop, sameContent } from './connection.js';
import { failure, httpFailure } from './errors.js';
import { isTerminal } from '../snapshots.js';

// The native vocabulary plus 'message' (data-only events of other protocols).
const EVENT_NAMES = ['text_delta', 'reasoning_delta', 'tool_start', 'tool_delta', 'tool_result', 'error', 'done',
  'message'];
const ES_CLOSED = 2;

/**
 * Reads `source` into `stream` until the message is over. `run`: { idleMs, attempts,
 * connection(c) (registers the connection, so an abort stops it), over() (the run
 * was aborted or replaced), end(settle) (settle the stream, then complete the run) }.
 * Resolves when the connection is closed.
 */
export function readEventSource(source, stream, run) {
  const connection = new Connection(run.idleMs);
  run.connection(connection);
  let lastId = '';
  let mark = contentMark(stream); // the content at the last reconnection
  let reconnects = 0;
  return new Promise((resolve) => {
    connection.defer(resolve);
    const end = (settle) => {
      if (run.over()) return;
      connection.close();
      run.end(settle);
    };
    const onEvent = (event) => {
      if (run.over()) return;
      if (event.type === 'error' && typeof event.data !== 'string') {
        onConnectionError(event);
        return;
      }
      connection.touch();
      let text = '';
      const id = typeof event.lastEventId === 'string' ? event.lastEventId : '';
      if (id !== '' && id !== lastId) {
        lastId = id;
        text += `id: ${id}\n`;
      }
      if (event.type !== 'message') text += `event: ${event.type}\n`;
      text += `data: ${String(event.data ?? '').split(/\r\n|\r|\n/).join('\ndata: ')}\n\n`;
      stream.feed(text);
      if (isTerminal(stream.status)) end(noop);
    };
    const onConnectionError = (event) => {
      stream.endConnection();
      const now = contentMark(stream);
      if (!sameContent(now, mark)) {
        mark = now; // progress (new content, not merely a new id): a fresh set of attempts
        reconnects = 0;
      }
      if (source.readyState === ES_CLOSED) {
        const status = typeof event.code === 'number' ? event.code : undefined;
        const detail = `The EventSource failed${typeof event.message === 'string' && event.message
          ? `: ${event.message}` : ''}`;
        const error = status === 204 ? failure('no_content', { status, detail })
          : status !== undefined ? httpFailure(status, '', undefined, detail)
            : failure('network_error', { detail });
        end(() => stream.fail(error));
      } else if (stream.lastEventId === '') {
        // Reconnecting without an id would replay the message from its start.
        if (stream.status === 'idle') {
          end(() => stream.fail(failure('network_error', {
            detail: 'The EventSource lost its connection before the message began' })));
        } else {
          end(() => stream.end());
        }
      } else if (++reconnects > run.attempts) {
        end(() => stream.fail(failure('no_progress', {
          detail: `${run.attempts} EventSource reconnections in a row brought no event` })));
      } else {
        connection.touch(); // the EventSource reconnects with Last-Event-ID itself
      }
    };
    const onOpen = () => connection.touch();
    for (const name of EVENT_NAMES) source.addEventListener(name, onEvent);
    source.addEventListener('open', onOpen);
    connection.defer(() => {
      for (const name of EVENT_NAMES) source.removeEventListener(name, onEvent);
      source.removeEventListener('open', onOpen);
    });
    connection.onStop = (reason) => {
      if (reason !== 'idle') return;
      queueMicrotask(() => end(() => {
        stream.endConnection();
        stream.fail(failure('stalled', { detail: `No event arrived for ${run.idleMs} ms` }));
      }));
    };
    if (source.readyState === ES_CLOSED) {
      end(() => stream.fail(failure('network_error', { detail: 'The EventSource is closed' })));
    }
  });
}
