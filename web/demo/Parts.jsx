// The pieces of an assistant message: text (markdown), reasoning (collapsible)
// and tool calls (cards: loading while the input streams, running, result).
// Every component is memoized on the part object: the snapshot keeps unchanged
// parts identical, so only the part that grew renders in a frame.
import { memo } from 'react';
import { Markdown } from './Markdown.jsx';
import {
  BrainIcon, CheckIcon, ChevronIcon, CloudIcon, RainIcon, SearchIcon, SunIcon, ToolIcon, XIcon,
} from './icons.jsx';

export const Part = memo(function Part({ part, live }) {
  if (part.type === 'text') return <Markdown text={part.text} streaming={live} />;
  if (part.type === 'reasoning') return <Reasoning part={part} live={live} />;
  if (part.type === 'tool') return <ToolCard part={part} />;
  return null;
});

function Reasoning({ part, live }) {
  const words = part.text.trim() ? part.text.trim().split(/\s+/).length : 0;
  return (
    <details className={live ? 'reasoning live' : 'reasoning'} data-testid="reasoning">
      <summary>
        <span className="reasoning-icon"><BrainIcon /></span>
        <span className="reasoning-title">{live ? 'Thinking…' : 'Reasoning'}</span>
        <span className="reasoning-meta">{words} words</span>
        <span className="chevron"><ChevronIcon /></span>
      </summary>
      <p>{part.text}</p>
    </details>
  );
}

const TOOL_LABELS = {
  get_weather: 'Weather lookup',
  search_docs: 'Documentation search',
};

const STATE_LABELS = {
  'input-streaming': 'Preparing…',
  'input-available': 'Running…',
  'output-available': 'Done',
  'output-error': 'Failed',
};

function ToolCard({ part }) {
  const pending = part.state === 'input-streaming' || part.state === 'input-available';
  return (
    <section className={`tool-card state-${part.state}`} data-testid="tool-card" data-state={part.state}
      aria-busy={pending} aria-label={`Tool call ${part.name}`}>
      <header>
        <span className="tool-icon">{part.name === 'search_docs' ? <SearchIcon /> : part.name === 'get_weather' ? <CloudIcon /> : <ToolIcon />}</span>
        <span className="tool-title">
          <strong>{TOOL_LABELS[part.name] ?? part.name}</strong>
          <code>{part.name}</code>
        </span>
        <span className="tool-status" data-testid="tool-status">
          {pending ? <span className="spinner" aria-hidden="true" />
            : part.state === 'output-error' ? <XIcon /> : <CheckIcon />}
          {STATE_LABELS[part.state]}
        </span>
      </header>
      {part.state === 'input-streaming' ? (
        <pre className="tool-input live" data-testid="tool-input">{part.inputText}<span className="caret" /></pre>
      ) : (
        <Arguments input={part.input} />
      )}
      {part.state === 'input-available' && <div className="tool-skeleton" aria-hidden="true"><i /><i /><i /></div>}
      {part.state === 'output-available' && (
        <div className="tool-output" data-testid="tool-output"><ToolOutput name={part.name} output={part.output} /></div>
      )}
      {part.state === 'output-error' && <p className="tool-error">{part.errorText}</p>}
    </section>
  );
}

function Arguments({ input }) {
  if (input === null || typeof input !== 'object') return null;
  return (
    <dl className="tool-args">
      {Object.entries(input).map(([key, value]) => (
        <div key={key}>
          <dt>{key}</dt>
          <dd>{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

function ToolOutput({ name, output }) {
  if (name === 'get_weather' && output && typeof output === 'object' && 'temperature' in output) return <Weather w={output} />;
  if (name === 'search_docs' && Array.isArray(output?.results)) {
    return (
      <ol className="search-results">
        {output.results.map((r, i) => (
          <li key={i}>
            <strong>{String(r.title)}</strong>
            <span>{String(r.snippet)}</span>
          </li>
        ))}
      </ol>
    );
  }
  return <pre className="json">{JSON.stringify(output, null, 2)}</pre>;
}

function ConditionIcon({ condition }) {
  const c = String(condition).toLowerCase();
  if (c.includes('rain')) return <RainIcon />;
  if (c.includes('sun') || c.includes('clear')) return <SunIcon />;
  return <CloudIcon />;
}

function tone(condition) {
  const c = String(condition).toLowerCase();
  return c.includes('rain') ? 'rain' : c.includes('sun') || c.includes('clear') ? 'sun' : 'cloud';
}

function Weather({ w }) {
  return (
    <div className="weather">
      <div className="weather-now">
        <span className={`weather-icon ${tone(w.condition)}`}><ConditionIcon condition={w.condition} /></span>
        <span className="weather-temp">{Math.round(w.temperature)}°</span>
        <span className="weather-place">
          <strong>{String(w.city)}</strong>
          <span>{String(w.condition)}</span>
        </span>
      </div>
      <dl className="weather-facts">
        <div><dt>Feels like</dt><dd>{Math.round(w.feels_like)}°</dd></div>
        <div><dt>Humidity</dt><dd>{Math.round(w.humidity * 100)}%</dd></div>
        <div><dt>Wind</dt><dd>{w.wind_kmh} km/h</dd></div>
      </dl>
      {Array.isArray(w.forecast) && (
        <ul className="weather-forecast">
          {w.forecast.map((d, i) => (
            <li key={i}>
              <span>{String(d.day)}</span>
              <ConditionIcon condition={d.condition} />
              <span><strong>{d.high}°</strong> {d.low}°</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
