// The transport's errors, one table: each kind of failure with its code, whether
// retrying can help, and the sentence an end user reads. Technical text (a fetch
// failure's cause, a status line) goes to `detail`, never into `message`.
// docs/transport.md ("Errors") lists the same table;
// tests/node/transport-contract.test.js checks that the doc and this table agree.

import { errorValue } from '../snapshots.js';

/** kind: [code, retryable, message] */
export const ERRORS = Object.freeze({
  network_error: ['network_error', true, 'Could not reach the server. Check the connection and try again.'],
  too_many_redirects: ['too_many_redirects', false, 'The server redirected the request too many times.'],
  unexpected_redirect: ['unexpected_redirect', false, 'The server redirected the request, which is not allowed here.'],
  no_response: ['interrupted', true, 'The server did not answer in time.'],
  stalled: ['interrupted', true, 'The server stopped sending the answer before it was complete.'],
  lost: ['interrupted', true, 'The connection was lost before the answer was complete.'],
  ended_early: ['interrupted', true, 'The answer ended before it was complete.'],
  no_progress: ['interrupted', true, 'The connection kept dropping before the answer was complete.'],
  no_content: ['no_content', false, 'The server sent no answer.'],
  bad_content_type: ['bad_content_type', false, 'The server did not send a streamed answer.'],
  invalid_response: ['invalid_response', false, 'The answer from the server could not be read.'],
  invalid_chunk: ['invalid_chunk', false, 'The answer from the server could not be read.'],
  invalid_input: ['invalid_input', false, 'The request could not be made.'],
  invalid_options: ['invalid_options', false, 'The request could not be made.'],
  load_failed: ['load_failed', true, 'The answer could not be shown: a part of the app did not load. Try again.'],
  internal_error: ['internal_error', false, 'Something went wrong while reading the answer.'],
  aborted: ['aborted', false, 'Stopped.'],
});

// HTTP statuses an end user can do something about get their own sentence.
const HTTP_MESSAGES = {
  400: 'The server could not accept the request',
  401: 'You need to sign in again',
  403: 'You are not allowed to do this',
  404: 'The server has no such endpoint',
  408: 'The server took too long to answer. Try again',
  413: 'The request was too large for the server',
  422: 'The server could not accept the request',
  429: 'Too many requests. Wait a moment and try again',
};

/** The bounded excerpt of an error response's body kept in `error.body`: 1 KiB of UTF-8. */
export const BODY_EXCERPT_BYTES = 1024;

// Whether retrying an HTTP status can help: 408, 429 and 5xx.
const retryableStatus = (status) => status === 408 || status === 429 || status >= 500;

/**
 * A frozen MessageError of one kind of ERRORS. `extra`: { detail?, status?, body? }.
 * @returns {import('../index.d.ts').MessageError}
 */
export function failure(kind, extra) {
  const [code, retryable, message] = ERRORS[kind] ?? ERRORS.internal_error;
  return errorValue(message, code, retryable, extra);
}

/**
 * A frozen MessageError for an HTTP status outside 2xx (204 is `no_content`). `body`:
 * the excerpt, if one was read; `detail` defaults to the status line.
 */
export function httpFailure(status, statusText, body, detail) {
  const sentence = HTTP_MESSAGES[status]
    ?? (status >= 500 ? 'The server had a problem. Try again' : 'The server answered with an error');
  return errorValue(`${sentence} (HTTP ${status}).`, `http_${status}`, retryableStatus(status),
    { status, body, detail: detail ?? `HTTP ${status}${statusText ? ` ${statusText}` : ''}` });
}

/** The technical text of a thrown value, with its cause (fetch puts the reason there). */
export function describe(error) {
  if (error === null || error === undefined) return 'unknown error';
  let text = typeof error === 'object' && typeof error.message === 'string' && error.message ? error.message
    : String(error);
  const cause = typeof error === 'object' ? error.cause : undefined;
  if (cause && typeof cause.message === 'string' && cause.message && !text.includes(cause.message)) {
    text += ` (${typeof cause.code === 'string' ? `${cause.code}: ` : ''}${cause.message})`;
  }
  return text;
}

/**
 * The failure of a fetch that threw. Redirect failures are not retryable: the same
 * request would fail the same way. Browsers report every failure as the same
 * TypeError, so there only `network_error` can be told.
 */
export function fetchFailure(error) {
  const detail = describe(error);
  if (/redirect count exceeded|too many redirects|redirect loop/i.test(detail)) {
    return failure('too_many_redirects', { detail });
  }
  if (/unexpected redirect/i.test(detail)) return failure('unexpected_redirect', { detail });
  return failure('network_error', { detail });
}
