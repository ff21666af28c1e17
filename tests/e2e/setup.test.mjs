// The first-boot setup in Debian's Chromium against the real relais (issue 13): a new box's
// first dealer admin is taken to it after choosing a password; the garage's name is saved (relais
// restarts in place and the page carries on), a step is skipped, a test SMS goes through the
// emulated modem and is delivered, a test email is written to the maildir; once finished, the
// workspace opens and the setup is not offered again; Administration → Settings shows it all. A
// save while an SMS is being transmitted waits for the new run of relais (the old one answers
// until the SMS is settled) before showing what applies; a public address with a port and a
// path is shown and saved back whole.
//
//   RELAIS_BIN=build/server/relais node --test tests/e2e/setup.test.mjs
// With RELAIS_SHOTS=DIR, screenshots of each step are written to DIR.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startRelais, CHROMIUM, CHROMIUM_ARGS, signInFirstAdmin, callApi, failureShots, until, smsJournal } from './relais-server.mjs';

const shotsDir = process.env.RELAIS_SHOTS;
let server, browser, page;
const { step, failed } = failureShots({ page: () => page, dir: () => server && server.dir });

/** One command to the emulated modem's network (firmware-bridge's control socket), its reply. */
function modemControl(request) {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(path.join(server.dir, 'data', 'modem', 'control.sock'));
    let reply = '';
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (d) => {
      reply += d;
      if (reply.includes('\n')) { socket.end(); resolve(JSON.parse(reply)); }
    });
    socket.on('error', reject);
  });
}

/** The card of Administration → Settings titled `title`. */
const savedToast = () => page.locator('.toast', { hasText: 'Réglages enregistrés.' });
const card = (title) => page.locator('section.card', { has: page.getByRole('heading', { level: 2, name: title }) });

async function shot(name) {
  if (shotsDir) await page.screenshot({ path: path.join(shotsDir, `setup-${name}.png`), fullPage: true, animations: 'disabled', caret: 'hide' });
}

before(async () => {
  server = await startRelais({ prefix: 'relais-e2e-setup-', setupDone: false, tls: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM, args: CHROMIUM_ARGS, env: { ...process.env, LANG: 'fr_FR.UTF-8', LANGUAGE: 'fr' },
  });
  const context = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris', viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(20000);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (!failed()) await server?.remove();
  else console.log(`kept ${server.dir}`);
});

step('the first admin is taken to the setup, and each step saves, tests or is skipped', async () => {
  await page.goto(`${server.base}/login`);
  assert.deepEqual(await signInFirstAdmin(page, server.oneTimePassword, 'atelier-essais-2026'), [200, 204]);
  await page.goto(`${server.base}/repair-orders`);
  await page.waitForURL('**/setup');
  await page.getByRole('heading', { level: 1, name: 'Mise en service' }).waitFor();
  await shot('1-garage');

  // The garage: a new name, saved; relais restarts and the page goes on to the next step.
  const name = page.getByLabel('Nom du garage');
  await name.fill('Garage Martin');
  await page.getByRole('button', { name: 'Enregistrer et continuer' }).click();
  await page.getByRole('heading', { level: 2, name: 'L\'adresse pour les clients' }).waitFor({ timeout: 40000 });
  const settings = await callApi(page, 'GET', '/api/v1/admin/settings');
  assert.equal(settings.body.dealer.name, 'Garage Martin');
  assert.equal(await page.locator('.brand-dealer').textContent(), 'Garage Martin');
  // The certificate customers get: self-signed here, and the page says what that means for them.
  await page.getByText('Certificat auto-signé pour relais.garage-essais.fr.').waitFor();
  await page.getByText('Les clients voient un avertissement de leur navigateur').waitFor();
  await shot('2-public');

  // A public name that is not one: refused on its field, nothing saved.
  await page.getByLabel('Nom public').fill('pas un nom/valide?');
  await page.getByRole('button', { name: 'Enregistrer et continuer' }).click();
  await page.locator('.field-error:not([hidden])').first().waitFor();
  await shot('2-public-refused');
  await page.getByRole('button', { name: 'Passer cette étape' }).click();

  // The modem: the emulated one is chosen; a test SMS is delivered through it.
  await page.getByRole('heading', { level: 2, name: 'Le modem SMS' }).waitFor();
  assert.equal(await page.getByLabel('Port du modem').inputValue(), 'virtual');
  await page.getByLabel('Numéro').fill('06 12 34 56 78');
  await page.getByRole('button', { name: 'Envoyer un SMS d\'essai' }).click();
  await page.getByText('SMS d\'essai reçu par +33612345678.').waitFor({ timeout: 60000 });
  await shot('3-modem');
  await page.getByRole('button', { name: 'Passer cette étape' }).click();

  // Email: no relay on this box, so the test email is kept in the maildir.
  await page.getByRole('heading', { level: 2, name: 'L\'envoi des e-mails' }).waitFor();
  await page.getByLabel('Adresse', { exact: true }).fill('it@garage-martin.fr');
  await page.getByRole('button', { name: 'Envoyer un e-mail d\'essai' }).click();
  await page.getByText(/E-mail d'essai parti vers it@garage-martin\.fr/).waitFor();
  const mails = await readdir(path.join(server.dir, 'data', 'mail', 'new'));
  assert.equal(mails.length, 1);
  await shot('4-mail');
  await page.getByRole('button', { name: 'Passer cette étape' }).click();

  await page.getByRole('heading', { level: 2, name: 'C\'est prêt' }).waitFor();
  await shot('5-done');
  await page.getByRole('button', { name: 'Terminer' }).click();
  await page.waitForURL('**/repair-orders');
});

step('once finished, the setup is not offered again; Administration → Settings has it all', async () => {
  const s = await callApi(page, 'GET', '/api/v1/settings');
  assert.equal(s.body.setup_done, true);
  await page.goto(`${server.base}/repair-orders`);
  await page.waitForTimeout(300);
  assert.match(page.url(), /\/repair-orders$/);
  await page.goto(`${server.base}/admin/settings`);
  for (const title of ['Le garage', 'L\'adresse pour les clients', 'Le modem SMS', 'L\'envoi des e-mails']) {
    await page.getByRole('heading', { level: 2, name: title }).waitFor();
  }
  assert.equal(await page.getByLabel('Nom du garage').inputValue(), 'Garage Martin');
  await shot('6-admin-settings');
});


step('a save waits for the new run of relais, not the old one finishing an SMS, then shows what applies', async () => {
  // The network takes 4 s to answer the SMS: the old run finishes it before it stops, and
  // answers the page meanwhile.
  assert.equal((await modemControl({ cmd: 'set', cmgs_latency_ms: 4000 })).ok, true);
  const before = (await smsJournal(server)).length;
  const test = await callApi(page, 'POST', '/api/v1/modem/test-sms', { to: '06 12 34 56 78', text: 'Essai' });
  assert.equal(test.status, 202);
  await until('the SMS taken by the network', async () => (await smsJournal(server)).length > before);

  const restarts = async () => (await readFile(path.join(server.dir, 'relais.log'), 'utf8'))
    .split('stopped cleanly; starting again').length - 1;
  const restartsBefore = await restarts();
  const garage = card('Le garage');
  await garage.getByLabel('Nom du garage').fill('Garage Martin et Fils');
  await garage.getByRole('button', { name: 'Enregistrer' }).click();
  await page.getByText('Relais redémarre pour appliquer les réglages').waitFor();
  await savedToast().waitFor({ timeout: 60000 });
  // Shown from the new run: the new name, in the form and the top bar.
  await page.getByRole('heading', { level: 2, name: 'Le garage' }).waitFor();
  assert.equal(await card('Le garage').getByLabel('Nom du garage').inputValue(), 'Garage Martin et Fils');
  assert.equal(await page.locator('.brand-dealer').textContent(), 'Garage Martin et Fils');
  assert.equal(await restarts(), restartsBefore + 1);
  assert.match(await readFile(path.join(server.dir, 'relais.log'), 'utf8'), /a test SMS to \+33612345678: waiting for its outcome/);
  assert.equal((await smsJournal(server)).length, before + 1, 'the SMS was not sent again');
  assert.equal((await modemControl({ cmd: 'set', cmgs_latency_ms: 0 })).ok, true);
});

step('a public address with a port and a path is shown whole and saved back whole', async () => {
  await savedToast().waitFor({ state: 'detached' }); // the last step's
  const address = card('L\'adresse pour les clients');
  await address.getByLabel('Nom public').fill('Relais.Garage-Essais.fr:8443/atelier');
  await address.getByRole('button', { name: 'Enregistrer' }).click();
  await savedToast().waitFor({ timeout: 60000 });
  let s = await callApi(page, 'GET', '/api/v1/admin/settings');
  assert.equal(s.body.public_base_url, 'https://relais.garage-essais.fr:8443/atelier');
  const shown = card('L\'adresse pour les clients').getByLabel('Nom public');
  assert.equal(await shown.inputValue(), 'relais.garage-essais.fr:8443/atelier');
  await shot('7-public-port');

  // Saved again as it is shown, it stays whole: the customers' links keep their port and path.
  await savedToast().waitFor({ state: 'detached' }); // the first save's toast
  await card('L\'adresse pour les clients').getByRole('button', { name: 'Enregistrer' }).click();
  await savedToast().waitFor({ timeout: 60000 });
  s = await callApi(page, 'GET', '/api/v1/admin/settings');
  assert.equal(s.body.public_base_url, 'https://relais.garage-essais.fr:8443/atelier');
  assert.equal(await card('L\'adresse pour les clients').getByLabel('Nom public').inputValue(),
    'relais.garage-essais.fr:8443/atelier');
});
