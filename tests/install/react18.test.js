// React 18 test: the packed package's hooks (sse-wasm/react) under React 18.
// The repo's own hook tests (tests/node/react.test.js) run against its dev
// dependency, React 19; the package promises `react >=18`. This test packs the
// repo (or uses SSE_WASM_TARBALL), installs the tarball with react@18 and
// react-dom@18 in a temp folder, plus the repo's pinned jsdom and Testing Library,
// and runs apps/react18/run.mjs there: server rendering, start() to done, and
// StrictMode sending one request.
//
// Run: node --test tests/install/react18.test.js
// Env: SSE_WASM_TARBALL=path  test that tarball instead of running npm pack
//      SSE_WASM_KEEP_TMP=1    keep the temp folder (its path is printed)
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, realpath, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REACT_18 = '18.3.1'; // the latest 18.x (`npm view react@18 version`)

const repo = fileURLToPath(new URL('../../', import.meta.url));
const template = fileURLToPath(new URL('./apps/react18/', import.meta.url));
const lock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8'));

/** name@version as the repo's package-lock pins it. */
function pinned(name) {
  const version = lock.packages?.[`node_modules/${name}`]?.version;
  assert.ok(version, `${name} is not in the repo's package-lock.json`);
  return `${name}@${version}`;
}

// Children run without the test runner's marker and npm's lifecycle variables.
const childEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) =>
  key !== 'NODE_TEST_CONTEXT' && key !== 'NODE_OPTIONS' && key !== 'INIT_CWD'
  && !/^npm_(lifecycle|package|command|execpath|node_execpath)/i.test(key)));

function run(command, args, cwd, timeoutMs) {
  return new Promise((done) => {
    const started = Date.now();
    const child = spawn(command, args, { cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const finish = (code, error) => {
      clearTimeout(timer);
      const ms = Date.now() - started;
      const report = `$ (cd ${cwd} && ${[command, ...args].join(' ')})\nexit ${code} after ${(ms / 1000).toFixed(1)} s\n`
        + `${output}${error ? `\n${error.stack}` : ''}`;
      done({ code, output, ms, report });
    };
    child.on('error', (error) => finish(null, error));
    child.on('close', (code, signal) => finish(code ?? signal));
  });
}

async function mustRun(command, args, cwd, timeoutMs) {
  const result = await run(command, args, cwd, timeoutMs);
  assert.equal(result.code, 0, `${command} ${args[0]} failed:\n${result.report}`);
  return result;
}

let tmp;
after(async () => {
  if (tmp && !process.env.SSE_WASM_KEEP_TMP) await rm(tmp, { recursive: true, force: true });
});

test('React 18: useMessageStream from the packed package streams, server-renders and survives StrictMode', { timeout: 120_000 }, async (t) => {
  tmp = await realpath(await mkdtemp(join(tmpdir(), 'sse-wasm-react18-')));
  t.diagnostic(`temp folder: ${tmp}`);

  let tarball = process.env.SSE_WASM_TARBALL && resolve(process.env.SSE_WASM_TARBALL);
  if (tarball) {
    t.diagnostic(`SSE_WASM_TARBALL: ${tarball} (no npm pack)`);
  } else {
    const dest = join(tmp, 'pack');
    await mkdir(dest);
    const packed = await mustRun('npm', ['pack', '--pack-destination', dest, '--loglevel=error'], repo, 90_000);
    const made = (await readdir(dest)).filter((name) => name.endsWith('.tgz'));
    assert.equal(made.length, 1, `npm pack made ${made.length} tarballs`);
    tarball = join(dest, made[0]);
    t.diagnostic(`npm pack: ${(packed.ms / 1000).toFixed(1)} s`);
  }

  const app = join(tmp, 'app');
  await cp(template, app, { recursive: true });
  await writeFile(join(app, 'package.json'), `${JSON.stringify({ name: 'react18-app', private: true, type: 'module' }, null, 2)}\n`);
  const specs = [tarball, `react@${REACT_18}`, `react-dom@${REACT_18}`, pinned('jsdom'),
    pinned('@testing-library/react'), pinned('@testing-library/dom')];
  const installed = await mustRun('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...specs], app, 90_000);
  t.diagnostic(`npm install ${specs.slice(1).join(' ')}: ${(installed.ms / 1000).toFixed(1)} s`);
  const react = JSON.parse(readFileSync(join(app, 'node_modules/react/package.json'), 'utf8'));
  assert.equal(react.version, REACT_18, 'the app should have React 18 installed');

  const result = await run(process.execPath, ['run.mjs'], app, 30_000);
  t.diagnostic(`node run.mjs: ${(result.ms / 1000).toFixed(1)} s`);
  for (const line of result.output.trim().split('\n')) t.diagnostic(line);
  assert.equal(result.code, 0, `run.mjs failed under React ${REACT_18}:\n${result.report}`);
  assert.match(result.output, /ok: StrictMode: one request/, `run.mjs did not finish its checks:\n${result.report}`);
});
