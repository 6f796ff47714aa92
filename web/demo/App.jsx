// The demo page: a chat with a simulated assistant (web/demo/server.js), built on
// useChatStream, plus a "Stream lab" to change the speed, inject faults and watch
// live counters (events/s, bytes, renders, JS time per frame).
import { memo, useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { ready } from 'sse-wasm';
import { useChatStream } from 'sse-wasm/react';
import { Part } from './Parts.jsx';
import { countingFetch, resetStats, startMeter, stats } from './stats.js';
import {
  AlertIcon, BoltIcon, Logo, PlusIcon, RetryIcon, SendIcon, SlidersIcon, StopIcon, WifiOffIcon, XIcon,
} from './icons.jsx';

// One id per page load: the server keeps the speed and armed faults per session.
const SESSION = globalThis.crypto?.randomUUID?.() ?? `s-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
const HEADERS = { 'x-demo-session': SESSION };
const AUTO_RETRY = { attempts: 4, minDelayMs: 300, maxDelayMs: 2000 };

const SUGGESTIONS = [
  { title: 'What’s the weather in Lisbon?', hint: 'A tool call, streamed live', prompt: 'What’s the weather in Lisbon?' },
  { title: 'How do I resume a dropped stream?', hint: 'Markdown and code blocks', prompt: 'How do I resume a dropped stream? Show me code.' },
  { title: 'Write a long report', hint: 'Stress test: ~10,000 events', prompt: 'Write a long report about streaming under load.' },
  { title: 'What can you do?', hint: 'A short introduction', prompt: 'What can you do?' },
];

const SPEEDS = [
  { id: 'slow', label: 'Slow', hint: '~7/s' },
  { id: 'normal', label: 'Normal', hint: '~35/s' },
  { id: 'fast', label: 'Fast', hint: '~200/s' },
  { id: 'firehose', label: 'Firehose', hint: '~10k/s' },
];

async function control(body) {
  const response = await fetch('/api/control', {
    method: 'POST',
    headers: { ...HEADERS, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`control: HTTP ${response.status}`);
  return response.json();
}

export function App() {
  const [speed, setSpeed] = useState('normal');
  const [autoReconnect, setAutoReconnect] = useState(false);
  const [labOpen, setLabOpen] = useState(false);
  const { messages, status, send, stop, retry, setMessages } = useChatStream({
    api: '/api/chat',
    headers: HEADERS,
    fetch: countingFetch,
    retry: autoReconnect ? AUTO_RETRY : false,
    idleTimeoutMs: 30000,
  });
  const busy = status === 'streaming';

  const changeSpeed = useCallback((next) => {
    setSpeed(next);
    control({ speed: next }).catch(() => {});
  }, []);

  const newChat = useCallback(() => {
    setMessages([]);
    resetStats();
  }, [setMessages]);

  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <Logo />
          <div>
            <h1>Assistant</h1>
            <WasmStatus />
          </div>
        </div>
        <div className="topbar-actions">
          <button type="button" className="ghost" onClick={newChat} disabled={messages.length === 0} aria-label="New chat" title="New chat">
            <PlusIcon /> <span className="label">New chat</span>
          </button>
          <button type="button" className="ghost lab-toggle" aria-expanded={labOpen} aria-label="Stream lab" title="Stream lab"
            onClick={() => setLabOpen((o) => !o)}>
            <SlidersIcon /> <span className="label">Stream lab</span>
          </button>
        </div>
      </header>

      <div className="workspace">
        <main className="chat">
          <Conversation messages={messages} onRetry={retry} onSuggestion={send} />
          <Composer busy={busy} onSend={send} onStop={stop} />
        </main>
        <StreamLab
          open={labOpen}
          onClose={() => setLabOpen(false)}
          speed={speed}
          onSpeed={changeSpeed}
          autoReconnect={autoReconnect}
          onAutoReconnect={setAutoReconnect}
          streaming={busy}
        />
      </div>
    </div>
  );
}

function WasmStatus() {
  const [state, setState] = useState('loading');
  useEffect(() => {
    let live = true;
    ready().then(() => live && setState('ready'), () => live && setState('failed'));
    return () => { live = false; };
  }, []);
  const text = { loading: 'Loading WebAssembly core…', ready: 'WebAssembly core ready', failed: 'WebAssembly failed to load' }[state];
  return <p className={`wasm-status ${state}`}><span className="dot" />{text}</p>;
}

// ---------------------------------------------------------------------------
// The conversation

function Conversation({ messages, onRetry, onSuggestion }) {
  const renderStart = performance.now();
  stats.renders++;
  useLayoutEffect(() => {
    stats.renderMs += performance.now() - renderStart; // render + DOM commit of the conversation
  });

  const scroller = useRef(null);
  const stick = useRef(true);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [messages]);

  return (
    <div
      className="scroller"
      ref={scroller}
      onScroll={(e) => {
        const el = e.currentTarget;
        stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 96;
      }}
    >
      <div className="thread" data-testid="thread">
        {messages.length === 0 ? <Welcome onPick={onSuggestion} /> : messages.map((message, i) => (
          <Message key={message.id} message={message} last={i === messages.length - 1} onRetry={onRetry} />
        ))}
      </div>
    </div>
  );
}

function Welcome({ onPick }) {
  return (
    <section className="welcome">
      <Logo />
      <h2>How can I help?</h2>
      <p>
        A simulated assistant streaming over Server-Sent Events. Every token is parsed by a C++ core
        compiled to WebAssembly, and React renders at most once per frame.
      </p>
      <div className="suggestions">
        {SUGGESTIONS.map((s) => (
          <button type="button" key={s.title} className="suggestion" onClick={() => onPick(s.prompt)}>
            <strong>{s.title}</strong>
            <span>{s.hint}</span>
          </button>
        ))}
      </div>
    </section>
  );
}

const Message = memo(function Message({ message, last, onRetry }) {
  if (message.role === 'user') {
    return (
      <div className="msg user" data-testid="user-message">
        <div className="bubble">{message.text}</div>
      </div>
    );
  }
  const streaming = message.status === 'streaming';
  const waiting = streaming && message.parts.length === 0;
  return (
    <article className={`msg assistant status-${message.status}`} data-testid="assistant-message" data-status={message.status}>
      <div className="avatar" aria-hidden="true"><Logo /></div>
      <div className="body">
        {waiting && <div className="typing" aria-label="The assistant is answering"><i /><i /><i /></div>}
        <div className="parts" data-testid="answer">
          {message.parts.map((part, i) => (
            <Part key={i} part={part} live={streaming && i === message.parts.length - 1} />
          ))}
        </div>
        {message.status === 'error' && <ErrorBanner error={message.error} onRetry={last ? onRetry : null} />}
        {message.status === 'aborted' && (
          <div className="note">
            <span>Stopped — the answer so far is kept.</span>
            {last && <button type="button" className="link" onClick={() => onRetry()}><RetryIcon /> Regenerate</button>}
          </div>
        )}
        {message.status === 'done' && message.usage && (
          <p className="meta">
            {message.usage.outputTokens.toLocaleString()} tokens
            {message.finishReason && message.finishReason !== 'stop' ? ` · ${message.finishReason}` : ''}
          </p>
        )}
      </div>
    </article>
  );
});

function ErrorBanner({ error, onRetry }) {
  const dropped = error?.code === 'network_error' || error?.code === 'interrupted' || error?.code === 'idle_timeout';
  const title = dropped ? 'Connection lost' : error?.code === 'overloaded' ? 'The server reported an error' : 'Something went wrong';
  return (
    <div className="error-banner" role="alert" data-testid="error">
      <span className="error-icon">{dropped ? <WifiOffIcon /> : <AlertIcon />}</span>
      <div className="error-text">
        <strong>{title}</strong>
        <span>{error?.message || 'The answer stopped early.'}</span>
      </div>
      {onRetry && (
        <button type="button" className="retry" data-testid="retry" onClick={() => onRetry()}>
          <RetryIcon /> Retry
        </button>
      )}
    </div>
  );
}

// ---------------------------------------------------------------------------
// The composer

function Composer({ busy, onSend, onStop }) {
  const [text, setText] = useState('');
  const area = useRef(null);
  useLayoutEffect(() => {
    const el = area.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 200)}px`;
  }, [text]);

  const submit = () => {
    if (!text.trim()) return;
    onSend(text.trim());
    setText('');
  };

  return (
    <form
      className="composer"
      onSubmit={(e) => {
        e.preventDefault();
        if (!busy) submit();
      }}
    >
      <div className="composer-box">
        <textarea
          ref={area}
          rows={1}
          value={text}
          placeholder="Ask anything…"
          aria-label="Message"
          data-testid="prompt"
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              if (!busy) submit();
            }
          }}
        />
        {busy ? (
          <button type="button" className="send stop" onClick={onStop} aria-label="Stop" title="Stop" data-testid="stop">
            <StopIcon />
          </button>
        ) : (
          <button type="submit" className="send" disabled={!text.trim()} aria-label="Send" title="Send" data-testid="send">
            <SendIcon />
          </button>
        )}
      </div>
      <p className="composer-hint">Simulated answers, streamed locally. Enter to send, Shift+Enter for a new line.</p>
    </form>
  );
}

// ---------------------------------------------------------------------------
// The Stream lab: speed, faults, counters

function StreamLab({ open, onClose, speed, onSpeed, autoReconnect, onAutoReconnect, streaming }) {
  const [note, setNote] = useState(null);
  const fault = (type) => {
    control({ fault: type }).then((r) => {
      const what = type === 'drop' ? 'Connection dropped' : 'Error event sent';
      setNote(r.applied === 'now'
        ? { kind: 'now', text: `${what} on the live answer.` }
        : { kind: 'armed', text: `${type === 'drop' ? 'A drop' : 'An error'} is armed: it strikes a third of the way into the next answer.` });
    }, () => setNote({ kind: 'armed', text: 'The demo server did not answer.' }));
  };
  useEffect(() => {
    if (!note || note.kind !== 'now') return undefined;
    const t = setTimeout(() => setNote(null), 4000);
    return () => clearTimeout(t);
  }, [note]);

  return (
    <>
      <div className={open ? 'lab-backdrop open' : 'lab-backdrop'} onClick={onClose} aria-hidden="true" />
      <aside className={open ? 'lab open' : 'lab'} aria-label="Stream lab" data-testid="lab">
        <div className="lab-head">
          <h2>Stream lab</h2>
          <button type="button" className="ghost icon-only lab-close" onClick={onClose} aria-label="Close"><XIcon /></button>
        </div>

        <section className="lab-section">
          <h3>Speed</h3>
          <div className="segmented" role="radiogroup" aria-label="Stream speed">
            {SPEEDS.map((s) => (
              <button
                type="button"
                key={s.id}
                role="radio"
                aria-checked={speed === s.id}
                className={speed === s.id ? 'active' : ''}
                onClick={() => onSpeed(s.id)}
                data-testid={`speed-${s.id}`}
              >
                <span>{s.label}</span>
                <small>{s.hint}</small>
              </button>
            ))}
          </div>
        </section>

        <section className="lab-section">
          <h3>Faults</h3>
          <div className="fault-buttons">
            <button type="button" className="fault" onClick={() => fault('drop')} data-testid="fault-drop">
              <WifiOffIcon /> Drop connection
            </button>
            <button type="button" className="fault" onClick={() => fault('error')} data-testid="fault-error">
              <AlertIcon /> Send error event
            </button>
          </div>
          <p className={`lab-note ${note ? note.kind : ''}`} aria-live="polite" data-testid="fault-note">
            {note ? note.text : streaming ? 'Faults strike the live answer.' : 'Pressed while idle, a fault is armed for the next answer.'}
          </p>
          <label className="switch">
            <input type="checkbox" checked={autoReconnect} onChange={(e) => onAutoReconnect(e.target.checked)} />
            <span className="track" aria-hidden="true"><span /></span>
            <span>
              <strong>Auto-reconnect</strong>
              <small>Resume by Last-Event-ID without asking</small>
            </span>
          </label>
        </section>

        <section className="lab-section">
          <h3>Live</h3>
          <Counters />
        </section>
      </aside>
    </>
  );
}

function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(2)} MB`;
}

function Counters() {
  const [sample, setSample] = useState(null);
  useEffect(() => startMeter(setSample), []);
  const s = sample ?? { eventsPerSecond: 0, events: 0, bytes: 0, renders: 0, jsPerFrameMs: 0, peakJsPerFrameMs: 0, fps: 0 };
  const budget = Math.min(100, (s.jsPerFrameMs / 16.7) * 100);
  return (
    <div className="counters" data-testid="counters">
      <div className="counter">
        <span className="counter-label"><BoltIcon /> Events/s</span>
        <span className="counter-value" data-testid="events-per-second">{Math.round(s.eventsPerSecond).toLocaleString()}</span>
        <span className="counter-sub">{s.events.toLocaleString()} total</span>
      </div>
      <div className="counter">
        <span className="counter-label">Received</span>
        <span className="counter-value" data-testid="bytes">{formatBytes(s.bytes)}</span>
        <span className="counter-sub">over SSE</span>
      </div>
      <div className="counter">
        <span className="counter-label">Renders</span>
        <span className="counter-value" data-testid="renders">{s.renders.toLocaleString()}</span>
        <span className="counter-sub">{s.renders > 0 ? `${(s.events / s.renders).toFixed(1)} events each` : 'of the thread'}</span>
      </div>
      <div className="counter">
        <span className="counter-label">JS / frame</span>
        <span className="counter-value" data-testid="js-per-frame">{s.jsPerFrameMs.toFixed(2)} ms</span>
        <span className="meter" aria-hidden="true"><span style={{ width: `${budget}%` }} /></span>
        <span className="counter-sub">peak {s.peakJsPerFrameMs.toFixed(1)} · {Math.round(s.fps)} fps</span>
      </div>
    </div>
  );
}
