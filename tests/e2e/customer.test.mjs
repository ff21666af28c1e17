// The customer's decision page in Debian's Chromium against the real relais and its emulated
// modem: an offer sent by SMS (read back from the modem's journal), a link scanner's visit
// that changes nothing, browser A deciding (partly by keyboard) and confirming, the advisor's RO
// page showing `confirmed` live, browser B asking for a new link by SMS and taking the offer over from A; then
// the same by email through the maildir, with the advisor's RO page following live. Before
// any of it, the dealer admin writes the agreements the customer must accept to confirm.
// Along the way: confirming with answers missing takes the page and the keyboard to the first
// one; a free check in good order needs no decision; the garage's name and phone (tap to call)
// on the start, other-device and receipt pages, with what happens next; axe-core on every screen.
//
//   RELAIS_BIN=build/server/relais node --test tests/e2e/customer.test.mjs
// With RELAIS_SHOTS=DIR, screenshots of each screen (390×844) are written to DIR.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';
import {
  startRelais, until, CHROMIUM, CHROMIUM_ARGS, signInFirstAdmin, callApi, seriousAxeViolations, smsLinks,
} from './relais-server.mjs';

const PHONE = {
  viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
  locale: 'fr-FR', timezoneId: 'Europe/Paris',
};
const shotsDir = process.env.RELAIS_SHOTS;

let server, browser, advisor, ro, offer;
const cspViolations = [];
const axeScreens = [];

async function shot(page, name) {
  if (!shotsDir) return;
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: path.join(shotsDir, `customer-${name}.png`), animations: 'disabled', caret: 'hide' });
}

/** The advisor's API, called from the signed-in page `advisor`. */
function api(method, url, body) { return callApi(advisor, method, url, body); }

/** The magic links in the emails written to the maildir (new/), oldest first; the text part is
 * quoted-printable, so soft line breaks are undone first. */
async function mailLinks() {
  const dir = path.join(server.dir, 'data', 'mail', 'new');
  const names = (await readdir(dir).catch(() => [])).sort();
  const links = [];
  for (const name of names) {
    const raw = (await readFile(path.join(dir, name), 'utf8')).replace(/=\r?\n/g, '');
    const m = /\/o\/([A-Za-z0-9_-]{22})/.exec(raw);
    if (m) links.push({ token: m[1], raw });
  }
  return links;
}

/** Visible text whose colour against its background is under WCAG AA: 4.5:1, or 3:1 for large
 * text (24 px, or 18.66 px bold). Disabled controls (drawn faded on purpose) are left out. */
function lowContrast(page) {
  return page.evaluate(() => {
    const channels = (s) => (s.match(/[\d.]+/g) || []).map(Number);
    const luminance = (rgb) => {
      const [r, g, b] = rgb.map((v) => { const c = v / 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const background = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = channels(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || c[3] > 0) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const faded = (el) => { for (let e = el; e; e = e.parentElement) if (Number(getComputedStyle(e).opacity) < 1) return true; return false; };
    const bad = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      const style = getComputedStyle(el);
      if (!n.textContent.trim() || !el.getClientRects().length || style.visibility === 'hidden') continue;
      if (el.closest('.visually-hidden') || faded(el)) continue;
      const label = el.closest('label');
      const control = label && (label.control || document.getElementById(label.htmlFor));
      if (el.closest('[disabled]') || (control && control.disabled)) continue;
      const l1 = luminance(channels(style.color).slice(0, 3));
      const l2 = luminance(background(el));
      const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) bad.push(`${n.textContent.trim().slice(0, 40)}: ${ratio.toFixed(2)}`);
    }
    return bad;
  });
}

/** axe-core on `page` as it is now (the `screen` named in the message): fails on any serious or
 * critical violation, naming the rule, the elements and the help for each. Evaluated, not added as
 * a script tag: the page's Content-Security-Policy allows no inline script. */
async function accessible(page, screen) {
  const report = await seriousAxeViolations(page);
  assert.deepEqual(report, [], `axe-core on the ${screen} screen:\n${report.join('\n')}`);
  axeScreens.push(screen);
}

/** Whether `locator` is on screen, not hidden under the bar fixed at the bottom. */
function inView(locator) {
  return locator.evaluate((e) => {
    const r = e.getBoundingClientRect();
    const bar = document.querySelector('.bar');
    const bottom = bar ? bar.getBoundingClientRect().top : innerHeight;
    return r.top >= 0 && r.bottom <= bottom && e.contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2));
  });
}

async function customerPage(options = {}) {
  const context = await browser.newContext({ ...PHONE, ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text()); });
  page.on('pageerror', (e) => cspViolations.push(`page error: ${e.message}`));
  return page;
}

before(async () => {
  server = await startRelais({ dealerName: 'Garage des Essais', dealerPhone: '+33 1 23 45 67 89', prefix: 'relais-e2e-customer-' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  advisor = await (await browser.newContext()).newPage();
  await advisor.goto(server.base + '/');
  assert.deepEqual(await signInFirstAdmin(advisor, server.oneTimePassword, 'atelier-essais-2026'), [200, 204]);
  const created = await api('POST', '/api/v1/repair-orders', {
    vehicle: { plate: 'fg-456-hj', make: 'Renault', model: 'Clio' },
    promised_at: '2030-06-14T17:30', // the dealership's time (Paris)
    parties: [{ roles: ['driver'], title: 'Mme', first_name: 'Zoé', last_name: 'Brûlé',
      contact_points: [{ kind: 'phone', value: '06 98 76 54 32' }] }],
    interventions: [
      { label: 'Vidange et filtre à huile', price_excl_cents: 8900, kind: 'initial', severity: 'green' },
      // A check found in good order, nothing to pay: informational, no decision to make.
      { label: 'Contrôle de la batterie', mechanic_note: 'Charge et fixation vérifiées.', price_excl_cents: 0,
        kind: 'initial', severity: 'green' },
      { label: 'Plaquettes de frein avant', mechanic_note: 'Usées à 80 %, à remplacer avant l’hiver.',
        price_excl_cents: 14500, kind: 'optional', severity: 'red' },
      { label: 'Balais d’essuie-glace', price_excl_cents: 2490, kind: 'optional', severity: 'orange' },
    ],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  ro = created.body;
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (!process.exitCode) await server?.remove();
  else console.log(`kept ${server?.dir}`);
});

const TERMS = 'Conditions générales de réparation';
test('the dealer admin writes the agreements in the workspace; a change makes version 2', async () => {
  await advisor.goto(`${server.base}/admin/agreements`);
  await advisor.getByRole('heading', { name: 'Aucune condition' }).waitFor();
  const write = async (title, text, titleEn, textEn, mandatory) => {
    await advisor.getByRole('button', { name: 'Nouvelle condition' }).first().click();
    const dialog = advisor.getByRole('dialog');
    await dialog.getByLabel('Titre (français)').fill(title);
    await dialog.getByLabel('Texte (français)').fill(text);
    await dialog.getByLabel('Titre (anglais)').fill(titleEn);
    await dialog.getByLabel('Texte (anglais)').fill(textEn);
    await dialog.getByLabel('Obligatoire : le client doit l’accepter pour confirmer').setChecked(mandatory);
    await dialog.getByRole('button', { name: 'Nouvelle condition' }).click();
    await dialog.waitFor({ state: 'detached' });
  };
  // A text without its title is refused, naming the field.
  await advisor.getByRole('button', { name: 'Nouvelle condition' }).first().click();
  await advisor.getByRole('dialog').getByLabel('Texte (français)').fill('Sans titre');
  await advisor.getByRole('dialog').getByRole('button', { name: 'Nouvelle condition' }).click();
  const invalid = advisor.getByRole('dialog').locator('[aria-invalid="true"]');
  await invalid.waitFor();
  assert.equal(await invalid.getAttribute('data-field'), 'title.fr');
  await advisor.getByRole('dialog').getByRole('button', { name: 'Annuler' }).click();

  await write(TERMS, 'Article 1 – Le devis est valable 15 jours.\nArticle 2 – Les pièces remplacées vous sont rendues sur demande.',
    'General terms of repair', 'Article 1 – The estimate is valid 15 days.\nArticle 2 – Replaced parts are returned on request.', true);
  await write('Conseils d’entretien par SMS', 'Recevoir un rappel avant la prochaine révision.',
    'Maintenance tips by SMS', 'Get a reminder before the next service.', false);

  // The admin corrects the first one: version 2, which the next offers carry.
  const row = advisor.getByRole('row', { name: new RegExp(TERMS) });
  await row.getByRole('button', { name: 'Modifier' }).click();
  const dialog = advisor.getByRole('dialog');
  await dialog.getByLabel('Texte (français)').fill('Article 1 – Le devis est valable 30 jours.\nArticle 2 – Les pièces remplacées vous sont rendues sur demande.');
  await dialog.getByRole('button', { name: 'Enregistrer la version 2' }).click();
  await dialog.waitFor({ state: 'detached' });
  await row.getByText('Version 2').waitFor();
  const listed = (await api('GET', '/api/v1/agreements')).body.items;
  assert.deepEqual(listed.map((a) => [a.title.fr, a.version, a.mandatory]),
    [[TERMS, 2, true], ['Conseils d’entretien par SMS', 1, false]]);
});

test('an offer sent by SMS arrives in the modem with its link', async () => {
  const phone = ro.parties[0].contact_points[0].id;
  const sent = await api('POST', `/api/v1/repair-orders/${ro.id}/offers`,
    { recipients: [phone], note: 'Bonjour Madame Brûlé,\nvos plaquettes avant sont bien usées. Dites-moi ce que vous souhaitez.' });
  assert.equal(sent.status, 201, JSON.stringify(sent.body));
  offer = sent.body;
  await until('the SMS', async () => (await smsLinks(server)).length === 1);
});

test('a link scanner loading the page without interacting changes nothing', async () => {
  const [token] = await smsLinks(server);
  const page = await customerPage();
  await page.goto(`${server.publicBase}/o/${token}`);
  await page.getByRole('button', { name: 'Ouvrir mon devis' }).waitFor();
  await shot(page, 'start');
  await accessible(page, 'start');
  // Before anything is opened, the garage's name and its phone, tap to call.
  await page.locator('main').getByText('Garage des Essais').waitFor();
  assert.equal(await page.getByRole('link', { name: 'Appeler le 01 23 45 67 89' }).getAttribute('href'), 'tel:+33123456789');
  await page.reload();
  await page.close();
  const o = (await api('GET', `/api/v1/offers/${offer.id}`)).body;
  assert.notEqual(o.state, 'seen');
  assert.equal(o.seen_at, null);
  const events = (await api('GET', `/api/v1/repair-orders/${ro.id}/timeline`)).body.items.map((e) => e.type);
  assert.ok(!events.includes('link.bound'), events.join(', '));
});

let pageA;
test('browser A opens the offer, reads the note, decides per item and confirms', async () => {
  const [token] = await smsLinks(server);
  await advisor.goto(`${server.base}/repair-orders/${ro.id}`);
  await advisor.locator('section.card-offers article.offer').waitFor();
  await advisor.evaluate(() => { window.relaisNoReload = true; });
  pageA = await customerPage();
  await pageA.goto(`${server.publicBase}/o/${token}`);
  await pageA.getByRole('button', { name: 'Ouvrir mon devis' }).click();
  const welcome = pageA.getByRole('dialog');
  await welcome.getByText('vos plaquettes avant sont bien usées').waitFor();
  await shot(pageA, 'welcome');
  await accessible(pageA, 'welcome');
  await welcome.getByRole('button', { name: 'Voir les interventions' }).click();
  assert.equal((await api('GET', `/api/v1/offers/${offer.id}`)).body.state, 'seen');
  // Back later on the same phone: straight to the offer, no tap, and the welcome only once.
  await pageA.reload();
  await pageA.getByRole('group', { name: 'Votre décision pour Vidange et filtre à huile' }).waitFor();
  assert.equal(await pageA.getByRole('button', { name: 'Ouvrir mon devis' }).count(), 0);
  assert.equal(await pageA.getByRole('dialog').count(), 0, 'the welcome is shown once per version');

  // Initial items first, then the optional ones; radios in the order accept, decline, contact me.
  const headings = await pageA.locator('article h3').allTextContents();
  assert.deepEqual(headings, ['Vidange et filtre à huile', 'Contrôle de la batterie', 'Plaquettes de frein avant', 'Balais d’essuie-glace']);
  // The battery check, in good order and free, is shown as such: nothing to decide.
  const battery = pageA.locator('article.item', { hasText: 'Contrôle de la batterie' });
  await battery.getByText('Contrôlé — rien à faire').waitFor();
  await battery.getByText('Charge et fixation vérifiées.').waitFor();
  assert.equal(await battery.getByRole('radio').count(), 0, 'no decision buttons on an informational item');
  assert.equal(await battery.getByText(/€/).count(), 0, 'no price on an informational item');
  const first = pageA.getByRole('group', { name: 'Votre décision pour Vidange et filtre à huile' });
  assert.deepEqual(await first.getByRole('radio').evaluateAll((rs) => rs.map((r) => r.value)),
    ['accept', 'decline', 'contact_me']);
  const brakes = pageA.getByRole('group', { name: 'Votre décision pour Plaquettes de frein avant' });
  await brakes.getByRole('radio', { name: 'Faire', exact: true }).check();
  const total = () => pageA.locator('#total').textContent().then((s) => s.replace(/\s/g, ' '));
  await until('the running total', async () => (await total()) === '174,00 €');
  await shot(pageA, 'decisions');
  await accessible(pageA, 'offer');

  // Confirming from the bottom of the page with two items unanswered says so, takes the page
  // and the keyboard to the first of them, out of sight above, and marks both, in words too.
  const wipers = pageA.getByRole('group', { name: 'Votre décision pour Balais d’essuie-glace' });
  await pageA.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  assert.equal(await inView(first), false, 'the first item is out of sight before confirming');
  await pageA.getByRole('button', { name: 'Confirmer ma commande' }).click();
  await pageA.getByRole('alert').getByText('Il manque votre réponse pour 2 interventions.').waitFor();
  const firstDo = first.getByRole('radio', { name: 'Faire', exact: true });
  assert.equal(await firstDo.evaluate((r) => r === document.activeElement), true, 'the keyboard is on the first missing item');
  assert.equal(await inView(first), true, 'the first missing item is scrolled into view');
  const need = 'Réponse attendue\u00a0: choisissez une option.';
  for (const group of [first, wipers]) {
    assert.equal(await group.getAttribute('aria-invalid'), 'true');
    assert.equal(await pageA.locator('article.item', { has: group }).getByText(need).isVisible(), true);
    // Said with each choice as a screen reader reaches it.
    assert.deepEqual(await group.getByRole('radio').evaluateAll((rs) => rs.map((r) => document.getElementById(r.getAttribute('aria-describedby'))?.textContent)),
      [need, need, need]);
  }
  assert.equal(await brakes.getAttribute('aria-invalid'), null, 'an answered item is not marked');
  await shot(pageA, 'missing');
  await accessible(pageA, 'missing answers');
  // Answered from there by keyboard: its mark goes, the other's stays.
  await pageA.keyboard.press('Space');
  assert.equal(await firstDo.isChecked(), true);
  assert.equal(await first.getAttribute('aria-invalid'), null);
  assert.equal(await pageA.locator('article.item', { has: first }).getByText(need).count(), 0);
  assert.equal(await wipers.getAttribute('aria-invalid'), 'true');
  await until('the running total', async () => (await total()) === '280,80 €');
  assert.deepEqual(await lowContrast(pageA), [], 'text under WCAG AA contrast');

  // This one by keyboard: the page redraws on each answer and the focus must stay on the radio.
  await wipers.getByRole('radio', { name: 'Faire', exact: true }).focus();
  await pageA.keyboard.press('Space');
  await pageA.keyboard.press('ArrowRight');
  await pageA.keyboard.press('ArrowRight');
  assert.equal(await wipers.getByRole('radio', { name: 'M’appeler' }).isChecked(), true);
  assert.equal(await pageA.evaluate(() => document.activeElement.value), 'contact_me');
  // The mandatory agreement left unticked: said, and the keyboard taken to it.
  await pageA.getByRole('button', { name: 'Confirmer ma commande' }).click();
  await pageA.getByRole('alert').getByText('Cochez les conditions obligatoires pour confirmer.').waitFor();
  const terms = pageA.getByRole('checkbox', { name: `J’ai lu et j’accepte : ${TERMS} (obligatoire)` });
  assert.equal(await terms.getAttribute('aria-invalid'), 'true');
  // Polled: the answers typed just before may still be saving, and each save redraws the page.
  // Once, with the other browser suites running alongside, the focus was not there yet when read.
  await until('the keyboard on the agreement to tick', () => terms.evaluate((c) => c === document.activeElement));
  // Its text, opened and read by keyboard: the scrolling text is a named stop of its own (WCAG 2.1.1).
  await pageA.keyboard.press('Tab');
  await pageA.keyboard.press('Enter');
  await pageA.getByText('Le devis est valable 30 jours.').waitFor();  // version 2, frozen at the send
  await pageA.keyboard.press('Tab');
  const text = pageA.getByRole('region', { name: `Texte\u00a0: ${TERMS}` });
  assert.equal(await text.evaluate((e) => e === document.activeElement), true, 'the agreement text takes the keyboard');
  assert.match(await text.innerText(), /Le devis est valable 30 jours/);
  await pageA.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await shot(pageA, 'agreements');
  await accessible(pageA, 'agreement');
  await terms.check();
  await pageA.getByRole('button', { name: 'Confirmer ma commande' }).click();
  const summary = pageA.getByRole('dialog');
  await summary.getByText('Récapitulatif').waitFor();
  await summary.getByRole('listitem').filter({ hasText: TERMS }).waitFor();
  assert.equal(await summary.getByText('Contrôle de la batterie').count(), 0, 'nothing was asked about the battery check');
  await shot(pageA, 'summary');
  await accessible(pageA, 'summary');
  await summary.getByRole('button', { name: 'Confirmer et envoyer' }).click();
  await pageA.getByText('Merci, votre réponse a été envoyée').waitFor();
  // What happens next, in the dealership's time, and whom to call.
  const receipt = pageA.locator('.receipt');
  await receipt.getByText('Votre conseiller vous appelle comme demandé, pour 1 intervention ; véhicule prêt le vendredi 14 juin 2030 à 17:30.').waitFor();
  await receipt.getByText('Garage des Essais', { exact: true }).waitFor();
  assert.equal(await receipt.getByRole('link', { name: 'Appeler le 01 23 45 67 89' }).getAttribute('href'), 'tel:+33123456789');
  await shot(pageA, 'receipt');
  assert.deepEqual(await lowContrast(pageA), [], 'text under WCAG AA contrast');
  await accessible(pageA, 'receipt');
  // The advisor's RO page, open since before the confirmation, follows without a reload.
  await advisor.locator('section.card-offers article.offer .chip', { hasText: 'Confirmée' }).waitFor();
  assert.equal(await advisor.evaluate(() => window.relaisNoReload), true, 'the advisor page was reloaded');
  assert.equal(await pageA.getByRole('radio').first().isDisabled(), true, 'read-only after confirmation');

  const o = (await api('GET', `/api/v1/offers/${offer.id}`)).body;
  assert.equal(o.state, 'confirmed');
  assert.deepEqual(o.items.map((i) => i.decision), ['accept', null, 'accept', 'contact_me']);
  assert.deepEqual(o.agreements.map((a) => [a.title.fr, a.version, Boolean(a.accepted_at)]),
    [[TERMS, 2, true], ['Conseils d’entretien par SMS', 1, false]]);
  const confirmed = (await api('GET', `/api/v1/repair-orders/${ro.id}/timeline`)).body.items.find((e) => e.type === 'offer.confirmed');
  assert.deepEqual(confirmed.data.agreements.map((a) => [a.title, a.version]), [[TERMS, 2]]);

  await pageA.reload();
  await pageA.getByText('Vos réponses').waitFor();
  assert.equal(await pageA.getByRole('button', { name: 'Ouvrir mon devis' }).count(), 0, 'a bound device is not asked again');
  assert.equal(await pageA.getByRole('radio', { name: 'M’appeler' }).last().isChecked(), true);
});

test('the advisor previews what the customer sees now, read-only', async () => {
  await advisor.goto(`${server.base}/preview/offers/${offer.id}`);
  await advisor.getByText('Aperçu : la page telle que le client la voit maintenant').waitFor();
  assert.deepEqual(await advisor.locator('article h3').allTextContents(),
    ['Vidange et filtre à huile', 'Contrôle de la batterie', 'Plaquettes de frein avant', 'Balais d’essuie-glace']);
  await advisor.locator('article.item', { hasText: 'Contrôle de la batterie' }).getByText('Contrôlé — rien à faire').waitFor();
  const callMe = advisor.getByRole('group', { name: 'Votre décision pour Balais d’essuie-glace' })
    .getByRole('radio', { name: 'M’appeler' });
  assert.equal(await callMe.isChecked(), true);
  assert.equal(await callMe.isDisabled(), true);
  assert.equal(await advisor.getByRole('button', { name: 'Confirmer ma commande' }).count(), 0);
  await shot(advisor, 'advisor-preview');
  await advisor.goto(server.base + '/');
});

test('browser B sees nothing personal, gets a new link by SMS, and A is refused after', async () => {
  const [token] = await smsLinks(server);
  // A phone set to another time zone: the times shown are still the dealership's.
  const pageB = await customerPage({ timezoneId: 'America/New_York' });
  await pageB.goto(`${server.publicBase}/o/${token}`);
  await pageB.getByRole('button', { name: 'Ouvrir mon devis' }).click();
  await pageB.getByText('Ce devis est déjà ouvert sur un autre appareil.').waitFor();
  const text = await pageB.locator('body').innerText();
  assert.ok(!/Brûlé|Clio|Plaquettes/.test(text), text);
  // Nothing personal, but whom to call.
  await pageB.locator('main').getByText('Garage des Essais').waitFor();
  assert.equal(await pageB.getByRole('link', { name: 'Appeler le 01 23 45 67 89' }).getAttribute('href'), 'tel:+33123456789');
  await shot(pageB, 'other-device');
  assert.deepEqual(await lowContrast(pageB), [], 'text under WCAG AA contrast');
  await accessible(pageB, 'other device');
  await pageB.getByRole('button', { name: 'Envoyer un nouveau lien au ••32' }).click();
  await pageB.getByText('Un nouveau lien a été envoyé au ••32').waitFor();
  await accessible(pageB, 'new link sent');

  const links = await until('the new SMS', async () => { const l = await smsLinks(server); return l.length === 2 && l; });
  await pageB.goto(`${server.publicBase}/o/${links[1]}`);
  await pageB.getByRole('button', { name: 'Ouvrir mon devis' }).click();
  await pageB.getByText('Vos réponses').waitFor();
  await pageB.locator('.receipt').getByText('véhicule prêt le vendredi 14 juin 2030 à 17:30.', { exact: false }).waitFor();
  await pageB.getByRole('button', { name: 'EN – English', exact: true }).click();
  await pageB.locator('.receipt').getByText('Your service advisor will call you about 1 item, as you asked; your vehicle will be ready on Friday, 14 June 2030 at 17:30.').waitFor();

  await pageA.reload();
  await pageA.getByText('Ce devis est déjà ouvert sur un autre appareil.').waitFor();
});

test('by email: the link in the maildir, decided and confirmed in browser C while the advisor watches live; browser D takes over by email', async () => {
  const created = await api('POST', '/api/v1/repair-orders', {
    vehicle: { plate: 'gh-321-jk', make: 'Citroën', model: 'C3' },
    parties: [{ roles: ['driver', 'owner'], first_name: 'Paul', last_name: 'Durand',
      contact_points: [{ kind: 'email', value: 'paul.durand@exemple.fr' }] }],
    interventions: [
      { label: 'Révision 60 000 km', price_excl_cents: 21000, kind: 'initial', severity: 'green' },
      { label: 'Courroie d’accessoires', price_excl_cents: 9500, kind: 'optional', severity: 'orange' },
    ],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const ro2 = created.body;
  await advisor.goto(`${server.base}/repair-orders/${ro2.id}`);
  await advisor.getByRole('heading', { name: 'Offres au client' }).waitFor();
  await advisor.evaluate(() => { window.relaisNoReload = true; });

  const sent = await api('POST', `/api/v1/repair-orders/${ro2.id}/offers`,
    { recipients: [ro2.parties[0].contact_points[0].id], note: 'Bonjour Monsieur Durand, voici le devis.' });
  assert.equal(sent.status, 201, JSON.stringify(sent.body));
  const mails = await until('the email', async () => { const m = await mailLinks(); return m.length === 1 && m; });
  assert.match(mails[0].raw, /^To: .*paul\.durand@exemple\.fr/m);
  // The relay's (here the maildir's) acceptance is "received" for email.
  const panel = advisor.locator('section.card-offers article.offer');
  await panel.locator('.chip', { hasText: 'Reçue' }).waitFor();

  const pageC = await customerPage();
  await pageC.goto(`${server.publicBase}/o/${mails[0].token}`);
  await pageC.getByRole('button', { name: 'Ouvrir mon devis' }).click();
  await pageC.getByRole('dialog').getByText('voici le devis').waitFor();
  await pageC.getByRole('dialog').getByRole('button', { name: 'Voir les interventions' }).click();
  await pageC.getByRole('group', { name: 'Votre décision pour Révision 60 000 km' }).getByRole('radio', { name: 'Faire', exact: true }).check();
  await pageC.getByRole('group', { name: 'Votre décision pour Courroie d’accessoires' }).getByRole('radio', { name: 'Ne pas faire' }).check();
  await pageC.getByRole('checkbox', { name: new RegExp(TERMS) }).check();
  await pageC.getByRole('checkbox', { name: /Conseils d’entretien/ }).check();
  await pageC.getByRole('button', { name: 'Confirmer ma commande' }).click();
  await pageC.getByRole('dialog').getByRole('button', { name: 'Confirmer et envoyer' }).click();
  await pageC.getByText('Merci, votre réponse a été envoyée').waitFor();
  // No call asked for, no promised time on this RO.
  await pageC.locator('.receipt').getByText('Votre conseiller vous rappelle si besoin ; il vous prévient dès que votre véhicule est prêt.').waitFor();

  // The advisor's page shows it without a reload.
  await panel.locator('.chip', { hasText: 'Confirmée' }).waitFor();
  await until('both agreements shown accepted', async () => (await panel.locator('.offer-agreements li.is-accepted').count()) === 2);
  assert.match(await panel.locator('.offer-agreements li').first().innerText(), /Version 2 · Obligatoire\s+acceptée le/);
  await advisor.getByText('Conditions acceptées : « Conditions générales de réparation », version 2').waitFor();
  await panel.locator('.offer-agreements').scrollIntoViewIfNeeded();
  await shot(advisor, 'advisor-offer-agreements');
  assert.equal(await advisor.evaluate(() => window.relaisNoReload), true, 'the advisor page was reloaded');
  assert.deepEqual((await api('GET', `/api/v1/offers/${sent.body.id}`)).body.items.map((i) => i.decision), ['accept', 'decline']);

  // Another device asks for a new link: it goes to the original address, masked on screen.
  const pageD = await customerPage();
  await pageD.goto(`${server.publicBase}/o/${mails[0].token}`);
  await pageD.getByRole('button', { name: 'Ouvrir mon devis' }).click();
  await pageD.getByText('Ce devis est déjà ouvert sur un autre appareil.').waitFor();
  assert.ok(!/Durand|C3|Courroie/.test(await pageD.locator('body').innerText()));
  await pageD.getByRole('button', { name: 'Envoyer un nouveau lien à p••\u2022@e••\u2022.fr' }).click();
  await pageD.getByText('Un nouveau lien a été envoyé à p••\u2022@e••\u2022.fr').waitFor();
  const again = await until('the new email', async () => { const m = await mailLinks(); return m.length === 2 && m; });
  assert.match(again[1].raw, /^To: .*paul\.durand@exemple\.fr/m);
  await pageD.goto(`${server.publicBase}/o/${again[1].token}`);
  await pageD.getByRole('button', { name: 'Ouvrir mon devis' }).click();
  await pageD.getByText('Vos réponses').waitFor();
  await pageC.reload();
  await pageC.getByText('Ce devis est déjà ouvert sur un autre appareil.').waitFor();
  await pageC.context().close();
  await pageD.context().close();
});

test('an unknown link and an expired one say so, and pass axe-core', async () => {
  const page = await customerPage();
  await page.goto(`${server.publicBase}/o/${'Zz9'.repeat(11)}`);
  await page.getByRole('button', { name: 'Ouvrir mon devis' }).click();
  await page.getByText('Ce lien n’est pas valide. Vérifiez qu’il est complet.').waitFor();
  await shot(page, 'unknown-link');
  await accessible(page, 'unknown link');
  // A link expires after 30 days: the server's answer for one, as it gives it, drawn by the page.
  await page.route('**/open', (route) => route.fulfill({ status: 403, contentType: 'application/json',
    body: JSON.stringify({ status: 'expired', language: 'fr', channel: 'sms', masked_destination: '••32' }) }));
  await page.reload();
  await page.getByRole('button', { name: 'Ouvrir mon devis' }).click();
  await page.getByText('Ce lien a expiré.').waitFor();
  await page.getByRole('button', { name: 'Envoyer un nouveau lien au ••32' }).waitFor();
  await shot(page, 'expired');
  await accessible(page, 'expired link');
  await page.context().close();
});

test('the English switch and no Content-Security-Policy violation', async () => {
  // Each language button's name begins with what it shows (WCAG 2.5.3, label in name).
  assert.deepEqual(await pageA.locator('[data-lang]').evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label').startsWith(b.textContent.trim()))), [true, true]);
  await pageA.getByRole('button', { name: 'EN – English', exact: true }).click();
  await pageA.getByText('This estimate is already open on another device.').waitFor();
  await pageA.getByRole('link', { name: 'Call 01 23 45 67 89' }).waitFor();
  assert.deepEqual(cspViolations, []);
  assert.deepEqual(axeScreens, ['start', 'welcome', 'offer', 'missing answers', 'agreement', 'summary', 'receipt',
    'other device', 'new link sent', 'unknown link', 'expired link'], 'axe-core ran on every customer screen');
});
