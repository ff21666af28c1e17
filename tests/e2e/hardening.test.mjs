// What the limits of issue 10 look like to the people who meet them, in Debian's Chromium
// against the real relais: a relay that takes an email and never answers while relais is
// killed three times (the advisor's RO page then shows the message quarantined, with why, and
// the timeline says so); and a customer's phone asking for more fresh links than allowed (the
// page says so in words, and the customer's own page keeps working meanwhile).
//
//   RELAIS_BIN=build/server/relais node --test tests/e2e/hardening.test.mjs
// With RELAIS_SHOTS=DIR, screenshots are written to DIR.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startRelais, until, CHROMIUM, CHROMIUM_ARGS, signInFirstAdmin, callApi, failureShots } from './relais-server.mjs';

const shotsDir = process.env.RELAIS_SHOTS;
const PHONE = {
  viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
  locale: 'fr-FR', timezoneId: 'Europe/Paris',
};

// A relay that takes the message and never answers the final dot: relais waits on it, with the
// message marked `sending`, until it is killed.
function hangingRelay() {
  const relay = { hung: 0 };
  relay.server = net.createServer((sock) => {
    sock.write('220 relay.garage.test ESMTP\r\n');
    let buf = '';
    let inData = false;
    sock.on('data', (chunk) => {
      buf += chunk.toString('latin1');
      for (;;) {
        const i = buf.indexOf('\r\n');
        if (i < 0) break;
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (inData) {
          if (line === '.') { inData = false; relay.hung += 1; }
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') sock.write('250-relay.garage.test\r\n250 8BITMIME\r\n');
        else if (verb === 'DATA') { inData = true; sock.write('354 go on\r\n'); } else sock.write('250 ok\r\n');
      }
    });
    sock.on('error', () => {});
  });
  return new Promise((resolve) => relay.server.listen(0, '127.0.0.1', () => {
    relay.port = relay.server.address().port;
    resolve(relay);
  }));
}

let server, relay, browser, context, page;
const { step, failed } = failureShots({ page: () => page, dir: () => server && server.dir });

before(async () => {
  relay = await hangingRelay();
  server = await startRelais({
    prefix: 'relais-e2e-hardening-',
    mail: `relay_host = "127.0.0.1"\nrelay_port = ${relay.port}\ntls = "none"`,
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM, args: CHROMIUM_ARGS, env: { ...process.env, LANG: 'fr_FR.UTF-8', LANGUAGE: 'fr' },
  });
  context = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris', viewport: { width: 1366, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(15000);
});

after(async () => {
  await browser?.close();
  relay?.server.close();
  await server?.stop();
  if (!failed()) await server?.remove();
  else console.log(`kept ${server.dir}`);
});

const PASSWORD = 'atelier-essais-2026';

/** The advisor's API, called from the signed-in page `page`. */
function api(method, url, body) { return callApi(page, method, url, body); }

let ro, offer;

step('a message relais died sending three times is shown quarantined on the RO page', async () => {
  await page.goto(`${server.base}/login`);
  assert.deepEqual(await signInFirstAdmin(page, server.oneTimePassword, PASSWORD), [200, 204]);
  const created = await api('POST', '/api/v1/repair-orders', {
    vehicle: { plate: 'gh-456-jk', make: 'Renault', model: 'Clio' },
    parties: [{ roles: ['driver'], title: 'M.', first_name: 'Paul', last_name: 'Durand',
      contact_points: [{ kind: 'email', value: 'paul.durand@exemple.fr' }, { kind: 'phone', value: '06 98 76 54 32' }] }],
    interventions: [{ label: 'Vidange', price_excl_cents: 8900, kind: 'initial', severity: 'green' }],
  });
  assert.equal(created.status, 201);
  ro = created.body;
  const email = ro.parties[0].contact_points.find((c) => c.kind === 'email').id;
  const sent = await api('POST', `/api/v1/repair-orders/${ro.id}/offers`, { recipients: [email] });
  assert.equal(sent.status, 201);
  offer = sent.body;
  for (let death = 1; death <= 3; death += 1) {
    await until(`the relay holding the message (${death})`, () => relay.hung === death, { alive: server.alive });
    await server.restart('SIGKILL');
  }
  // The session outlives the restarts (it is in the database; cookies do not name a port).
  await page.goto(`${server.base}/repair-orders`);
  const state = await until('the message quarantined', async () => {
    const o = await api('GET', `/api/v1/offers/${offer.id}`);
    return o.body.messages[0].state === 'quarantined' && o.body;
  });
  assert.equal(state.messages[0].interruptions, 3);
  assert.equal(relay.hung, 3, 'not sent a fourth time');

  await page.goto(`${server.base}/repair-orders/${ro.id}`);
  const rcpt = page.locator('.offer-recipient');
  await rcpt.getByText('En quarantaine').waitFor();
  await rcpt.getByText('Relais s’est arrêté 3 fois pendant l’envoi de ce message').waitFor();
  await page.getByText('Message mis en quarantaine après des arrêts de Relais').first().waitFor();
  await page.getByText('Échec de l\'envoi').first().waitFor();
  if (shotsDir) {
    await page.mouse.move(4, 300);
    await page.screenshot({ path: path.join(shotsDir, 'workspace-offer-quarantined.png'), fullPage: true, animations: 'disabled' });
  }
});

step('a phone asking for too many fresh links is told so, in words', async () => {
  const phone = ro.parties[0].contact_points.find((c) => c.kind === 'phone').id;
  const sent = await api('POST', `/api/v1/repair-orders/${ro.id}/offers`, { recipients: [phone] });
  assert.equal(sent.status, 201);
  const journal = path.join(server.dir, 'data', 'modem', 'journal.jsonl');
  const links = async () => (await readFile(journal, 'utf8').catch(() => '')).split('\n').filter(Boolean)
    .map((l) => JSON.parse(l)).filter((m) => m.kind === 'message')
    .map((m) => /\/o\/([A-Za-z0-9_-]{22})/.exec(m.text)?.[1]).filter(Boolean);
  const [token] = await until('the SMS link', async () => { const l = await links(); return l.length && l; });

  // The customer's phone opens it first.
  const owner = await browser.newContext(PHONE);
  const mine = await owner.newPage();
  await mine.goto(`${server.publicBase}/o/${token}`);
  await mine.getByRole('button', { name: 'Ouvrir mon devis' }).click();
  await mine.getByText('Vidange').first().waitFor();

  // Someone else with the link asks for fresh ones, more than allowed.
  const other = await browser.newContext(PHONE);
  const theirs = await other.newPage();
  await theirs.goto(`${server.publicBase}/o/${token}`);
  await theirs.getByRole('button', { name: 'Ouvrir mon devis' }).click();
  const ask = theirs.getByRole('button', { name: /Envoyer un nouveau lien au ••32/ });
  for (let i = 0; i < 2; i += 1) {
    await ask.click();
    await theirs.getByText('Un nouveau lien a été envoyé au ••32').waitFor();
    await theirs.reload();
    await theirs.getByRole('button', { name: 'Ouvrir mon devis' }).click();
  }
  await ask.click();
  await theirs.getByRole('alert').getByText('Plusieurs nouveaux liens ont été envoyés récemment').waitFor();
  if (shotsDir) {
    await theirs.screenshot({ path: path.join(shotsDir, 'customer-access-link-limit.png'), animations: 'disabled' });
  }
  // Nobody was signed out: the customer's phone still has its offer.
  await mine.reload(); // a device that opened the offer goes straight back to it
  await mine.getByText('Vidange').first().waitFor();
  const timeline = await api('GET', `/api/v1/repair-orders/${ro.id}/timeline`);
  const types = timeline.body.items.map((e) => e.type);
  assert.equal(types.filter((t) => t === 'link.access_link_sent').length, 2);
  assert.equal(types.filter((t) => t === 'link.access_link_refused').length, 1);
  await page.goto(`${server.base}/repair-orders/${ro.id}`);
  await page.getByText('Nouveau lien refusé : trop de demandes').first().waitFor();
  await owner.close();
  await other.close();
});

test('nothing went wrong', () => assert.equal(failed(), false));
