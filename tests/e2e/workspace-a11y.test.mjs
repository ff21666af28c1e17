// axe-core on the main screens of the advisor workspace (issue 11, item 14): sign-in, the list
// (and its "to handle" filter), a new RO, an RO with its interventions, offers and history, the
// send dialog and its preview, the account page, each administration page and the print view.
// Fails on any serious or critical violation, naming the rule, the elements and the help.
//
//   cd tests/e2e && node --test workspace-a11y.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import {
  startRelais, CHROMIUM, CHROMIUM_ARGS, failureShots, signInFirstAdmin, callApi, seriousAxeViolations, finish,
} from './relais-server.mjs';

const PASSWORD = 'atelier-acces-2026';

let server;
let browser;
let page;
let ro;
const checked = [];
const { step, failed } = failureShots({ page: () => page, dir: () => server && server.dir });

/** axe-core on the page as it is now: no serious or critical violation. */
async function accessible(screen) {
  const report = await seriousAxeViolations(page);
  assert.deepEqual(report, [], `axe-core on the ${screen} screen:\n${report.join('\n')}`);
  checked.push(screen);
}

before(async () => {
  server = await startRelais({ prefix: 'relais-e2e-a11y-' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris', viewport: { width: 1366, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(10000);
});

after(() => finish({ browser, server, failed }));

step('the sign-in page', async () => {
  await page.goto(`${server.base}/login`);
  await page.getByLabel('Identifiant').waitFor();
  await accessible('sign-in');
  assert.deepEqual(await signInFirstAdmin(page, server.oneTimePassword, PASSWORD), [200, 204]);
  const created = await callApi(page, 'POST', '/api/v1/repair-orders', {
    vehicle: { plate: 'ax-123-ee', make: 'Renault', model: 'Clio' },
    promised_at: '2030-06-14T17:30',
    parties: [{ roles: ['driver', 'owner'], title: 'Mme', first_name: 'Inès', last_name: 'Marchand',
      contact_points: [{ kind: 'phone', value: '06 11 22 33 44' }, { kind: 'email', value: 'ines.marchand@exemple.fr' }] }],
    interventions: [
      { label: 'Vidange et filtre à huile', price_excl_cents: 8900, kind: 'initial' },
      { label: 'Plaquettes de frein avant', mechanic_note: 'Usées à 80 %.', price_excl_cents: 14500, kind: 'optional', severity: 'red' },
      { label: 'Contrôle de la batterie', price_excl_cents: 0, kind: 'optional', severity: 'green' },
    ],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  ro = created.body;
  const email = ro.parties[0].contact_points.find((c) => c.kind === 'email');
  const sent = await callApi(page, 'POST', `/api/v1/repair-orders/${ro.id}/offers`, { recipients: [email.id], note: 'Voici nos propositions.' });
  assert.equal(sent.status, 201, JSON.stringify(sent.body));
});

step('the repair-order list, and a new repair order', async () => {
  await page.goto(`${server.base}/repair-orders`);
  await page.locator('tr.ro-row').first().waitFor();
  await accessible('list');
  await page.goto(`${server.base}/repair-orders/new`);
  await page.getByLabel('Immatriculation').waitFor();
  await accessible('new repair order');
});

step('a repair order with its offer, the send dialog and its preview', async () => {
  await page.goto(`${server.base}/repair-orders/${ro.id}`);
  await page.locator('tr.item-row').first().waitFor();
  await page.locator('.tl-item').first().waitFor();
  await accessible('repair order');
  await page.getByRole('button', { name: /Envoyer (au client|une nouvelle version)/ }).first().click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  await accessible('send dialog');
  await dialog.getByRole('checkbox', { name: /06 11 22 33 44/ }).check();
  await dialog.getByRole('button', { name: 'Prévisualiser' }).click();
  await page.getByRole('dialog', { name: 'Aperçu avant envoi' }).waitFor();
  await accessible('send preview');
  await page.keyboard.press('Escape');
});

step('the account page, every administration page and the print view', async () => {
  await page.goto(`${server.base}/account`);
  await page.locator('main h1').first().waitFor();
  await accessible('account');
  for (const part of ['users', 'api-keys', 'agreements']) {
    await page.goto(`${server.base}/admin/${part}`);
    await page.locator('main h1, main h2').first().waitFor();
    await page.waitForLoadState('networkidle');
    await accessible(`admin ${part}`);
  }
  await page.goto(`${server.base}/repair-orders/${ro.id}/print`);
  await page.getByText(ro.number).first().waitFor();
  await accessible('print view');
});

test('axe-core ran on every screen listed', () => {
  assert.deepEqual(checked, ['sign-in', 'list', 'new repair order', 'repair order', 'send dialog', 'send preview',
    'account', 'admin users', 'admin api-keys', 'admin agreements', 'print view']);
});
