// Words for everything the server can say on a repair order's history: each event type the
// timeline holds (the list in server/src/timeline/timeline.cpp) has a French and an English title in the
// workspace (web/workspace/assets/*/texts.js, merged by core/i18n.js), and so do the short forms used when the party,
// contact or intervention named has gone since. No server or browser: the workspace's module
// runs in Node.
//
//   cd tests/e2e && node --test texts.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repo } from './relais-server.mjs';

const assets = path.join(repo, 'web/workspace/assets');
const { t, plural } = await import(pathToFileURL(path.join(assets, 'core/i18n.js')));
const { state } = await import(pathToFileURL(path.join(assets, 'core/state.js')));

async function eventTypes() {
  const source = await readFile(path.join(repo, 'server/src/timeline/timeline.cpp'), 'utf8');
  const block = /\/\/ event types begin\n([\s\S]*?)\/\/ event types end/.exec(source);
  assert.ok(block, 'timeline.cpp marks its list of event types');
  return [...block[1].matchAll(/"([a-z_]+\.[a-z_]+)"/g)].map((m) => m[1]);
}

test('every event type the timeline holds has words in French and English', async () => {
  const types = await eventTypes();
  assert.ok(types.length >= 30, `the list was read (${types.length} types)`);
  const missing = [];
  for (const lang of ['fr', 'en']) {
    state.lang = lang;
    for (const type of types) {
      const keys = [`tl.${type}`];
      if (['party', 'contact_point', 'intervention'].includes(type.split('.')[0])) keys.push(`tl.${type}.plain`);
      for (const key of keys) {
        const words = t(key, { name: 'X', value: 'X', label: 'X' });
        if (words === key || /[a-z]+\.[a-z_]+/.test(words)) missing.push(`${lang}: ${key}`);
      }
    }
  }
  assert.deepEqual(missing, [], 'event types without words');
  state.lang = 'fr';
});

test('French and English words differ, and counts use real plurals', () => {
  const types = ['offer.sent', 'sms.read', 'interventions.authorized_from_answers'];
  for (const type of types) {
    state.lang = 'fr';
    const fr = t(`tl.${type}`);
    state.lang = 'en';
    assert.notEqual(t(`tl.${type}`), fr, `${type} has English words of its own`);
  }
  state.lang = 'fr';
  assert.equal(plural('replies.unread', 1), '1 réponse non lue');
  assert.equal(plural('replies.unread', 0), '0 réponse non lue');
  assert.equal(plural('replies.unread', 3), '3 réponses non lues');
  state.lang = 'en';
  assert.equal(plural('replies.unread', 0), '0 unread replies');
  assert.equal(plural('replies.unread', 1), '1 unread reply');
  state.lang = 'fr';
});

test('no lazy plural such as "intervention(s)" in the workspace, the customer page or the server\'s messages', async () => {
  const workspaceTexts = ['core', 'repair-orders', 'offers', 'replies', 'admin', 'setup', 'auth']
    .map((feature) => `web/workspace/assets/${feature}/texts.js`);
  const files = [...workspaceTexts, 'web/workspace/assets/core/i18n.js', 'web/customer/customer.js', 'web/customer/texts.js', 'server/src/offers/offer_messages.cpp', 'server/src/core/messages.cpp',
    'config/texts/fr/customer.txt', 'config/texts/en/customer.txt', 'config/texts/fr/errors.txt', 'config/texts/en/errors.txt',
    'config/texts/fr/staff.txt', 'config/texts/en/staff.txt', 'config/texts/fr/pages.txt', 'config/texts/en/pages.txt'];
  const lazy = [];
  for (const file of files) {
    const source = await readFile(path.join(repo, file), 'utf8');
    source.split('\n').forEach((line, i) => {
      if (/\p{L}\((s|e|es|x)\)/u.test(line) && !/^\s*(\/\/|\*)/.test(line)) lazy.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(lazy, []);
});

async function failureCodes() {
  const source = await readFile(path.join(repo, 'server/src/messaging/outbox.cpp'), 'utf8');
  const block = /\/\/ failure codes begin\n([\s\S]*?)\/\/ failure codes end/.exec(source);
  assert.ok(block, 'outbox.cpp marks its list of failure codes');
  return [...block[1].matchAll(/"([a-z_]+)"/g)].map((m) => m[1]);
}

test('every reason a message can fail for has words in French and English, never the server\'s English', async () => {
  const { failureText } = await import(pathToFileURL(path.join(assets, 'core/i18n.js')));
  const codes = await failureCodes();
  assert.ok(codes.length >= 10, `the list was read (${codes.length} codes)`);
  const detail = 'the network could not deliver it (status 65)';
  const missing = [];
  for (const lang of ['fr', 'en']) {
    state.lang = lang;
    for (const code of codes) {
      const words = failureText({ code, params: { status: '65', reply: '550', n: '3', cms: '38' } }, detail);
      if (!words || words === detail || words === code || words.includes('failure.') || /\{\w+\}/.test(words)) missing.push(`${lang}: ${code} → ${words}`);
    }
  }
  assert.deepEqual(missing, [], 'failure codes without words');
  state.lang = 'fr';
  assert.equal(failureText({ code: 'sms_undelivered', params: { status: '65' } }, detail),
    'Le réseau n’a pas pu remettre le SMS au téléphone (statut 65).');
  assert.equal(failureText({ code: 'sms_refused', params: { cms: '304', attempts: '8' } }),
    'Le réseau mobile a refusé ce SMS. Erreur du modem 304. Abandon après 8 tentatives.');
  state.lang = 'en';
  assert.equal(failureText({ code: 'relay_refused', params: { reply: '550' } }), 'The email server refused the message (code 550).');
  // A message failed before codes existed keeps its recorded words.
  assert.equal(failureText(null, detail), detail);
  state.lang = 'fr';
});

test('one severity vocabulary: the workspace says what the customer reads, in both languages', async () => {
  const source = await readFile(path.join(repo, 'web/customer/texts.js'), 'utf8');
  const found = [...source.matchAll(/severity: \{ red: '([^']+)', orange: '([^']+)', green: '([^']+)' \}/g)];
  assert.equal(found.length, 2, 'the customer page\'s texts.js has French and English severity words');
  for (const [lang, words] of [['fr', found[0]], ['en', found[1]]]) {
    state.lang = lang;
    assert.deepEqual(['red', 'orange', 'green'].map((s) => t(`severity.${s}`)), words.slice(1, 4), lang);
  }
  state.lang = 'fr';
});
