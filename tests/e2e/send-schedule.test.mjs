// A send scheduled relative to the repair order's promised time, in the advisor workspace against
// the real relais: the send dialog's "relative to the promised time" choice shows the local time
// it gives (dealership's zone) as the hours and the side change; a refusal is shown next to it;
// the preview says when it leaves; the offer waits, said on its panel; the promised time moved
// on the RO moves it (live), with its words on the timeline. An RO without a promised time
// offers the choice disabled, saying why.
//
//   cd tests/e2e && RELAIS_BIN=/work/main/build/server/relais node --test send-schedule.test.mjs
// With RELAIS_SHOTS=1, docs/screenshots/workspace-send-relative*.png are written (the dialog,
// its "when" part, the scheduled offer's panel);
// RELAIS_SHOTS=DIR writes them to DIR instead.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { chromium } from 'playwright-core';
import {
  startRelais, until as poll, CHROMIUM, CHROMIUM_ARGS, failureShots, signedInWorkspace, callApi, finish, SHOTS_DIR,
  seriousAxeViolations,
} from './relais-server.mjs';

const PASSWORD = 'atelier-programme-2026';
const PHONE = '06 98 76 54 32';
const HOUR = 3600000;

let server;
let browser;
let page;
let ro;
let bare;
const pageProblems = [];
const { step, failed } = failureShots({ page: () => page, dir: () => server && server.dir });

const until = (what, check, timeoutMs = 15000) => poll(what, check, { timeoutMs, alive: () => server && server.alive() });
const normalise = (s) => s.replace(/[\s\u00a0\u202f]+/g, ' ').trim();
function api(method, url, body) { return callApi(page, method, url, body); }

// A local day in Paris `days` from now, as "2026-12-09".
function parisDay(days) {
  const parts = {};
  for (const p of new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(new Date(Date.now() + days * 24 * HOUR))) parts[p.type] = p.value;
  return `${parts.year}-${parts.month}-${parts.day}`;
}

async function shot(name, locator) {
  if (!SHOTS_DIR) return;
  await page.mouse.move(4, 300);
  await page.evaluate(() => document.fonts.ready);
  const file = path.join(SHOTS_DIR, `workspace-send-relative${name}.png`);
  if (locator) {
    const box = await locator.boundingBox();
    await page.screenshot({
      path: file, clip: { x: box.x - 8, y: box.y - 8, width: box.width + 16, height: box.height + 16 }, animations: 'disabled', caret: 'hide',
    });
  } else await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
}

function roBody(promisedAt) {
  return {
    vehicle: { plate: 'gh-789-jk', make: 'Citroën', model: 'C3' },
    promised_at: promisedAt,
    parties: [{ roles: ['driver', 'owner'], title: 'M.', first_name: 'Léo', last_name: 'Marchand', contact_points: [{ kind: 'phone', value: PHONE }] }],
    interventions: [{ label: 'Courroie de distribution', price_excl_cents: 42000, kind: 'initial', severity: 'orange' }],
  };
}

before(async () => {
  server = await startRelais({ dealerName: 'Garage des Essais', prefix: 'relais-e2e-send-schedule-' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  page = await signedInWorkspace({ browser, server, password: PASSWORD, problems: pageProblems });

  // Promised in two days at 17:00, the dealership's time (the server reads it in its zone).
  const created = await api('POST', '/api/v1/repair-orders', roBody(`${parisDay(2)}T17:00`));
  assert.equal(created.status, 201, JSON.stringify(created.body));
  ro = created.body;
  const none = await api('POST', '/api/v1/repair-orders', roBody(null));
  assert.equal(none.status, 201, JSON.stringify(none.body));
  bare = none.body;
});

after(() => finish({ browser, server, failed }));

const dialog = () => page.getByRole('dialog', { name: 'Envoyer le devis au client' });
const result = () => dialog().locator('.send-rel-result');
const offerPanel = () => page.locator('section.card-offers article.offer');

step('without a promised time, the relative choice is disabled and says why', async () => {
  await page.goto(`${server.base}/repair-orders/${bare.id}`);
  await page.getByRole('button', { name: 'Envoyer au client' }).click();
  await dialog().waitFor();
  const relative = dialog().getByRole('radio', { name: 'Par rapport à l\'heure promise :' });
  assert.equal(await relative.isDisabled(), true);
  assert.equal(normalise(await result().innerText()), 'L\'OR n\'a pas d\'heure promise.');
  await dialog().getByRole('button', { name: 'Annuler' }).click();
  await dialog().waitFor({ state: 'detached' });
});

step('the dialog shows the local time the promised time gives, as the hours and the side change', async () => {
  await page.goto(`${server.base}/repair-orders/${ro.id}`);
  await page.getByRole('button', { name: 'Envoyer au client' }).click();
  await dialog().waitFor();
  await dialog().getByRole('checkbox', { name: PHONE }).check();
  const hours = dialog().getByLabel('Nombre d\'heures');
  const side = dialog().getByLabel('Avant ou après l\'heure promise');
  assert.equal(await hours.isDisabled(), true, 'used once its choice is made');
  await dialog().getByRole('radio', { name: 'Par rapport à l\'heure promise :' }).check();
  assert.equal(await hours.isDisabled(), false);
  assert.equal(await hours.inputValue(), '2');
  assert.equal(await side.inputValue(), 'before');
  const promised = Date.parse(ro.promised_at);
  const when = result().locator('.send-rel-when');
  assert.equal(Date.parse(await when.getAttribute('data-send-at')), promised - 2 * HOUR);
  assert.match(normalise(await result().innerText()), /^Envoi le \S+ \d{1,2} \S+ 15:00 · heure promise : \S+ \d{1,2} \S+ 17:00$/);

  await hours.fill('3');
  await side.selectOption('after');
  assert.equal(Date.parse(await when.getAttribute('data-send-at')), promised + 3 * HOUR);
  assert.match(normalise(await when.innerText()), /20:00$/);

  // Refused by the server: said next to the choice, the dialog stays on its first step.
  await hours.fill('200');
  await dialog().getByRole('button', { name: 'Prévisualiser' }).click();
  const err = dialog().locator('.send-when .field-error');
  await err.waitFor();
  assert.equal(normalise(await err.innerText()), 'Au plus 168 h avant ou après l\'heure promise.');
  assert.equal(await hours.getAttribute('aria-invalid'), 'true');

  await hours.fill('2');
  assert.equal(await err.isVisible(), false, 'gone once the hours change');
  assert.equal(await hours.getAttribute('aria-invalid'), null);
  await side.selectOption('before');
  assert.deepEqual(await seriousAxeViolations(page), [], 'the dialog with its relative choice');
  await dialog().locator('.send-when').scrollIntoViewIfNeeded();
  await shot('', dialog());
  await shot('-when', dialog().locator('.send-when'));
});

step('the preview says when it leaves; sent, the offer waits, following the promised time', async () => {
  await dialog().getByRole('button', { name: 'Prévisualiser' }).click();
  const preview = page.getByRole('dialog', { name: 'Aperçu avant envoi' });
  const leaves = preview.locator('.send-preview-when');
  await leaves.waitFor();
  assert.equal(Date.parse(await leaves.getAttribute('data-send-at')), Date.parse(ro.promised_at) - 2 * HOUR);
  assert.match(normalise(await leaves.innerText()), /^Départ prévu : \S+ \d{1,2} \S+ 15:00\.$/);
  await preview.getByRole('button', { name: 'Programmer l\'envoi' }).click();
  await preview.waitFor({ state: 'detached' });

  const offer = (await api('GET', `/api/v1/repair-orders/${ro.id}/offers`)).body.items[0];
  assert.equal(offer.state, 'scheduled');
  assert.deepEqual(offer.send_relative, { hours: -2 });
  assert.equal(Date.parse(offer.messages[0].next_attempt_at), Date.parse(ro.promised_at) - 2 * HOUR);
  await until('the panel says it', async () => (await offerPanel().getAttribute('data-state')) === 'scheduled');
  assert.match(normalise(await offerPanel().locator('.notice').innerText()),
    /^Envoi programmé le .* 15:00\. 2 h avant l'heure promise, qu'il suit jusqu'au départ\.$/);
  // No reminder of a message the customer has not had yet.
  assert.equal(await offerPanel().getByRole('button', { name: 'Relancer maintenant' }).count(), 0);
  await page.locator('.toast').first().waitFor({ state: 'detached' }).catch(() => {});
  await offerPanel().scrollIntoViewIfNeeded();
  await shot('-panel', offerPanel());
});

step('the promised time moved on the RO moves the send, live, and the timeline says so', async () => {
  const fresh = await api('GET', `/api/v1/repair-orders/${ro.id}`);
  const moved = await api('PATCH', `/api/v1/repair-orders/${ro.id}`, { promised_at: `${parisDay(3)}T11:30` });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  assert.notEqual(moved.body.promised_at, fresh.body.promised_at);
  const due = Date.parse(moved.body.promised_at) - 2 * HOUR;
  await until('the panel shows the new time', async () => Date.parse(await offerPanel().locator('.notice').getAttribute('data-send-at')) === due);
  assert.match(normalise(await offerPanel().locator('.notice').innerText()), /09:30\. 2 h avant/);
  const offer = (await api('GET', `/api/v1/repair-orders/${ro.id}/offers`)).body.items[0];
  assert.equal(Date.parse(offer.messages[0].next_attempt_at), due);
  const history = page.locator('.timeline li', { hasText: 'Envoi programmé recalé sur l\'heure promise' });
  await until('the event on the timeline', async () => (await history.count()) === 1);
  const words = normalise(await history.innerText());
  assert.match(words, /Départ : \S+ \d{1,2} \S+ 09:30/);
  assert.match(words, /2 h avant l'heure promise \(\S+ \d{1,2} \S+ 11:30\)/);
  assert.deepEqual(pageProblems, []);
});
