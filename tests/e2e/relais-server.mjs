// Starts the real `relais` binary for browser tests: a fresh temporary directory, a config
// written here, ports chosen by the system (read back from --port-file), and the admin's
// one-time password read from its first-start banner.
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, writeFile, readFile, rm } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { test } from 'node:test';
import { promisify } from 'node:util';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const RELAIS_BIN = path.resolve(process.env.RELAIS_BIN || path.join(repo, 'build/server/relais'));
export const WEB_ROOT = path.resolve(process.env.RELAIS_WEB_ROOT || path.join(repo, 'web'));
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--lang=fr-FR'];

/** Polls `check` until it returns something truthy; `alive()` may abort early. */
export async function until(what, check, { timeoutMs = 15000, alive = () => null } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = alive();
    if (dead) throw new Error(`${dead} while waiting for ${what}`);
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(50);
  }
}

const toml = (s) => JSON.stringify(s); // a JSON string is a valid TOML basic string

export async function startRelais({
  dealerName = 'Garage des Essais', prefix = 'relais-e2e-', mail = '', dealerPhone = '', setupDone = true, tls = false,
} = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  const config = path.join(dir, 'relais.toml');
  const portFile = path.join(dir, 'ports.json');
  await writeFile(config, [
    '[http]',
    'lan_listen = "127.0.0.1:0"',
    'public_listen = "127.0.0.1:0"',
    // With tls: the customer pages over HTTPS, a self-signed certificate for that name.
    tls ? 'public_base_url = "https://relais.garage-essais.fr"' : 'public_base_url = "http://127.0.0.1:8081"',
    `web_root = ${toml(WEB_ROOT)}`,
    '[storage]',
    `data_dir = ${toml(path.join(dir, 'data'))}`,
    '[modem]',
    'device = "virtual"',
    '[mail]',
    mail || 'relay_host = ""',
    'from = "atelier@garage-essais.fr"',
    '[dealer]',
    `name = ${toml(dealerName)}`,
    ...(dealerPhone ? [`phone = ${toml(dealerPhone)}`] : []),
    'timezone = "Europe/Paris"',
    'language = "fr"',
    'country = "FR"',
    'currency = "EUR"',
    'default_vat_rate = 20',
    '[log]',
    'level = "info"',
    // Always open: scheduled sends and reminders must not wait for 08:00 when the tests run at
    // night (the opening hours are the unit tests' and reminders.test.mjs's own business).
    '[hours]',
    'open = ""',
    // A box already set up, unless the test is about the first-boot setup itself.
    ...(setupDone ? ['[setup]', 'done = true'] : []),
    ...(tls ? ['[tls]', 'public = true', 'certificate = "self-signed"'] : []),
    '',
  ].join('\n'));

  let stdout = '';
  let exited = null;
  let child = null;
  const log = createWriteStream(path.join(dir, 'relais.log'));
  const spawnRelais = () => {
    exited = null;
    child = spawn(RELAIS_BIN, ['--config', config, '--port-file', portFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.on('exit', (code, signal) => { exited = signal ? `signal ${signal}` : `code ${code}`; });
    child.on('error', (e) => { exited = e.message; });
    child.stdout.on('data', (d) => { stdout += d; log.write(d); });
    child.stderr.on('data', (d) => log.write(d));
  };
  const alive = () => (exited ? `relais exited (${exited}; see ${dir}/relais.log)` : null);
  const readPorts = async () => {
    const ports = await until('the port file', async () => {
      try { return JSON.parse(await readFile(portFile, 'utf8')); } catch { return null; }
    }, { alive });
    server.base = `http://127.0.0.1:${ports.lan}`;
    server.publicBase = `http://127.0.0.1:${ports.public}`;
  };
  spawnRelais();

  const server = {
    dir,
    config,
    alive,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        await until('relais to stop', () => exited, { timeoutMs: 10000 }).catch(() => child.kill('SIGKILL'));
      }
      log.end();
    },
    /** Ends relais with `signal` (SIGKILL: as a crash or a power cut would) and starts it again on the
     * same data; `base` and `publicBase` then name its new ports. */
    async restart(signal = 'SIGTERM') {
      await rm(portFile, { force: true });
      child.kill(signal);
      await until('relais to end', () => exited, { timeoutMs: 10000 });
      spawnRelais();
      await readPorts();
    },
    async remove() { await rm(dir, { recursive: true, force: true }); },
    /** `relais seed-demo` on the same config (the server keeps running). */
    async seedDemo(count, seed) {
      await promisify(execFile)(RELAIS_BIN, ['seed-demo', '--count', String(count), '--seed', String(seed), '--config', config]);
    },
  };
  try {
    await readPorts();
    // The first start prints the admin's one-time password alone on its line.
    server.oneTimePassword = await until('the one-time password', () => {
      const m = /one-time password:\s*\n\s*\n?\s*(\S+)\s*\n/.exec(stdout);
      return m && m[1];
    }, { alive });
  } catch (e) {
    await server.stop();
    e.message += ` (kept ${dir})`;
    throw e;
  }
  return server;
}

/**
 * Test steps that leave a full-page screenshot of `page()` in `dir()` when they fail; `failed()`
 * says whether any did (the caller then keeps the directory).
 */
export function failureShots({ page, dir }) {
  let failures = 0;
  function step(name, fn) {
    test(name, async () => {
      try {
        await fn();
      } catch (e) {
        failures += 1;
        const p = page();
        const d = dir();
        if (p && d) await p.screenshot({ path: path.join(d, `failure-${failures}.png`), fullPage: true }).catch(() => {});
        throw e;
      }
    });
  }
  return { step, failed: () => failures > 0, fail: () => { failures += 1; } };
}

/** On a page of the workspace: signs in as the first admin and replaces the one-time password.
 * Returns the HTTP statuses of both requests ([200, 204] when all went well). */
export function signInFirstAdmin(page, oneTimePassword, newPassword) {
  return page.evaluate(async ({ password, next }) => {
    const post = (url, body, csrf) => fetch(url, {
      method: 'POST', body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json', ...(csrf ? { 'X-CSRF-Token': csrf } : {}) },
    });
    const r = await post('/api/v1/session', { username: 'admin', password });
    const s = await r.json();
    const c = await post('/api/v1/session/password', { current_password: password, new_password: next }, s.csrf_token);
    return [r.status, c.status];
  }, { password: oneTimePassword, next: newPassword });
}

/** The workspace's API called from `page`, a signed-in page of the workspace (with the
 * session's CSRF token, as its scripts do): `{ status, body }`. */
/**
 * A workspace page in `browser` as an advisor in France sees it (fr-FR, Europe/Paris, 1366×768),
 * signed in as the first admin, who sets `password`. Content Security Policy refusals and page
 * errors are pushed to `problems`, for a test to assert there were none.
 */
export async function signedInWorkspace({ browser, server, password, problems }) {
  const context = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris', viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(`${server.base}/login`);
  const statuses = await signInFirstAdmin(page, server.oneTimePassword, password);
  if (statuses[0] !== 200 || statuses[1] !== 204) throw new Error(`first sign-in answered ${statuses.join(', ')}`);
  return page;
}

/** The SMS the emulated modem took, oldest first (its journal's `message` entries). */
export async function smsJournal(server) {
  const text = await readFile(path.join(server.dir, 'data', 'modem', 'journal.jsonl'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((m) => m.kind === 'message');
}

/** The magic links of the SMS the emulated modem took (for `number`, E.164, when given), oldest first. */
export async function smsLinks(server, number) {
  return (await smsJournal(server)).filter((m) => number === undefined || m.recipient === number)
    .map((m) => /\/o\/([A-Za-z0-9_-]{22})/.exec(m.text)?.[1]).filter(Boolean);
}

export function callApi(page, method, url, body) {
  return page.evaluate(async ({ method, url, body }) => {
    const headers = { Accept: 'application/json' };
    if (method !== 'GET') {
      const s = await fetch('/api/v1/session').then((r) => r.json());
      headers['X-CSRF-Token'] = s.csrf_token;
    }
    if (body) headers['Content-Type'] = 'application/json';
    const r = await fetch(url, { method, headers, body: body ? JSON.stringify(body) : undefined });
    return { status: r.status, body: await r.json().catch(() => null) };
  }, { method, url, body });
}

const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core on `page` as it is now: its serious and critical violations, each as the rule, its
 * impact, its help and the elements found (an empty list when there are none). Evaluated, not
 * added as a script tag: the pages' Content-Security-Policy allows no inline script. */
export async function seriousAxeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
  const violations = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] })
    .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`) }))));
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.join('\n    ')}`);
}

/** The end of a browser test file: closes the browser, stops relais, and removes its directory
 * unless a step failed (then keeps it, with relais.log and the failure screenshots, and says where). */
export async function finish({ browser, server, failed }) {
  if (browser) await browser.close().catch(() => {});
  if (!server) return;
  await server.stop();
  if (failed()) console.log(`# e2e failed: kept ${server.dir} (relais.log, data/, failure-*.png)`);
  else await server.remove();
}

/** Where a test file writes its screenshots: RELAIS_SHOTS=1 means docs/screenshots, another
 * value is a folder; null (no screenshots) when it is unset. */
export const SHOTS_DIR = process.env.RELAIS_SHOTS
  ? (process.env.RELAIS_SHOTS === '1' ? path.join(repo, 'docs/screenshots') : path.resolve(process.env.RELAIS_SHOTS))
  : null;

/** A request to the emulated modem's control socket (firmware-bridge/README.md): its answer. */
export function modemControl(server, request) {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(path.join(server.dir, 'data', 'modem', 'control.sock'));
    let answer = '';
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (d) => {
      answer += d;
      if (answer.includes('\n')) { socket.end(); resolve(JSON.parse(answer)); }
    });
    socket.on('error', reject);
  });
}
