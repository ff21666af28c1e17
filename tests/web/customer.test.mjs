// The shape of the customer's decision page (web/customer), checked without a browser:
// - every module parses as an ES module (node --check);
// - texts.js has the same texts in French and English: the same keys (nested ones included), each
//   a word in both or a function of the same values in both, none empty;
// - every text customer.js asks for (`t().name`) is there.
//
//   node --test tests/web        (ctest -L web)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { jsFiles } from './jsscan.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const customer = path.join(repo, 'web/customer');

test('every module of the customer page parses as an ES module', () => {
  const files = jsFiles(customer);
  assert.ok(files.some((f) => f.endsWith('texts.js')) && files.some((f) => f.endsWith('customer.js')), 'the modules were found');
  const broken = [];
  for (const file of files) {
    const r = spawnSync(process.execPath, ['--input-type=module', '--check'], { input: readFileSync(file), encoding: 'utf8' });
    if (r.status !== 0) broken.push(`${path.basename(file)}: ${(r.stderr.match(/SyntaxError: .*/) || [r.stderr.trim()])[0]}`);
  }
  assert.deepEqual(broken, []);
});

/** "key" → kind for every text, nested ones as "parent.key"; a function's kind names its arity. */
function shape(texts, prefix = '') {
  const out = {};
  for (const [k, v] of Object.entries(texts)) {
    if (typeof v === 'object' && v !== null) Object.assign(out, shape(v, `${prefix}${k}.`));
    else out[prefix + k] = typeof v === 'function' ? `function of ${v.length}` : typeof v;
  }
  return out;
}

test('the customer page\'s French and English texts are the same texts, none empty', async () => {
  const texts = await import(pathToFileURL(path.join(customer, 'texts.js')));
  assert.ok(texts.fr && texts.en, 'texts.js exports fr and en');
  const fr = shape(texts.fr);
  const en = shape(texts.en);
  assert.ok(Object.keys(fr).length >= 50, `the texts were found (${Object.keys(fr).length})`);
  assert.deepEqual(en, fr, 'the same keys, each a word or a function of the same values');
  // Every text says something in both languages, with any values put in.
  const problems = [];
  for (const [lang, dict] of [['fr', texts.fr], ['en', texts.en]]) {
    for (const key of Object.keys(fr)) {
      let v = key.split('.').reduce((o, k) => o[k], dict);
      if (typeof v === 'function') v = v(...Array.from({ length: v.length }, () => 2));
      if (typeof v !== 'string' || v.trim() === '' || v.includes('undefined')) problems.push(`${lang}: ${key} → ${v}`);
    }
  }
  assert.deepEqual(problems, []);
});

test('every text customer.js asks for is in texts.js', async () => {
  const texts = await import(pathToFileURL(path.join(customer, 'texts.js')));
  const source = readFileSync(path.join(customer, 'customer.js'), 'utf8');
  const used = [...new Set([...source.matchAll(/\bt\(\)\.(\w+)/g)].map((m) => m[1]))];
  assert.ok(used.length >= 40, `the uses were found (${used.length})`);
  assert.deepEqual(used.filter((k) => !(k in texts.fr)), []);
});
