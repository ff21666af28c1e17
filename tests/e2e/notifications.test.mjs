// The bell in the workspace's top bar against the real relais: an offer sent by SMS, the customer
// opens it and confirms in another browser context; the bell's count rises without a reload (the
// "notification" event of the live stream, for this user only), the list says who did what on
// which RO; one item is marked read on its own, then all; opening an item opens its RO; the
// email digest is chosen in the panel.
//
//   cd tests/e2e && RELAIS_BIN=/work/main/build/server/relais node --test notifications.test.mjs
// With RELAIS_SHOTS=1, docs/screenshots/workspace-notifications*.png are written (1366×768).
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { chromium } from 'playwright-core';
import {
  startRelais, until as poll, CHROMIUM, CHROMIUM_ARGS, failureShots, signedInWorkspace, callApi, finish, smsLinks, SHOTS_DIR, seriousAxeViolations,
} from './relais-server.mjs';

const PASSWORD = 'atelier-cloche-2026';
const PHONE = '06 98 76 54 31';

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
  await page.mouse.move(900, 600);
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: path.join(SHOTS_DIR, `workspace-notifications${name}.png`), animations: 'disabled', caret: 'hide' });
}

before(async () => {
  server = await startRelais({ dealerName: 'Garage des Essais', prefix: 'relais-e2e-notifications-' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  page = await signedInWorkspace({ browser, server, password: PASSWORD, problems: pageProblems });

  const created = await api('POST', '/api/v1/repair-orders', {
    vehicle: { plate: 'fg-456-hk', make: 'Renault', model: 'Clio' },
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

const count = () => page.locator('.notif-count');
const bell = () => page.locator('.notif-button');
const items = () => page.locator('.notif-item');

step('the customer opens and confirms in another context: the bell counts 2 without a reload', async () => {
  await page.goto(`${server.base}/repair-orders`);
  await bell().waitFor();
  assert.equal(await count().isVisible(), false, 'no count while nothing is unread');
  assert.equal(await bell().getAttribute('aria-label'), 'Notifications');

  const phone = ro.parties[0].contact_points.find((c) => c.kind === 'phone');
  const sent = await api('POST', `/api/v1/repair-orders/${ro.id}/offers`, { recipients: [phone.id] });
  assert.equal(sent.status, 201, JSON.stringify(sent.body));
  const [token] = await until('the SMS with its link', async () => { const l = await smsLinks(server, phone.value); return l.length && l; });
  // Marks the page so that a reload would show: the count must come without one.
  await page.evaluate(() => { window.notReloaded = true; });
  const customer = await (await browser.newContext({ locale: 'fr-FR', viewport: { width: 390, height: 844 } })).newPage();
  await customer.goto(`${server.publicBase}/o/${token}`);
  const opened = await customer.evaluate(async (t) => (await fetch(`/o/${t}/open`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status, token);
  assert.equal(opened, 200);
  await until('the count says 1', async () => (await count().isVisible()) && normalise(await count().innerText()) === '1');
  const decided = await customer.evaluate(async ({ t, items: ids }) => (await fetch(`/o/${t}/decisions`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ decisions: { [ids[0]]: 'accept', [ids[1]]: 'accept' }, confirm: true }),
  })).status, { t: token, items: ro.interventions.map((i) => i.id) });
  assert.equal(decided, 200);
  await customer.context().close();
  await until('the count says 2', async () => normalise(await count().innerText()) === '2');
  assert.equal(await page.evaluate(() => window.notReloaded), true, 'the page was not reloaded');
  assert.equal(await bell().getAttribute('aria-label'), '2 notifications non lues');
  await shot('-badge');

  const listed = await api('GET', '/api/v1/notifications?unread=1');
  assert.equal(listed.status, 200);
  assert.equal(listed.body.unread, 2);
  assert.deepEqual(listed.body.items.map((n) => n.kind), ['confirmed', 'seen']);
  assert.equal(listed.body.items[0].ro_number, ro.number);
  assert.equal(listed.body.items[0].customer_name, 'Zoé Brûlé');
});

step('the list says who did what on which RO, newest first; one is marked read on its own', async () => {
  await bell().click();
  await until('two items', async () => (await items().count()) === 2);
  const texts = (await items().allInnerTexts()).map(normalise);
  // The advisor_notification template's sentences, as shipped.
  assert.match(texts[0], new RegExp(`^${ro.number} — Zoé Brûlé a confirmé la commande\\.`));
  assert.match(texts[1], new RegExp(`^${ro.number} — Zoé Brûlé a ouvert l'offre\\.`));
  assert.equal(await page.locator('.notif-item.is-unread').count(), 2);
  assert.deepEqual(await seriousAxeViolations(page), [], 'no serious accessibility problem with the panel open');
  await shot('-list');

  await items().nth(1).getByRole('button', { name: 'Marquer comme lue' }).click();
  await until('the count says 1', async () => normalise(await count().innerText()) === '1');
  assert.equal(await page.locator('.notif-item.is-unread').count(), 1);
  assert.equal(await items().nth(1).getByRole('button', { name: 'Marquer comme lue' }).count(), 0);
  const listed = await api('GET', '/api/v1/notifications');
  assert.deepEqual(listed.body.items.map((n) => n.read), [false, true]);
});

step('"mark all read" empties the count; opening an item opens its RO', async () => {
  await page.locator('.notif-read-all').click();
  await until('no count', async () => !(await count().isVisible()));
  assert.equal(await page.locator('.notif-item.is-unread').count(), 0);
  const listed = await api('GET', '/api/v1/notifications?unread=1');
  assert.equal(listed.body.unread, 0);
  assert.equal(listed.body.items.length, 0);

  await items().first().locator('.notif-open').click();
  await page.waitForURL(new RegExp(`/repair-orders/${ro.id}$`));
  assert.equal(await page.locator('.notif-panel').isVisible(), false, 'the panel closed');
});

step('the email digest is chosen in the panel, the address checked', async () => {
  await bell().click();
  const box = page.getByRole('checkbox', { name: 'Recevoir un résumé par e-mail' });
  await box.waitFor();
  await box.check();
  const email = page.getByRole('textbox', { name: 'Adresse e-mail du résumé' });
  await email.fill('pas une adresse');
  await page.locator('.notif-settings').getByRole('button', { name: 'Enregistrer' }).click();
  await until('a refusal', async () => normalise(await page.locator('.notif-settings-status').innerText()) !== '');
  assert.notEqual(normalise(await page.locator('.notif-settings-status').innerText()), 'Enregistré.');
  await email.fill('atelier@garage-essais.fr');
  await page.locator('.notif-settings').getByRole('button', { name: 'Enregistrer' }).click();
  await until('saved', async () => normalise(await page.locator('.notif-settings-status').innerText()) === 'Enregistré.');
  const settings = await api('GET', '/api/v1/notifications/settings');
  assert.deepEqual(settings.body, { email: 'atelier@garage-essais.fr', digest: true });
  await shot('-settings');
  assert.deepEqual(pageProblems, []);
});
