// The repair report against the real relais (issue 15): an offer sent by SMS, answered and
// confirmed by the customer (oil change and pads accepted, tyres declined), locked, the RO ready;
// the advisor opens "Envoyer le compte rendu" on the offer panel, marks the pads not done with a
// reason, gives the invoice's amount and a note, sees the SMS as it will go, sends; the panel
// shows version 1 with its delivery. The customer's phone opens the report's link: read-only,
// the work done with prices, what to plan with its severity and why, the final amount, the note;
// the accepted estimate one tap away.
//
//   cd tests/e2e && RELAIS_BIN=/work/main/build/server/relais node --test report.test.mjs
// With RELAIS_SHOTS=1, docs/screenshots/workspace-report-dialog.png (1366×768) and
// customer-report.png (390 px, the whole page) are written.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { chromium } from 'playwright-core';
import {
  startRelais, until as poll, CHROMIUM, CHROMIUM_ARGS, failureShots, signedInWorkspace, callApi, finish, smsLinks, SHOTS_DIR, seriousAxeViolations,
} from './relais-server.mjs';

const PASSWORD = 'atelier-rapport-2026';
const PHONE = '+33698765432';

let server;
let browser;
let page;
let customer;
let ro;
const pageProblems = [];
const { step, failed } = failureShots({ page: () => page, dir: () => server && server.dir });

const until = (what, check, timeoutMs = 15000) => poll(what, check, { timeoutMs, alive: () => server && server.alive() });
const normalise = (s) => s.replace(/[\s\u00a0\u202f]+/g, ' ').trim();
function api(method, url, body) { return callApi(page, method, url, body); }

before(async () => {
  server = await startRelais({ dealerName: 'Garage des Essais', prefix: 'relais-e2e-report-' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  page = await signedInWorkspace({ browser, server, password: PASSWORD, problems: pageProblems });

  const created = await api('POST', '/api/v1/repair-orders', {
    vehicle: { plate: 'fg-456-hj', make: 'Renault', model: 'Clio' },
    parties: [
      { roles: ['driver', 'owner'], title: 'Mme', first_name: 'Zoé', last_name: 'Brûlé',
        contact_points: [{ kind: 'phone', value: '06 98 76 54 32' }] },
    ],
    interventions: [
      { label: 'Vidange et filtre à huile', price_excl_cents: 8900, kind: 'initial', severity: 'green' },
      { label: 'Plaquettes de frein avant', mechanic_note: 'Usées à 80 %', price_excl_cents: 14500, kind: 'optional', severity: 'red' },
      { label: 'Pneus arrière', mechanic_note: 'Témoin d\'usure atteint sur les deux pneus', price_excl_cents: 20000, kind: 'optional', severity: 'orange' },
    ],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  ro = created.body;

  // The offer, answered and confirmed from the customer's phone, then locked; the RO ready.
  const phone = ro.parties[0].contact_points[0];
  const sent = await api('POST', `/api/v1/repair-orders/${ro.id}/offers`, { recipients: [phone.id] });
  assert.equal(sent.status, 201, JSON.stringify(sent.body));
  const [token] = await until('the offer SMS', async () => { const l = await smsLinks(server, PHONE); return l.length && l; });
  customer = await (await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris', viewport: { width: 390, height: 844 } })).newPage();
  customer.on('pageerror', (e) => pageProblems.push(`customer page error: ${e.message}`));
  await customer.goto(`${server.publicBase}/o/${token}`);
  const [vidange, pads, tyres] = ro.interventions.map((i) => i.id);
  const answered = await customer.evaluate(async ({ token, decisions }) => {
    const post = (what, body) => fetch(`/o/${token}/${what}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const open = await post('open', {});
    const decided = await post('decisions', { decisions, confirm: true });
    return [open.status, decided.status];
  }, { token, decisions: { [vidange]: 'accept', [pads]: 'accept', [tyres]: 'decline' } });
  assert.deepEqual(answered, [200, 200]);
  assert.equal((await api('POST', `/api/v1/offers/${sent.body.id}/lock`, {})).status, 200);
  const ready = await api('PATCH', `/api/v1/repair-orders/${ro.id}`, { status: 'ready' });
  assert.equal(ready.status, 200, JSON.stringify(ready.body));
});

after(() => finish({ browser, server, failed }));

step('the advisor sends the report from the offer panel: not done with a reason, the invoice amount, the SMS previewed', async () => {
  await page.goto(`${server.base}/repair-orders/${ro.id}`);
  const block = page.locator('.offer-report');
  await block.getByText('Pas encore envoyé').waitFor();
  await block.getByRole('button', { name: 'Envoyer le compte rendu' }).click();
  const dialog = page.getByRole('dialog', { name: 'Envoyer le compte rendu des travaux' });
  await dialog.waitFor();
  // The declined tyres cannot be ticked; they are to plan.
  const tyres = dialog.locator('tr', { hasText: 'Pneus arrière' });
  assert.match(normalise(await tyres.innerText()), /À prévoir.*Refusée par le client/);
  assert.equal(normalise(await dialog.locator('.report-computed').innerText()), '280,80 €');
  // The SMS as it will go: one part, to the customer.
  await until('the SMS preview', async () => /compte rendu des travaux sur votre Renault Clio FG-456-HJ/.test(await dialog.locator('.report-sms').innerText()));
  assert.match(normalise(await dialog.locator('.report-message').innerText()), /1 SMS/);

  await dialog.locator('tr', { hasText: 'Plaquettes de frein avant' }).getByRole('checkbox', { name: 'Faite' }).uncheck();
  await dialog.getByLabel('Pourquoi « Plaquettes de frein avant » n\'a pas été faite').fill('Pièce en commande, nous vous rappelons');
  await until('the sum without the pads', async () => normalise(await dialog.locator('.report-computed').innerText()) === '106,80 €');
  await dialog.getByLabel(/Montant final facturé TTC/).fill('112,50');
  await dialog.getByLabel(/Note au client/).fill('Pensez au contrôle technique en mars.');
  if (SHOTS_DIR) {
    await page.waitForTimeout(400); // the preview's debounce
    await page.screenshot({ path: path.join(SHOTS_DIR, 'workspace-report-dialog.png'), animations: 'disabled', caret: 'hide' });
  }
  await dialog.getByRole('button', { name: 'Envoyer au client' }).click();
  await dialog.waitFor({ state: 'detached' });
  await block.locator('.report-sent').getByText('Version 1').waitFor();
  await until('the SMS delivered, on the panel', async () => /Distribué|Remis|Reçu/i.test(await block.locator('.report-delivery').innerText()));
  assert.match(normalise(await block.innerText()), /Montant final 112,50 € · 2 interventions à prévoir/);
  await block.getByRole('button', { name: 'Envoyer une version corrigée' }).waitFor();
  if (SHOTS_DIR) {
    await page.mouse.move(4, 300);
    await block.screenshot({ path: path.join(SHOTS_DIR, 'workspace-report-sent.png'), animations: 'disabled', caret: 'hide' });
  }
  // The timeline words it.
  await page.getByText('Compte rendu des travaux envoyé').first().waitFor();
  assert.deepEqual(await seriousAxeViolations(page), []);
});

step('the customer opens the report\'s link on the phone: read-only, what was done, what to plan and why, the amount', async () => {
  const links = await until('the report SMS', async () => { const l = await smsLinks(server, PHONE); return l.length === 2 && l; });
  await customer.goto(`${server.publicBase}/o/${links[1]}`);
  await customer.getByRole('button', { name: 'Ouvrir mon devis' }).click();
  await customer.getByRole('heading', { name: 'Compte rendu des travaux' }).waitFor();
  const text = normalise(await customer.locator('main').innerText());
  assert.match(text, /Montant final 112,50 € TTC/);
  assert.match(text, /Total des interventions réalisées : 106,80 €/);
  assert.match(text, /Pensez au contrôle technique en mars\./);
  const done = customer.locator('section.group.done article');
  assert.deepEqual(await done.locator('h3').allInnerTexts(), ['Vidange et filtre à huile']);
  const plan = customer.locator('section.group.plan article');
  assert.deepEqual(await plan.locator('h3').allInnerTexts(), ['Plaquettes de frein avant', 'Pneus arrière']);
  assert.match(normalise(await plan.nth(0).innerText()), /Urgent.*Non réalisée.*Pièce en commande.*Nécessaire/);
  assert.match(normalise(await plan.nth(1).innerText()), /À prévoir.*Témoin d'usure.*Conseillé/);
  // Nothing to answer on it.
  assert.equal(await customer.locator('input[type=radio]').count(), 0);
  assert.deepEqual(await seriousAxeViolations(customer), []);
  if (SHOTS_DIR) await customer.screenshot({ path: path.join(SHOTS_DIR, 'customer-report.png'), fullPage: true, animations: 'disabled', caret: 'hide' });

  // The estimate it reports on, one tap away, read-only; and back.
  await customer.getByRole('button', { name: 'Voir le devis accepté' }).click();
  await customer.getByText('Vos réponses').waitFor();
  assert.equal(await customer.locator('input[type=radio]:not([disabled])').count(), 0);
  await customer.getByRole('button', { name: 'Retour au compte rendu' }).click();
  await customer.getByRole('heading', { name: 'Compte rendu des travaux' }).waitFor();
  assert.deepEqual(pageProblems, []);
});
