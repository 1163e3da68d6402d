// What the browser tests stand on: the preview build, the demo (the real
// service on the sandbox fakes, serving the preview and /hubspot-fetch), and
// a headless Chromium driven by playwright-core. Also usable by hand:
//   node e2e/harness.mjs            # build, start the demo, print its URLs, wait
import { spawn, execFile } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const EXTENSIONS = fileURLToPath(new URL('..', import.meta.url));
export const REPO = path.resolve(EXTENSIONS, '..');
export const PREVIEW_DIST = path.join(EXTENSIONS, 'preview', 'dist');
export const ARTIFACTS = path.join(EXTENSIONS, 'e2e', 'artifacts');

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Builds extensions/preview into preview/dist with Vite's JS API. */
export async function buildPreview() {
  const { build } = await import('vite');
  await build({ configFile: path.join(EXTENSIONS, 'preview', 'vite.config.ts'), logLevel: 'warn' });
}

/**
 * Builds the Go binary once and starts `hq demo` on free loopback ports.
 * Resolves with its URLs once it printed PREVIEW_URL; stop() ends it.
 */
export async function startDemo({ timeoutMs = 30_000 } = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), 'hq-e2e-'));
  const bin = path.join(dir, 'hq');
  await run('go', ['build', '-o', bin, './cmd/hubspot-quickbooks'], { cwd: REPO, maxBuffer: 16 << 20 });
  const child = spawn(bin, ['demo'], {
    cwd: REPO,
    env: {
      ...process.env,
      HTTP_ADDR: '127.0.0.1:0',
      DEBUG_ADDR: '127.0.0.1:0',
      PREVIEW_ADDR: '127.0.0.1:0',
      PREVIEW_DIR: PREVIEW_DIST,
      LOG_LEVEL: process.env.LOG_LEVEL || 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Never outlive the test process.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (b) => {
    stderr += b;
    if (process.env.E2E_DEMO_LOG) process.stderr.write(b);
  });
  const urls = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo did not print PREVIEW_URL within ${timeoutMs} ms:\n${stdout}\n${stderr}`)), timeoutMs);
    child.stdout.on('data', (b) => {
      stdout += b;
      const api = /^CARD_API_BASE_URL=(\S+)$/m.exec(stdout);
      const preview = /^PREVIEW_URL=(\S+)$/m.exec(stdout);
      if (api && preview) {
        clearTimeout(timer);
        resolve({ cardApi: api[1], preview: preview[1] });
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the demo exited (${code ?? signal}) before it was ready:\n${stdout}\n${stderr}`));
    });
  });
  child.removeAllListeners('exit');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    ...urls,
    logs: () => stderr,
    /** The preview page of one record. */
    cardURL: (objectType, objectId) => `${urls.preview}/?objectType=${objectType}&objectId=${objectId}&backend=${encodeURIComponent(urls.cardApi)}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(killer);
      }
      process.removeListener('exit', killOnExit);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Launches the system Chromium (never downloads a browser). */
export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** e2e/artifacts, emptied of the last run's screenshots. */
export function artifactsDir() {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const f of readdirSync(ARTIFACTS)) if (f.endsWith('.png')) rmSync(path.join(ARTIFACTS, f), { force: true });
  return ARTIFACTS;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildPreview();
  const demo = await startDemo();
  console.log(`CARD_API_BASE_URL=${demo.cardApi}\nPREVIEW_URL=${demo.preview}\n\n${demo.cardURL('deals', 1011)}\n\nCtrl-C to stop.`);
  const stop = async () => {
    await demo.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
