// The shape of the advisor workspace (web/workspace/assets), checked without a browser:
// - every feature's texts.js has the same keys in French and English, and no key is in two features;
// - no import cycle among the workspace's modules (static and dynamic imports alike);
// - no function longer than MAX_FUNCTION_LINES lines;
// - every module parses as an ES module (node --check; the scans below assume it).
// The modules are scanned by tests/web/jsscan.mjs (comments, strings, templates and regexes
// skipped; a function is a `{…}` after `=>` or after a parameter list, measured from its `{` line
// to its `}` line, inner functions included in the outer one's length).
//
//   node --test tests/web        (ctest -L web)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { jsFiles, functionLengths, importsOf } from './jsscan.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const assets = process.env.RELAIS_WORKSPACE_ASSETS || path.join(repo, 'web/workspace/assets');
const MAX_FUNCTION_LINES = 200;

const relative = (file) => path.relative(assets, file);

test('every module of the workspace parses as an ES module', () => {
  const broken = [];
  for (const file of jsFiles(assets)) {
    const r = spawnSync(process.execPath, ['--input-type=module', '--check'], { input: readFileSync(file), encoding: 'utf8' });
    if (r.status !== 0) broken.push(`${relative(file)}: ${(r.stderr.match(/SyntaxError: .*/) || [r.stderr.trim()])[0]}`);
  }
  assert.deepEqual(broken, []);
});

test('each feature\'s French and English texts have the same keys, and no key is in two features', async () => {
  const features = readdirSync(assets, { withFileTypes: true })
    .filter((e) => e.isDirectory() && readdirSync(path.join(assets, e.name)).includes('texts.js')).map((e) => e.name);
  assert.ok(features.length >= 7, `the features' texts were found (${features.join(', ')})`);
  const problems = [];
  const owner = new Map();
  for (const feature of features) {
    const texts = await import(pathToFileURL(path.join(assets, feature, 'texts.js')));
    assert.ok(texts.fr && texts.en, `${feature}/texts.js exports fr and en`);
    const fr = Object.keys(texts.fr);
    const en = Object.keys(texts.en);
    assert.ok(fr.length > 0, `${feature}/texts.js has texts`);
    for (const k of fr) if (!(k in texts.en)) problems.push(`${feature}: "${k}" has no English`);
    for (const k of en) if (!(k in texts.fr)) problems.push(`${feature}: "${k}" has no French`);
    for (const k of fr) {
      if (owner.has(k)) problems.push(`"${k}" is in ${owner.get(k)} and ${feature}`);
      owner.set(k, feature);
    }
  }
  assert.deepEqual(problems, []);
  // The runtime merges every feature's texts: none is left out.
  const { FEATURE_TEXTS } = await import(pathToFileURL(path.join(assets, 'core/i18n.js')));
  assert.deepEqual(Object.keys(FEATURE_TEXTS).sort(), [...features].sort(), 'core/i18n.js merges every feature\'s texts');
});

test('no import cycle among the workspace\'s modules', () => {
  const files = jsFiles(assets);
  assert.ok(files.length >= 20, `the modules were found (${files.length})`);
  const graph = new Map();
  const problems = [];
  for (const file of files) {
    const targets = [];
    for (const spec of importsOf(readFileSync(file, 'utf8'))) {
      if (spec === null) { problems.push(`${relative(file)}: an import whose path is not a plain string`); continue; }
      if (!spec.startsWith('.') && !spec.startsWith('/')) { problems.push(`${relative(file)}: imports "${spec}" from outside`); continue; }
      const target = spec.startsWith('/assets/') ? path.join(assets, spec.slice('/assets/'.length)) : path.resolve(path.dirname(file), spec);
      if (!graph.has(target) && !files.includes(target)) problems.push(`${relative(file)}: imports "${spec}", which does not exist`);
      targets.push(target);
    }
    graph.set(file, targets);
  }
  assert.deepEqual(problems, []);
  // Depth-first search; a module met again while still on the path closes a cycle.
  const done = new Set();
  const onPath = [];
  const cycles = [];
  const visit = (file) => {
    if (done.has(file)) return;
    const at = onPath.indexOf(file);
    if (at >= 0) { cycles.push([...onPath.slice(at), file].map(relative).join(' → ')); return; }
    onPath.push(file);
    for (const next of graph.get(file) || []) visit(next);
    onPath.pop();
    done.add(file);
  };
  for (const file of files) visit(file);
  assert.deepEqual(cycles, [], 'import cycles');
});

test(`no function of the workspace is longer than ${MAX_FUNCTION_LINES} lines`, () => {
  const long = [];
  let functions = 0;
  for (const file of jsFiles(assets)) {
    for (const fn of functionLengths(readFileSync(file, 'utf8'))) {
      functions++;
      if (fn.lines > MAX_FUNCTION_LINES) long.push(`${relative(file)}:${fn.line} ${fn.name}: ${fn.lines} lines`);
    }
  }
  assert.ok(functions >= 300, `the functions were found (${functions})`);
  assert.deepEqual(long, []);
});

test('the scanner sees functions, imports and cycles where they are, and not in strings or comments', () => {
  const src = [
    "import { a } from './a.js';",
    "// import { b } from './b.js';",
    "const s = 'import x from \"./c.js\"'; const r = /{/;",
    'export function f(x) {',
    '  if (x) { return `${x}{`; }',
    '  const g = () => {',
    '    return 1;',
    '  };',
    '  return import(\'./d.js\');',
    '}',
  ].join('\n');
  assert.deepEqual(importsOf(src), ['./a.js', './d.js']);
  const fns = functionLengths(src).map((x) => `${x.name}:${x.line}:${x.lines}`).sort();
  assert.deepEqual(fns, ['f:4:7', 'g:6:3']);
  assert.deepEqual(importsOf('const m = await import(`./pages/${name}.js`);'), [null]);
});
