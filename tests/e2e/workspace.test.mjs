// End-to-end test of the advisor workspace: the real `relais` binary on a fresh data
// directory and ports chosen by the system, driven through a real Chromium.
//
//   RELAIS_BIN=build/server/relais node --test tests/e2e/workspace.test.mjs
//
// Env: RELAIS_BIN (default build/server/relais), RELAIS_WEB_ROOT (default web/),
// CHROMIUM (default /usr/bin/chromium). On failure the temporary directory (config, data,
// server logs, a screenshot) is kept and its path printed.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startRelais, until as poll, repo, CHROMIUM, CHROMIUM_ARGS, failureShots } from './relais-server.mjs';

const NEW_PASSWORD = 'atelier-e2e-2026';
const DEALER = 'Garage des Essais & Fils'; // written in the test's relais.toml (language "fr")
const PLATE = 'FR-427-ZK';
const GOOD_VIN = 'VF3LCBHZ6JS123456';
const BAD_VIN = 'VF3LCBHZ6JS12345I'; // 17 characters, but I is never used in a VIN

let server;
let dir;
let base;
let oneTimePassword;
let browser;
let page;
const consoleProblems = [];
const shared = {};
const { step, failed, fail } = failureShots({ page: () => page, dir: () => dir });

/** Waits for a condition by polling it (never a fixed sleep); stops early if relais died. */
const until = (what, check, timeoutMs = 15000) => poll(what, check, { timeoutMs, alive: () => server && server.alive() });

before(async () => {
  try {
    server = await startRelais({ dealerName: DEALER });
  } catch (e) {
    fail(); // startRelais keeps its directory and names it in the error
    throw e;
  }
  ({ dir, base, oneTimePassword } = server);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris', viewport: { width: 1366, height: 768 } });
  page = await context.newPage();
  page.setDefaultTimeout(10000);
  page.on('console', (m) => {
    // A strict CSP reports inline styles or scripts as console errors: the workspace has none.
    if (/Content Security Policy|Refused to/i.test(m.text())) consoleProblems.push(m.text());
  });
  page.on('pageerror', (e) => consoleProblems.push(`page error: ${e.message}`));
});

after(async () => {
  if (browser) await browser.close().catch(() => {});
  if (server) {
    await server.stop();
    if (failed()) console.log(`# e2e failed: kept ${dir} (relais.toml, relais.log, data/, failure-*.png)`);
    else await server.remove();
  }
});


/** Calls the API from the page, with its cookies (and CSRF token for changes). */
function apiFromPage(method, url, body) {
  return page.evaluate(async ({ method, url, body }) => {
    const headers = { Accept: 'application/json' };
    if (method !== 'GET') {
      const s = await fetch('/api/v1/session', { credentials: 'same-origin' }).then((r) => r.json());
      headers['X-CSRF-Token'] = s.csrf_token;
    }
    if (body) headers['Content-Type'] = 'application/json';
    const r = await fetch(url, { method, headers, credentials: 'same-origin', body: body ? JSON.stringify(body) : undefined });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  }, { method, url, body });
}

const normalise = (s) => s.replace(/[\s\u00a0\u202f]+/g, ' ').trim();

/** An API error message as the server words it for `Accept-Language: fr` (with this page's cookies). */
const notFoundMessage = () => page.evaluate(async () => {
  const r = await fetch('/api/v1/repair-orders/999999', { headers: { Accept: 'application/json', 'Accept-Language': 'fr' } });
  return { status: r.status, message: (await r.json()).error.message };
});

step('the sign-in page shows the dealership and speaks its language to an English browser', async () => {
  // A browser of its own, in English, that never chose a language here: the page follows the
  // dealer's language from the settings the API gives without a session.
  const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Paris' });
  try {
    const other = await context.newPage();
    other.setDefaultTimeout(10000);
    await other.goto(`${base}/login`);
    assert.match(await other.evaluate(() => navigator.language), /^en/);
    await other.getByRole('heading', { name: 'Connexion' }).waitFor();
    assert.equal(normalise(await other.locator('.auth-brand .auth-dealer').innerText()), DEALER);
    assert.equal(await other.evaluate(() => document.documentElement.lang), 'fr');
    // Its own choice then wins, and stays after a reload.
    await other.getByRole('button', { name: 'EN – English', exact: true }).click();
    await other.getByRole('heading', { name: 'Sign in' }).waitFor();
    await other.reload();
    await other.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(normalise(await other.locator('.auth-brand .auth-dealer').innerText()), DEALER);
  } finally {
    await context.close();
  }
});

step('an anonymous visit goes to sign-in, then the forced password change, then back', async () => {
  await page.goto(`${base}/repair-orders?status=open`);
  await page.waitForURL(/\/login\?next=/);
  assert.equal(new URL(page.url()).searchParams.get('next'), '/repair-orders?status=open');
  await page.getByRole('heading', { name: 'Connexion' }).waitFor();
  await page.locator('.auth-brand').getByText(DEALER, { exact: true }).waitFor();

  // A wrong password: the API's French message is shown.
  await page.getByLabel('Identifiant').fill('admin');
  await page.getByLabel('Mot de passe').fill('not-the-password');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('alert').filter({ hasText: 'Identifiant ou mot de passe incorrect' }).waitFor();

  await page.getByLabel('Mot de passe').fill(oneTimePassword);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('heading', { name: 'Choisissez votre mot de passe' }).waitFor();
  // Nothing else is reachable before the change.
  const blocked = await apiFromPage('GET', '/api/v1/repair-orders');
  assert.equal(blocked.status, 403);
  assert.equal(blocked.body.error.code, 'password_change_required');

  await page.getByLabel('Mot de passe actuel').fill(oneTimePassword);
  await page.getByLabel('Nouveau mot de passe', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('Confirmez le nouveau mot de passe').fill(`${NEW_PASSWORD}x`);
  await page.getByRole('button', { name: 'Enregistrer et continuer' }).click();
  const confirmInput = page.getByLabel('Confirmez le nouveau mot de passe');
  await page.waitForFunction(() => document.querySelector('[data-field="confirm_password"]')?.getAttribute('aria-invalid') === 'true');
  const confirmErrorId = (await confirmInput.getAttribute('aria-describedby')).split(' ').pop();
  assert.match(await page.locator(`#${confirmErrorId}`).innerText(), /pas identiques/);

  await confirmInput.fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Enregistrer et continuer' }).click();
  await page.waitForURL((u) => u.pathname === '/repair-orders' && u.search === '?status=open');
  await page.getByRole('heading', { name: 'Ordres de réparation' }).waitFor();
  await page.getByRole('banner').getByText(DEALER).waitFor();

  const session = await apiFromPage('GET', '/api/v1/session');
  assert.equal(session.status, 200);
  assert.equal(session.body.user.must_change_password, false);
});

step('a repair order is created through the form; a bad VIN is reported next to its input', async () => {
  // Another RO, so that the search below has something to leave out.
  const decoy = await apiFromPage('POST', '/api/v1/repair-orders', {
    vehicle: { plate: 'GH-555-JK', make: 'Renault', model: 'Clio' },
    parties: [{ kind: 'person', roles: ['driver'], first_name: 'Marc', last_name: 'Durand' }],
  });
  assert.equal(decoy.status, 201);
  shared.decoyNumber = decoy.body.number;

  await page.getByRole('link', { name: 'Nouvel OR' }).click();
  await page.waitForURL(/\/repair-orders\/new$/);
  await page.getByRole('heading', { name: 'Nouvel ordre de réparation' }).waitFor();

  await page.getByLabel('Immatriculation').fill(PLATE);
  await page.getByLabel('VIN').fill(BAD_VIN);
  await page.getByLabel('Marque').fill('Peugeot');
  await page.getByLabel('Modèle').fill('308 SW');
  await page.getByLabel('Kilométrage').fill('45 210');
  await page.getByLabel('Prénom').fill('Hélène');
  await page.getByLabel('Nom', { exact: true }).fill('Lefèvre');
  await page.getByLabel('Téléphone').fill('06 12 34 56 78');
  await page.getByLabel('E-mail').fill('helene.lefevre@exemple.fr');
  await page.getByRole('button', { name: 'Créer l\'OR' }).click();

  const vin = page.getByLabel('VIN');
  await page.waitForFunction(() => document.querySelector('[data-field="vehicle.vin"]')?.getAttribute('aria-invalid') === 'true');
  const vinErrorId = (await vin.getAttribute('aria-describedby')).split(' ').pop();
  const vinError = page.locator(`#${vinErrorId}`);
  assert.ok(await vinError.isVisible(), 'the VIN error is shown');
  assert.match(await vinError.innerText(), /VIN/);
  // "Next to": in the same field box as the VIN input, and only there.
  assert.equal(await vinError.evaluate((el) => el.closest('.field').querySelector('input').dataset.field), 'vehicle.vin');
  assert.equal(await page.locator('.field-error:visible').count(), 1);
  assert.match(page.url(), /\/repair-orders\/new$/, 'nothing was created');

  await vin.fill(GOOD_VIN);
  await page.getByRole('button', { name: 'Créer l\'OR' }).click();
  await page.waitForURL(/\/repair-orders\/\d+$/);
  shared.id = Number(new URL(page.url()).pathname.split('/').pop());

  const ro = await apiFromPage('GET', `/api/v1/repair-orders/${shared.id}`);
  assert.equal(ro.status, 200);
  shared.number = ro.body.number;
  await page.getByRole('heading', { level: 1, name: shared.number }).waitFor();
  assert.equal(ro.body.vehicle.plate, PLATE);
  assert.equal(ro.body.vehicle.vin, GOOD_VIN);
  assert.equal(ro.body.vehicle.mileage_km, 45210);
  assert.equal(ro.body.parties.length, 1);
  const party = ro.body.parties[0];
  assert.deepEqual(party.roles, ['driver', 'owner']);
  const phone = party.contact_points.find((c) => c.kind === 'phone');
  assert.equal(phone.value, '+33612345678');

  const parties = page.locator('section[aria-labelledby="h-parties"]');
  await parties.getByText('06 12 34 56 78', { exact: true }).waitFor();
  await parties.getByText('helene.lefevre@exemple.fr').waitFor();
  assert.equal(await parties.getByText('+33612345678').count(), 0, 'the phone is shown the French way');
});

async function addIntervention(label, priceExcl) {
  await page.getByRole('button', { name: 'Ajouter une intervention' }).click();
  const dialog = page.getByRole('dialog', { name: 'Nouvelle intervention' });
  await dialog.getByLabel('Intervention').fill(label);
  await dialog.getByLabel('Prix HT').fill(priceExcl);
  await dialog.getByRole('button', { name: 'Ajouter une intervention' }).click();
  await dialog.waitFor({ state: 'detached' });
}

const rowOf = (index) => page.locator('tr.item-row').nth(index);
const total = (which) => page.locator(`[data-total="${which}"]`);

step('an empty form creates nothing; a plate already known points to its open RO and offers to take its customers over', async () => {
  await page.goto(`${server.base}/repair-orders/new`);
  await page.getByRole('heading', { name: 'Nouvel ordre de réparation' }).waitFor();
  await page.getByRole('button', { name: 'Créer l\'OR' }).click();
  await page.waitForFunction(() => document.querySelector('[data-field="vehicle.plate"]')?.getAttribute('aria-invalid') === 'true');
  const plate = page.getByLabel('Immatriculation');
  const plateErrorId = (await plate.getAttribute('aria-describedby')).split(' ').pop();
  assert.equal(normalise(await page.locator(`#${plateErrorId}`).innerText()), 'Un OR a besoin d\'une immatriculation (ou d\'un VIN) ou d\'un client.');
  assert.match(page.url(), /\/repair-orders\/new$/, 'nothing was created');

  // The same vehicle typed another way: its open RO is named, with a link, and its customer can be taken over.
  await plate.fill(PLATE.toLowerCase().replace(/-/g, ' '));
  assert.equal(await plate.getAttribute('aria-invalid'), null, 'the error goes once a plate is typed');
  const known = page.locator('.known-vehicle');
  await known.getByText('Un OR est déjà ouvert pour ce véhicule', { exact: false }).waitFor();
  assert.equal(await known.getByRole('link', { name: shared.number }).getAttribute('href'), `/repair-orders/${shared.id}`);
  assert.equal(await known.locator('a.ro-link').count(), 1, 'only the RO of this plate, not the decoy');
  await known.getByRole('button', { name: `Reprendre le véhicule et les clients de ${shared.number}` }).click();
  await until('the customer taken over', async () => (await page.getByLabel('Prénom').inputValue()) === 'Hélène');
  assert.equal(await page.getByLabel('Nom', { exact: true }).inputValue(), 'Lefèvre');
  assert.equal(await page.getByLabel('Téléphone').inputValue(), '06 12 34 56 78');
  assert.equal(await page.getByLabel('E-mail').inputValue(), 'helene.lefevre@exemple.fr');
  assert.equal(await page.getByLabel('Marque').inputValue(), 'Peugeot');
  assert.equal(await page.getByLabel('VIN').inputValue(), GOOD_VIN);
  await page.getByText(`Véhicule et clients repris de ${shared.number}`, { exact: false }).waitFor();
  if (process.env.RELAIS_SHOTS) {
    const dir = process.env.RELAIS_SHOTS === '1' ? path.join(repo, 'docs/screenshots') : path.resolve(process.env.RELAIS_SHOTS);
    await page.screenshot({ path: path.join(dir, 'workspace-new-ro-known.png'), animations: 'disabled', caret: 'hide' });
  }
  // Left without creating: the list is as it was.
  await page.getByRole('link', { name: 'Annuler' }).click();
  await page.waitForURL((u) => u.pathname === '/repair-orders');
  await page.locator('tr.ro-row').first().waitFor();
  assert.equal(await page.locator('tr.ro-row').count(), 2);
  await page.goto(`${server.base}/repair-orders/${shared.id}`); // where the next steps work
  await page.getByRole('heading', { level: 1, name: shared.number }).waitFor();
});

step('two interventions are added; changing a price excl. VAT updates incl. VAT and the totals', async () => {
  await addIntervention('Plaquettes de frein avant', '145');
  await page.locator('tr.item-row').nth(0).waitFor();
  await addIntervention('Balais d\'essuie-glace', '39,90');
  await until('two rows', async () => (await page.locator('tr.item-row').count()) === 2);

  const first = rowOf(0);
  const second = rowOf(1);
  assert.equal(await first.getByRole('textbox', { name: 'Intervention', exact: true }).inputValue(), 'Plaquettes de frein avant');
  assert.equal(await second.getByRole('textbox', { name: 'Intervention', exact: true }).inputValue(), 'Balais d\'essuie-glace');
  assert.equal(await first.getByLabel('Prix TTC').inputValue(), '174,00');
  assert.equal(await second.getByLabel('Prix TTC').inputValue(), '47,88');
  // The severity followed the kind: the first (initial) urgent, the next (optional) to plan.
  assert.equal(await first.getByLabel('Gravité').inputValue(), 'red');
  assert.equal(await second.getByLabel('Gravité').inputValue(), 'orange');
  const dialog = page.getByRole('dialog', { name: 'Nouvelle intervention' });
  await page.getByRole('button', { name: 'Ajouter une intervention' }).click();
  assert.equal(await dialog.getByLabel('Type').inputValue(), 'optional');
  assert.equal(await dialog.getByLabel('Gravité').inputValue(), 'orange');
  await dialog.getByLabel('Type').selectOption('initial');
  assert.equal(await dialog.getByLabel('Gravité').inputValue(), 'red', 'the severity follows a change of kind');
  await dialog.getByLabel('Gravité').selectOption('green');
  await dialog.getByLabel('Type').selectOption('optional');
  assert.equal(await dialog.getByLabel('Gravité').inputValue(), 'green', 'a severity picked by hand stays');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  await until('the first totals', async () => normalise(await total('incl').innerText()) === '221,88 €');
  assert.equal(normalise(await total('excl').innerText()), '184,90 €');

  // Only the price excl. VAT changes: the server computes incl. VAT at 20 %.
  const excl = first.getByLabel('Prix HT');
  await excl.fill('150');
  await excl.press('Tab');
  await until('the new price incl. VAT', async () => (await first.getByLabel('Prix TTC').inputValue()) === '180,00');
  await until('the new totals', async () => normalise(await total('incl').innerText()) === '227,88 €');
  assert.equal(normalise(await total('excl').innerText()), '189,90 €');
  assert.equal(normalise(await total('shown-incl').innerText()), '227,88 €');

  const ro = await apiFromPage('GET', `/api/v1/repair-orders/${shared.id}`);
  const item = ro.body.interventions.find((i) => i.label === 'Plaquettes de frein avant');
  assert.equal(item.price_excl_cents, 15000);
  assert.equal(item.price_incl_cents, 18000);
  assert.equal(item.vat_rate_bp, 2000);
  assert.equal(ro.body.totals.incl_cents, 22788);
  await page.locator('.save-state', { hasText: 'Enregistré' }).waitFor();
});

step('a two-line mechanic note is saved on leaving it and shown whole after a reload', async () => {
  const NOTE = 'Plaquettes usées à 80 %.\nDisques à surveiller au prochain entretien.';
  const noteOf = (row) => row.getByRole('textbox', { name: 'Note du mécanicien' });
  const note = noteOf(rowOf(0));
  await note.click();
  await page.keyboard.type('Plaquettes usées à 80 %.');
  await page.keyboard.press('Enter'); // a new line, not a save
  await page.keyboard.type('Disques à surveiller au prochain entretien.');
  assert.equal(await note.evaluate((el) => el === document.activeElement), true, 'Enter keeps the focus in the note');
  assert.ok(await note.evaluate((el) => el.rows >= 2), 'the note grows while typing');
  await note.press('Tab');
  await until('the note saved', async () => {
    const ro = await apiFromPage('GET', `/api/v1/repair-orders/${shared.id}`);
    return ro.body.interventions.find((i) => i.label === 'Plaquettes de frein avant').mechanic_note === NOTE;
  });

  // The history shows a time of the RO (RFC 3339 in the API) as a local date and time.
  const patched = await apiFromPage('PATCH', `/api/v1/repair-orders/${shared.id}`, { promised_at: '2030-06-14T17:30' });
  assert.equal(patched.status, 200);

  await page.reload();
  const again = noteOf(rowOf(0));
  await again.waitFor();
  assert.equal(await again.inputValue(), NOTE);
  const box = await again.evaluate((el) => ({ tag: el.tagName, rows: el.rows, scroll: el.scrollHeight, client: el.clientHeight }));
  assert.equal(box.tag, 'TEXTAREA');
  assert.ok(box.rows >= 2 && box.scroll <= box.client, `the whole note is visible: ${JSON.stringify(box)}`);
  // The other row's empty note stays one line.
  assert.equal(await noteOf(rowOf(1)).evaluate((el) => el.rows), 1);

  const history = page.locator('.tl-details li', { hasText: 'Promis le' }).first();
  await history.waitFor();
  assert.equal(normalise(await history.innerText()), 'Promis le : — → 14/06/2030 17:30');
});

step('the list finds the RO by the customer name typed without accents in capitals', async () => {
  await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Ordres de réparation' }).click();
  await page.waitForURL((u) => u.pathname === '/repair-orders');
  await page.locator('tr.ro-row').first().waitFor();
  assert.equal(await page.locator('tr.ro-row').count(), 2, 'both ROs before searching');

  await page.getByRole('searchbox', { name: 'Rechercher' }).fill('HELENE LEFEVRE');
  await page.waitForURL((u) => u.searchParams.get('q') === 'HELENE LEFEVRE');
  await until('one result', async () => (await page.locator('tr.ro-row').count()) === 1 &&
    (await page.locator('tr.ro-row').first().innerText()).includes(shared.number));
  const row = page.locator('tr.ro-row').first();
  const text = normalise(await row.innerText());
  assert.ok(text.includes('Hélène Lefèvre'), text);
  assert.ok(text.includes(PLATE), text);
  assert.ok(text.includes('227,88 €'), text);
  assert.ok(!text.includes(shared.decoyNumber));
  assert.match(normalise(await page.locator('.list-count').innerText()), /^1–1 sur 1$/);

  // The make and model find it too ("clio" finds the decoy, a Renault Clio, and only it).
  await page.getByRole('searchbox', { name: 'Rechercher' }).fill('clio');
  await until('the Clio', async () => (await page.locator('tr.ro-row').count()) === 1 &&
    (await page.locator('tr.ro-row').first().innerText()).includes(shared.decoyNumber));
  await page.getByRole('searchbox', { name: 'Rechercher' }).fill('peugeot 308');
  await until('the Peugeot', async () => (await page.locator('tr.ro-row').count()) === 1 &&
    (await page.locator('tr.ro-row').first().innerText()).includes(shared.number));
  await page.getByRole('searchbox', { name: 'Rechercher' }).fill('HELENE LEFEVRE');
  await page.waitForURL((u) => u.searchParams.get('q') === 'HELENE LEFEVRE');

  // The search survives a reload (it is in the URL), and the row opens the RO.
  await page.reload();
  assert.equal(await page.getByRole('searchbox', { name: 'Rechercher' }).inputValue(), 'HELENE LEFEVRE');
  await until('the reloaded result', async () => (await page.locator('tr.ro-row').count()) === 1);
  await page.getByRole('link', { name: shared.number }).click();
  await page.waitForURL(new RegExp(`/repair-orders/${shared.id}$`));
});

step('the language chosen while signed in is kept in the account, for the API messages too', async () => {
  const before = await notFoundMessage();
  assert.equal(before.status, 404);
  assert.equal((await apiFromPage('GET', '/api/v1/session')).body.user.language, '');

  // Each language button's name begins with what it shows (WCAG 2.5.3, label in name).
  assert.deepEqual(await page.locator('.lang-option').evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label').startsWith(b.textContent.trim()))), [true, true]);
  await page.getByRole('banner').getByRole('button', { name: 'EN – English', exact: true }).click();
  await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
  assert.equal((await apiFromPage('GET', '/api/v1/session')).body.user.language, 'en');
  // The server now answers this user in English, whatever the browser asks for.
  const after = await notFoundMessage();
  assert.equal(after.status, 404);
  assert.notEqual(after.message, before.message);
  assert.match(after.message, /does not exist/);

  // Another choice on this browser (say, someone else's): signing in brings the user's own back.
  await page.evaluate(() => localStorage.setItem('relais.lang', 'fr'));
  await page.getByRole('button', { name: /Administrateur/ }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Connexion' }).waitFor();
  await page.getByLabel('Identifiant').fill('admin');
  await page.getByLabel('Mot de passe').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('heading', { name: 'Repair orders' }).waitFor();

  // The account page's choice is saved the same way.
  await page.getByRole('button', { name: /Administrateur/ }).click();
  await page.getByRole('menuitem', { name: 'My account' }).click();
  await page.getByRole('heading', { name: 'My account' }).waitFor();
  await page.getByRole('radio', { name: 'Français', exact: true }).check();
  await page.getByRole('heading', { name: 'Mon compte' }).waitFor();
  assert.equal((await apiFromPage('GET', '/api/v1/session')).body.user.language, 'fr');
  assert.equal((await notFoundMessage()).message, before.message);
  assert.equal(await page.getByRole('radio', { name: 'Français', exact: true }).isChecked(), true);
});

step('signing out ends the session', async () => {
  await page.getByRole('button', { name: /Administrateur/ }).click();
  await page.getByRole('menuitem', { name: 'Se déconnecter' }).click();
  await page.waitForURL(/\/login/);
  await page.getByRole('heading', { name: 'Connexion' }).waitFor();
  const session = await apiFromPage('GET', '/api/v1/session');
  assert.equal(session.status, 401);
  // A page of the workspace now sends back to sign-in.
  await page.goto(`${base}/repair-orders/${shared.id}`);
  await page.waitForURL(/\/login\?next=%2Frepair-orders%2F\d+/);
});

step('no Content-Security-Policy violation or script error on any page', async () => {
  assert.deepEqual(consoleProblems, []);
});
