// The first-boot setup in Debian's Chromium against the real relais (issue 13): a new box's
// first dealer admin is taken to it after choosing a password; the garage's name is saved (relais
// restarts in place and the page carries on), a step is skipped, a test SMS goes through the
// emulated modem and is delivered, a test email is written to the maildir; once finished, the
// workspace opens and the setup is not offered again; Administration → Settings shows it all.
//
//   RELAIS_BIN=build/server/relais node --test tests/e2e/setup.test.mjs
// With RELAIS_SHOTS=DIR, screenshots of each step are written to DIR.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startRelais, CHROMIUM, CHROMIUM_ARGS, signInFirstAdmin, callApi, failureShots } from './relais-server.mjs';

const shotsDir = process.env.RELAIS_SHOTS;
let server, browser, page;
const { step, failed } = failureShots({ page: () => page, dir: () => server && server.dir });

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

