// Live counters of the demo, kept outside React so that counting never renders.
//
// - events and bytes: counted by a fetch wrapper on the response body (an event
//   ends at a blank line: two LFs, which is what the demo server writes);
// - parse time: the time the consumer (streamMessage feeding the wasm core)
//   holds a chunk before it asks for the next one;
// - renders and render time: counted by the conversation component itself
//   (render start to its layout effect, i.e. render + DOM commit);
// - JS per frame: parse time + render time, divided by the frames painted.

export const stats = {
  events: 0,
  bytes: 0,
  renders: 0,
  parseMs: 0,
  renderMs: 0,
};

function countEventEnds(bytes, state) {
  let n = 0;
  let previous = state.last;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 10 && previous === 10) n++;
    previous = b === 13 ? previous : b; // CRLF streams count as LF
  }
  state.last = previous;
  return n;
}

/** A fetch that counts what the response body delivers (pass it as the `fetch` option). */
export function countingFetch(input, init) {
  return fetch(input, init).then((response) => {
    if (!response.body) return response;
    const reader = response.body.getReader();
    const state = { last: 0 };
    let handedAt = 0;
    const body = new ReadableStream({
      async pull(controller) {
        if (handedAt) stats.parseMs += performance.now() - handedAt; // the consumer's time on the last chunk
        handedAt = 0;
        const { value, done } = await reader.read();
        if (done) {
          controller.close();
          return;
        }
        stats.bytes += value.byteLength;
        stats.events += countEventEnds(value, state);
        controller.enqueue(value);
        handedAt = performance.now();
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    }, { highWaterMark: 0 });
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  });
}

/**
 * Samples the counters every `intervalMs` and calls `onSample` with rates.
 * Returns the stop function. Frames are counted with requestAnimationFrame.
 */
export function startMeter(onSample, intervalMs = 500) {
  let frames = 0;
  let rafId = requestAnimationFrame(function tick() {
    frames++;
    rafId = requestAnimationFrame(tick);
  });
  let last = { ...stats, at: performance.now() };
  let peak = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    const seconds = (now - last.at) / 1000;
    const busy = (stats.parseMs - last.parseMs) + (stats.renderMs - last.renderMs);
    const eventsPerSecond = (stats.events - last.events) / seconds;
    const perFrame = frames > 0 ? busy / frames : 0;
    peak = eventsPerSecond > 1 ? Math.max(peak, perFrame) : peak;
    onSample({
      eventsPerSecond,
      events: stats.events,
      bytes: stats.bytes,
      renders: stats.renders,
      rendersPerSecond: (stats.renders - last.renders) / seconds,
      jsPerFrameMs: perFrame,
      peakJsPerFrameMs: peak,
      fps: frames / seconds,
    });
    frames = 0;
    last = { ...stats, at: now };
  }, intervalMs);
  return () => {
    cancelAnimationFrame(rafId);
    clearInterval(timer);
  };
}

export function resetStats() {
  stats.events = 0;
  stats.bytes = 0;
  stats.renders = 0;
  stats.parseMs = 0;
  stats.renderMs = 0;
}
