// The offers on the repair-order page of the advisor workspace, against the real relais (its
// emulated modem answers with delivery reports; email goes to the maildir): the send dialog
// (opted-out contacts disabled, a field error next to the note, the preview of the SMS and the
// email), the offers panel reaching "received", the customer's decisions showing up, a new
// version replacing one the customer has seen (after a confirmation), and the lock.
//
//   cd tests/e2e && RELAIS_BIN=/work/main/build/server/relais node --test offers.test.mjs
// With RELAIS_SHOTS=1, docs/screenshots/workspace-offers.png and workspace-send-dialog.png are
// written (1366×768); RELAIS_SHOTS=DIR writes them to DIR instead.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { chromium } from 'playwright-core';
import {
  startRelais, until as poll, CHROMIUM, CHROMIUM_ARGS, failureShots, signedInWorkspace, callApi, finish, SHOTS_DIR, smsLinks,
} from './relais-server.mjs';

const PASSWORD = 'atelier-offres-2026';
const PHONE = '06 98 76 54 32';
const EMAIL = 'zoe.brule@exemple.fr';
const OPTED_OUT_EMAIL = 'flotte@leasing-exemple.fr';
const shotsDir = SHOTS_DIR;

let server;
let browser;
let page;
let ro;
const cspProblems = [];
const { step, failed } = failureShots({ page: () => page, dir: () => server && server.dir });

const until = (what, check, timeoutMs = 15000) => poll(what, check, { timeoutMs, alive: () => server && server.alive() });
const normalise = (s) => s.replace(/[\s\u00a0\u202f]+/g, ' ').trim();

/** The advisor's API from the signed-in page (cookies, CSRF token). */
function api(method, url, body) { return callApi(page, method, url, body); }

/** One command to the emulated modem's network (firmware-bridge's control socket), its answer. */
function modemControl(request) {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(path.join(server.dir, 'data', 'modem', 'control.sock'));
    let answer = '';
    socket.on('connect', () => socket.write(JSON.stringify(request) + '\n'));
    socket.on('data', (d) => {
      answer += d;
      if (answer.includes('\n')) { socket.end(); resolve(JSON.parse(answer)); }
    });
    socket.on('error', reject);
  });
}

async function shot(name) {
  if (!shotsDir) return;
  await page.mouse.move(4, 300);
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: path.join(shotsDir, `workspace-${name}.png`), animations: 'disabled', caret: 'hide' });
}

function watch(p) {
  p.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) cspProblems.push(m.text()); });
  p.on('pageerror', (e) => cspProblems.push(`page error: ${e.message}`));
}

before(async () => {
  server = await startRelais({ dealerName: 'Garage des Essais', prefix: 'relais-e2e-offers-' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  page = await signedInWorkspace({ browser, server, password: PASSWORD, problems: cspProblems });

  const created = await api('POST', '/api/v1/repair-orders', {
    vehicle: { plate: 'fg-456-hj', make: 'Renault', model: 'Clio' },
    parties: [
      { roles: ['driver', 'owner'], title: 'Mme', first_name: 'Zoé', last_name: 'Brûlé',
        contact_points: [{ kind: 'phone', value: PHONE }, { kind: 'email', usage: 'professional', value: EMAIL }] },
      { roles: ['leasing_company'], kind: 'company', company_name: 'Flotte Leasing SA', opted_out: true,
        contact_points: [{ kind: 'email', usage: 'professional', value: OPTED_OUT_EMAIL }] },
    ],
    interventions: [
      { label: 'Vidange et filtre à huile', price_excl_cents: 8900, kind: 'initial', severity: 'green' },
      { label: 'Plaquettes de frein avant', mechanic_note: 'Usées à 80 %.', price_excl_cents: 14500, kind: 'optional', severity: 'red' },
      { label: 'Balais d’essuie-glace', price_excl_cents: 2490, kind: 'optional', severity: 'orange' },
      { label: 'Contrôle interne atelier', price_excl_cents: 0, kind: 'optional', severity: 'green', shown: false },
    ],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  ro = created.body;
});

after(() => finish({ browser, server, failed }));

let customerPage; // the customer's phone, kept from their answers to their confirmation
const panel = () => page.locator('section.card-offers');

async function scrollToOffers() {
  await page.evaluate(() => {
    const card = document.querySelector('section.card-offers');
    window.scrollTo(0, card.getBoundingClientRect().top + window.scrollY - 52 - 12);
  });
}
const latest = () => panel().locator('article.offer');

step('the RO page has an empty offers panel', async () => {
  await page.goto(`${server.base}/repair-orders/${ro.id}`);
  await page.getByRole('heading', { name: 'Offres au client' }).waitFor();
  await panel().getByText('Aucune offre envoyée pour le moment').waitFor();
});

step('the send dialog: opted-out contacts disabled, the note checked by the API, a preview of each message', async () => {
  await panel().getByRole('button', { name: 'Envoyer au client' }).click();
  const dlg = page.getByRole('dialog', { name: 'Envoyer le devis au client' });
  await dlg.waitFor();
  const phone = dlg.getByRole('checkbox', { name: PHONE });
  const email = dlg.getByRole('checkbox', { name: EMAIL });
  const optedOut = dlg.getByRole('checkbox', { name: OPTED_OUT_EMAIL });
  assert.equal(await phone.isDisabled(), false);
  assert.equal(await email.isDisabled(), false);
  assert.equal(await optedOut.isDisabled(), true, 'the opted-out party\'s contact cannot be chosen');
  assert.match(normalise(await dlg.locator('.send-party.is-opted-out').innerText()), /Flotte Leasing SA.*Ne pas contacter/);
  // Every intervention, initial first; the hidden one unticked (the customer will not see it).
  assert.deepEqual(await dlg.locator('.send-items .send-item-label').allTextContents(),
    ['Vidange et filtre à huile', 'Plaquettes de frein avant', 'Balais d’essuie-glace', 'Contrôle interne atelier']);
  assert.equal(await dlg.getByRole('checkbox', { name: 'Montrer « Contrôle interne atelier » au client' }).isChecked(), false);
  assert.equal(await dlg.getByRole('checkbox', { name: 'Montrer « Vidange et filtre à huile » au client' }).isChecked(), true);
  // The mechanic's note edited here is saved to the RO.
  const wipers = dlg.getByLabel('Note du mécanicien pour « Balais d’essuie-glace »');
  await wipers.fill('Traces sur le pare-brise.');
  await wipers.press('Tab');
  await until('the note saved to the RO', async () => (await api('GET', `/api/v1/repair-orders/${ro.id}`)).body
    .interventions.find((i) => i.label === 'Balais d’essuie-glace').mechanic_note === 'Traces sur le pare-brise.');
  await shot('send-compose');

  // Nothing ticked: said next to the recipients, nothing sent to the API.
  await dlg.getByRole('button', { name: 'Prévisualiser' }).click();
  await dlg.getByText('Choisissez au moins un destinataire.').waitFor();

  await phone.check();
  await email.check();
  // A note over 1,000 characters: the API's problem shows next to the note.
  const note = dlg.getByLabel('Message au client');
  await note.fill('x'.repeat(1001));
  assert.match(normalise(await dlg.locator('.note-counter').innerText()), /^1 001 \/ 1 000 caractères$/);
  await dlg.getByRole('button', { name: 'Prévisualiser' }).click();
  await dlg.locator('.field-error:visible', { hasText: '1000 caractères au plus' }).waitFor();
  assert.equal(await note.getAttribute('aria-invalid'), 'true');

  await note.fill('Bonjour Madame Brûlé,\nvos plaquettes avant sont bien usées. Dites-moi ce que vous souhaitez.');
  await dlg.getByRole('button', { name: 'Prévisualiser' }).click();
  const preview = page.getByRole('dialog', { name: 'Aperçu avant envoi' });
  await preview.waitFor();
  const sms = preview.locator('.preview-sms');
  const info = sms.locator('.sms-info');
  assert.equal(await info.getAttribute('data-encoding'), 'gsm7');
  assert.equal(await info.getAttribute('data-parts'), '1');
  assert.match(normalise(await info.innerText()), /^1 SMS, \d+ caractères, alphabet GSM$/);
  assert.match(await sms.locator('.sms-bubble').innerText(), /Garage des Essais.*\/o\//s);
  const mail = preview.locator('.preview-email');
  assert.equal(normalise(await mail.locator('.email-subject .email-k').textContent()), 'Objet');
  assert.match(normalise(await mail.locator('.email-subject').textContent()), /Votre devis pour votre Renault Clio FG-456-HJ/);
  assert.match(await mail.locator('.email-text').innerText(), /vos plaquettes avant sont bien usées/);
  await shot('send-dialog');

  await preview.getByRole('button', { name: 'Envoyer', exact: true }).click();
  await preview.waitFor({ state: 'detached' });
  await page.locator('.toast', { hasText: 'Version 1 envoyée au client.' }).waitFor();
});

step('the offers panel shows version 1 and its state reaching "received"', async () => {
  await latest().getByRole('heading', { name: /Version 1/ }).waitFor();
  // The emulated modem returns a delivery report; the maildir counts as received.
  await until('the offer to be received', async () => (await latest().getAttribute('data-state')) === 'received');
  await latest().locator('.chip', { hasText: 'Reçue' }).waitFor();
  const received = latest().locator('.offer-step[data-step="received"]');
  assert.match(await received.getAttribute('class'), /is-done/);
  assert.equal(await received.locator('time').count(), 1);
  assert.doesNotMatch(await latest().locator('.offer-step[data-step="seen"]').getAttribute('class'), /is-done/);
  const rows = latest().locator('.offer-recipient');
  assert.equal(await rows.count(), 2);
  await latest().locator('.offer-recipient[data-channel="email"] .msg-state', { hasText: 'Remis' }).waitFor();
  assert.match(await latest().locator('.offer-recipient[data-channel="sms"] .msg-state').innerText(), /Envoyé|Remis/);
  const decisions = latest().locator('.offer-items .decision');
  assert.deepEqual(await decisions.evaluateAll((els) => els.map((e) => e.dataset.decision)), ['none', 'none', 'none']);
  assert.match(normalise(await decisions.first().innerText()), /Sans réponse$/);
});

step('the customer opens the link and decides: the RO page and the list follow live', async () => {
  const [token] = await smsLinks(server);
  assert.ok(token, 'an SMS with a link went through the modem');
  // A second advisor tab on the list: its row shows the offer received, with the step bar.
  const list = await page.context().newPage();
  list.setDefaultTimeout(10000);
  watch(list);
  await list.goto(`${server.base}/repair-orders`);
  const cell = list.locator('tr.ro-row', { hasText: ro.number }).locator('.offer-cell');
  await cell.locator('.offer-cell-state', { hasText: 'Reçue' }).waitFor();
  assert.equal(await cell.getByRole('progressbar', { name: 'Avancement du devis' }).getAttribute('aria-valuenow'), '2');
  // Neither page reloads from here: what changes comes through the event stream.
  for (const p of [page, list]) await p.evaluate(() => { window.relaisNoReload = true; });
  const customer = await (await browser.newContext({ locale: 'fr-FR', viewport: { width: 390, height: 844 } })).newPage();
  customer.setDefaultTimeout(10000);
  await customer.goto(`${server.publicBase}/o/${token}`);
  await customer.getByRole('button', { name: 'Ouvrir mon devis' }).click();
  await customer.getByRole('dialog').getByRole('button', { name: 'Voir les interventions' }).click();
  const decide = (label, choice) => customer.getByRole('group', { name: `Votre décision pour ${label}` })
    .getByRole('radio', { name: choice, exact: true }).check();
  await decide('Vidange et filtre à huile', 'Faire');
  await decide('Plaquettes de frein avant', 'Ne pas faire');
  await decide('Balais d’essuie-glace', 'M’appeler');
  await until('the decisions to be saved', async () => {
    const o = (await api('GET', `/api/v1/repair-orders/${ro.id}/offers`)).body.items[0];
    return o.items.every((i) => i.decision);
  });
  customerPage = customer; // confirms in the next step

  // Not confirmed yet: the answers are drafts, shown as in progress and never summed as accepted.
  await until('every answer in progress', async () => (await latest().locator('.offer-items tbody td:last-child').allTextContents())
    .map(normalise).join('|') === 'En cours : faire|En cours : ne pas faire|En cours : m\'appeler', 12000);
  await latest().getByText('Le client n\'a pas encore confirmé : ses réponses sont provisoires et peuvent encore changer.').waitFor();
  assert.equal(await latest().locator('.offer-items th').last().innerText(), 'Réponse en cours');
  assert.doesNotMatch(normalise(await latest().locator('.offer-sums').innerText()), /Accepté/);
  assert.match(normalise(await latest().locator('.offer-sums').innerText()), /Réponses en cours : 3 sur 3/);
  assert.equal(await latest().getAttribute('data-state'), 'seen');
  await latest().locator('.chip', { hasText: 'Vue' }).waitFor();
  await until('the list row to show the offer seen', async () => (await cell.getAttribute('data-state')) === 'seen');
  assert.equal(await cell.getByRole('progressbar').getAttribute('aria-valuenow'), '3');
  for (const p of [page, list]) assert.equal(await p.evaluate(() => window.relaisNoReload), true, 'a page was reloaded');
  if (shotsDir) {
    await list.mouse.move(4, 600);
    await list.screenshot({ path: path.join(shotsDir, 'workspace-list-offers.png'), animations: 'disabled', caret: 'hide' });
  }
  await list.close();
  await scrollToOffers();
  await shot('offers-drafts');
  await page.evaluate(() => window.scrollTo(0, 0));
});

step('answers not confirmed are applied only after a warning; once confirmed they are decisions with an accepted total', async () => {
  const authorized = async () => (await api('GET', `/api/v1/repair-orders/${ro.id}`)).body.interventions.map((i) => i.authorized);
  await latest().getByRole('button', { name: 'Appliquer les réponses en cours…' }).click();
  const warn = page.getByRole('dialog', { name: 'Appliquer des réponses non confirmées ?' });
  await warn.getByText('Le client n\'a pas encore confirmé : il peut encore changer ses réponses.', { exact: false }).waitFor();
  await warn.getByRole('button', { name: 'Annuler' }).click();
  await warn.waitFor({ state: 'detached' });
  assert.deepEqual(await authorized(), [null, null, null, null], 'nothing applied when the advisor cancels');
  // The API keeps the same rule for a DMS.
  const offerId = Number(await latest().getAttribute('data-offer-id'));
  const refused = await api('POST', `/api/v1/offers/${offerId}/apply-answers`, {});
  assert.equal(refused.status, 409);
  assert.equal(refused.body.error.code, 'answers_not_confirmed');

  // The customer confirms: the panel follows live, and the answers become decisions.
  await customerPage.getByRole('button', { name: 'Confirmer ma commande' }).click();
  await customerPage.getByRole('dialog').getByRole('button', { name: 'Confirmer et envoyer' }).click();
  await latest().locator('.chip', { hasText: 'Confirmée' }).waitFor({ timeout: 12000 });
  await customerPage.context().close();
  assert.equal((await latest().locator('.offer-items tbody td:last-child').allTextContents()).join('|'), 'À faire|Refusé|À rappeler');
  assert.equal(await latest().locator('.offer-draft-note').count(), 0);
  assert.match(normalise(await latest().locator('.offer-sums').innerText()), /Accepté par le client TTC 106,80 €/);
  await scrollToOffers();
  await shot('offers');
  await page.evaluate(() => window.scrollTo(0, 0));
});

step('"apply the answers" puts thumbs up and down on the interventions as the customer decided', async () => {
  await latest().getByRole('button', { name: 'Appliquer les réponses', exact: true }).click();
  await page.getByText('2 interventions autorisées ou refusées selon les réponses du client.').waitFor();
  // The history says it in words, item by item, not with internal names.
  const applied = page.locator('.timeline .tl-item', { hasText: 'Interventions autorisées selon les réponses du client' }).first();
  await applied.waitFor();
  assert.match(normalise(await applied.innerText()), /« Vidange et filtre à huile » : autorisée/);
  assert.match(normalise(await applied.innerText()), /« Plaquettes de frein avant » : non autorisée/);
  assert.doesNotMatch(await page.locator('.timeline').innerText(), /[a-z]+\.[a-z_]+_[a-z_]+|field\./);
  const thumb = (label, up) => page.getByRole('button', { name: `${up ? 'Autoriser' : 'Ne pas autoriser'} : ${label}`, exact: true });
  await until('the thumbs', async () => (await thumb('Vidange et filtre à huile', true).getAttribute('aria-pressed')) === 'true');
  assert.equal(await thumb('Plaquettes de frein avant', false).getAttribute('aria-pressed'), 'true');
  assert.equal(await thumb('Balais d’essuie-glace', true).getAttribute('aria-pressed'), 'false');
  assert.equal(await thumb('Balais d’essuie-glace', false).getAttribute('aria-pressed'), 'false');
  // The advisor decides the "call me" one by hand; pressing it again clears it.
  await thumb('Balais d’essuie-glace', true).click();
  await until('its thumb up', async () => (await thumb('Balais d’essuie-glace', true).getAttribute('aria-pressed')) === 'true');
  const items = (await api('GET', `/api/v1/repair-orders/${ro.id}`)).body.interventions;
  assert.deepEqual(items.filter((i) => i.shown).map((i) => i.authorized), [true, false, true]);
  await page.evaluate(() => {
    const card = document.querySelector('section.card-items');
    window.scrollTo(0, card.getBoundingClientRect().top + window.scrollY - 52 - 12);
  });
  await shot('authorized');
  await page.evaluate(() => window.scrollTo(0, 0));
});

step('a new version after the customer has seen one asks for a confirmation first', async () => {
  await panel().getByRole('button', { name: 'Envoyer au client' }).click();
  const dlg = page.getByRole('dialog', { name: 'Envoyer le devis au client' });
  await dlg.getByRole('checkbox', { name: PHONE }).check();
  await dlg.getByLabel('Message au client').fill('Nouvelle proposition : balais offerts.');
  await dlg.getByRole('button', { name: 'Prévisualiser' }).click();
  const preview = page.getByRole('dialog', { name: 'Aperçu avant envoi' });
  await preview.getByRole('button', { name: 'Envoyer', exact: true }).click();
  const confirm = page.getByRole('dialog', { name: 'Remplacer l\'offre en cours ?' });
  await confirm.getByText('Le client a déjà vu l\'offre en cours. Envoyer une nouvelle version qui la remplace ?').waitFor();
  await confirm.getByRole('button', { name: 'Envoyer la nouvelle version' }).click();
  await preview.waitFor({ state: 'detached' });
  await latest().getByRole('heading', { name: /Version 2/ }).waitFor();
  const older = panel().locator('details.offer-older');
  await older.locator('summary', { hasText: 'Versions précédentes (1)' }).click();
  await older.getByText('Version 1 — remplacée').waitFor();
});

step('the lock closes the offer: state locked, nothing more can be sent', async () => {
  await latest().getByRole('button', { name: 'Verrouiller' }).click();
  await page.getByRole('dialog', { name: 'Verrouiller l\'offre ?' }).getByRole('button', { name: 'Verrouiller' }).click();
  await until('the offer to be locked', async () => (await latest().getAttribute('data-state')) === 'locked');
  await latest().locator('.chip', { hasText: 'Verrouillée' }).waitFor();
  assert.match(await latest().locator('.offer-step[data-step="locked"]').getAttribute('class'), /is-done/);
  assert.equal(await panel().getByRole('button', { name: 'Envoyer au client' }).isDisabled(), true);
  assert.equal(await latest().getByRole('button', { name: 'Verrouiller' }).count(), 0);
  const o = (await api('GET', `/api/v1/repair-orders/${ro.id}/offers`)).body.items[0];
  assert.equal(o.state, 'locked');
  // The history names the offer's events.
  await page.locator('.tl-item', { hasText: 'Offre verrouillée' }).first().waitFor();
});

step('a send scheduled for later waits and can be cancelled; a sent offer can be sent again', async () => {
  const other = await api('POST', '/api/v1/repair-orders', {
    vehicle: { plate: 'kl-789-mn', make: 'Peugeot', model: '208' },
    parties: [{ roles: ['driver'], first_name: 'Jean', last_name: 'Martin', contact_points: [{ kind: 'phone', value: '06 55 44 33 22' }] }],
    interventions: [{ label: 'Pneus avant', price_excl_cents: 18000, kind: 'initial', severity: 'orange' }],
  });
  assert.equal(other.status, 201);
  await page.goto(`${server.base}/repair-orders/${other.body.id}`);
  const smsBefore = (await smsLinks(server)).length;

  const schedule = async (later) => {
    await panel().getByRole('button', { name: 'Envoyer au client' }).click();
    const dlg = page.getByRole('dialog', { name: 'Envoyer le devis au client' });
    await dlg.getByRole('checkbox', { name: '06 55 44 33 22' }).check();
    if (later) {
      await dlg.getByRole('radio', { name: 'Plus tard, le' }).check();
      await dlg.getByLabel('Date et heure d\'envoi').fill(later);
    }
    await dlg.getByRole('button', { name: 'Prévisualiser' }).click();
    return page.getByRole('dialog', { name: 'Aperçu avant envoi' });
  };
  // A time already past, or too far: the API's problem shows next to the date, before any preview.
  await schedule('2020-01-01T08:00');
  const compose = page.getByRole('dialog', { name: 'Envoyer le devis au client' });
  await compose.locator('.field-error:visible', { hasText: 'Cette heure est déjà passée.' }).waitFor();
  assert.equal(await compose.getByLabel('Date et heure d\'envoi').getAttribute('aria-invalid'), 'true');
  await compose.getByLabel('Date et heure d\'envoi').fill('2099-01-01T08:00');
  await compose.getByRole('button', { name: 'Prévisualiser' }).click();
  await compose.locator('.field-error:visible', { hasText: '30 jours à l\'avance au plus' }).waitFor();
  await compose.getByRole('button', { name: 'Annuler', exact: true }).click();

  const tomorrow = new Date(Date.now() + 24 * 3600 * 1000);
  const pad = (n) => String(n).padStart(2, '0');
  let preview = await schedule(`${tomorrow.getFullYear()}-${pad(tomorrow.getMonth() + 1)}-${pad(tomorrow.getDate())}T09:30`);
  await preview.getByRole('button', { name: 'Programmer l\'envoi' }).click();
  await preview.waitFor({ state: 'detached' });
  await page.locator('.toast', { hasText: 'Version 1 programmée.' }).waitFor();
  await latest().locator('.chip', { hasText: 'Programmée' }).waitFor();
  assert.match(normalise(await latest().locator('.notice').innerText()), /Envoi programmé le .*09:30/);
  assert.equal((await smsLinks(server)).length, smsBefore, 'nothing left before its time');
  await shot('offer-scheduled');
  await latest().getByRole('button', { name: 'Annuler l\'envoi' }).click();
  await page.getByRole('dialog', { name: 'Annuler l\'envoi programmé ?' }).getByRole('button', { name: 'Annuler l\'envoi' }).click();
  await latest().locator('.chip', { hasText: 'Annulée' }).waitFor();
  await page.locator('.tl-item', { hasText: 'Envoi programmé annulé' }).first().waitFor();

  // Sent now, the price changed in the dialog first (saved to the RO, and in the preview), then
  // sent again: a second SMS with a new link.
  await panel().getByRole('button', { name: 'Envoyer au client' }).click();
  const dlg = page.getByRole('dialog', { name: 'Envoyer le devis au client' });
  const price = dlg.getByLabel('Prix TTC de « Pneus avant »');
  await price.fill('240,00');
  await price.press('Tab');
  await until('the price saved to the RO', async () => (await api('GET', `/api/v1/repair-orders/${other.body.id}`)).body
    .interventions[0].price_incl_cents === 24000);
  await until('the dialog\'s total to follow', async () => /240,00 €/.test(normalise(await dlg.locator('.send-items-total').innerText())));
  await dlg.getByRole('button', { name: 'Annuler', exact: true }).click();
  preview = await schedule(null);
  assert.match(normalise(await preview.locator('.send-preview-lead').innerText()), /240,00 €/);
  await preview.getByRole('button', { name: 'Envoyer', exact: true }).click();
  await preview.waitFor({ state: 'detached' });
  await until('the offer to be received', async () => (await latest().getAttribute('data-state')) === 'received');
  assert.equal((await smsLinks(server)).length, smsBefore + 1);
  await latest().getByRole('button', { name: 'Renvoyer' }).click();
  await page.getByRole('dialog', { name: 'Renvoyer l\'offre ?' }).getByRole('button', { name: 'Renvoyer' }).click();
  await page.locator('.toast', { hasText: 'Version 2 renvoyée au client.' }).waitFor();
  await until('a second SMS', async () => (await smsLinks(server)).length === smsBefore + 2);
  const links = await smsLinks(server);
  assert.notEqual(links.at(-1), links.at(-2), 'the resend carries a new link');
  await page.locator('.tl-item', { hasText: 'Offre renvoyée' }).first().waitFor();

  // The customer opens it; a price changed afterwards in the RO's table asks first. Declined:
  // nothing is saved. Accepted: saved, and version 3 goes out with a new link.
  const customer = await (await browser.newContext({ locale: 'fr-FR', viewport: { width: 390, height: 844 } })).newPage();
  await customer.goto(`${server.publicBase}/o/${links.at(-1)}`);
  await customer.getByRole('button', { name: 'Ouvrir mon devis' }).click();
  await until('the offer to be seen', async () => (await latest().getAttribute('data-state')) === 'seen');
  const incl = page.locator('.item-row').first().getByLabel('Prix TTC', { exact: true });
  await incl.fill('250,00');
  await incl.press('Tab');
  const ask = page.getByRole('dialog', { name: 'Le client a déjà vu le devis' });
  await ask.getByText('Il a vu la version 2.', { exact: false }).waitFor();
  await ask.getByRole('button', { name: 'Annuler', exact: true }).click();
  await until('the price shown again', async () => (await incl.inputValue()) === '240,00');
  assert.equal((await api('GET', `/api/v1/repair-orders/${other.body.id}`)).body.interventions[0].price_incl_cents, 24000);
  await incl.fill('250,00');
  await incl.press('Tab');
  await ask.getByRole('button', { name: 'Enregistrer et envoyer' }).click();
  await page.locator('.toast', { hasText: 'Modification enregistrée ; version 3 envoyée au client.' }).waitFor();
  await latest().getByRole('heading', { name: /Version 3/ }).waitFor();
  await until('a third SMS', async () => (await smsLinks(server)).length === smsBefore + 3);
  assert.equal((await api('GET', `/api/v1/repair-orders/${other.body.id}/offers`)).body.items[0].total_incl_cents, 25000);
  await customer.reload(); // the phone that opened it goes straight back, and is told a newer one came
  await customer.getByText('Votre atelier vous a envoyé une version plus récente de ce devis', { exact: false }).waitFor();
  await customer.context().close();
});

step('a character outside the GSM alphabet shows its cost in the preview; an SMS the network reports failed fails the offer on the RO page and its timeline', async () => {
  // The emulated network's status reports say "failed" for this number (firmware-bridge's control socket).
  await modemControl({ cmd: 'set', failing_numbers: ['+33699999999'] });
  const created = await api('POST', '/api/v1/repair-orders', {
    // A model name as a DMS may send it, with a sign no GSM form stands for: the value is sent as
    // it is (an ë alone would be written e in an SMS, and cost nothing).
    vehicle: { plate: 'kl-789-mn', make: 'Citroën', model: 'ë-C3 ⚡' },
    parties: [{ roles: ['driver'], title: 'M.', first_name: 'Jean', last_name: 'Roux', contact_points: [{ kind: 'phone', value: '06 99 99 99 99' }] }],
    interventions: [{ label: 'Pneus avant', price_excl_cents: 18000 }],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await page.goto(`${server.base}/repair-orders/${created.body.id}`);
  await panel().getByRole('button', { name: 'Envoyer au client' }).click();
  const dlg = page.getByRole('dialog', { name: 'Envoyer le devis au client' });
  await dlg.getByRole('checkbox', { name: /06 99 99 99 99/ }).check();
  await dlg.getByRole('button', { name: 'Prévisualiser' }).click();
  // "⚡" is not in the GSM 7-bit alphabet, so the whole SMS is UCS-2, 70 characters a part.
  const preview = page.getByRole('dialog', { name: 'Aperçu avant envoi' });
  const info = preview.locator('.preview-sms .sms-info');
  await info.waitFor();
  assert.equal(await info.getAttribute('data-encoding'), 'ucs2');
  const parts = Number(await info.getAttribute('data-parts'));
  const characters = [...await preview.locator('.preview-sms .sms-bubble').innerText()].length;
  assert.equal(parts, characters <= 70 ? 1 : Math.ceil(characters / 67), `${characters} characters in UCS-2 (70, or 67 a part)`);
  assert.ok(parts > 1, "the link alone makes it more than one part");
  assert.match(await info.getAttribute('class'), /is-costly/);
  assert.match(normalise(await info.innerText()), new RegExp(`^${parts} SMS, ${characters} caractères, `));
  await preview.getByText('ramène chaque SMS à 70 caractères', { exact: false }).waitFor();
  await shot('send-ucs2');
  await preview.getByRole('button', { name: 'Envoyer', exact: true }).click();
  await preview.waitFor({ state: 'detached' });

  await latest().locator('.chip', { hasText: 'Échec de l\'envoi' }).waitFor();
  await latest().getByText('Aucun message n\'a pu partir.', { exact: false }).waitFor();
  await latest().locator('.offer-recipient .msg-state', { hasText: 'Échec' }).waitFor();
  await page.locator('.timeline').getByText('Échec d\'un message').waitFor();
  await page.locator('.timeline').getByText('Échec de l\'envoi de l\'offre').waitFor();
  // Why, in French on the recipient's line and in the history; never the server's English words.
  const reason = 'Le réseau n’a pas pu remettre le SMS au téléphone (statut 65).';
  assert.equal(normalise(await latest().locator('.offer-recipient .rcpt-error').innerText()), reason);
  await page.locator('.timeline').getByText(reason).first().waitFor();
  assert.equal(await page.getByText('could not deliver', { exact: false }).count(), 0, 'no English reason shown');
  // The progress shows where it stopped: sent (the modem took it), then a red "Échec" at delivery.
  const failedStep = latest().locator('.offer-step.is-failed');
  assert.equal(await failedStep.getAttribute('data-step'), 'received');
  assert.equal(normalise(await failedStep.locator('.step-time').innerText()), 'Échec');
  assert.match(await latest().locator('.offer-step[data-step="sent"]').getAttribute('class'), /is-done/);
  assert.equal(await latest().locator('.offer-step.is-current').count(), 0, 'no step is shown as where it stands but the failed one');
  await shot('offer-failed');
  await modemControl({ cmd: 'set', failing_numbers: [] });
});

step('a customer\'s SMS reply is shown whole, with who sent it, marked unread on the list until an advisor reads it', async () => {
  const text = 'Bonjour, pouvez-vous m\'appeler après 17h pour les pneus ? Je voudrais savoir si les plaquettes peuvent attendre le mois prochain.\nMerci, Zoé';
  await page.goto(`${server.base}/repair-orders`);
  const row = page.locator('tr.ro-row', { hasText: ro.number });
  await row.waitFor();
  assert.equal(await row.locator('.reply-marker').count(), 0, 'nothing unread yet');
  assert.ok((await modemControl({ cmd: 'inject_sms', from: '+33698765432', text })).ok);
  // The list follows live: the marker says how many replies are unread, in words for a screen reader.
  const marker = row.locator('.reply-marker');
  await marker.waitFor();
  assert.equal(await marker.getAttribute('title'), '1 réponse non lue');
  assert.equal(normalise(await marker.locator('.visually-hidden').innerText()), '1 réponse non lue');
  await shot('list-reply');

  await row.getByRole('link', { name: ro.number }).click();
  const card = page.locator('section.card-replies');
  await card.getByRole('heading', { name: /Messages du client/ }).waitFor();
  const reply = card.locator('li.reply.is-unread');
  await reply.waitFor();
  // The text whole (line break kept), who wrote it as the RO names them, "new".
  assert.equal(await reply.locator('.reply-text').innerText(), text);
  assert.equal(normalise(await reply.locator('.reply-from').innerText()), 'Zoé Brûlé (Conducteur, Propriétaire) · 06 98 76 54 32');
  await reply.getByText('Nouveau', { exact: true }).waitFor();
  assert.equal(normalise(await card.locator('.replies-unread').innerText()), '1 réponse non lue');
  // The history has it too, whole and named, not as a bare number.
  const entry = page.locator('.timeline .tl-item', { hasText: 'SMS reçu du client' }).first();
  assert.match(normalise(await entry.innerText()), /pouvez-vous m'appeler après 17h pour les pneus \? .* Merci, Zoé/);
  assert.match(normalise(await entry.innerText()), /De Zoé Brûlé \(Conducteur, Propriétaire\) · 06 98 76 54 32/);
  await shot('ro-reply');

  await card.getByRole('button', { name: 'Marquer comme lu' }).click();
  await card.locator('li.reply.is-unread').waitFor({ state: 'detached' });
  assert.equal(await card.locator('.replies-unread').isHidden(), true);
  await card.locator('.reply-read', { hasText: /^Lu le / }).waitFor();
  await page.locator('.timeline').getByText('Réponses du client lues').waitFor();
  // The text stays on the RO; the list's marker is gone.
  assert.equal(await card.locator('.reply-text').innerText(), text);
  await page.goto(`${server.base}/repair-orders`);
  await row.waitFor();
  assert.equal(await row.locator('.reply-marker').count(), 0);
});

/** The customer's phone: opens the newest link sent to `number`, accepts every item, confirms. */
async function customerConfirms(number) {
  // The offer is queued when the API answers; the modem gets it a moment later.
  const token = await until(`a link sent to ${number}`, async () => {
    const journal = await readFile(path.join(server.dir, 'data', 'modem', 'journal.jsonl'), 'utf8').catch(() => '');
    return journal.split('\n').filter(Boolean).map((l) => JSON.parse(l))
      .filter((m) => m.kind === 'message' && m.recipient === number)
      .map((m) => /\/o\/([A-Za-z0-9_-]{22})/.exec(m.text)?.[1]).filter(Boolean).pop();
  });
  const phone = await (await browser.newContext({ locale: 'fr-FR', viewport: { width: 390, height: 844 } })).newPage();
  phone.setDefaultTimeout(10000);
  await phone.goto(`${server.publicBase}/o/${token}`);
  await phone.getByRole('button', { name: 'Ouvrir mon devis' }).click();
  // The welcome dialog comes with an advisor's note; without one, the items come at once.
  const welcome = phone.getByRole('dialog').getByRole('button', { name: 'Voir les interventions' });
  await welcome.or(phone.getByRole('radio', { name: 'Faire', exact: true }).first()).waitFor();
  if (await welcome.isVisible()) await welcome.click();
  for (const radio of await phone.getByRole('radio', { name: 'Faire', exact: true }).all()) await radio.check();
  await phone.getByRole('button', { name: 'Confirmer ma commande' }).click();
  await phone.getByRole('dialog').getByRole('button', { name: 'Confirmer et envoyer' }).click();
  await phone.getByText('Merci', { exact: false }).first().waitFor();
  await phone.context().close();
}

step('a price the customer agreed to changes only after a warning naming what they accepted; a new version goes out, or, once locked, the RO says it no longer matches', async () => {
  const created = await api('POST', '/api/v1/repair-orders', {
    vehicle: { plate: 'mn-321-op', make: 'Renault', model: 'Mégane' },
    parties: [{ roles: ['driver'], title: 'Mme', first_name: 'Inès', last_name: 'Garnier', contact_points: [{ kind: 'phone', value: '06 11 22 33 44' }] }],
    interventions: [{ label: 'Pneus avant', price_excl_cents: 14500, kind: 'optional', severity: 'red' },
      { label: 'Géométrie', price_excl_cents: 6000, kind: 'optional', severity: 'orange' }],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const r2 = created.body;
  const tyres = r2.interventions[0];
  const cp = r2.parties[0].contact_points[0].id;
  assert.equal((await api('POST', `/api/v1/repair-orders/${r2.id}/offers`, { recipients: [cp] })).status, 201);
  await customerConfirms('+33611223344');
  await page.goto(`${server.base}/repair-orders/${r2.id}`);
  await latest().locator('.chip', { hasText: 'Confirmée' }).waitFor();
  const price = page.locator(`tr.item-row[data-id="${tyres.id}"] input[data-price="incl"]`);
  const priceNow = async () => (await api('GET', `/api/v1/repair-orders/${r2.id}`)).body.interventions[0].price_incl_cents;

  // Declined: nothing saved, the agreed price shown again.
  await price.fill('250,00');
  await price.press('Enter');
  const ask = page.getByRole('dialog', { name: 'Le client a donné son accord' });
  assert.match(normalise(await ask.innerText()), /Le client a accepté « Pneus avant » à 174,00 € \(version 1 de l'offre\)\. Enregistrer ce changement et lui envoyer une nouvelle version à accepter \?/);
  await ask.getByRole('button', { name: 'Annuler' }).click();
  await until('the agreed price shown again', async () => normalise(await price.inputValue()) === '174,00');
  assert.equal(await priceNow(), 17400);

  // Accepted: saved, and version 2 goes to the customer.
  await price.fill('250,00');
  await price.press('Enter');
  await ask.getByRole('button', { name: 'Enregistrer et envoyer' }).click();
  await page.getByText('Modification enregistrée ; version 2 envoyée au client.').waitFor();
  assert.equal(await priceNow(), 25000);
  await latest().getByRole('heading', { name: /Version 2/ }).waitFor();
  assert.equal(await latest().locator('.offer-mismatch').count(), 0, 'version 2 is what the customer is asked now');

  // Confirmed again, then locked: a change asks, says no version can follow, and the offer shows the mismatch.
  await customerConfirms('+33611223344');
  await latest().locator('.chip', { hasText: 'Confirmée' }).waitFor();
  await latest().getByRole('button', { name: 'Verrouiller' }).click();
  await page.getByRole('dialog', { name: 'Verrouiller l\'offre ?' }).getByRole('button', { name: 'Verrouiller' }).click();
  await latest().locator('.chip', { hasText: 'Verrouillée' }).waitFor();
  await price.fill('280,00');
  await price.press('Enter');
  assert.match(normalise(await ask.innerText()), /à 250,00 € \(version 2 de l'offre\)\. L'offre est verrouillée : aucune nouvelle version ne peut lui être envoyée\./);
  await ask.getByRole('button', { name: 'Modifier quand même' }).click();
  const mismatch = latest().locator('.offer-mismatch');
  await mismatch.waitFor();
  assert.match(normalise(await mismatch.innerText()),
    /Ce que le client a accepté ne correspond plus à l'OR « Pneus avant » : accepté à 250,00 €, maintenant 280,00 € L'offre est verrouillée : prévenez le client de ces changements\./);
  assert.equal(await priceNow(), 28000);
  await page.locator('.timeline').getByText('Intervention modifiée : Pneus avant').first().waitFor();
  await scrollToOffers();
  await shot('offer-mismatch');
  await page.evaluate(() => window.scrollTo(0, 0));
});

step('no Content-Security-Policy violation nor page error', async () => {
  assert.deepEqual(cspProblems, []);
});
