// A small scanner of the workspace's plain ES modules, for tests/web/workspace.test.mjs: no parser
// library (nothing to install), just enough lexing to skip comments, strings, template literals and
// regular expressions, so braces and `import` statements are seen only where they are code.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Every .js file under dir, as absolute paths, sorted. */
export function jsFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...jsFiles(p));
    else if (entry.name.endsWith('.js')) out.push(p);
  }
  return out.sort();
}

const KEYWORDS_BEFORE_REGEX = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'yield', 'await']);
const CONTROL = new Set(['if', 'for', 'while', 'switch', 'catch', 'with']);

/**
 * The code of `src` as a list of tokens {t, line}: punctuation one character at a time,
 * identifiers whole, and one 'str' token per string, template literal or regex (a template's
 * `${…}` parts are scanned as code).
 */
export function tokens(src) {
  const out = [];
  let i = 0;
  let line = 1;
  const templateDepth = []; // brace depth at which each open `${` returns to its template
  let depth = 0;
  const prev = () => (out.length ? out[out.length - 1].t : '');
  const regexAllowed = () => {
    const p = prev();
    if (p === '' || p === 'str') return p === '';
    if (/^[A-Za-z_$][\w$]*$/.test(p)) return KEYWORDS_BEFORE_REGEX.has(p);
    if (/^[0-9]/.test(p)) return false;
    return !(p === ')' || p === ']' || p === '}');
  };
  const scanTemplate = () => { // from just after a backtick or a `}` closing `${`
    while (i < src.length) {
      const c = src[i];
      if (c === '\\') { i += 2; continue; }
      if (c === '\n') line++;
      if (c === '`') { i++; return; }
      if (c === '$' && src[i + 1] === '{') { i += 2; templateDepth.push(depth); depth++; out.push({ t: '${', line }); return; }
      i++;
    }
  };
  while (i < src.length) {
    const c = src[i];
    if (c === '\n') { line++; i++; continue; }
    if (/\s/.test(c)) { i++; continue; }
    if (c === '/' && src[i + 1] === '/') { while (i < src.length && src[i] !== '\n') i++; continue; }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? src.length : end + 2;
      for (let k = i; k < stop; k++) if (src[k] === '\n') line++;
      i = stop;
      continue;
    }
    if (c === '"' || c === "'") {
      const start = i;
      i++;
      while (i < src.length && src[i] !== c && src[i] !== '\n') i += src[i] === '\\' ? 2 : 1;
      i++;
      out.push({ t: 'str', line, v: src.slice(start + 1, i - 1) });
      continue;
    }
    if (c === '`') { out.push({ t: 'str', line }); i++; scanTemplate(); continue; }
    if (c === '/' && regexAllowed()) {
      out.push({ t: 'str', line });
      i++;
      let inClass = false;
      while (i < src.length && src[i] !== '\n') {
        const d = src[i];
        if (d === '\\') { i += 2; continue; }
        if (d === '[') inClass = true;
        else if (d === ']') inClass = false;
        else if (d === '/' && !inClass) break;
        i++;
      }
      i++;
      while (i < src.length && /[a-z]/.test(src[i])) i++;
      continue;
    }
    if (/[A-Za-z_$0-9]/.test(c)) {
      let j = i;
      while (j < src.length && /[\w$.]/.test(src[j]) && !(src[j] === '.' && !/[0-9]/.test(c))) j++;
      out.push({ t: src.slice(i, j), line });
      i = j;
      continue;
    }
    if (c === '=' && src[i + 1] === '>') { out.push({ t: '=>', line }); i += 2; continue; }
    if (c === '{') depth++;
    if (c === '}') {
      if (templateDepth.length && templateDepth[templateDepth.length - 1] === depth - 1) {
        templateDepth.pop();
        depth--;
        out.push({ t: '}$', line });
        i++;
        scanTemplate();
        continue;
      }
      depth--;
    }
    out.push({ t: c, line });
    i++;
  }
  return out;
}

/**
 * The functions of `src` with their length in lines, from the line of the `{` opening the body to
 * the line of its `}`: a `{` is a function's body when it follows `=>`, or follows the `)` of a
 * parameter list (a `(` not opened by if/for/while/switch/catch/with). Functions nested inside one
 * another are each counted whole (an outer function's length includes its inner ones).
 */
export function functionLengths(src) {
  const toks = tokens(src);
  const parens = []; // for each open '(': was it a control statement's?
  const braces = []; // for each open '{': {line, name} when a function body, else null
  let lastClosedParenIsControl = false;
  const found = [];
  for (let k = 0; k < toks.length; k++) {
    const { t, line } = toks[k];
    const before = k > 0 ? toks[k - 1].t : '';
    if (t === '(') parens.push(CONTROL.has(before));
    else if (t === ')') lastClosedParenIsControl = parens.pop() ?? false;
    else if (t === '{' || t === '${') {
      let fn = null;
      if (t === '{' && before === '=>') fn = { line, name: nameBefore(toks, k) };
      else if (t === '{' && before === ')' && !lastClosedParenIsControl) fn = { line, name: nameBefore(toks, k) };
      braces.push(fn);
    } else if (t === '}' || t === '}$') {
      const fn = braces.pop();
      if (fn) found.push({ name: fn.name, line: fn.line, lines: line - fn.line + 1 });
    }
  }
  return found;
}

/** A name for the function whose body opens at toks[k], for messages: the nearest identifier before its parameters. */
function nameBefore(toks, k) {
  let depth = 0;
  for (let j = k - 1; j >= 0 && j > k - 200; j--) {
    const t = toks[j].t;
    if (t === ')') depth++;
    else if (t === '(') {
      depth--;
      if (depth === 0) {
        let b = j - 1;
        if (toks[b] && toks[b].t === 'async') b--;
        const n = toks[b] && toks[b].t;
        if (n && /^[A-Za-z_$]/.test(n) && n !== 'function') return n;
        if ((n === '=' || n === ':') && toks[b - 1]) return toks[b - 1].t; // `const f = (…) => {`, `key: (…) => {`
        return `(anonymous, line ${toks[k].line})`;
      }
    } else if (depth === 0 && t !== '=>' && /^[A-Za-z_$]/.test(t)) {
      // `x => {`: a single parameter without parentheses
      const a = toks[j - 2];
      return a && toks[j - 1].t === '=' ? a.t : `(anonymous, line ${toks[k].line})`;
    }
  }
  return `(anonymous, line ${toks[k].line})`;
}

/**
 * The modules a module imports: `import … from '…'`, `export … from '…'`, `import '…'` and
 * `import('…')`, as written (['./x.js', …]). A dynamic import whose path is not one plain string
 * is returned as null: its target cannot be checked.
 */
export function importsOf(src) {
  const toks = tokens(src);
  const specs = [];
  for (let k = 0; k < toks.length; k++) {
    const p = k > 0 ? toks[k - 1].t : '';
    const pp = k > 1 ? toks[k - 2].t : '';
    const { t, v } = toks[k];
    if (t === 'str' && (p === 'from' || (p === 'import' && pp !== '.'))) specs.push(v ?? null);
    else if (t === '(' && p === 'import' && pp !== '.') {
      const arg = toks[k + 1];
      const close = toks[k + 2];
      specs.push(arg && arg.t === 'str' && arg.v !== undefined && close && close.t === ')' ? arg.v : null);
    }
  }
  return specs;
}
