// What is "to handle", and a repair order deleted, in the advisor workspace against the real relais
// (its emulated modem, its maildir) and Debian's Chromium:
// - an RO created by mistake, nothing sent from it, is deleted from its page after a confirmation:
//   gone from the list and the search, its page still opens, read-only, saying who deleted it and
//   when; an RO an offer went out from keeps no delete button and the API refuses (the server's
//   words shown in the dialog when the offer went out while it was open);
// - what came in (a customer answering "contact me" through the link in their email, an SMS
//   reply) counts in the top bar's badge, live, opens the list filtered on "À traiter" with a
//   marker on each row, and leaves it once the advisor marks the RO handled.
//
//   cd tests/e2e && node --test workspace-handle.test.mjs
// With RELAIS_SHOTS=1, docs/screenshots/workspace-{to-handle,ro-handle,ro-delete,ro-deleted}.png
// are written (1366×900); RELAIS_SHOTS=DIR writes them to DIR instead.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import {
  startRelais, until as poll, repo, CHROMIUM, CHROMIUM_ARGS, failureShots, signInFirstAdmin, callApi, finish, SHOTS_DIR,
  modemControl as sharedModemControl,
} from './relais-server.mjs';

const PASSWORD = 'atelier-traiter-2026';
const shotsDir = SHOTS_DIR;

let server;
let browser;
let context;
let page;
let me; // the signed-in admin
let sent; // an RO an offer went out from (by SMS)
const problems = [];
const { step, failed } = failureShots({ page: () => page, dir: () => server && server.dir });

const until = (what, check, timeoutMs = 15000) => poll(what, check, { timeoutMs, alive: () => server && server.alive() });
const normalise = (s) => s.replace(/[\s\u00a0\u202f]+/g, ' ').trim();
/** The advisor's API from the signed-in page (cookies, CSRF token). */
const api = (method, url, body) => callApi(page, method, url, body);
const toHandleTotal = async () => (await api('GET', '/api/v1/repair-orders?attention=true&per_page=1')).body.total;
const badge = () => page.locator('.topbar .nav-badge');
const deleteButton = () => page.getByRole('button', { name: 'Supprimer l\'OR', exact: true });
const handleButton = () => page.getByRole('button', { name: 'Marquer comme traité', exact: true });
const listRow = (number) => page.locator('tr.ro-row', { has: page.getByRole('link', { name: number, exact: true }) });

function watch(p) {
  p.setDefaultTimeout(10000);
  p.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text()); });
  p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
}

async function shot(name) {
  if (!shotsDir) return;
  await page.mouse.move(4, 200);
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: path.join(shotsDir, `workspace-${name}.png`), animations: 'disabled', caret: 'hide' });
}

const modemControl = (request) => sharedModemControl(server, request);

/** The magic link of the email written to the maildir for `address` (quoted-printable undone). */
async function mailLink(address) {
  const dir = path.join(server.dir, 'data', 'mail', 'new');
  for (const name of (await readdir(dir).catch(() => [])).sort()) {
    const raw = (await readFile(path.join(dir, name), 'utf8')).replace(/=\r?\n/g, '');
    const m = /\/o\/([A-Za-z0-9_-]{22})/.exec(raw);
    if (m && raw.includes(address)) return m[1];
  }
  return null;
}

/** What the customer's page does with its link, from the customer's own browser (the same each
 * time: the link is bound to the first that opens it): opens the offer and saves
 * `answer(offer)`, confirming when `confirm`. */
let customer = null;
async function customerAnswers(token, answer, confirm = false) {
  if (!customer) customer = await (await browser.newContext({ locale: 'fr-FR' })).newPage();
  const p = customer;
  await p.goto(`${server.publicBase}/o/${token}`);
  // The page's own requests, same origin, with the cookie that binds the link to this browser.
  const post = (what, body) => p.evaluate(({ url, json }) => fetch(url, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: json,
  }).then(async (r) => ({ status: r.status, body: await r.json().catch(() => null) })), { url: `/o/${token}/${what}`, json: JSON.stringify(body) });
  const opened = await post('open', {});
  assert.equal(opened.status, 200, JSON.stringify(opened.body));
  const o = opened.body.offer;
  const decided = await post('decisions', { decisions: answer(o), agreements: o.agreements.map((a) => a.id), confirm });
  assert.equal(decided.status, 200, JSON.stringify(decided.body));
}

before(async () => {
  server = await startRelais({ prefix: 'relais-e2e-handle-' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  context = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris', viewport: { width: 1366, height: 900 } });
  page = await context.newPage();
  watch(page);
  await page.goto(`${server.base}/login`);
  assert.deepEqual(await signInFirstAdmin(page, server.oneTimePassword, PASSWORD), [200, 204]);
  me = (await api('GET', '/api/v1/session')).body.user;
});

after(() => finish({ browser, server, failed }));

test('the new words exist in French and in English, with real plurals', async () => {
  const assets = path.join(repo, 'web/workspace/assets');
  const { t, plural } = await import(pathToFileURL(path.join(assets, 'core/i18n.js')));
  const { state } = await import(pathToFileURL(path.join(assets, 'core/state.js')));
  const keys = ['list.toHandle', 'list.toHandleHint', 'list.needsAttention', 'list.emptyToHandle', 'list.emptyToHandleText',
    'ro.toHandle', 'ro.handle', 'ro.handleHint', 'ro.handled', 'ro.delete', 'ro.deleteTitle', 'ro.deleteText', 'ro.deleteConfirm',
    'ro.deletedToast', 'ro.deletedBy', 'ro.deletedAt', 'ro.deletedText', 'tl.repair_order.deleted', 'tl.repair_order.handled'];
  const missing = [];
  for (const key of keys) {
    state.lang = 'fr';
    const fr = t(key);
    state.lang = 'en';
    if (fr === key || t(key) === key || t(key) === fr) missing.push(key);
  }
  assert.deepEqual(missing, [], 'keys without French and English words of their own');
  state.lang = 'fr';
  assert.equal(plural('nav.toHandle', 1), '1 OR à traiter');
  assert.equal(plural('nav.toHandle', 3), '3 OR à traiter');
  assert.equal(t('ro.deleteTitle'), 'Supprimer cet ordre de réparation\u00a0?');
  state.lang = 'en';
  assert.equal(plural('nav.toHandle', 1), '1 repair order to handle');
  assert.equal(plural('nav.toHandle', 3), '3 repair orders to handle');
  state.lang = 'fr';
});

// ---- deleting an RO created by mistake ------------------------------------------------------

step('an RO nothing was sent from is deleted from its page: gone from the list and the search, read-only by its address', async () => {
  // Another RO, so that the list is not empty without it.
  const other = await api('POST', '/api/v1/repair-orders', {
    vehicle: { plate: 'fb-208-gt', make: 'Peugeot', model: '208' },
    parties: [{ roles: ['driver', 'owner'], title: 'M.', first_name: 'Hugo', last_name: 'Lemaire', contact_points: [{ kind: 'phone', value: '06 12 34 56 78' }] }],
    interventions: [{ label: 'Plaquettes avant', price_excl_cents: 9500, kind: 'optional', severity: 'orange' }],
  });
  assert.equal(other.status, 201, JSON.stringify(other.body));
  sent = other.body;
  const created = await api('POST', '/api/v1/repair-orders', {
    vehicle: { plate: 'hx-512-ra', make: 'Dacia', model: 'Sandero', mileage_km: 48210 },
    note: 'Saisi en double : le véhicule a déjà son OR.',
    parties: [{ roles: ['driver', 'owner'], title: 'Mme', first_name: 'Léa', last_name: 'Rousseau', contact_points: [{ kind: 'phone', value: '06 55 44 33 22' }] }],
    interventions: [
      { label: 'Vidange et filtre à huile', price_excl_cents: 8900, kind: 'initial', severity: 'green' },
      { label: 'Balais d\'essuie-glace', price_excl_cents: 3200, kind: 'optional', severity: 'orange' },
    ],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const ro = created.body;
  const roUrl = `${server.base}/repair-orders/${ro.id}`;

  await page.goto(roUrl);
  await page.getByRole('heading', { level: 1, name: ro.number }).waitFor();
  await deleteButton().waitFor(); // once the page knows nothing was sent
  await deleteButton().click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  assert.equal(normalise(await dialog.getByRole('heading').innerText()), 'Supprimer cet ordre de réparation ?');
  assert.equal(normalise(await dialog.locator('.dialog-text').innerText()),
    `${ro.number} sera retiré de la liste et de la recherche ; son historique est conservé. Rien n'a été envoyé au client depuis cet OR.`);
  await shot('ro-delete');
  await dialog.getByRole('button', { name: 'Supprimer l\'OR', exact: true }).click();

  // Back on the list, with a word of it; the RO is not there, the other one is.
  await page.waitForURL(`${server.base}/repair-orders`);
  await page.locator('.toast', { hasText: `${ro.number} supprimé.` }).waitFor();
  await listRow(sent.number).waitFor();
  assert.equal(await listRow(ro.number).count(), 0, 'the deleted RO is not listed');
  // Its plate finds nothing.
  await page.getByRole('searchbox', { name: 'Rechercher' }).fill('HX-512-RA');
  await page.getByRole('heading', { name: 'Aucun OR ne correspond' }).waitFor();
  assert.equal(await page.locator('tr.ro-row').count(), 0);
  assert.equal((await api('GET', '/api/v1/repair-orders?q=HX512RA')).body.total, 0);

  // Its address still opens it: who deleted it and when, and nothing to change.
  await page.goto(roUrl);
  const banner = page.locator('.banner-deleted');
  await banner.waitFor();
  const deleted = (await api('GET', `/api/v1/repair-orders/${ro.id}`)).body;
  assert.ok(deleted.deleted_at, 'the API says when');
  assert.equal(deleted.deleted_by.id, me.id);
  const when = await page.evaluate(async (iso) => (await import('/assets/core/i18n.js')).dateTime(iso), deleted.deleted_at);
  assert.match(when, /^\d\d\/\d\d\/\d{4} \d\d:\d\d$/);
  assert.equal(normalise(await banner.locator('.banner-title').innerText()), `OR supprimé le ${when} par ${me.display_name}`);
  assert.match(normalise(await banner.innerText()), /ne peut plus être modifié/);
  await page.locator('.timeline').getByText('OR supprimé (rien n\'avait été envoyé)').waitFor();
  const main = page.locator('main');
  // Its texts are still there to read…
  assert.equal(await page.getByRole('textbox', { name: 'Note interne', exact: true }).inputValue(), 'Saisi en double : le véhicule a déjà son OR.');
  assert.equal(await page.locator('tr.item-row').count(), 2);
  // …but no control can change them, no button is left to press, and nothing can be sent.
  const usable = await main.evaluate((m) => [...m.querySelectorAll('input, select, textarea, button')]
    .filter((el) => !el.matches(':disabled') && el.getClientRects().length)
    .map((el) => `${el.tagName.toLowerCase()} ${el.getAttribute('aria-label') || el.textContent.trim() || el.name || el.type}`));
  assert.deepEqual(usable, [], 'usable controls on a deleted RO');
  for (const name of ['Envoyer au client', 'Ajouter une intervention', 'Supprimer l\'OR', 'Marquer comme traité']) {
    assert.equal(await page.getByRole('button', { name, exact: true }).count(), 0, `no "${name}" button`);
  }
  await page.getByRole('link', { name: /Imprimer/ }).waitFor(); // reading and printing it still work
  await shot('ro-deleted');
  // The API refuses any change, in the user's language.
  const patch = await api('PATCH', `/api/v1/repair-orders/${ro.id}`, { note: 'x' });
  assert.equal(patch.status, 409);
  assert.equal(patch.body.error.code, 'repair_order_deleted');
});

step('an RO an offer went out from has no delete button, and the API refuses; one sent while the dialog was open is refused in the server\'s words', async () => {
  await page.goto(`${server.base}/repair-orders/${sent.id}`);
  await page.getByRole('heading', { level: 1, name: sent.number }).waitFor();
  await deleteButton().click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  // The offer goes out meanwhile (another advisor, a DMS).
  const offer = await api('POST', `/api/v1/repair-orders/${sent.id}/offers`, { recipients: [sent.parties[0].contact_points[0].id] });
  assert.equal(offer.status, 201, JSON.stringify(offer.body));
  await dialog.getByRole('button', { name: 'Supprimer l\'OR', exact: true }).click();
  const alert = dialog.getByRole('alert');
  await alert.waitFor();
  assert.equal(normalise(await alert.innerText()),
    'Des offres ont été envoyées depuis cet ordre de réparation : il reste enregistré. Passez plutôt son statut à Annulé.');
  await dialog.getByRole('button', { name: 'Annuler' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.locator('section.card-offers article.offer').waitFor();
  await until('the delete button to go', async () => (await deleteButton().count()) === 0);

  // Opened afresh: the offers are read, and the button never shows.
  await page.reload();
  await page.locator('section.card-offers article.offer').waitFor();
  await page.getByRole('link', { name: 'Imprimer' }).waitFor();
  assert.equal(await deleteButton().count(), 0, 'no delete button once an offer exists');
  const refused = await api('DELETE', `/api/v1/repair-orders/${sent.id}`);
  assert.equal(refused.status, 409);
  assert.equal(refused.body.error.code, 'repair_order_has_offers');
  assert.equal((await api('GET', `/api/v1/repair-orders/${sent.id}`)).body.deleted_at, null);
});

// ---- to handle ---------------------------------------------------------------------------

step('what came in (a customer\'s "contact me", an SMS reply) counts in the top bar live, lists with a marker, and leaves once handled', async () => {
  assert.equal(await toHandleTotal(), 0, 'nothing to handle yet');
  const created = await api('POST', '/api/v1/repair-orders', {
    vehicle: { plate: 'gk-734-lm', make: 'Renault', model: 'Captur' },
    parties: [{ roles: ['driver', 'owner'], title: 'M.', first_name: 'Julien', last_name: 'Marchand',
      contact_points: [{ kind: 'email', value: 'julien.marchand@exemple.fr' }] }],
    interventions: [
      { label: 'Révision 30 000 km', price_excl_cents: 18900, kind: 'initial', severity: 'green' },
      { label: 'Pneus arrière', price_excl_cents: 21000, kind: 'optional', severity: 'red' },
    ],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const ro = created.body;
  const offer = await api('POST', `/api/v1/repair-orders/${ro.id}/offers`, { recipients: [ro.parties[0].contact_points[0].id] });
  assert.equal(offer.status, 201, JSON.stringify(offer.body));
  const token = await until('the email with the link', () => mailLink('julien.marchand@exemple.fr'));

  // The advisor is on the list: no badge while nothing is to handle.
  await page.goto(`${server.base}/repair-orders`);
  await listRow(ro.number).waitFor();
  await page.evaluate(() => { window.relaisNoReload = true; });
  assert.equal(await badge().isHidden(), true, 'no badge at 0');
  assert.equal(await listRow(ro.number).locator('.attention-marker').count(), 0);

  // The customer asks to be called about the tyres: the badge counts it, without a reload.
  await customerAnswers(token, (o) => ({ [o.items[1].id]: 'contact_me' }));
  await page.getByRole('link', { name: '1 OR à traiter', exact: true }).waitFor();
  assert.equal(normalise(await badge().innerText()), '1');
  // The customer of the other RO answers its SMS: two now (a real plural).
  assert.ok((await modemControl({ cmd: 'inject_sms', from: '+33612345678', text: 'Bonjour, je passe le déposer demain matin. Hugo Lemaire' })).ok);
  await page.getByRole('link', { name: '2 OR à traiter', exact: true }).waitFor();
  assert.equal(await toHandleTotal(), 2);

  // The badge opens the list filtered on them, each with its marker.
  await badge().click();
  await page.waitForURL(/\/repair-orders\?attention=true$/);
  const toggle = page.getByRole('checkbox', { name: 'À traiter' });
  assert.equal(await toggle.isChecked(), true);
  await until('only the two ROs to handle', async () => (await page.locator('tr.ro-row').count()) === 2);
  for (const number of [ro.number, sent.number]) {
    const marker = listRow(number).locator('.attention-marker');
    await marker.waitFor();
    assert.equal(normalise(await marker.locator('.visually-hidden').innerText()), 'À traiter');
  }
  assert.equal(await page.evaluate(() => window.relaisNoReload), true, 'the list was not reloaded');
  await shot('to-handle');
  // The filter is one of the list's: off, on, and cleared with the others.
  // (The checkbox is drawn as a chip: its label is what takes the click.)
  const chip = page.locator('label.attention-toggle');
  await chip.click();
  await page.waitForURL(`${server.base}/repair-orders`);
  assert.equal(await toggle.isChecked(), false);
  await chip.click();
  await page.waitForURL(/\?attention=true$/);
  await page.getByRole('button', { name: 'Effacer les filtres' }).first().click();
  await page.waitForURL(`${server.base}/repair-orders`);
  assert.equal(await toggle.isChecked(), false);
  await page.goBack();
  await page.waitForURL(/\?attention=true$/);
  assert.equal(await toggle.isChecked(), true);

  // On the RO: what to do, then done.
  await listRow(ro.number).getByRole('link', { name: ro.number }).click();
  await page.getByRole('heading', { level: 1, name: ro.number }).waitFor();
  await handleButton().waitFor();
  await page.locator('.ro-title .tag-attention', { hasText: 'À traiter' }).waitFor();
  await page.locator('section.card-offers article.offer').waitFor();
  await shot('ro-handle');
  await handleButton().click();
  await handleButton().waitFor({ state: 'detached' }).catch(() => {});
  await until('the button to go', async () => (await handleButton().count()) === 0);
  await page.locator('.toast', { hasText: 'OR marqué comme traité.' }).waitFor();
  await page.locator('.timeline').getByText('Marqué comme traité').waitFor();
  assert.equal(await page.locator('.ro-title .tag-attention').count(), 0);
  await page.getByRole('link', { name: '1 OR à traiter', exact: true }).waitFor();
  assert.equal((await api('GET', `/api/v1/repair-orders/${ro.id}`)).body.needs_attention, false);

  // The other one: its reply is read with it.
  await page.goto(`${server.base}/repair-orders/${sent.id}`);
  await page.locator('section.card-replies li.reply.is-unread').waitFor();
  await handleButton().click();
  await until('the button to go', async () => (await handleButton().count()) === 0);
  await page.locator('section.card-replies li.reply.is-unread').waitFor({ state: 'detached' });
  await until('the badge to go', async () => badge().isHidden());
  assert.equal(await page.getByRole('link', { name: /OR à traiter/ }).count(), 0);

  // Nothing left to handle: the filtered list says so.
  await page.goto(`${server.base}/repair-orders?attention=true`);
  await page.getByRole('heading', { name: 'Rien à traiter' }).waitFor();
  assert.equal(await page.locator('tr.ro-row').count(), 0);

  // Something new after it was handled brings it back: the customer confirms.
  await customerAnswers(token, (o) => Object.fromEntries(o.items.map((i) => [i.id, 'accept'])), true);
  await page.getByRole('link', { name: '1 OR à traiter', exact: true }).waitFor();
  await listRow(ro.number).locator('.attention-marker').waitFor();
});

test('no Content-Security-Policy violation or script error', () => {
  assert.deepEqual(problems, []);
});
