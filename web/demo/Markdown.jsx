// A small, safe, streaming-friendly markdown renderer: headings, paragraphs,
// bold/italic, inline code, fenced code, lists, quotes, rules and http(s) links.
// It builds React elements only (no HTML strings, no dangerouslySetInnerHTML),
// so whatever the model sends is shown as text.
//
// Streaming: the text only grows, so the blocks before the last one are final;
// each render re-parses from the start of the last block only, and the block
// components are memoized, so a frame costs one block whatever the length.
import { memo, useRef } from 'react';

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+#.-]*)/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
const QUOTE = /^ {0,3}>\s?(.*)$/;

function startsBlock(line) {
  return FENCE.test(line) || HEADING.test(line) || RULE.test(line) || ITEM.test(line) || QUOTE.test(line);
}

/** Parses the blocks of `text` from offset `from` (a line start). */
export function parseBlocks(text, from = 0) {
  const blocks = [];
  const n = text.length;
  const lineEnd = (p) => {
    const e = text.indexOf('\n', p);
    return e === -1 ? n : e;
  };
  let i = from;
  while (i < n) {
    const e = lineEnd(i);
    const line = text.slice(i, e);
    if (line.trim() === '') {
      i = e + 1;
      continue;
    }
    const start = i;
    const fence = line.match(FENCE);
    if (fence) {
      const marker = fence[1];
      const lines = [];
      let j = e + 1;
      let closed = false;
      while (j < n) {
        const ee = lineEnd(j);
        const l = text.slice(j, ee);
        j = ee + 1;
        if (l.trim().startsWith(marker[0].repeat(marker.length)) && /^[`~]+$/.test(l.trim())) {
          closed = true;
          break;
        }
        lines.push(l);
      }
      blocks.push({ kind: 'code', start, lang: fence[2], code: lines.join('\n'), closed });
      i = Math.min(j, n);
      continue;
    }
    const heading = line.match(HEADING);
    if (heading) {
      blocks.push({ kind: 'heading', start, level: heading[1].length, text: heading[2] });
      i = e + 1;
      continue;
    }
    if (RULE.test(line)) {
      blocks.push({ kind: 'rule', start });
      i = e + 1;
      continue;
    }
    const item = line.match(ITEM);
    if (item) {
      const ordered = /\d/.test(item[2]);
      const items = [];
      let j = i;
      while (j < n) {
        const ee = lineEnd(j);
        const l = text.slice(j, ee);
        if (l.trim() === '') break;
        const m = l.match(ITEM);
        if (m && /\d/.test(m[2]) === ordered) {
          items.push({ indent: Math.min(3, Math.floor(m[1].replace(/\t/g, '  ').length / 2)), text: m[3] });
        } else if (m || startsBlock(l) || items.length === 0) {
          break;
        } else {
          items[items.length - 1].text += ` ${l.trim()}`; // a continuation line
        }
        j = ee + 1;
      }
      blocks.push({ kind: 'list', start, ordered, first: ordered ? parseInt(item[2], 10) : 1, items });
      i = j;
      continue;
    }
    const quote = line.match(QUOTE);
    if (quote) {
      const lines = [];
      let j = i;
      while (j < n) {
        const ee = lineEnd(j);
        const m = text.slice(j, ee).match(QUOTE);
        if (!m) break;
        lines.push(m[1]);
        j = ee + 1;
      }
      blocks.push({ kind: 'quote', start, text: lines.join(' ') });
      i = j;
      continue;
    }
    const lines = [line.trim()];
    let j = e + 1;
    while (j < n) {
      const ee = lineEnd(j);
      const l = text.slice(j, ee);
      if (l.trim() === '' || startsBlock(l)) break;
      lines.push(l.trim());
      j = ee + 1;
    }
    blocks.push({ kind: 'paragraph', start, text: lines.join('\n') });
    i = j;
  }
  return blocks;
}

// Inline: `code`, **bold**, __bold__, *italic*, _italic_, [text](https://...).
const INLINE = /(`+)([^`]+?)\1|\*\*(?=\S)([\s\S]+?)\*\*|__(?=\S)([\s\S]+?)__|\[([^\]\n]+)\]\(([^)\s]+)\)|\*(?=[^\s*])([^*\n]+?)\*|(?<![\w])_(?=[^\s_])([^_\n]+?)_(?![\w])/g;

function safeHref(href) {
  return /^https?:\/\//i.test(href) ? href : null;
}

/** Inline markdown to React nodes; an unclosed ** or ` at the end (still streaming) applies to the rest. */
export function renderInline(text, depth = 0) {
  const out = [];
  let last = 0;
  let key = 0;
  INLINE.lastIndex = 0;
  const matches = [...text.matchAll(INLINE)];
  for (const m of matches) {
    if (m.index > last) out.push(text.slice(last, m.index));
    const k = key++;
    if (m[1]) out.push(<code key={k}>{m[2]}</code>);
    else if (m[3] !== undefined || m[4] !== undefined) {
      out.push(<strong key={k}>{depth < 3 ? renderInline(m[3] ?? m[4], depth + 1) : (m[3] ?? m[4])}</strong>);
    } else if (m[5] !== undefined) {
      const href = safeHref(m[6]);
      out.push(href
        ? <a key={k} href={href} target="_blank" rel="noopener noreferrer">{m[5]}</a>
        : <span key={k}>{m[5]}</span>);
    } else {
      out.push(<em key={k}>{depth < 3 ? renderInline(m[7] ?? m[8], depth + 1) : (m[7] ?? m[8])}</em>);
    }
    last = m.index + m[0].length;
  }
  let rest = text.slice(last);
  // Streaming: an opening marker whose closing one has not arrived yet.
  const tick = rest.indexOf('`');
  const bold = rest.indexOf('**');
  if (tick !== -1 && (bold === -1 || tick < bold) && rest.length > tick + 1) {
    out.push(rest.slice(0, tick), <code key={key++}>{rest.slice(tick).replace(/^`+/, '')}</code>);
    rest = '';
  } else if (bold !== -1 && rest.length > bold + 2 && /\S/.test(rest[bold + 2])) {
    out.push(rest.slice(0, bold), <strong key={key++}>{rest.slice(bold + 2)}</strong>);
    rest = '';
  } else if (/\*{1,2}$|`$/.test(rest)) {
    rest = rest.replace(/\*{1,2}$|`$/, ''); // a lone marker that just arrived
  }
  if (rest) out.push(rest);
  return out;
}

const Block = memo(function Block({ block }) {
  switch (block.kind) {
    case 'heading': {
      const Tag = `h${Math.min(6, block.level + 1)}`; // the message is inside the page's h1 scope
      return <Tag className="md-heading">{renderInline(block.text)}</Tag>;
    }
    case 'rule':
      return <hr />;
    case 'code':
      return (
        <figure className="md-code" data-closed={block.closed}>
          <figcaption>
            <span>{block.lang || 'code'}</span>
            <CopyButton text={block.code} />
          </figcaption>
          <pre><code>{block.code}</code></pre>
        </figure>
      );
    case 'list': {
      const Tag = block.ordered ? 'ol' : 'ul';
      return (
        <Tag start={block.ordered && block.first !== 1 ? block.first : undefined}>
          {block.items.map((item, i) => (
            <li key={i} style={item.indent ? { marginLeft: `${item.indent * 1.25}em` } : undefined}>
              {renderInline(item.text)}
            </li>
          ))}
        </Tag>
      );
    }
    case 'quote':
      return <blockquote>{renderInline(block.text)}</blockquote>;
    default:
      return <p>{renderInline(block.text)}</p>;
  }
}, (a, b) => a.block === b.block);

function CopyButton({ text }) {
  return (
    <button
      type="button"
      className="copy"
      onClick={(event) => {
        const button = event.currentTarget;
        navigator.clipboard?.writeText(text).then(() => {
          button.textContent = 'Copied';
          setTimeout(() => { button.textContent = 'Copy'; }, 1200);
        }, () => {});
      }}
    >
      Copy
    </button>
  );
}

// Re-parses from the start of the last block when the text grew; blocks before
// it keep their identity, so their memoized components skip rendering.
function useBlocks(text) {
  const cache = useRef({ text: '', blocks: [] });
  const previous = cache.current;
  if (previous.text === text) return previous.blocks;
  let blocks;
  if (previous.blocks.length > 0 && text.length > previous.text.length && text.startsWith(previous.text)) {
    const keep = previous.blocks.slice(0, -1);
    const from = previous.blocks[previous.blocks.length - 1].start;
    blocks = keep.concat(parseBlocks(text, from));
    // The last block may be unchanged (e.g. whitespace arrived): keep its identity.
    const a = previous.blocks[previous.blocks.length - 1];
    const b = blocks[keep.length];
    if (b && sameBlock(a, b)) blocks[keep.length] = a;
  } else {
    blocks = parseBlocks(text);
  }
  cache.current = { text, blocks };
  return blocks;
}

function sameBlock(a, b) {
  if (a.kind !== b.kind || a.start !== b.start) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

export const Markdown = memo(function Markdown({ text, streaming }) {
  const blocks = useBlocks(text);
  return (
    <div className={streaming ? 'md streaming' : 'md'}>
      {blocks.map((block, i) => <Block key={i} block={block} />)}
    </div>
  );
});
