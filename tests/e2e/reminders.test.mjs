// The reminders of an offer in the advisor workspace, against the real relais (its emulated
// modem answers with delivery reports; email goes to the maildir): the send dialog's plan
// (urgent, every 2 h), the offer's "Relances" block (0 of 5, the next one's time), a reminder
// sent now with its delivery per recipient, pause and resume, a change to custom every 24 h,
// the timeline's words; then Administration → Settings, "Opening hours and reminders": a new
// week saved, and a refused one shown next to its field.
//
//   cd tests/e2e && RELAIS_BIN=/work/main/build/server/relais node --test reminders.test.mjs
// With RELAIS_SHOTS=1, docs/screenshots/workspace-reminders-*.png are written (1366×768);
// RELAIS_SHOTS=DIR writes them to DIR instead.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { chromium } from 'playwright-core';
import {
  startRelais, until as poll, CHROMIUM, CHROMIUM_ARGS, failureShots, signedInWorkspace, callApi, finish, SHOTS_DIR,
} from './relais-server.mjs';

const PASSWORD = 'atelier-relances-2026';
const PHONE = '06 98 76 54 32';
const EMAIL = 'zoe.brule@exemple.fr';

let server;
let browser;
let page;
let ro;
const pageProblems = [];
const { step, failed } = failureShots({ page: () => page, dir: () => server && server.dir });

const until = (what, check, timeoutMs = 15000) => poll(what, check, { timeoutMs, alive: () => server && server.alive() });
const normalise = (s) => s.replace(/[\s\u00a0\u202f]+/g, ' ').trim();
function api(method, url, body) { return callApi(page, method, url, body); }

async function shot(name, locator) {
  if (!SHOTS_DIR) return;
  await page.mouse.move(4, 300);
  await page.evaluate(() => document.fonts.ready);
  // The toasts of the steps before would hide the panel: shown without them.
  await until('no toast left', async () => (await page.locator('.toast').count()) === 0);
  const file = path.join(SHOTS_DIR, `workspace-reminders-${name}.png`);
  // A part taller than the window: shown whole in a window tall enough, below the sticky top bar.
  if (locator) {
    const tall = await locator.boundingBox();
    await page.setViewportSize({ width: 1366, height: Math.ceil(tall.height) + 140 });
    await locator.evaluate((el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 64));
    const box = await locator.boundingBox();
    await page.screenshot({
      path: file, clip: { x: box.x - 8, y: box.y - 8, width: box.width + 16, height: box.height + 16 }, animations: 'disabled', caret: 'hide',
    });
    await page.setViewportSize({ width: 1366, height: 768 });
  } else await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
}

before(async () => {
  server = await startRelais({ dealerName: 'Garage des Essais', prefix: 'relais-e2e-reminders-' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  page = await signedInWorkspace({ browser, server, password: PASSWORD, problems: pageProblems });

  const created = await api('POST', '/api/v1/repair-orders', {
    vehicle: { plate: 'fg-456-hj', make: 'Renault', model: 'Clio' },
    parties: [
      { roles: ['driver', 'owner'], title: 'Mme', first_name: 'Zoé', last_name: 'Brûlé',
        contact_points: [{ kind: 'phone', value: PHONE }, { kind: 'email', usage: 'professional', value: EMAIL }] },
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

const offerPanel = () => page.locator('section.card-offers article.offer');
const block = () => offerPanel().locator('.offer-reminders');
const latestOffer = async () => (await api('GET', `/api/v1/repair-orders/${ro.id}/offers`)).body.items[0];

async function scrollToReminders() {
  await page.evaluate(() => {
    const card = document.querySelector('section.card-offers');
    window.scrollTo(0, card.getBoundingClientRect().top + window.scrollY - 52 - 12);
  });
}

step('the send dialog: the dealership default first, urgent every 2 h explained, sent with the offer', async () => {
  await page.goto(`${server.base}/repair-orders/${ro.id}`);
  await page.getByRole('button', { name: 'Envoyer au client' }).click();
  const dlg = page.getByRole('dialog', { name: 'Envoyer le devis au client' });
  await dlg.waitFor();
  await dlg.getByRole('checkbox', { name: PHONE }).check();
  await dlg.getByRole('checkbox', { name: EMAIL }).check();
  const plan = dlg.getByLabel('Plan de relance', { exact: true });
  assert.equal(await plan.inputValue(), '', 'the dealership default is chosen until the advisor changes it');
  // The dealership's default, named (GET /api/v1/settings says it: gentle unless set).
  assert.equal(normalise(await plan.locator('option').first().innerText()), 'Réglage de la concession (douce)');
  const every = dlg.getByLabel('Heures entre deux relances');
  assert.equal(await every.isVisible(), false, 'no period for the default');
  await plan.selectOption('urgent');
  assert.equal(await every.inputValue(), '2');
  assert.match(normalise(await dlg.locator('.rem-explain').innerText()), /^Urgente : toutes les 2 h .*5 au plus, aux heures d'ouverture\.$/);
  await plan.selectOption('gentle');
  assert.match(normalise(await dlg.locator('.rem-explain').innerText()), /2 h avant l'heure promise/);
  assert.equal(await every.isVisible(), false);
  await plan.selectOption('urgent');
  await dlg.locator('.send-reminders').scrollIntoViewIfNeeded();
  await shot('send-dialog');

  await dlg.getByRole('button', { name: 'Prévisualiser' }).click();
  const preview = page.getByRole('dialog', { name: 'Aperçu avant envoi' });
  await preview.getByRole('button', { name: 'Envoyer', exact: true }).click();
  await preview.waitFor({ state: 'detached' });
  const offer = await latestOffer();
  assert.equal(offer.reminders.policy, 'urgent');
  assert.equal(offer.reminders.every_hours, 2);
});

step('the offer\'s reminders: urgent every 2 h, 0 of 5 sent, the next one\'s local time', async () => {
  await until('the offer sent', async () => ['sent', 'received'].includes(await offerPanel().getAttribute('data-state')));
  await block().waitFor();
  assert.match(normalise(await block().locator('.rem-policy-words').innerText()), /^Urgente : toutes les 2 h$/);
  assert.equal(normalise(await block().locator('.rem-count').innerText()), '0 sur 5 envoyées');
  const offer = await latestOffer();
  assert.ok(offer.reminders.next_at, 'the plan has a next reminder');
  const next = block().locator('.rem-status time');
  assert.equal(await next.getAttribute('datetime'), offer.reminders.next_at);
  assert.match(normalise(await block().locator('.rem-status').innerText()), /^Prochaine relance : \S+ \d{1,2} \S+ \d{2}:\d{2}$/);
  assert.equal(await block().locator('.rem-sent').count(), 0);
  await page.locator('.toast', { hasText: 'Version 1 envoyée au client.' }).waitFor({ state: 'detached' });
  await scrollToReminders();
  await shot('plan');
});

step('"Relancer maintenant" asks first, then 1 of 5 with the reminder\'s delivery per recipient', async () => {
  await block().getByRole('button', { name: 'Relancer maintenant' }).click();
  const confirm = page.getByRole('dialog', { name: /Relancer le client maintenant/ });
  assert.match(normalise(await confirm.innerText()), /même en dehors des heures d'ouverture\. Ce sera la relance 1 sur 5\./);
  await confirm.getByRole('button', { name: 'Relancer maintenant' }).click();
  await confirm.waitFor({ state: 'detached' });
  await until('1 of 5 shown', async () => normalise(await block().locator('.rem-count').innerText()) === '1 sur 5 envoyées');
  const sent = block().locator('.rem-sent');
  assert.equal(await sent.count(), 1);
  assert.equal(normalise(await sent.locator('.rem-sent-n').innerText()), 'Relance 1');
  assert.equal(await sent.locator('.rem-sent-rcpt').count(), 2, 'one line per recipient');
  // The panel follows the delivery live: the email is accepted by the maildir, the SMS reported.
  await until('the reminder delivered', async () => {
    await offerPanel().waitFor();
    const states = await block().locator('.rem-sent-rcpt .msg-state').allTextContents();
    return states.length === 2 && states.every((s) => /Remis/.test(s));
  }, 30000);
  assert.equal(normalise(await block().locator('.rem-sent-rcpt[data-channel="sms"] .rcpt-address').innerText()), PHONE);
  const offer = await latestOffer();
  assert.equal(offer.reminders.sent, 1);
  assert.equal(offer.messages.filter((m) => m.purpose === 'reminder').length, 2);
  await scrollToReminders();
  await shot('sent');
});

step('pause says "En pause", resume plans the next one again', async () => {
  await block().getByRole('button', { name: 'Mettre en pause' }).click();
  await block().locator('.rem-status.is-paused').waitFor();
  assert.match(normalise(await block().locator('.rem-status').innerText()), /^En pause/);
  assert.equal((await latestOffer()).reminders.paused, true);
  await scrollToReminders();
  await shot('paused');
  await block().getByRole('button', { name: 'Reprendre' }).click();
  await block().locator('.rem-status time').waitFor();
  const offer = await latestOffer();
  assert.equal(offer.reminders.paused, false);
  assert.equal(await block().locator('.rem-status time').getAttribute('datetime'), offer.reminders.next_at);
});

step('"Modifier" changes the plan to custom every 24 h', async () => {
  await block().getByRole('button', { name: 'Modifier' }).click();
  const form = block().getByRole('form', { name: 'Modifier les relances' });
  const plan = form.getByLabel('Plan de relance', { exact: true });
  assert.equal(await plan.inputValue(), 'urgent');
  await plan.selectOption('custom');
  const every = form.getByLabel('Heures entre deux relances');
  assert.equal(await every.inputValue(), '24');
  // Out of bounds: the box refuses it, said next to the period.
  await every.fill('800');
  await form.getByRole('button', { name: 'Enregistrer' }).click();
  await form.locator('.field-error:visible').waitFor();
  assert.equal(await every.getAttribute('aria-invalid'), 'true');
  await scrollToReminders();
  await shot('change');
  await every.fill('24');
  await form.getByRole('button', { name: 'Enregistrer' }).click();
  await until('custom every 24 h shown', async () => normalise(await block().locator('.rem-policy-words').innerText()) === 'Personnalisée : toutes les 24 h');
  const offer = await latestOffer();
  assert.equal(offer.reminders.policy, 'custom');
  assert.equal(offer.reminders.every_hours, 24);
  assert.equal(normalise(await block().locator('.rem-count').innerText()), '1 sur 5 envoyées');
});

step('the timeline words the reminder and the changes', async () => {
  const history = page.locator('.tl-item');
  const reminded = history.filter({ hasText: 'Relance envoyée au client' }).first();
  await reminded.waitFor();
  // The number as the RO shows it, not in E.164.
  assert.match(normalise(await reminded.innerText()), new RegExp(`Vers Zoé Brûlé \\(${PHONE}\\)`));
  await history.filter({ hasText: 'Relances modifiées' }).first().waitFor();
  assert.deepEqual(pageProblems, []);
});

step('Administration → Settings: opening hours saved, a bad week refused next to its field', async () => {
  await page.goto(`${server.base}/admin/settings`);
  const section = page.locator('section.card', { has: page.getByRole('heading', { level: 2, name: 'Heures d\'ouverture et relances' }) });
  await section.waitFor();
  const open = section.getByLabel('Heures d\'ouverture', { exact: true });
  // The tests' configuration is always open (relais-server.mjs: `[hours] open = ""`).
  assert.equal(await open.inputValue(), '');
  assert.equal(await section.getByRole('checkbox', { name: 'Fermé les jours fériés en France' }).isChecked(), true);
  assert.equal(await section.getByLabel('Relances par défaut').inputValue(), 'gentle');
  await open.fill('mon-fri 08:00-12:00 14:00-18:00, sat 09:00-12:00');
  await section.getByLabel('Autres jours de fermeture').fill('2026-12-24, 2026-12-31');
  await section.getByRole('button', { name: 'Enregistrer' }).click();
  const saved = page.locator('.toast', { hasText: 'Réglages enregistrés.' });
  await saved.waitFor({ timeout: 60000 });
  const s = (await api('GET', '/api/v1/admin/settings')).body;
  assert.equal(s.hours.open, 'mon-fri 08:00-12:00 14:00-18:00, sat 09:00-12:00');
  assert.equal(s.hours.closed, '2026-12-24, 2026-12-31');

  const again = page.locator('section.card', { has: page.getByRole('heading', { level: 2, name: 'Heures d\'ouverture et relances' }) });
  const open2 = again.getByLabel('Heures d\'ouverture', { exact: true });
  await until('the saved week shown', async () => (await open2.inputValue()) === 'mon-fri 08:00-12:00 14:00-18:00, sat 09:00-12:00');
  await saved.waitFor({ state: 'detached' });
  await open2.fill('mon 25:00-26:00');
  await again.getByRole('button', { name: 'Enregistrer' }).click();
  const error = again.locator('.field-error:visible').first();
  await error.waitFor();
  assert.ok(normalise(await error.innerText()).length > 0);
  assert.equal(await open2.getAttribute('aria-invalid'), 'true');
  assert.equal((await api('GET', '/api/v1/admin/settings')).body.hours.open, 'mon-fri 08:00-12:00 14:00-18:00, sat 09:00-12:00');
  await again.scrollIntoViewIfNeeded();
  await shot('settings', again);
  assert.deepEqual(pageProblems, []);
});
