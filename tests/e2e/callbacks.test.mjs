// The callbacks page ("À rappeler") against the real relais: an offer sent by SMS, the customer
// answers one item "contact me" and confirms through the public pages' API; the top bar counts
// 1, the page lists the item with the number to call; "Injoignable" with a note keeps it (1
// attempt, the note shown), "Fait" takes it off the list and the count goes back to 0; the
// RO's timeline words both outcomes.
//
//   cd tests/e2e && RELAIS_BIN=/work/main/build/server/relais node --test callbacks.test.mjs
// With RELAIS_SHOTS=1, docs/screenshots/workspace-callbacks*.png are written (1366×768).
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { chromium } from 'playwright-core';
import {
  startRelais, until as poll, CHROMIUM, CHROMIUM_ARGS, failureShots, signedInWorkspace, callApi, finish, smsLinks, SHOTS_DIR, seriousAxeViolations,
} from './relais-server.mjs';

const PASSWORD = 'atelier-rappels-2026';
const PHONE = '06 98 76 54 32';

let server;
let browser;
let page;
let ro;
const pageProblems = [];
const { step, failed } = failureShots({ page: () => page, dir: () => server && server.dir });

const until = (what, check, timeoutMs = 15000) => poll(what, check, { timeoutMs, alive: () => server && server.alive() });
const normalise = (s) => s.replace(/[\s\u00a0\u202f]+/g, ' ').trim();
function api(method, url, body) { return callApi(page, method, url, body); }

async function shot(name) {
  if (!SHOTS_DIR) return;
  await page.mouse.move(4, 300);
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: path.join(SHOTS_DIR, `workspace-callbacks${name}.png`), animations: 'disabled', caret: 'hide' });
}

/** The magic links of the SMS the emulated modem took for `number` (E.164), oldest first. */
before(async () => {
  server = await startRelais({ dealerName: 'Garage des Essais', prefix: 'relais-e2e-callbacks-' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  page = await signedInWorkspace({ browser, server, password: PASSWORD, problems: pageProblems });

  const created = await api('POST', '/api/v1/repair-orders', {
    vehicle: { plate: 'fg-456-hj', make: 'Renault', model: 'Clio' },
    parties: [
      { roles: ['driver', 'owner'], title: 'Mme', first_name: 'Zoé', last_name: 'Brûlé',
        contact_points: [{ kind: 'phone', value: PHONE }] },
    ],
    interventions: [
      { label: 'Vidange et filtre à huile', price_excl_cents: 8900, kind: 'initial', severity: 'green' },
      { label: 'Plaquettes de frein avant', price_excl_cents: 14500, kind: 'optional', severity: 'red' },
    ],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  ro = created.body;
});

after(() => finish({ browser, server, failed }));

const badge = () => page.locator('.nav-callbacks .count-badge');
const rows = () => page.locator('table.cb-table tbody tr');

step('the customer asks to be called about one item: the top bar counts 1, the open page shows it live', async () => {
  await page.goto(`${server.base}/callbacks`);
  await page.getByRole('heading', { name: 'Personne à rappeler' }).waitFor();
  assert.equal(await page.locator('.nav-callbacks').isVisible(), true);
  assert.equal(await badge().isVisible(), false, 'no count while nobody is to call');

  const phone = ro.parties[0].contact_points.find((c) => c.kind === 'phone');
  const sent = await api('POST', `/api/v1/repair-orders/${ro.id}/offers`, { recipients: [phone.id] });
  assert.equal(sent.status, 201, JSON.stringify(sent.body));
  const [token] = await until('the SMS with its link', async () => { const l = await smsLinks(server, phone.value); return l.length && l; });
  const customer = await (await browser.newContext({ locale: 'fr-FR', viewport: { width: 390, height: 844 } })).newPage();
  await customer.goto(`${server.publicBase}/o/${token}`);
  const answers = await customer.evaluate(async ({ token, items }) => {
    const post = (what, body) => fetch(`/o/${token}/${what}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const open = await post('open', {});
    const decided = await post('decisions', { decisions: { [items[0]]: 'accept', [items[1]]: 'contact_me' }, confirm: true });
    return [open.status, decided.status];
  }, { token, items: ro.interventions.map((i) => i.id) });
  assert.deepEqual(answers, [200, 200]);
  await customer.context().close();

  // Live: the count and the row come without a reload.
  await until('the count says 1', async () => (await badge().isVisible()) && normalise(await badge().innerText()) === '1');
  await until('the row shown live', async () => (await rows().count()) === 1);
  const listed = await api('GET', '/api/v1/callbacks');
  assert.equal(listed.status, 200);
  assert.equal(listed.body.items.length, 1);
  assert.equal(listed.body.items[0].intervention_id, ro.interventions[1].id);
  assert.equal(listed.body.items[0].phones[0].e164, '+33698765432');
});

step('the page lists the item: customer, vehicle, RO, item, the number to call', async () => {
  await page.goto(`${server.base}/repair-orders`);
  await page.locator('.nav-callbacks').click();
  await page.waitForURL(/\/callbacks$/);
  await page.getByRole('heading', { level: 1, name: 'À rappeler' }).waitFor();
  await until('one row', async () => (await rows().count()) === 1);
  const row = rows().first();
  const text = normalise(await row.innerText());
  assert.match(text, /Zoé Brûlé/);
  assert.match(text, /FG-456-HJ/);
  assert.match(text, /Renault Clio/);
  assert.match(text, /Plaquettes de frein avant/);
  assert.doesNotMatch(text, /Vidange/, 'an accepted item is no callback');
  assert.equal(await row.locator(`a[href="/repair-orders/${ro.id}"]`).innerText(), ro.number);
  const tel = row.locator('a[href^="tel:"]');
  assert.equal(await tel.getAttribute('href'), 'tel:+33698765432');
  assert.equal(normalise(await tel.innerText()), '06 98 76 54 32');
  assert.equal(await row.locator('.sev-dot.sev-red').count(), 1);
  assert.deepEqual(await seriousAxeViolations(page), [], 'no serious accessibility problem on the page');
  await shot('');
});

step('"Injoignable" with a note: the row stays with 1 attempt and the note', async () => {
  const row = rows().first();
  await row.getByRole('textbox', { name: 'Note (facultative)' }).fill('Messagerie, rappeler après 14 h');
  await row.getByRole('button', { name: 'Injoignable' }).click();
  await until('1 attempt shown', async () => /1 tentative sans réponse/.test(normalise(await rows().first().innerText())));
  assert.equal(await rows().count(), 1);
  assert.match(normalise(await rows().first().innerText()), /« Messagerie, rappeler après 14 h »/);
  assert.equal(normalise(await badge().innerText()), '1');
  const listed = await api('GET', '/api/v1/callbacks');
  assert.equal(listed.body.items[0].attempts, 1);
  assert.equal(listed.body.items[0].outcome, 'not_reached');
  await shot('-not-reached');
});

step('"Fait": the row leaves the list, the count goes to 0, the empty state shows; "all" still has it', async () => {
  await rows().first().getByRole('button', { name: 'Fait' }).click();
  await page.getByRole('heading', { name: 'Personne à rappeler' }).waitFor();
  assert.equal(await rows().count(), 0);
  await until('no count', async () => !(await badge().isVisible()));
  const all = await api('GET', '/api/v1/callbacks?state=all');
  assert.equal(all.body.items.length, 1);
  assert.equal(all.body.items[0].outcome, 'done');
  assert.equal(all.body.items[0].attempts, 1);
  const open = await api('GET', '/api/v1/callbacks?state=open');
  assert.equal(open.body.items.length, 0);
  // A refused outcome is a 422 that names the field.
  const bad = await api('POST', `/api/v1/callbacks/${all.body.items[0].offer_id}/${all.body.items[0].intervention_id}`, { outcome: 'maybe' });
  assert.equal(bad.status, 422);
  await page.getByRole('checkbox', { name: 'Afficher aussi les rappels faits' }).check();
  await until('the done row shown', async () => (await rows().count()) === 1);
  assert.match(normalise(await rows().first().innerText()), /Fait le/);
  await page.getByRole('checkbox', { name: 'Afficher aussi les rappels faits' }).uncheck();
  await page.getByRole('heading', { name: 'Personne à rappeler' }).waitFor();
  await shot('-empty');
  assert.deepEqual(pageProblems, []);
});

step('the RO\'s timeline words each outcome: the item, the attempts, the note', async () => {
  await page.goto(`${server.base}/repair-orders/${ro.id}`);
  const history = page.locator('.tl-item');
  const notReached = history.filter({ hasText: 'Client injoignable au rappel' }).first();
  await notReached.waitFor();
  const said = normalise(await notReached.innerText());
  assert.match(said, /Intervention : Plaquettes de frein avant/);
  assert.match(said, /1 tentative sans réponse/);
  assert.match(said, /Note : « Messagerie, rappeler après 14 h »/);
  await history.filter({ hasText: 'Client rappelé' }).first().waitFor();
  assert.deepEqual(pageProblems, []);
});
