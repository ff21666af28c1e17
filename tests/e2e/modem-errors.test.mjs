// What the advisor sees when the modem cannot send, against the real relais and its emulated
// modem: the SIM taken out, an offer sent — the RO page says in French that the SIM or the
// network stops it and that it waits without losing its attempts (not "attempt 1 of 8"), and
// the outbox keeps the attempt; then an error the modem does not explain (+CMS ERROR: 500) is
// worded as such, with the three tries it gets.
//
//   cd tests/e2e && RELAIS_BIN=/work/main/build/server/relais node --test modem-errors.test.mjs
// With RELAIS_SHOTS=1, docs/screenshots/workspace-modem-error-sim.png is written (1366×768).
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { chromium } from 'playwright-core';
import {
  startRelais, until as poll, CHROMIUM, CHROMIUM_ARGS, failureShots, signedInWorkspace, callApi, finish, SHOTS_DIR,
  modemControl,
} from './relais-server.mjs';

let server;
let browser;
let page;
let ro;
const problems = [];
const { step, failed } = failureShots({ page: () => page, dir: () => server && server.dir });
const until = (what, check, timeoutMs = 20000) => poll(what, check, { timeoutMs, alive: () => server && server.alive() });
const normalise = (s) => s.replace(/[\s\u00a0\u202f]+/g, ' ').trim();
const api = (method, url, body) => callApi(page, method, url, body);

before(async () => {
  server = await startRelais({ prefix: 'relais-e2e-modem-errors-' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  page = await signedInWorkspace({ browser, server, password: 'atelier-modem-2026', problems });
  const created = await api('POST', '/api/v1/repair-orders', {
    vehicle: { plate: 'gh-789-jk', make: 'Citroën', model: 'C4' },
    parties: [{ roles: ['driver'], title: 'M.', first_name: 'Karim', last_name: 'Benali',
      contact_points: [{ kind: 'phone', value: '06 11 22 33 44' }, { kind: 'phone', value: '06 55 66 77 88' }] }],
    interventions: [{ label: 'Courroie de distribution', price_excl_cents: 52000, kind: 'initial', severity: 'orange' }],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  ro = created.body;
  await until('the modem ready', async () => (await api('GET', '/api/v1/modem')).body.health === 'ready');
});

after(() => finish({ browser, server, failed }));

const recipientError = (n) => page.locator('section.card-offers li.offer-recipient .rcpt-error').nth(n);

step('the SIM taken out: the offer waits, and the RO says why, its attempts kept', async () => {
  assert.equal((await modemControl(server, { cmd: 'set', sim: 'missing' })).ok, true);
  const [first] = ro.parties[0].contact_points;
  const sent = await api('POST', `/api/v1/repair-orders/${ro.id}/offers`, { recipients: [first.id] });
  assert.equal(sent.status, 201, JSON.stringify(sent.body));
  const message = await until('the SMS held back', async () => {
    const o = (await api('GET', `/api/v1/offers/${sent.body.id}`)).body;
    return o.messages[0].failure && o.messages[0].failure.code === 'sms_sim_network' ? o.messages[0] : null;
  });
  assert.equal(message.state, 'pending');
  assert.equal(message.attempts, 0, 'the attempt is given back');
  await page.goto(`${server.base}/repair-orders/${ro.id}`);
  await until('the reason on the RO', async () => (await recipientError(0).count()) === 1);
  const text = normalise(await recipientError(0).innerText());
  assert.equal(text, 'La carte SIM ou le réseau mobile empêche l’envoi : le SMS attend, sans perdre ses essais. '
    + 'Erreur du modem 310.');
  assert.doesNotMatch(text, /Tentative/);
  if (SHOTS_DIR) {
    const card = page.locator('section.card-offers');
    await card.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS_DIR, 'workspace-modem-error-sim.png'), animations: 'disabled', caret: 'hide' });
  }
  assert.deepEqual(problems, []);
});

step('an error the modem does not explain: worded so, tried three times at most', async () => {
  assert.equal((await modemControl(server, { cmd: 'set', sim: 'ready' })).ok, true);
  await until('the modem ready again', async () => (await api('GET', '/api/v1/modem')).body.health === 'ready', 60000);
  assert.equal((await modemControl(server, { cmd: 'fail_next', count: 1, cms_error: 500 })).ok, true);
  const second = ro.parties[0].contact_points[1];
  const sent = await api('POST', `/api/v1/repair-orders/${ro.id}/offers`, { recipients: [second.id] });
  assert.equal(sent.status, 201, JSON.stringify(sent.body));
  const message = await until('the unknown error', async () => {
    const o = (await api('GET', `/api/v1/offers/${sent.body.id}`)).body;
    return o.messages[0].failure && o.messages[0].failure.code === 'sms_unknown' ? o.messages[0] : null;
  });
  assert.equal(message.state, 'pending');
  assert.equal(message.attempts, 1);
  await page.goto(`${server.base}/repair-orders/${ro.id}`);
  await until('the reason on the RO', async () => (await recipientError(0).count()) === 1);
  assert.equal(normalise(await recipientError(0).innerText()),
    'Tentative 1 — Le modem a signalé une erreur inconnue : le SMS est réessayé trois fois au plus. '
    + 'Erreur du modem 500. Nouvel essai automatique.');
});
