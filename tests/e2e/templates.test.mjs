// Administration → Messages against the real relais: the list of kinds with their versions; the
// offer SMS's editor, whose worst-case cost and problems follow the typing (an unknown
// placeholder, the link removed), a character that forces UCS-2 named with its one-click
// replacement, a refused save, a saved version that the next offer SMS is written from (and
// records), then back to the shipped text; the advisor notification, whose sentences name only
// their own values and whose saved wording is what the bell says.
//
//   cd tests/e2e && RELAIS_BIN=/work/main/build/server/relais node --test templates.test.mjs
// With RELAIS_SHOTS=1, docs/screenshots/workspace-templates-*.png are written (1366×768).
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { chromium } from 'playwright-core';
import {
  startRelais, until as poll, CHROMIUM, CHROMIUM_ARGS, failureShots, signedInWorkspace, callApi, finish, SHOTS_DIR, smsLinks,
} from './relais-server.mjs';

const PASSWORD = 'atelier-modeles-2026';
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

async function shot(name, locator) {
  if (!SHOTS_DIR) return;
  await page.mouse.move(4, 300);
  await page.evaluate(() => document.fonts.ready);
  await until('no toast left', async () => (await page.locator('.toast').count()) === 0);
  const file = path.join(SHOTS_DIR, `workspace-templates-${name}.png`);
  if (locator) await locator.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
  else await page.screenshot({ path: file, fullPage: true, animations: 'disabled', caret: 'hide' });
}

before(async () => {
  server = await startRelais({ dealerName: 'Garage des Essais', prefix: 'relais-e2e-templates-' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  page = await signedInWorkspace({ browser, server, password: PASSWORD, problems: pageProblems });
  const created = await api('POST', '/api/v1/repair-orders', {
    vehicle: { plate: 'fg-456-hj', make: 'Renault', model: 'Clio' },
    parties: [{ roles: ['driver', 'owner'], first_name: 'Zoé', last_name: 'Brûlé', contact_points: [{ kind: 'phone', value: PHONE }] }],
    interventions: [{ label: 'Vidange et filtre à huile', price_excl_cents: 8900, kind: 'initial', severity: 'green' }],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  ro = created.body;
});

after(() => finish({ browser, server, failed }));

const editor = () => page.locator('form.tpl-editor');
const smsArea = () => editor().getByLabel('Texte', { exact: true });
const smsInfo = () => editor().locator('[data-preview-of="offer_sms"] .sms-info');
const smsError = () => smsArea().locator('xpath=ancestor::div[contains(@class,"field")][1]').locator('.field-error');

async function sendOfferSms() {
  const cp = ro.parties[0].contact_points[0].id;
  const sent = await api('POST', `/api/v1/repair-orders/${ro.id}/offers`, { recipients: [cp] });
  assert.equal(sent.status, 201, JSON.stringify(sent.body));
  return sent.body.messages[0];
}

step('the list: every kind in both languages, the shipped text until edited', async () => {
  await page.goto(`${server.base}/admin/templates`);
  const table = page.locator('table.tpl-table');
  await table.waitFor();
  assert.equal(await table.locator('tbody tr[data-audience="customer"]').count(), 9);
  assert.equal(normalise(await table.locator('tbody tr').first().innerText()).startsWith('SMS du devis'), true);
  // What staff receive, under a heading of its own after the customers' messages.
  assert.equal(normalise(await table.locator('tbody tr.tpl-group').textContent()), 'Messages à l\'équipe');
  assert.deepEqual((await table.locator('tbody tr[data-audience="staff"] th').allInnerTexts()).map(normalise),
    ['Notification au conseiller', 'Résumé par e-mail au conseiller']);
  assert.equal(await table.getByText('Texte d\'origine').count(), 22);
  await shot('list');
});

step('the SMS editor: the worst-case cost and the problems follow the typing', async () => {
  await page.locator('button[data-kind="offer_sms"][data-lang="fr"]').click();
  await editor().waitFor();
  await until('the shipped text costed', async () => (await smsInfo().count()) === 1);
  // The shipped text, with the longest plausible values: GSM 7-bit.
  assert.equal(await smsInfo().getAttribute('data-encoding'), 'gsm7');
  assert.match(normalise(await smsInfo().innerText()), /^GSM 7 bits · \d+ caractères · \d SMS/);

  await smsArea().fill('<%dealer_name> : votre devis <%lien> est prêt.');
  await until('the unknown placeholder and the missing link named', async () => {
    const text = normalise(await smsError().innerText().catch(() => ''));
    return text.includes('Espace réservé inconnu : <%lien>') && text.includes('doit contenir <%link>');
  });
  assert.equal(await smsArea().getAttribute('aria-invalid'), 'true');

  // A character with no GSM form: the whole SMS turns UCS-2, and the editor says which and offers its replacement.
  await smsArea().fill('<%dealer_name> : votre devis est prêt, à tout de suite ! <%link>');
  await until('UCS-2 shown for the new text', async () => (await smsInfo().getAttribute('data-encoding').catch(() => '')) === 'ucs2'
    && !(await smsError().isVisible()));
  const replaceButton = editor().locator('button[data-replace="ê"]');
  await replaceButton.waitFor();
  assert.equal(normalise(await replaceButton.innerText()), 'Remplacer « ê » par « e »');
  await shot('ucs2');
  await replaceButton.click();
  await until('back to GSM 7-bit', async () => (await smsInfo().getAttribute('data-encoding').catch(() => '')) === 'gsm7');
  assert.equal(await smsArea().inputValue(), '<%dealer_name> : votre devis est pret, à tout de suite ! <%link>');
  assert.equal(await editor().locator('button[data-replace]').count(), 0);
  assert.equal(await smsError().isVisible(), false);
});

step('a refused save names the problem on its part; a good one is version 1, and the next SMS is written from it', async () => {
  await smsArea().fill('<%dealer_name> : <%vehicule> <%link>');
  await editor().getByRole('button', { name: 'Enregistrer une nouvelle version' }).click();
  await until('the refusal shown', async () => normalise(await smsError().innerText()).includes('<%vehicule>'));
  const after = await api('GET', '/api/v1/templates/offer_sms/fr');
  assert.equal(after.body.version, 0, 'nothing saved');

  await smsArea().fill('<%dealer_name> : devis <%vehicle> pret, par ici : <%link>');
  await editor().getByRole('button', { name: 'Enregistrer une nouvelle version' }).click();
  await page.locator('.toast', { hasText: 'Version 1 enregistrée' }).waitFor();
  await until('the editor shows version 1', async () => normalise(await editor().locator('.tpl-head').innerText()).includes('Version 1'));
  await shot('editor');
  const message = await sendOfferSms();
  assert.equal(message.template, 'offer_sms/fr/1');
  const offers = await api('GET', `/api/v1/repair-orders/${ro.id}/offers`);
  assert.equal(offers.body.items[0].messages[0].template, 'offer_sms/fr/1');
});

step('back to the shipped text: a version too, and the next SMS is the shipped one', async () => {
  await editor().getByRole('button', { name: 'Revenir au texte d\'origine' }).click();
  const dlg = page.getByRole('dialog', { name: 'Revenir au texte d\'origine ?' });
  await dlg.getByRole('button', { name: 'Revenir au texte d\'origine' }).click();
  await page.locator('.toast', { hasText: 'Texte d\'origine rétabli.' }).waitFor();
  const now = await api('GET', '/api/v1/templates/offer_sms/fr');
  assert.equal(now.body.version, 2);
  assert.equal(now.body.shipped, true);
  assert.equal(now.body.history.length, 2);
  const message = await sendOfferSms();
  assert.equal(message.template, 'offer_sms/fr/2');
});

step('the send dialog: in a colleague\'s name, this one SMS reworded (refused, then sent), the template unchanged', async () => {
  const paul = await api('POST', '/api/v1/users', { username: 'paul', display_name: 'Paul Martin', role: 'advisor', password: 'paul-atelier-2026' });
  assert.equal(paul.status, 201, JSON.stringify(paul.body));
  await page.goto(`${server.base}/repair-orders/${ro.id}`);
  await page.getByRole('button', { name: /Envoyer au client|Renvoyer/ }).first().click();
  const dlg = page.getByRole('dialog', { name: 'Envoyer le devis au client' });
  await dlg.waitFor();
  await dlg.getByRole('checkbox', { name: PHONE }).check();
  await dlg.getByLabel('Envoyé au nom de').selectOption({ label: 'Paul Martin' });
  await dlg.getByText('Modifier le texte de cet envoi').click();
  const sms = dlg.getByLabel('SMS', { exact: true });
  await until('the SMS prefilled with the template in force', async () => (await sms.inputValue()).includes('<%link>'));
  const cost = dlg.locator('.send-sms-cost');
  await until('its worst-case cost', async () => /^Au pire : \d+ caractères, \d SMS/.test(normalise(await cost.innerText())));
  await sms.fill('<%dealer_name> : Mme Brûlé, votre devis <%vehicule> : <%link>');
  await dlg.getByRole('button', { name: 'Prévisualiser' }).click();
  const smsErr = sms.locator('xpath=ancestor::div[contains(@class,"field")][1]').locator('.field-error');
  await until('the refusal next to the SMS', async () => normalise(await smsErr.innerText()).includes('Espace réservé inconnu : <%vehicule>'));
  await sms.fill('<%dealer_name> : Mme Brule, votre devis pour la <%vehicle> est pret : <%link>');
  await dlg.locator('.send-message').scrollIntoViewIfNeeded();
  await shot('send-dialog', dlg);
  await dlg.getByRole('button', { name: 'Prévisualiser' }).click();
  const preview = page.getByRole('dialog', { name: 'Aperçu avant envoi' });
  await preview.getByRole('button', { name: 'Envoyer', exact: true }).click();
  await preview.waitFor({ state: 'detached' });
  const offer = (await api('GET', `/api/v1/repair-orders/${ro.id}/offers`)).body.items[0];
  assert.equal(offer.sender.display_name, 'Paul Martin');
  assert.equal(offer.advisor_name, 'Paul Martin');
  assert.equal(offer.message.sms, '<%dealer_name> : Mme Brule, votre devis pour la <%vehicle> est pret : <%link>');
  assert.equal(offer.messages[0].template, 'offer_sms/fr/2+edited');
  const journal = path.join(server.dir, 'data', 'modem', 'journal.jsonl');
  const sent = await until('the SMS through the emulated modem', async () => {
    const text = await readFile(journal, 'utf8').catch(() => '');
    return text.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((m) => m.kind === 'message' && /Mme Brule, votre devis pour la Renault Clio FG-456-HJ est pret : https?:\/\//.test(m.text));
  });
  assert.ok(sent);
  const template = await api('GET', '/api/v1/templates/offer_sms/fr');
  assert.equal(template.body.version, 2, 'the template stays as it was');
});

step('my account: the signature of the customer emails sent in my name', async () => {
  await page.goto(`${server.base}/account`);
  const signature = page.getByRole('textbox', { name: /^Signature/ });
  await signature.fill('Julie Roux\nRéception atelier — 01 45 67 89 10');
  await page.getByRole('button', { name: 'Enregistrer la signature' }).click();
  await page.locator('.toast', { hasText: 'Signature enregistrée.' }).waitFor();
  const me = (await api('GET', '/api/v1/session')).body.user;
  const user = (await api('GET', `/api/v1/users/${me.id}`)).body;
  assert.equal(user.email_signature, 'Julie Roux\nRéception atelier — 01 45 67 89 10');
  await page.reload();
  assert.equal(await page.getByRole('textbox', { name: /^Signature/ }).inputValue(), 'Julie Roux\nRéception atelier — 01 45 67 89 10');
  await shot('account-signature', page.locator('section[aria-labelledby="h-signature"]'));
});

step('the party dialog: a preferred name, which <%preferred_name> and the greetings use', async () => {
  await page.goto(`${server.base}/repair-orders/${ro.id}`);
  await page.getByRole('button', { name: 'Modifier Zoé Brûlé' }).click();
  const dialog = page.getByRole('dialog', { name: 'Modifier Zoé Brûlé' });
  const preferred = dialog.getByLabel('Nom d\'usage');
  assert.equal(await preferred.inputValue(), '');
  await preferred.fill('Mme Brûlé');
  await shot('party-preferred-name', dialog);
  await dialog.getByRole('button', { name: 'Enregistrer' }).click();
  await dialog.waitFor({ state: 'detached' });
  const after = await api('GET', `/api/v1/repair-orders/${ro.id}`);
  assert.equal(after.body.parties[0].preferred_name, 'Mme Brûlé');
  const tooLong = await api('PATCH', `/api/v1/repair-orders/${ro.id}/parties/${ro.parties[0].id}`, { preferred_name: 'x'.repeat(61) });
  assert.equal(tooLong.status, 422);
  assert.equal(tooLong.body.error.fields[0].field, 'preferred_name');
});

step('the advisor notification: each sentence names only its own values; a saved one is what the bell says', async () => {
  await page.goto(`${server.base}/admin/templates`);
  await page.locator('button[data-kind="advisor_notification"][data-lang="fr"]').click();
  await editor().waitFor();
  const seen = editor().getByLabel('Offre ouverte', { exact: true });
  const reply = editor().getByLabel('SMS reçu', { exact: true });
  const chip = (name) => editor().locator(`button[data-placeholder="${name}"]`);
  // The chips follow the box: a received SMS has its text, an opened offer has none.
  await reply.focus();
  assert.equal(await chip('detail').isVisible(), true);
  await seen.focus();
  assert.equal(await chip('detail').isVisible(), false);
  assert.equal(await chip('customer_name').isVisible(), true);
  // Typed anyway: refused on its part, as the preview says live.
  await seen.fill('<%customer_name> a ouvert : <%detail>');
  const seenError = seen.locator('xpath=ancestor::div[contains(@class,"field")][1]').locator('.field-error');
  await until('the refusal of <%detail> here', async () => normalise(await seenError.innerText().catch(() => '')).includes('<%detail>'));
  await seen.fill('<%customer_name> a lu le devis (<%ro_number>)');
  await until('no refusal left', async () => !(await seenError.isVisible()));
  const sample = seen.locator('xpath=ancestor::div[contains(@class,"field")][1]').locator('.tpl-sample-text');
  assert.equal(normalise(await sample.textContent()), 'Exemple : Jean-Christophe Delacroix-Martin a lu le devis (OR-2026-004512)');
  await shot('staff-editor', editor());
  await editor().getByRole('button', { name: 'Enregistrer une nouvelle version' }).click();
  await page.locator('.toast', { hasText: 'Version 1 enregistrée' }).waitFor();

  // The customer opens a new offer: the bell's sentence is the saved one.
  const cp = ro.parties[0].contact_points[0];
  const before = (await smsLinks(server, cp.value)).length;
  const sent = await api('POST', `/api/v1/repair-orders/${ro.id}/offers`, { recipients: [cp.id] });
  assert.equal(sent.status, 201, JSON.stringify(sent.body));
  const links = await until('the new SMS with its link', async () => { const l = await smsLinks(server, cp.value); return l.length > before && l; });
  const token = links[links.length - 1];
  const customer = await (await browser.newContext({ locale: 'fr-FR' })).newPage();
  await customer.goto(`${server.publicBase}/o/${token}`);
  const opened = await customer.evaluate(async (t) => (await fetch(`/o/${t}/open`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status, token);
  assert.equal(opened, 200);
  await customer.context().close();
  const bellItem = page.locator('.notif-item .notif-text', { hasText: 'Zoé Brûlé a lu le devis' });
  await page.locator('.notif-button').click();
  await until('the bell says the saved sentence', async () => (await bellItem.count()) > 0);
  assert.equal(normalise(await bellItem.first().innerText()), `Zoé Brûlé a lu le devis (${ro.number})`);
  assert.deepEqual(pageProblems, []);
});
