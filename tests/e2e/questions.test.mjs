// Questions on an item against the real relais: an offer sent by SMS; the customer, on a phone-sized
// page, asks a question under one item; the advisor's open RO page shows it live (no reload) with
// "unanswered", the advisor answers in the thread; the customer's page shows the answer under the
// item when it is opened again. The page never scrolls sideways at 390 px.
//
//   cd tests/e2e && RELAIS_BIN=/work/main/build/server/relais node --test questions.test.mjs
// With RELAIS_SHOTS=1, docs/screenshots/{customer,workspace}-questions*.png are written.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { chromium } from 'playwright-core';
import {
  startRelais, until as poll, CHROMIUM, CHROMIUM_ARGS, failureShots, signedInWorkspace, callApi, finish, smsLinks, SHOTS_DIR, seriousAxeViolations,
} from './relais-server.mjs';

const PASSWORD = 'atelier-questions-2026';
const PHONE = '06 98 76 54 32';
const QUESTION = 'Est-ce que je peux encore rouler une semaine avec ces plaquettes ?';
const ANSWER = 'Non, elles sont à 2 mm : je vous conseille de les changer aujourd’hui.';

let server;
let browser;
let page;
let customer;
let ro;
const pageProblems = [];
const { step, failed } = failureShots({ page: () => page, dir: () => server && server.dir });

const until = (what, check, timeoutMs = 15000) => poll(what, check, { timeoutMs, alive: () => server && server.alive() });
function api(method, url, body) { return callApi(page, method, url, body); }

// The customer's page as the phone shows it (its bar is fixed at the bottom: the thread is
// scrolled into view above it); the workspace's page whole.
async function shot(p, name, scrollTo) {
  if (!SHOTS_DIR) return;
  await p.mouse.move(4, 300);
  await p.evaluate(() => document.fonts.ready);
  await until('no toast left', async () => (await p.locator('.toast').count()) === 0);
  if (scrollTo) await scrollTo.evaluate((el) => el.scrollIntoView({ block: 'center' }));
  await p.screenshot({ path: path.join(SHOTS_DIR, `${name}.png`), fullPage: !scrollTo, animations: 'disabled', caret: 'hide' });
}

before(async () => {
  server = await startRelais({ dealerName: 'Garage des Essais', prefix: 'relais-e2e-questions-' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  page = await signedInWorkspace({ browser, server, password: PASSWORD, problems: pageProblems });
  const created = await api('POST', '/api/v1/repair-orders', {
    vehicle: { plate: 'fg-456-hj', make: 'Renault', model: 'Clio' },
    parties: [{ roles: ['driver', 'owner'], title: 'Mme', first_name: 'Zoé', last_name: 'Brûlé',
      contact_points: [{ kind: 'phone', value: PHONE }] }],
    interventions: [
      { label: 'Vidange et filtre à huile', price_excl_cents: 8900, kind: 'initial', severity: 'green' },
      { label: 'Plaquettes de frein avant', mechanic_note: 'Garniture à 2 mm', price_excl_cents: 14500, kind: 'optional', severity: 'red' },
    ],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  ro = created.body;
  const sent = await api('POST', `/api/v1/repair-orders/${ro.id}/offers`, { recipients: [ro.parties[0].contact_points[0].id] });
  assert.equal(sent.status, 201, JSON.stringify(sent.body));
});

after(async () => {
  if (customer) await customer.context().close().catch(() => {});
  await finish({ browser, server, failed });
});

const pads = () => ro.interventions.find((i) => i.label.startsWith('Plaquettes'));
const customerItem = () => customer.locator('article.item', { has: customer.getByRole('heading', { name: 'Plaquettes de frein avant' }) });

step('the customer asks about the pads on a phone; the RO page open meanwhile shows it live', async () => {
  await page.goto(`${server.base}/repair-orders/${ro.id}`);
  await page.locator('.card-items').waitFor();
  assert.equal(await page.locator('.card-questions').isHidden(), true);

  const [token] = await until('the SMS with its link', async () => { const l = await smsLinks(server, '+33698765432'); return l.length && l; });
  customer = await (await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris', viewport: { width: 390, height: 844 } })).newPage();
  customer.setDefaultTimeout(10000);
  customer.on('pageerror', (e) => pageProblems.push(`customer page error: ${e.message}`));
  await customer.goto(`${server.publicBase}/o/${token}`);
  await customer.getByRole('button', { name: 'Ouvrir mon devis' }).click();
  const item = customerItem();
  await item.waitFor();
  // An empty question is refused on the page, without a request.
  await item.locator('summary').click();
  await item.getByRole('button', { name: 'Envoyer la question' }).click();
  await item.getByRole('alert').filter({ hasText: 'Écrivez votre question' }).waitFor();
  await item.locator('textarea').fill(QUESTION);
  await item.getByRole('button', { name: 'Envoyer la question' }).click();
  await item.locator('.q-customer').filter({ hasText: QUESTION }).waitFor();
  await item.getByText('En attente de réponse').waitFor();
  assert.equal(await item.locator('textarea').count(), 1); // folded: still there to ask another one
  const width = await customer.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the page scrolls sideways: ${width}px`);
  assert.deepEqual(await seriousAxeViolations(customer), []);
  await shot(customer, 'customer-questions-asked', item.locator('.thread'));

  // The advisor's page, without a reload: the thread, marked unanswered.
  const card = page.locator('.card-questions');
  await card.waitFor({ state: 'visible' });
  const thread = card.locator(`article.thread[data-item="${pads().id}"]`);
  await thread.getByText(QUESTION).waitFor();
  await thread.locator('.thread-waiting').waitFor();
  await card.locator('.questions-open').filter({ hasText: '1 sans réponse' }).waitFor();
  // The item's row in the interventions says so too, and leads to the thread.
  const mark = page.locator(`tr.item-row[data-id="${pads().id}"] .item-question.is-waiting`);
  await mark.waitFor();
  assert.equal(await mark.getAttribute('href'), `#thread-${pads().id}`);
  assert.equal(await page.locator('.item-question').count(), 1);
  assert.deepEqual(await seriousAxeViolations(page), []);
  await shot(page, 'workspace-questions-ro');
});

step('the advisor answers in the thread; the customer sees the answer under the item', async () => {
  const thread = page.locator(`.card-questions article.thread[data-item="${pads().id}"]`);
  await thread.locator('textarea').fill(ANSWER);
  await thread.getByRole('button', { name: 'Répondre' }).click();
  await thread.locator('.thread-entry.is-advisor').filter({ hasText: ANSWER }).waitFor();
  await until('the unanswered mark gone', async () => (await thread.locator('.thread-waiting').count()) === 0);
  await page.locator(`tr.item-row[data-id="${pads().id}"] .item-question:not(.is-waiting)`).waitFor();
  await thread.getByText('message à venir').waitFor(); // the SMS waits for the quiet minutes
  const listed = await api('GET', `/api/v1/repair-orders/${ro.id}/questions`);
  assert.deepEqual(listed.body.items.map((q) => q.author), ['customer', 'advisor']);
  await shot(page, 'workspace-questions-answered');

  await customer.reload();
  const item = customerItem();
  await item.locator('.q-advisor').filter({ hasText: ANSWER }).waitFor();
  assert.equal(await item.getByText('En attente de réponse').count(), 0);
  const width = await customer.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the page scrolls sideways: ${width}px`);
  await shot(customer, 'customer-questions-answered', item.locator('.thread'));
  assert.deepEqual(pageProblems, []);
});
