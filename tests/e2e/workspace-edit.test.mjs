// Editing a repair order in the advisor workspace without losing work (issue 11, items 7, 8 and
// 17), against the real relais and Debian's Chromium:
// - live updates reach every tab of the same user, and a version conflict never throws away
//   what was typed: the advisor's text is shown beside the current value, and either is kept;
// - every limited text shows its limit as it comes near and is refused past it, never cut; the
//   interventions table shows labels whole and folds long notes;
// - a print view of the RO and of the customer's answers, on A4, without the navigation.
//
//   cd tests/e2e && node --test workspace-edit.test.mjs
// With RELAIS_SHOTS=1, docs/screenshots/workspace-{conflict,limits,long-texts,print,print-paper}.png
// are written (1366×900); RELAIS_SHOTS=DIR writes them to DIR instead.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import {
  startRelais, until as poll, repo, CHROMIUM, CHROMIUM_ARGS, failureShots, signInFirstAdmin, callApi, finish, SHOTS_DIR, smsLinks,
} from './relais-server.mjs';

const PASSWORD = 'atelier-edition-2026';
const DEALER = 'Garage des Essais & Fils';
const PHONE = '06 98 76 54 32';
const shotsDir = SHOTS_DIR;

let server;
let browser;
let context;
let pageA; // the advisor's first tab
let pageB; // the same advisor's second tab
let ro;
const problems = [];
const { step, failed } = failureShots({ page: () => pageB || pageA, dir: () => server && server.dir });

const until = (what, check, timeoutMs = 15000) => poll(what, check, { timeoutMs, alive: () => server && server.alive() });
const normalise = (s) => s.replace(/[\s\u00a0\u202f]+/g, ' ').trim();
/** The advisor's API from a signed-in tab (cookies, CSRF token). */
const api = (method, url, body) => callApi(pageA, method, url, body);
const roUrl = () => `${server.base}/repair-orders/${ro.id}`;
const getRo = async () => (await api('GET', `/api/v1/repair-orders/${ro.id}`)).body;
const row = (p, index) => p.locator('tr.item-row').nth(index);
const labelOf = (p, index) => row(p, index).getByRole('textbox', { name: 'Intervention', exact: true });
/** The row under an intervention's row where a clash with someone else's change is shown. */
const clashRow = (p, index) => p.locator('tr.conflict-row').nth(index);
const noteOf = (p, index) => row(p, index).getByRole('textbox', { name: 'Note du mécanicien', exact: true });
const roNote = (p) => p.getByRole('textbox', { name: 'Note interne', exact: true });
/** Labels as long as real ones get: 167 and 187 characters (the limit is 200). */
const LONG_LABEL = 'Remplacement des amortisseurs avant et arrière (kit complet avec coupelles, butées et soufflets), contrôle du train avant et réglage de la géométrie après intervention';
const LONGER_LABEL = 'Remplacement du kit de distribution (courroie, galets tendeur et enrouleur) avec la pompe à eau, la courroie d\'accessoires et le liquide de refroidissement, purge et contrôle d\'étanchéité';
const TOO_LONG_LABEL = `${LONG_LABEL}, puis essai routier de contrôle avec le client`;
const length = (s) => [...s].length;
/** A text of exactly `n` characters made of words (no space at either end, which would be trimmed). */
const words = (n, seed = 'Remplacement des amortisseurs avant et arrière avec coupelles ') => {
  let s = seed.repeat(Math.ceil(n / seed.length) + 1).slice(0, n);
  if (s.endsWith(' ')) s = `${s.slice(0, -1)}x`;
  if (s.startsWith(' ')) s = `x${s.slice(1)}`;
  return s;
};

function watch(p) {
  p.setDefaultTimeout(10000);
  p.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text()); });
  p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
}

async function shot(p, name, options = {}) {
  if (!shotsDir) return;
  await p.mouse.move(4, 200);
  await p.evaluate(() => document.fonts.ready);
  await p.screenshot({ path: path.join(shotsDir, `workspace-${name}.png`), animations: 'disabled', caret: 'hide', ...options });
}

before(async () => {
  server = await startRelais({ dealerName: DEALER, prefix: 'relais-e2e-edit-' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  context = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris', viewport: { width: 1366, height: 900 } });
  pageA = await context.newPage();
  watch(pageA);
  await pageA.goto(`${server.base}/login`);
  assert.deepEqual(await signInFirstAdmin(pageA, server.oneTimePassword, PASSWORD), [200, 204]);
  const created = await api('POST', '/api/v1/repair-orders', {
    vehicle: { plate: 'ge-427-ab', make: 'Peugeot', model: '3008', vin: 'VF3MCYHZRJS123456', mileage_km: 61230 },
    promised_at: '2030-06-14T17:30',
    parties: [{
      roles: ['driver', 'owner'], title: 'Mme', first_name: 'Zoé', last_name: 'Brûlé',
      contact_points: [{ kind: 'phone', value: PHONE }, { kind: 'email', value: 'zoe.brule@exemple.fr' }],
    }],
    interventions: [
      { label: 'Pneus avant', mechanic_note: 'Usure à 1,6 mm.', price_excl_cents: 18000, kind: 'optional', severity: 'red' },
      { label: 'Géométrie', price_excl_cents: 6000, kind: 'optional', severity: 'orange' },
      { label: 'Vidange et filtre à huile', price_excl_cents: 8900, kind: 'initial', severity: 'green' },
    ],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  ro = created.body;
});

after(() => finish({ browser, server, failed }));

test('the new words exist in French and in English', async () => {
  const assets = path.join(repo, 'web/workspace/assets');
  const { t, plural } = await import(pathToFileURL(path.join(assets, 'core/i18n.js')));
  const { state } = await import(pathToFileURL(path.join(assets, 'core/state.js')));
  const keys = ['conflict.title', 'conflict.mine', 'conflict.current', 'conflict.keepMine', 'conflict.keepCurrent', 'conflict.empty',
    'conflict.formTitle', 'limit.count', 'limit.tooLong', 'item.noteMore', 'item.noteLess', 'ro.print', 'ro.printHint',
    'print.title', 'print.print', 'print.back', 'print.printedAt', 'print.decisionsTitle', 'print.offerTitle', 'print.confirmedBy',
    'print.notConfirmed', 'print.col.answer', 'print.noOffer', 'print.agreementAccepted', 'print.internalNote', 'print.repliesTitle'];
  const missing = [];
  for (const key of keys) {
    state.lang = 'fr';
    const fr = t(key);
    state.lang = 'en';
    if (fr === key || t(key) === fr) missing.push(key);
  }
  assert.deepEqual(missing, [], 'keys without French and English words of their own');
  // Real plurals, and French typography (a no-break space before the colon).
  state.lang = 'fr';
  assert.equal(plural('limit.over', 1), '1 caractère de trop');
  assert.equal(plural('limit.over', 12), '12 caractères de trop');
  assert.match(t('limit.tooLong', { field: 'X', max: '200', over: '' }), /«\u00a0X\u00a0»\u00a0:/);
  state.lang = 'en';
  assert.equal(plural('limit.over', 1), '1 character too many');
  assert.equal(plural('limit.over', 3), '3 characters too many');
  state.lang = 'fr';
});

// ---- item 7: live updates in every tab; a conflict never loses what was typed ----------------

step('a second tab of the same user follows every change of the RO live', async () => {
  pageB = await context.newPage();
  watch(pageB);
  for (const p of [pageA, pageB]) {
    await p.goto(roUrl());
    await labelOf(p, 0).waitFor();
    await p.evaluate(() => { window.relaisNoReload = true; });
  }
  // Tab A renames an intervention: tab B shows it, without being reloaded.
  await labelOf(pageA, 0).fill('Pneus avant Michelin');
  await labelOf(pageA, 0).press('Tab');
  await until('tab B to show the new label', async () => (await labelOf(pageB, 0).inputValue()) === 'Pneus avant Michelin');
  // A change from elsewhere (another advisor, a DMS) reaches both tabs too.
  assert.equal((await api('PATCH', `/api/v1/repair-orders/${ro.id}`, { note: 'Client attend sur place.' })).status, 200);
  assert.equal((await api('PATCH', `/api/v1/repair-orders/${ro.id}/interventions/${ro.interventions[1].id}`, { price_excl_cents: 6500 })).status, 200);
  for (const p of [pageA, pageB]) {
    await until('the internal note', async () => (await roNote(p).inputValue()) === 'Client attend sur place.');
    await until('the new price', async () => (await row(p, 1).getByLabel('Prix TTC').inputValue()) === '78,00');
    await until('the totals', async () => normalise(await p.locator('[data-total="incl"]').innerText()) === '400,80 €');
    assert.equal(await p.evaluate(() => window.relaisNoReload), true, 'the tab was not reloaded');
  }
});

step('a version conflict keeps what was typed: shown beside the current value, the advisor keeps either', async () => {
  // Tab B no longer hears live updates: its copy of the RO goes stale, as when a change lands
  // between its last read and the advisor's save.
  await pageB.route('**/api/v1/events', (route) => route.abort());
  await pageB.reload();
  await labelOf(pageB, 0).waitFor();
  const [tyres, , oil] = ro.interventions;
  const tyresUrl = `/api/v1/repair-orders/${ro.id}/interventions/${tyres.id}`;

  // Someone else renames the tyres while tab B is open; tab B then types its own label.
  assert.equal((await api('PATCH', tyresUrl, { label: 'Pneus avant Michelin Primacy 4' })).status, 200);
  const label = labelOf(pageB, 0);
  await label.fill('Pneus avant 225/45 R17');
  await label.press('Tab');
  const labelClash = clashRow(pageB, 0).locator('.conflict', { hasText: '« Intervention »' });
  await labelClash.waitFor();
  assert.equal(await label.inputValue(), 'Pneus avant 225/45 R17', 'what was typed stays in the field');
  assert.equal(normalise(await labelClash.locator('.conflict-mine .conflict-value').innerText()), 'Pneus avant 225/45 R17');
  assert.equal(normalise(await labelClash.locator('.conflict-current .conflict-value').innerText()), 'Pneus avant Michelin Primacy 4');
  assert.equal((await getRo()).interventions[0].label, 'Pneus avant Michelin Primacy 4', 'nothing overwritten without asking');

  // The same for the mechanic's note (the page read the RO at the 412; a newer change comes after).
  assert.equal((await api('PATCH', tyresUrl, { mechanic_note: 'Usure à 1,6 mm, flanc abîmé.' })).status, 200);
  const note = noteOf(pageB, 0);
  await note.fill('Usure à 2 mm : à revoir au printemps.');
  await note.press('Control+Enter');
  const noteClash = clashRow(pageB, 0).locator('.conflict', { hasText: '« Note du mécanicien »' });
  await noteClash.waitFor();
  assert.equal(await note.inputValue(), 'Usure à 2 mm : à revoir au printemps.');
  assert.equal(normalise(await noteClash.locator('.conflict-current .conflict-value').innerText()), 'Usure à 1,6 mm, flanc abîmé.');

  // And for the RO's internal note.
  assert.equal((await api('PATCH', `/api/v1/repair-orders/${ro.id}`, { note: 'Client rappelé à 11 h.' })).status, 200);
  await roNote(pageB).fill('Client prévenu par SMS, passe à 17 h.');
  await roNote(pageB).press('Tab');
  const internalClash = pageB.locator('section[aria-labelledby="h-note"] .conflict');
  await internalClash.waitFor();
  assert.equal(normalise(await internalClash.locator('.conflict-current .conflict-value').innerText()), 'Client rappelé à 11 h.');
  assert.equal(await roNote(pageB).inputValue(), 'Client prévenu par SMS, passe à 17 h.');
  await pageB.evaluate(() => window.scrollTo(0, 0));
  await shot(pageB, 'conflict');

  // "Keep mine": saved on the current version.
  await labelClash.getByRole('button', { name: 'Garder ma saisie' }).click();
  await until('the label kept', async () => (await getRo()).interventions[0].label === 'Pneus avant 225/45 R17');
  await labelClash.waitFor({ state: 'detached' });
  assert.equal(await label.inputValue(), 'Pneus avant 225/45 R17');
  // "Keep the current value": the field shows it, nothing is written.
  await noteClash.getByRole('button', { name: 'Garder la valeur actuelle' }).click();
  await noteClash.waitFor({ state: 'detached' });
  assert.equal(await note.inputValue(), 'Usure à 1,6 mm, flanc abîmé.');
  assert.equal((await getRo()).interventions[0].mechanic_note, 'Usure à 1,6 mm, flanc abîmé.');
  await internalClash.getByRole('button', { name: 'Garder ma saisie' }).click();
  await until('the internal note kept', async () => (await getRo()).note === 'Client prévenu par SMS, passe à 17 h.');

  // A change to another field meanwhile is no clash: sent again on the new version, silently.
  assert.equal((await api('PATCH', `/api/v1/repair-orders/${ro.id}/interventions/${ro.interventions[1].id}`, { price_excl_cents: 7000 })).status, 200);
  await labelOf(pageB, 2).fill('Vidange, filtre à huile et joint de bouchon');
  await labelOf(pageB, 2).press('Tab');
  await until('the oil change renamed', async () => (await getRo()).interventions.find((i) => i.id === oil.id).label === 'Vidange, filtre à huile et joint de bouchon');
  assert.equal(await pageB.locator('.conflict').count(), 0);
  assert.equal((await getRo()).interventions[1].price_excl_cents, 7000, 'the other change stays');
  assert.equal(await pageB.locator('.banner-warning:visible').count(), 0);
});

step('a dialog refused by a conflict stays open with what was typed, beside the current value', async () => {
  const party = ro.parties[0];
  const partyUrl = `/api/v1/repair-orders/${ro.id}/parties/${party.id}`;
  await pageB.getByRole('button', { name: 'Modifier Zoé Brûlé' }).click();
  const dialog = pageB.getByRole('dialog', { name: 'Modifier Zoé Brûlé' });
  await dialog.getByLabel('Nom', { exact: true }).fill('Brulé');
  // Meanwhile someone corrects the same name elsewhere.
  assert.equal((await api('PATCH', partyUrl, { last_name: 'Brûlé-Martin' })).status, 200);
  await dialog.getByRole('button', { name: 'Enregistrer' }).click();
  const clash = dialog.locator('.conflict');
  await clash.waitFor();
  assert.equal(await dialog.getByLabel('Nom', { exact: true }).inputValue(), 'Brulé', 'the dialog keeps what was typed');
  assert.equal(normalise(await clash.locator('.conflict-current .conflict-value').innerText()), 'Brûlé-Martin');
  assert.equal((await getRo()).parties[0].last_name, 'Brûlé-Martin');
  await clash.getByRole('button', { name: 'Garder ma saisie' }).click();
  await dialog.getByRole('button', { name: 'Enregistrer' }).click();
  await dialog.waitFor({ state: 'detached' });
  await until('the name kept', async () => (await getRo()).parties[0].last_name === 'Brulé');
  await pageB.unroute('**/api/v1/events');
});

// ---- item 8: limits shown and refused, never cut; long texts in the table --------------------

step('every limited field shows its limit as it comes near and refuses past it, never cutting', async () => {
  const p = pageA;
  await p.goto(roUrl());
  await labelOf(p, 1).waitFor();
  assert.equal(await p.locator('[maxlength]').count(), 0, 'no maxlength cuts a pasted text on the RO page');
  const label = labelOf(p, 1);
  const counter = row(p, 1).locator('.char-counter').first();
  // Far from the limit: no counter. From 80 %: "165 / 200 caractères".
  assert.equal(await counter.isVisible(), false);
  await label.fill(LONG_LABEL);
  assert.equal(normalise(await counter.innerText()), `${length(LONG_LABEL)} / 200 caractères`);
  assert.match(await counter.getAttribute('class'), /is-near/);
  // Past it (a paste): kept whole, the counter in error, the save refused with the reason.
  const tooLong = TOO_LONG_LABEL;
  const over = length(tooLong) - 200;
  assert.ok(over > 1);
  await label.fill(tooLong);
  assert.equal(await label.inputValue(), tooLong, 'not cut');
  assert.equal(normalise(await counter.innerText()), `${length(tooLong)} / 200 caractères`);
  assert.match(await counter.getAttribute('class'), /is-over/);
  assert.equal(await label.getAttribute('aria-invalid'), 'true');
  await label.press('Tab');
  const error = row(p, 1).locator('.row-error');
  await error.waitFor();
  assert.equal(normalise(await error.innerText()),
    `« Intervention » : 200 caractères au plus (${over} caractères de trop). Raccourcissez le texte pour l'enregistrer.`);
  assert.equal(await label.inputValue(), tooLong, 'still there after the refusal');
  assert.equal((await getRo()).interventions[1].label, 'Géométrie', 'nothing saved');
  await shot(p, 'limits');
  // Shortened: saved.
  await label.fill(LONG_LABEL);
  await label.press('Tab');
  await until('the long label saved', async () => (await getRo()).interventions[1].label === LONG_LABEL);
  assert.equal(await error.isVisible(), false);
  assert.equal(await label.getAttribute('aria-invalid'), null);

  // The internal note (4,000).
  await roNote(p).fill(words(4010));
  await roNote(p).press('Tab');
  const noteCard = p.locator('section[aria-labelledby="h-note"]');
  await noteCard.locator('.field-error', { hasText: '« Note interne » : 4000 caractères au plus (10 caractères de trop).' }).waitFor();
  assert.equal(normalise(await noteCard.locator('.char-counter').innerText()), '4 010 / 4 000 caractères');
  assert.equal((await getRo()).note.length < 4000, true, 'nothing saved');
  await roNote(p).press('Escape');

  // The dialog of a new intervention: refused next to its field, nothing created.
  await p.getByRole('button', { name: 'Ajouter une intervention' }).click();
  const add = p.getByRole('dialog', { name: 'Nouvelle intervention' });
  await add.getByLabel('Intervention').fill(words(201));
  await add.getByLabel('Prix HT').fill('10');
  await add.getByRole('button', { name: 'Ajouter une intervention' }).click();
  await add.locator('.field-error', { hasText: '« Intervention » : 200 caractères au plus (1 caractère de trop).' }).waitFor();
  await add.getByText('Un texte est trop long : rien n\'a été enregistré.').waitFor();
  assert.equal(await add.locator('[maxlength]').count(), 0);
  await add.getByRole('button', { name: 'Annuler' }).click();
  assert.equal((await getRo()).interventions.length, 3);

  // A party's name (100).
  await p.getByRole('button', { name: /^Modifier Zoé/ }).click();
  const partyDialog = p.getByRole('dialog', { name: /^Modifier Zoé/ });
  await partyDialog.getByLabel('Prénom').fill(words(104, 'Marie-Zoé '));
  assert.equal(normalise(await partyDialog.locator('.char-counter', { hasText: '/ 100' }).innerText()), '104 / 100 caractères');
  await partyDialog.getByRole('button', { name: 'Enregistrer' }).click();
  await partyDialog.locator('.field-error', { hasText: '« Prénom » : 100 caractères au plus (4 caractères de trop).' }).waitFor();
  await partyDialog.getByRole('button', { name: 'Annuler' }).click();
  assert.equal((await getRo()).parties[0].first_name, 'Zoé');

  // The send dialog's message (1,000): refused before anything is asked of the server.
  const previews = [];
  p.on('request', (r) => { if (r.url().includes('/offers/preview')) previews.push(r.url()); });
  await p.getByRole('button', { name: 'Envoyer au client' }).click();
  const send = p.getByRole('dialog', { name: 'Envoyer le devis au client' });
  await send.getByRole('checkbox', { name: PHONE }).check();
  await send.getByLabel('Message au client').fill(words(1003));
  await send.getByRole('button', { name: 'Prévisualiser' }).click();
  await send.locator('.field-error', { hasText: '« Message au client » : 1000 caractères au plus (3 caractères de trop).' }).waitFor();
  assert.deepEqual(previews, []);
  assert.equal(await send.locator('[maxlength]').count(), 0);
  await send.getByRole('button', { name: 'Annuler' }).click();

  // The new-RO form: a pasted VIN keeps its spaces (the server strips them); a plate too long is refused.
  await p.goto(`${server.base}/repair-orders/new`);
  await p.getByRole('heading', { name: 'Nouvel ordre de réparation' }).waitFor();
  assert.equal(await p.locator('[maxlength]').count(), 0);
  await p.getByLabel('VIN').fill('VF3 MCY HZR JS1 23456');
  assert.equal(await p.getByLabel('VIN').inputValue(), 'VF3 MCY HZR JS1 23456');
  await p.getByLabel('Immatriculation').fill('GE-427-AB-GE-427-AB');
  await p.getByRole('button', { name: 'Créer l\'OR' }).click();
  await p.locator('.field-error', { hasText: '« Immatriculation » : 16 caractères au plus (3 caractères de trop).' }).waitFor();
  assert.match(p.url(), /\/repair-orders\/new$/, 'nothing created');
});

step('the interventions table shows a long label whole and folds a long note', async () => {
  const label = LONGER_LABEL;
  const paragraph = 'Fuite constatée au niveau de la pompe à eau, traces de liquide sur le carter. Courroie craquelée sur toute la longueur. ';
  const note = [paragraph.repeat(6), paragraph.repeat(5), paragraph.repeat(6)].join('\n\n').trim();
  const created = await api('POST', '/api/v1/repair-orders', {
    vehicle: { plate: 'HK-903-LM', make: 'Renault', model: 'Scénic' },
    interventions: [
      { label, mechanic_note: note, price_excl_cents: 89000, kind: 'optional', severity: 'red' },
      { label: 'Contrôle des freins', mechanic_note: 'RAS.', price_excl_cents: 0, kind: 'initial', severity: 'green' },
    ],
  });
  assert.equal(created.status, 201);
  const p = pageA;
  await p.goto(`${server.base}/repair-orders/${created.body.id}`);
  await labelOf(p, 0).waitFor();
  await p.evaluate(() => document.fonts.ready);
  // The label: all of it on screen, wrapped (the table used to show about 24 characters).
  assert.equal(await labelOf(p, 0).inputValue(), label);
  await until('the label fitted', async () => labelOf(p, 0).evaluate((el) => el.rows > 1 && el.scrollHeight <= el.clientHeight + 1));
  // The note: folded to a few lines, with a button to read it all; the row stays short.
  const noteBox = noteOf(p, 0);
  const more = row(p, 0).getByRole('button', { name: 'Afficher toute la note' });
  await more.waitFor();
  assert.equal(await more.getAttribute('aria-expanded'), 'false');
  assert.ok(await noteBox.evaluate((el) => el.rows <= 3 && el.scrollHeight > el.clientHeight * 3), 'folded');
  const folded = (await row(p, 0).boundingBox()).height;
  const labelHeight = (await labelOf(p, 0).boundingBox()).height;
  assert.ok(folded - labelHeight < 130, `a long note does not make a huge row (${folded} px, the label ${labelHeight} px)`);
  await shot(p, 'long-texts');
  await more.click();
  const less = row(p, 0).getByRole('button', { name: 'Réduire la note' });
  assert.equal(await less.getAttribute('aria-expanded'), 'true');
  assert.ok(await noteBox.evaluate((el) => el.rows > 3), 'unfolded');
  assert.ok((await row(p, 0).boundingBox()).height > folded);
  await less.click();
  assert.ok(await noteBox.evaluate((el) => el.rows <= 3));
  // A short note needs no button.
  assert.equal(await row(p, 1).locator('.note-toggle:visible').count(), 0);
});

// ---- item 17: the print view ---------------------------------------------------------------

const paris = (iso) => new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso));

step('the print view: the dealership, the RO, the customer\'s answers with their times and the agreements, on A4 without navigation', async () => {
  // A mandatory agreement, an offer by SMS, and the customer's confirmed answers.
  const agreement = await api('POST', '/api/v1/agreements', {
    title: { fr: 'Conditions générales de réparation', en: 'General terms of repair' },
    text: { fr: 'Article 1 – Les pièces remplacées sont tenues à disposition.', en: 'Article 1 – Replaced parts are kept for you.' },
    mandatory: true, active: true,
  });
  assert.equal(agreement.status, 201, JSON.stringify(agreement.body));
  const phone = ro.parties[0].contact_points.find((c) => c.kind === 'phone');
  const sent = await api('POST', `/api/v1/repair-orders/${ro.id}/offers`, { recipients: [phone.id], note: 'Bonjour, voici nos propositions.' });
  assert.equal(sent.status, 201, JSON.stringify(sent.body));
  const [token] = await until('the SMS with its link', async () => { const l = await smsLinks(server, phone.value); return l.length && l; });
  const customer = await (await browser.newContext({ locale: 'fr-FR', viewport: { width: 390, height: 844 } })).newPage();
  await customer.goto(`${server.publicBase}/o/${token}`);
  const answers = await customer.evaluate(async ({ token, items, agreementId }) => {
    const post = (what, body) => fetch(`/o/${token}/${what}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const open = await post('open', {});
    const decided = await post('decisions', {
      decisions: { [items[0]]: 'accept', [items[1]]: 'decline', [items[2]]: 'accept' }, agreements: [agreementId], confirm: true,
    });
    return [open.status, decided.status];
  }, { token, items: ro.interventions.map((i) => i.id), agreementId: agreement.body.id });
  assert.deepEqual(answers, [200, 200]);
  await customer.context().close();
  const offer = (await api('GET', `/api/v1/repair-orders/${ro.id}/offers`)).body.items[0];
  assert.ok(offer.confirmed_at);

  // The RO page has the button; on paper, its navigation is gone too.
  const p = pageA;
  await p.goto(roUrl());
  await p.locator('section.card-offers .chip', { hasText: 'Confirmée' }).waitFor();
  const button = p.getByRole('link', { name: 'Imprimer' });
  assert.equal(await button.getAttribute('href'), `/repair-orders/${ro.id}/print`);
  await p.emulateMedia({ media: 'print' });
  assert.equal(await p.getByRole('navigation', { name: 'Navigation principale' }).isVisible(), false);
  await p.emulateMedia({ media: 'screen' });

  // It opens the print view beside the RO page.
  const [view] = await Promise.all([context.waitForEvent('page'), button.click()]);
  watch(view);
  await view.waitForURL(`**/repair-orders/${ro.id}/print`);
  const doc = view.locator('.print-doc');
  await doc.getByRole('heading', { level: 1, name: `Ordre de réparation ${ro.number}` }).waitFor();
  await view.getByRole('button', { name: 'Imprimer' }).waitFor();
  assert.equal(await view.locator('.topbar, nav').count(), 0, 'no navigation chrome');
  await shot(view, 'print');

  await view.emulateMedia({ media: 'print' });
  assert.equal(await view.getByRole('button', { name: 'Imprimer' }).isVisible(), false, 'the toolbar is not printed');
  const text = normalise(await doc.innerText());
  assert.ok(text.includes(DEALER), text);
  assert.ok(text.includes(ro.number));
  assert.ok(text.includes('GE-427-AB') && text.includes('Peugeot 3008') && text.includes('61 230 km'), text);
  assert.ok(text.includes('Mme Zoé Brulé') && text.includes(PHONE), text);
  // The interventions with their prices, the labels whole.
  assert.ok(text.includes('Pneus avant 225/45 R17') && text.includes('216,00 €'), text);
  assert.ok(text.includes(LONG_LABEL), 'the long label whole');
  // The customer's answers, confirmed, with the time and who confirmed; the agreement accepted, with its time.
  const decisions = doc.locator('.print-decisions tbody tr');
  // (the offer's order: initial interventions first)
  assert.deepEqual(await decisions.evaluateAll((rows) => rows.map((r) => r.dataset.decision)), ['accept', 'accept', 'decline']);
  assert.deepEqual((await decisions.locator('.print-decision').allInnerTexts()).map(normalise), ['À faire', 'À faire', 'Refusé']);
  assert.equal(normalise(await doc.locator('.print-confirmation').innerText()),
    `Réponses confirmées le ${paris(offer.confirmed_at)} par Zoé Brulé.`);
  const accepted = offer.agreements[0].accepted_at;
  assert.ok(accepted);
  assert.match(normalise(await doc.locator('.print-agreements li').innerText()),
    new RegExp(`Conditions générales de réparation · Version 1 · obligatoire · acceptée le ${paris(accepted).replace(/[/]/g, '\\/')}`));
  assert.ok(text.includes(`Vue ${paris(offer.seen_at)}`), text);
  assert.ok(text.includes('Accepté par le client TTC'), text);
  await view.setViewportSize({ width: 794, height: 1123 }); // A4 at 96 dpi
  await shot(view, 'print-paper', { fullPage: true });

  // And as a PDF on A4.
  const pdf = await view.pdf({ format: 'A4', printBackground: true });
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  const size = /\/MediaBox\s*\[\s*0 0 (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)\s*\]/.exec(pdf.toString('latin1'));
  assert.ok(size && Math.abs(Number(size[1]) - 595) < 2 && Math.abs(Number(size[2]) - 842) < 2, `A4 pages (${size && size.slice(1)})`);
  await view.close();
});

step('no Content-Security-Policy violation or script error', async () => {
  assert.deepEqual(problems, []);
});
