// Regenerates docs/screenshots/workspace-*.png: a fresh relais with demo data, every page of
// the advisor workspace in French at 1366×768 (and the list at 1920×1080).
//
//   RELAIS_BIN=build/server/relais node tests/e2e/screenshots.mjs
//
// French date inputs need Chromium's French locale (Debian: chromium-l10n); without it they
// show the US format, the rest is unchanged.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startRelais, repo, CHROMIUM, CHROMIUM_ARGS } from './relais-server.mjs';

const out = path.join(repo, 'docs/screenshots');
const PASSWORD = 'atelier-demo-2026';

const server = await startRelais({ dealerName: 'Garage Demo', prefix: 'relais-shots-' });
let browser;
try {
  await server.seedDemo(60, 2);

  await mkdir(out, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM, args: CHROMIUM_ARGS, env: { ...process.env, LANG: 'fr_FR.UTF-8', LANGUAGE: 'fr' },
  });
  const context = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris', viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  page.on('pageerror', (e) => console.error('page error:', e.message));
  const shot = async (name, opts = {}) => {
    // The pointer rests where it hovers nothing (a click leaves it over a table row).
    await page.mouse.move(4, 300);
    await page.waitForLoadState('networkidle');
    await page.evaluate(() => document.fonts.ready);
    await page.screenshot({ path: path.join(out, `workspace-${name}.png`), animations: 'disabled', caret: 'hide', ...opts });
    console.log(`docs/screenshots/workspace-${name}.png`);
  };
  const api = (method, url, body) => page.evaluate(async ({ method, url, body }) => {
    const s = await fetch('/api/v1/session').then((r) => r.json());
    const r = await fetch(url, {
      method, body: body ? JSON.stringify(body) : undefined,
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token },
    });
    return r.status === 204 ? null : r.json();
  }, { method, url, body });

  // Sign-in, a wrong password, the forced password change.
  await page.goto(`${server.base}/repair-orders`);
  await page.getByLabel('Identifiant').waitFor();
  await shot('login');
  await page.getByLabel('Identifiant').fill('admin');
  await page.getByLabel('Mot de passe').fill('pas-le-bon');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('alert').waitFor();
  await shot('login-error');
  // Repeated failures for one user name: the API throttles, the button counts down.
  await page.getByLabel('Identifiant').fill('marie.lambert');
  for (let i = 0; i < 6; i += 1) {
    await page.getByLabel('Mot de passe').fill(`essai-${i}`);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('alert').waitFor();
    if (await page.getByRole('button', { name: /Réessayez dans/ }).count()) break;
  }
  await page.getByRole('button', { name: /Réessayez dans/ }).waitFor();
  await shot('login-throttled');
  await page.getByLabel('Identifiant').fill('admin');
  await page.reload();
  await page.getByLabel('Identifiant').fill('admin');
  await page.getByLabel('Mot de passe').fill(server.oneTimePassword);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByLabel('Mot de passe actuel').fill(server.oneTimePassword);
  await page.getByLabel('Nouveau mot de passe', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Confirmez le nouveau mot de passe').fill('atelier-demo');
  await page.getByRole('button', { name: 'Enregistrer et continuer' }).click();
  await page.locator('.field-error:visible').first().waitFor();
  await shot('password-change');
  await page.getByLabel('Confirmez le nouveau mot de passe').fill(PASSWORD);
  await page.getByRole('button', { name: 'Enregistrer et continuer' }).click();

  // The list.
  await page.locator('tr.ro-row').first().waitFor();
  await shot('list');
  await page.setViewportSize({ width: 1920, height: 1080 });
  await shot('list-1920');
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto(`${server.base}/repair-orders?status=open,in_progress,ready&sort=promised`);
  await page.locator('tr.ro-row').first().waitFor();
  await shot('list-filtered');
  await page.goto(`${server.base}/repair-orders?q=zzzz-introuvable`);
  await page.locator('.empty h2').waitFor();
  await shot('list-empty');

  // A repair order with several interventions and parties; one contact opted out.
  const list = await api('GET', '/api/v1/repair-orders?per_page=200');
  let best = null;
  for (const s of list.items) {
    if (s.status === 'cancelled' || s.status === 'closed') continue;
    const ro = await api('GET', `/api/v1/repair-orders/${s.id}`);
    const score = Math.min(ro.interventions.length, 5) * 3 + Math.min(ro.parties.length, 3) * 2;
    if (!best || score > best.score) best = { ro, score };
  }
  const ro = best.ro;
  const mail = ro.parties.flatMap((p) => p.contact_points.map((c) => ({ p, c }))).find((x) => x.c.kind === 'email');
  if (mail) await api('PATCH', `/api/v1/repair-orders/${ro.id}/parties/${mail.p.id}/contact-points/${mail.c.id}`, { opted_out: true });
  // Promised for the next working day (Monday to Friday) at 17:30, dealer time.
  const promised = new Date(Date.now() + 86400000);
  while (promised.getDay() === 0 || promised.getDay() === 6) promised.setDate(promised.getDate() + 1);
  const day = promised.toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' }); // YYYY-MM-DD
  await api('PATCH', `/api/v1/repair-orders/${ro.id}`, { promised_at: `${day}T17:30`, note: 'Client attend un appel avant toute intervention supplémentaire. Véhicule de prêt réservé.' });
  // A mechanic's note of several lines, shown whole in its row.
  const noted = [...ro.interventions].sort((a, b) => a.position - b.position)[0];
  await api('PATCH', `/api/v1/repair-orders/${ro.id}/interventions/${noted.id}`, {
    mechanic_note: `${noted.mechanic_note || 'Contrôle effectué.'}\nPhotos jointes au dossier ; à montrer au client à la restitution.`,
  });
  await page.goto(`${server.base}/repair-orders/${ro.id}`);
  await page.locator('tr.item-row').first().waitFor();
  await page.locator('.tl-item').first().waitFor();
  await shot('ro');
  await shot('ro-full', { fullPage: true });
  await page.getByRole('button', { name: `Modifier ${ro.parties[0].display_name}` }).click();
  await page.getByRole('dialog').waitFor();
  await shot('ro-party-dialog');
  await page.keyboard.press('Escape');

  // Someone else changes the RO while this page misses the live update (its stream cut): the
  // page's next change gets 412 and reloads.
  await page.route('**/api/v1/events', (r) => r.abort());
  await page.reload();
  await page.locator('tr.item-row').first().waitFor();
  await api('PATCH', `/api/v1/repair-orders/${ro.id}`, { note: 'Modifié depuis un autre poste.' });
  await page.getByLabel('Statut').selectOption('ready');
  await page.locator('.banner-warning').waitFor();
  await shot('ro-conflict');
  await page.unroute('**/api/v1/events');

  // A new repair order refused by the API, each problem next to its field.
  await page.goto(`${server.base}/repair-orders/new`);
  await page.getByLabel('Immatriculation').fill('GE-204-TB');
  await page.getByLabel('VIN').fill('VF3LCBHZ6JS12345I');
  await page.getByLabel('Marque').fill('Peugeot');
  await page.getByLabel('Modèle').fill('3008');
  await page.getByLabel('Prénom').fill('Jérôme');
  await page.getByLabel('Téléphone').fill('06 12');
  await page.getByLabel('E-mail').fill('jerome@exemple');
  await page.getByRole('button', { name: 'Créer l\'OR' }).click();
  await page.locator('.field-error:visible').first().waitFor();
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot('new-ro-errors');

  // Admin: users, API keys (a new key is shown once).
  await page.goto(`${server.base}/admin/users`);
  await page.locator('.admin-table tbody tr').first().waitFor();
  await shot('admin-users');
  await page.getByRole('button', { name: 'Nouvel utilisateur' }).click();
  await page.getByRole('dialog').getByLabel('Identifiant').fill('julie.martin');
  await page.getByRole('dialog').getByLabel('Nom affiché').fill('Julie Martin');
  await shot('admin-user-new');
  await page.keyboard.press('Escape');
  await page.goto(`${server.base}/admin/api-keys`);
  await page.getByRole('button', { name: 'Nouvelle clé' }).click();
  await page.getByRole('dialog').getByLabel('Nom').fill('DMS atelier');
  await page.getByRole('dialog').getByRole('button', { name: 'Nouvelle clé' }).click();
  await page.getByRole('dialog').locator('.secret').waitFor();
  await shot('admin-api-key-created');
  await page.keyboard.press('Escape');
  await page.locator('.admin-table tbody tr').first().waitFor();
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await shot('admin-api-keys');

  // Admin: agreements, one of them at its second version, and the edit dialog.
  const terms = await api('POST', '/api/v1/agreements', {
    title: { fr: 'Conditions générales de réparation', en: 'General terms of repair' },
    text: { fr: 'Article 1 – Le devis est valable 15 jours.', en: 'Article 1 – The estimate is valid 15 days.' },
  });
  await api('PATCH', `/api/v1/agreements/${terms.id}`, { text: {
    fr: 'Article 1 – Le devis est valable 30 jours.\nArticle 2 – Les pièces remplacées vous sont rendues sur demande.',
    en: 'Article 1 – The estimate is valid 30 days.\nArticle 2 – Replaced parts are returned on request.',
  } });
  await api('POST', '/api/v1/agreements', {
    title: { fr: 'Conseils d’entretien par SMS' }, text: { fr: 'Recevoir un rappel avant la prochaine révision.' }, mandatory: false,
  });
  const old = await api('POST', '/api/v1/agreements', { title: { fr: 'Conditions 2025' }, text: { fr: 'Ancienne version.' } });
  await api('PATCH', `/api/v1/agreements/${old.id}`, { active: false });
  await page.goto(`${server.base}/admin/agreements`);
  await page.locator('.admin-table tbody tr').first().waitFor();
  await shot('admin-agreements');
  await page.getByRole('row', { name: /Conditions générales/ }).getByRole('button', { name: 'Modifier' }).click();
  await page.getByRole('dialog').getByLabel('Texte (français)').waitFor();
  await shot('admin-agreement-edit');
  await page.keyboard.press('Escape');

  await page.goto(`${server.base}/account`);
  await page.getByRole('heading', { name: 'Mon compte' }).waitFor();
  await shot('account', { fullPage: true }); // down to the language choice

  // The same list in English.
  await page.goto(`${server.base}/repair-orders`);
  await page.getByRole('button', { name: 'EN – English', exact: true }).click();
  await page.getByRole('heading', { name: 'Repair orders' }).waitFor();
  await page.locator('tr.ro-row').first().waitFor();
  await shot('list-en');
  await page.getByRole('button', { name: 'FR – Français', exact: true }).click();
} finally {
  if (browser) await browser.close();
  await server.stop();
  await server.remove();
}
