// The demo end to end in Debian's Chromium (playwright-core, no browser download):
// build the page with Vite, start web/demo/server.js on a free port, ask
// questions, watch the text grow and a tool card go from loading to result, drop
// the connection and retry, and stress the renderer with the firehose speed.
// Screenshots go to test-results/. Run: node --test tests/browser/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const results = join(root, 'test-results');
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic'];

const missing = !existsSync(CHROMIUM) ? `${CHROMIUM} is missing (bash scripts/setup.sh installs it)`
  : !existsSync(join(root, 'dist/sse_core.mjs')) ? 'dist/sse_core.mjs is missing (bash scripts/build.sh)'
    : null;

let outDir;
let demo;
let browser;
const pageErrors = [];

before(async () => {
  // A missing browser or build is a failure, never a skip: npm test installs both.
  if (missing) throw new Error(missing);
  const { build } = await import('vite');
  const { chromium } = await import('playwright-core');
  const { startDemoServer } = await import('../../web/demo/server.js');
  outDir = await mkdtemp(join(tmpdir(), 'sse-wasm-demo-'));
  await build({ configFile: join(root, 'web/demo/vite.config.js'), logLevel: 'warn',
    build: { outDir, emptyOutDir: true } });
  demo = await startDemoServer({ port: 0, dist: outDir });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  await mkdir(results, { recursive: true });
});

after(async () => {
  await browser?.close();
  await demo?.close();
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

async function openDemo(viewport = { width: 1280, height: 860 }, extra = {}) {
  const context = await browser.newContext({ viewport, ...extra });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(demo.url);
  await page.getByText('WebAssembly core ready').waitFor({ timeout: 15000 });
  return { context, page };
}

const lastAnswer = (page) => page.getByTestId('assistant-message').last();
// The answer's prose (text parts), without the tool card and reasoning.
const proseOf = (page) => lastAnswer(page).evaluate((el) => [...el.querySelectorAll('.md')].map((m) => m.innerText).join('\n'));

async function ask(page, prompt) {
  await page.getByTestId('prompt').fill(prompt);
  await page.getByTestId('send').click();
}

test('ask, stream, tool card, drop the connection, retry', { timeout: 120000 }, async () => {
  const { context, page } = await openDemo();

  // Record every state the tool card shows, as the DOM changes.
  await page.evaluate(() => {
    window.__toolStates = [];
    new MutationObserver(() => {
      for (const card of document.querySelectorAll('[data-testid=tool-card]')) {
        const state = card.getAttribute('data-state');
        if (window.__toolStates.at(-1) !== state) window.__toolStates.push(state);
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
  });

  await ask(page, 'What’s the weather in Lisbon?');
  await page.getByTestId('user-message').filter({ hasText: 'weather in Lisbon' }).waitFor();
  const card = page.getByTestId('tool-card');
  await card.waitFor({ timeout: 15000 });
  await page.locator('[data-testid=tool-card][data-state=output-available]').waitFor({ timeout: 15000 });
  assert.match(await card.getByTestId('tool-output').innerText(), /Lisbon/);

  // The text grows while the answer streams.
  const lengths = [];
  while ((await lastAnswer(page).getAttribute('data-status')) === 'streaming') {
    lengths.push((await proseOf(page)).length);
    await page.waitForTimeout(60);
  }
  assert.equal(await lastAnswer(page).getAttribute('data-status'), 'done');
  const distinct = [...new Set(lengths)];
  assert.ok(distinct.length >= 3, `the text grew in steps (${distinct.join(', ')})`);
  for (let i = 1; i < lengths.length; i++) assert.ok(lengths[i] >= lengths[i - 1], 'the text only grows');
  assert.match(await proseOf(page), /Here's the weather in Lisbon/);

  const states = await page.evaluate(() => window.__toolStates);
  assert.equal(states.at(-1), 'output-available');
  assert.ok(states.indexOf('input-streaming') !== -1 || states.indexOf('input-available') !== -1,
    `the card showed a loading state first (${states.join(' -> ')})`);
  assert.ok(states.indexOf('input-available') < states.indexOf('output-available'));

  // A second question; drop the connection in the middle of its prose.
  await ask(page, 'How do I resume a dropped stream?');
  await page.waitForFunction(() => {
    const answers = document.querySelectorAll('[data-testid=assistant-message]');
    const md = answers[answers.length - 1]?.querySelector('.md');
    return md && md.innerText.length > 120;
  }, null, { timeout: 20000 });
  await page.getByTestId('fault-drop').click();
  const error = page.getByTestId('error');
  await error.waitFor({ timeout: 10000 });
  await page.waitForTimeout(300); // the banner fades in
  assert.equal(await lastAnswer(page).getAttribute('data-status'), 'error');
  assert.match(await error.innerText(), /Connection lost/);
  const partial = await proseOf(page);
  assert.ok(partial.length > 120, 'the partial text is kept next to the error');
  assert.ok(!partial.includes('Try it here'), 'the answer was cut short');
  await page.screenshot({ path: join(results, 'demo-error.png') });

  // Retry resumes the answer (Last-Event-ID) and it completes.
  await page.getByTestId('retry').click();
  await page.waitForFunction(() => {
    const answers = document.querySelectorAll('[data-testid=assistant-message]');
    return answers[answers.length - 1]?.getAttribute('data-status') === 'done';
  }, null, { timeout: 30000 });
  assert.equal(await error.count(), 0);
  const complete = await proseOf(page);
  assert.ok(complete.startsWith(partial.trimEnd().slice(0, 100)), 'the kept text continues');
  assert.match(complete, /Try it here/);
  assert.equal(complete.split('Dropped connections are normal').length, 2, 'resumed, not repeated');
  assert.equal(await page.getByTestId('assistant-message').count(), 2);

  await page.getByTestId('user-message').last().evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.mouse.move(0, 0);
  await page.waitForTimeout(200);
  await page.screenshot({ path: join(results, 'demo.png') });
  await context.close();
});

test('firehose: thousands of events per second, far fewer renders', { timeout: 120000 }, async () => {
  const { context, page } = await openDemo();
  await page.getByTestId('speed-firehose').click();
  await page.waitForTimeout(200); // the control request
  await ask(page, 'Write a long report about streaming under load.');
  const peakRate = { value: 0 };
  const poll = setInterval(async () => {
    const text = await page.getByTestId('events-per-second').innerText().catch(() => '0');
    peakRate.value = Math.max(peakRate.value, Number(text.replace(/\D/g, '')));
  }, 150);
  await page.waitForFunction(() => {
    const answers = document.querySelectorAll('[data-testid=assistant-message]');
    return answers[answers.length - 1]?.getAttribute('data-status') === 'done';
  }, null, { timeout: 60000 });
  await page.waitForTimeout(700); // one more counter sample
  clearInterval(poll);
  const counters = await page.evaluate(() => ({
    total: document.querySelector('[data-testid=events-per-second]').nextElementSibling.textContent,
    renders: document.querySelector('[data-testid=renders]').textContent,
    js: document.querySelector('[data-testid=js-per-frame]').parentElement.querySelector('.counter-sub').textContent,
  }));
  const events = Number(counters.total.replace(/\D/g, ''));
  const renders = Number(counters.renders.replace(/\D/g, ''));
  console.log(`# firehose: ${events} events -> ${renders} renders (peak ${peakRate.value} events/s, JS/frame ${counters.js})`);
  assert.ok(events > 5000, `${events} events`);
  assert.ok(peakRate.value >= 1000, `thousands of events per second (${peakRate.value})`);
  assert.ok(renders * 10 < events, `far fewer renders than events (${renders} for ${events})`);
  assert.match(await proseOf(page), /End of report\./);
  await context.close();
});

test('phone viewport', { timeout: 60000 }, async () => {
  const { context, page } = await openDemo({ width: 390, height: 844 }, { deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.equal(overflow, 0, 'no horizontal scrolling');
  await ask(page, 'What’s the weather in Lisbon?');
  await page.locator('[data-testid=tool-card][data-state=output-available]').waitFor({ timeout: 15000 });
  await page.waitForFunction(() => document.querySelector('[data-testid=assistant-message]')?.getAttribute('data-status') === 'done',
    null, { timeout: 20000 });
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), 0);
  await page.getByTestId('user-message').last().evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.waitForTimeout(200);
  await page.screenshot({ path: join(results, 'demo-phone.png') });
  // The Stream lab opens as a sheet on a phone.
  await page.getByRole('button', { name: 'Stream lab' }).click();
  await page.getByTestId('fault-drop').waitFor({ state: 'visible' });
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(results, 'demo-phone-lab.png') });
  await context.close();
});

test('no page errors', () => {
  assert.deepEqual(pageErrors, []);
});
