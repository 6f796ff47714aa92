// The code blocks of README.md, each with the heading it sits under: the README's
// examples as tests run them (tests/node/readme.test.js, tests/install/install.test.js),
// so a changed example is what runs.
import { readFileSync } from 'node:fs';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

function codeBlocks(markdown) {
  const blocks = [];
  let heading = '';
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const head = /^(#{1,6})\s+(.*)$/.exec(lines[i]);
    if (head) heading = head[2].trim();
    const fence = /^```(\w*)\s*$/.exec(lines[i]);
    if (!fence) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end] !== '```') end++;
    blocks.push({ lang: fence[1], heading, line: start + 1, code: lines.slice(start, end).join('\n') });
    i = end;
  }
  return blocks;
}

const blocks = codeBlocks(README);

/** The first ```lang block under `heading`: { lang, heading, line, code }; throws if none. */
export function readmeBlock(heading, lang, what) {
  const found = blocks.find((b) => b.heading === heading && b.lang === lang);
  if (!found) throw new Error(`README.md has no \`\`\`${lang} block under "${heading}" (${what})`);
  return found;
}

/** The README's examples by name, each with the file name it is checked and run as. */
export const README_EXAMPLES = {
  usage: { ...readmeBlock('Usage', 'js', 'the plain JavaScript usage'), file: 'usage.ts' },
  lower: { ...readmeBlock('Lower levels', 'js', 'MessageStream and SSEParser'), file: 'lower.ts' },
  chat: { ...readmeBlock('React', 'tsx', 'useMessageStream'), file: 'chat.tsx' },
  conversation: { ...readmeBlock('useChatStream', 'tsx', 'useChatStream'), file: 'conversation.tsx' },
};
