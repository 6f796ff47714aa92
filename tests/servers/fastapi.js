// Starts tests/servers/fastapi_app.py under uvicorn on a free port of 127.0.0.1, for
// the duration of a test file. Debian's python3 (/usr/bin/python3, with
// python3-fastapi and python3-uvicorn) runs it: a `python3` on PATH may be another one.
//
//   const api = await startFastAPI();
//   api.origin                      // http://127.0.0.1:<port>
//   await api.fault({ path: '/api/chat', drop: true })   // the next request to it drops
//   await api.log()                 // the requests the app saw (see fastapi_app.py)
//   await api.reset()
//   await api.stop()
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const PYTHON = process.env.SSE_WASM_PYTHON || '/usr/bin/python3';
const APP_DIR = fileURLToPath(new URL('.', import.meta.url));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function launch() {
  const port = await freePort();
  const child = spawn(PYTHON, ['-m', 'uvicorn', 'fastapi_app:app', '--app-dir', APP_DIR, '--host', '127.0.0.1',
    '--port', String(port), '--no-access-log', '--log-level', 'warning'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  let exit = null;
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => {
    exit = { code, signal };
    resolve(exit);
  }));
  child.on('error', (error) => { output += `\n${error.stack}`; });
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (exit) return { child, origin, exited, output: () => output, failed: `uvicorn exited (${exit.code ?? exit.signal})` };
    try {
      if ((await fetch(`${origin}/_test/log`)).ok) return { child, origin, exited, output: () => output };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      return { child, origin, exited, output: () => output, failed: 'uvicorn did not answer within 20 s' };
    }
    await sleep(100);
  }
}

export async function startFastAPI() {
  let started = await launch();
  if (started.failed && /address already in use/i.test(started.output())) started = await launch(); // lost the port race
  if (started.failed) {
    throw new Error(`${started.failed}; is python3-fastapi and python3-uvicorn installed (scripts/setup.sh)?\n${started.output()}`);
  }
  const { child, origin, exited, output } = started;
  const post = async (path, body) => {
    const response = await fetch(`${origin}${path}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}),
    });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
    return response.json();
  };
  return {
    origin,
    output,
    fault: (spec) => post('/_test/fault', spec),
    reset: () => post('/_test/reset'),
    log: async () => (await fetch(`${origin}/_test/log`)).json(),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timeout = sleep(5000).then(() => 'timeout');
      if (await Promise.race([exited, timeout]) === 'timeout') {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
