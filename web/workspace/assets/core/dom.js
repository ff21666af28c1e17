// DOM building without innerHTML: every piece of data becomes a text node or a property,
// so nothing a customer or a DMS typed can turn into markup. No inline styles either (CSP).
import { t, plural, count } from './i18n.js';

const SVG = 'http://www.w3.org/2000/svg';

/** h('button', {class: 'btn', onclick: fn}, 'Text', child) → element. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'value' || key === 'checked' || key === 'selected' || key === 'indeterminate') el[key] = value;
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export function replace(el, ...children) {
  clear(el);
  return append(el, children);
}

// Line icons drawn on a 24×24 grid; colour comes from CSS (currentColor).
const ICONS = {
  plus: ['M12 5v14', 'M5 12h14'],
  search: ['M10.5 17a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13z', 'M20 20l-4.8-4.8'],
  edit: ['M4 20h4L19 9l-4-4L4 16z', 'M13.5 6.5l4 4'],
  trash: ['M4 7h16', 'M9.5 7V4.5h5V7', 'M6.5 7l1 13h9l1-13', 'M10 11v5.5', 'M14 11v5.5'],
  up: ['M12 19V5', 'M6 11l6-6 6 6'],
  down: ['M12 5v14', 'M6 13l6 6 6-6'],
  phone: ['M8 2.5h8a1.5 1.5 0 0 1 1.5 1.5v16a1.5 1.5 0 0 1-1.5 1.5H8A1.5 1.5 0 0 1 6.5 20V4A1.5 1.5 0 0 1 8 2.5z', 'M11 18h2'],
  mail: ['M3.5 5.5h17v13h-17z', 'M3.5 6l8.5 7 8.5-7'],
  person: ['M12 11.5a4 4 0 1 0 0-8 4 4 0 0 0 0 8z', 'M4.5 20.5c.6-4 3.6-6 7.5-6s6.9 2 7.5 6'],
  company: ['M4 20.5V4.5h10v16', 'M14 9.5h6v11', 'M2.5 20.5h19', 'M7.5 8h3', 'M7.5 12h3', 'M7.5 16h3', 'M17 13v.01', 'M17 16.5v.01'],
  left: ['M15 18l-6-6 6-6'],
  right: ['M9 6l6 6-6 6'],
  back: ['M19 12H5', 'M11 6l-6 6 6 6'],
  close: ['M6 6l12 12', 'M18 6L6 18'],
  copy: ['M9 9h11v11H9z', 'M15 9V4H4v11h5'],
  logout: ['M14 4h5v16h-5', 'M9.5 8l-4 4 4 4', 'M5.5 12H15'],
  check: ['M5 12.5l4.5 4.5L19 7.5'],
  alert: ['M12 3.5l9.5 16.5h-19z', 'M12 10v4.5', 'M12 17.3v.01'],
  info: ['M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z', 'M12 11v5.5', 'M12 7.7v.01'],
  chevron: ['M6 9l6 6 6-6'],
  car: ['M4 16.5v-4l2-5.5h12l2 5.5v4', 'M3 16.5h18v2.5h-3v-1H6v1H3z', 'M4.5 12.5h15', 'M7 14.5h1', 'M16 14.5h1'],
  clock: ['M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z', 'M12 7v5.5l3.5 2'],
  key: ['M8 15.5a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7z', 'M11.5 12H21', 'M18 12v3', 'M15 12v2'],
  send: ['M21 3L10.5 13.5', 'M21 3l-6.5 18-4-7.5-7.5-4z'],
  message: ['M4 5h16v11.5H10l-4.5 4v-4H4z', 'M8 9.5h8', 'M8 12.5h5'],
  thumbUp: ['M7 10.5v10H3.5v-10z', 'M7 10.5l4-7.5a2 2 0 0 1 2.5 2l-.8 4.5H19a2 2 0 0 1 2 2.3l-1.3 7a2 2 0 0 1-2 1.7H7'],
  thumbDown: ['M7 13.5v-10H3.5v10z', 'M7 13.5l4 7.5a2 2 0 0 0 2.5-2l-.8-4.5H19a2 2 0 0 0 2-2.3l-1.3-7a2 2 0 0 0-2-1.7H7'],
  eye: ['M2.5 12s3.5-6.5 9.5-6.5 9.5 6.5 9.5 6.5-3.5 6.5-9.5 6.5S2.5 12 2.5 12z', 'M12 14.8a2.8 2.8 0 1 0 0-5.6 2.8 2.8 0 0 0 0 5.6z'],
  lock: ['M6 10.5h12v10H6z', 'M8.5 10.5V7.5a3.5 3.5 0 0 1 7 0v3', 'M12 14.5v2'],
  doc: ['M6 2.5h8.5l3.5 3.5v15.5H6z', 'M14 2.5V6.5h4', 'M9 11.5h6', 'M9 15.5h6'],
  print: ['M6.5 9V3.5h11V9', 'M6.5 17.5H3.5v-8.5h17v8.5h-3', 'M6.5 13.5h11v7h-11z', 'M17 11.5h.01'],
  bell: ['M6 16.5V11a6 6 0 0 1 12 0v5.5l1.5 2h-15z', 'M10 20.5a2 2 0 0 0 4 0'],
  flag: ['M5.5 21V4', 'M5.5 4.5h12l-2.5 4.5 2.5 4.5h-12'],
  users: ['M9 11a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7z', 'M2.5 20c.5-3.5 3-5.5 6.5-5.5s6 2 6.5 5.5', 'M16 4.3a3.5 3.5 0 0 1 0 6.4', 'M18 14.8c2 .7 3.2 2.5 3.5 5.2'],
};

export function icon(name, extraClass) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', extraClass ? `icon ${extraClass}` : 'icon');
  for (const d of ICONS[name] || []) {
    const p = document.createElementNS(SVG, 'path');
    p.setAttribute('d', d);
    svg.append(p);
  }
  return svg;
}

/** A button showing only an icon: its name is in aria-label and the tooltip. */
export function iconButton(name, label, onclick, extraClass) {
  return h('button', { type: 'button', class: ['btn-icon', extraClass], 'aria-label': label, title: label, onclick },
    icon(name));
}

let uid = 0;
export function nextId(prefix = 'f') {
  uid += 1;
  return `${prefix}-${uid}`;
}

/**
 * A labelled form field. `control` is the input/select/textarea; `field` is the API's field
 * path it answers for (e.g. "vehicle.vin"), so that errors land next to it.
 */
export function field({ label, control, field: apiField, hint, className, optional, max }) {
  const id = control.id || nextId();
  control.id = id;
  if (apiField) control.dataset.field = apiField;
  const err = h('p', { class: 'field-error', id: `${id}-err`, hidden: true });
  const described = [err.id];
  let hintEl = null;
  if (hint) {
    hintEl = h('p', { class: 'field-hint', id: `${id}-hint` }, hint);
    described.unshift(hintEl.id);
  }
  // The server's length limit, shown as it comes near (limitText); never a maxlength that cuts.
  const counter = max ? limitText(control, max, label) : null;
  if (counter) described.splice(described.length - 1, 0, counter.id);
  control.setAttribute('aria-describedby', described.join(' '));
  return h('div', { class: ['field', className] },
    h('label', { for: id }, label, optional ? h('span', { class: 'optional' }, ` ${t('common.optional')}`) : null),
    control, counter ? h('div', { class: 'field-foot' }, hintEl, counter) : hintEl, err);
}

// ---- length limits ----------------------------------------------------------------------
// Every text the API limits (server/src/repair_orders/validation.cpp) shows its limit as it comes near and is
// refused past it, never cut: a pasted text stays whole, the counter turns red, and saving is
// blocked with a message naming the field and the limit.

const limits = new WeakMap(); // control → {max, label, el, state}
const NEAR = 0.8; // the counter appears from 80 % of the limit

/** Characters as the server counts them: code points, once the text is trimmed. */
export function textLength(s) {
  return [...String(s ?? '').trim()].length;
}

/**
 * Puts a limit of `max` characters on `control` (named `label` in messages). Returns the
 * counter to place after the control (field() does it) and to name in its aria-describedby.
 */
export function limitText(control, max, label) {
  control.removeAttribute('maxlength');
  control.dataset.max = String(max);
  if (!control.dataset.field) control.dataset.field = nextId('limited');
  const el = h('span', { class: 'char-counter', id: nextId('count') });
  limits.set(control, { max, label, el, state: 'far' });
  control.addEventListener('input', () => syncLimit(control));
  syncLimit(control, { quiet: true });
  return el;
}

/** Brings the counter of `control` up to date (after its value was set by code). */
export function syncLimit(control, { quiet = false } = {}) {
  const l = limits.get(control);
  if (!l) return;
  const n = textLength(control.value);
  const state = n > l.max ? 'over' : n >= Math.ceil(l.max * NEAR) ? 'near' : 'far';
  l.el.classList.toggle('is-near', state === 'near');
  l.el.classList.toggle('is-over', state === 'over');
  l.el.textContent = state === 'far' ? '' : t('limit.count', { n: count(n), max: count(l.max) });
  if (state === 'over') control.setAttribute('aria-invalid', 'true');
  else if (l.state === 'over' && !control.classList.contains('has-conflict')) control.removeAttribute('aria-invalid');
  // Said once when the limit comes near or is passed, not at every key.
  if (state !== l.state && !quiet && document.activeElement === control) {
    announce(state === 'over' ? limitMessage(control) : state === 'near' ? plural('limit.left', l.max - n, { field: l.label }) : '');
  }
  l.state = state;
}

let liveRegion = null;
/** A sentence for screen readers only (one polite live region for the page). */
export function announce(text) {
  if (!liveRegion || !liveRegion.isConnected) {
    liveRegion = h('div', { class: 'visually-hidden', 'aria-live': 'polite' });
    document.body.append(liveRegion);
  }
  liveRegion.textContent = text || '';
}

/** Why `control` cannot be saved as it is (too long), or null. */
export function limitMessage(control) {
  const l = limits.get(control);
  if (!l) return null;
  const n = textLength(control.value);
  if (n <= l.max) return null;
  // The limit in plain digits, as the server's own message says it ("1000 caractères au plus").
  return t('limit.tooLong', { field: l.label, max: String(l.max), over: plural('limit.over', n - l.max) });
}

/** The shown controls of `root` whose text is over its limit, as field problems for showErrors. */
export function limitProblems(root) {
  const out = [];
  for (const control of root.querySelectorAll('[data-max]')) {
    if (control.disabled || control.closest('[hidden]')) continue;
    const message = limitMessage(control);
    if (message) out.push({ field: control.dataset.field, message, control });
  }
  return out;
}

/** Refuses a form whose texts are too long: each said next to its field. True when all fit. */
export function checkLimits(form) {
  const problems = limitProblems(form);
  if (!problems.length) return true;
  showErrors(form, { message: plural('limit.formTitle', problems.length), fields: problems });
  return false;
}

// ---- what someone typed, beside what someone else saved meanwhile --------------------------

/**
 * A small panel saying that `label` was changed by someone else while it was being typed:
 * "Your text" and "Current value" side by side, each with a button to keep it. Nothing typed is
 * ever thrown away without this choice. `setCurrent(text)` follows later changes.
 */
export function conflictPanel({ label, mine, current, onKeepMine, onKeepCurrent, keepMineLabel }) {
  const currentText = h('p', { class: 'conflict-value' });
  const mineText = h('p', { class: 'conflict-value' });
  const show = (el, v) => replace(el, v === '' || v === null || v === undefined ? h('span', { class: 'muted' }, t('conflict.empty')) : v);
  show(mineText, mine);
  show(currentText, current);
  const titleId = nextId('conflict');
  const el = h('div', { class: 'conflict', role: 'group', 'aria-labelledby': titleId },
    h('p', { class: 'conflict-title', id: titleId }, icon('alert'), t('conflict.title', { field: label })),
    h('div', { class: 'conflict-grid' },
      h('div', { class: 'conflict-side conflict-mine' },
        h('p', { class: 'conflict-k' }, t('conflict.mine')), mineText,
        h('button', { type: 'button', class: 'btn btn-small btn-primary', onclick: onKeepMine }, keepMineLabel || t('conflict.keepMine'))),
      h('div', { class: 'conflict-side conflict-current' },
        h('p', { class: 'conflict-k' }, t('conflict.current')), currentText,
        h('button', { type: 'button', class: 'btn btn-small', onclick: onKeepCurrent }, t('conflict.keepCurrent')))));
  return { el, setCurrent: (v) => show(currentText, v), setMine: (v) => show(mineText, v) };
}

/** A group of checkboxes or radios with a legend, answering for one API field. */
export function fieldset({ legend, children, field: apiField, className }) {
  const err = h('p', { class: 'field-error', hidden: true });
  const fs = h('fieldset', { class: ['field', 'fieldset', className] },
    h('legend', {}, legend), h('div', { class: 'choices' }, children), err);
  if (apiField) fs.dataset.field = apiField;
  return fs;
}

export function checkbox(label, attrs = {}) {
  const input = h('input', { type: 'checkbox', ...attrs });
  return h('label', { class: 'check' }, input, h('span', {}, label));
}

export function radio(label, attrs = {}) {
  const input = h('input', { type: 'radio', ...attrs });
  return h('label', { class: 'check' }, input, h('span', {}, label));
}

export function select(options, attrs = {}) {
  const s = h('select', attrs);
  for (const o of options) s.append(h('option', { value: o.value, selected: o.selected, disabled: o.disabled }, o.label));
  if (attrs.value !== undefined) s.value = attrs.value;
  return s;
}

/** Clears the errors a previous answer put in `root`. */
export function clearErrors(root) {
  for (const el of root.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
  for (const el of root.querySelectorAll('.field-error')) {
    el.hidden = true;
    el.textContent = '';
  }
  for (const el of root.querySelectorAll('.form-alert')) {
    el.hidden = true;
    clear(el);
  }
  for (const el of root.querySelectorAll('.conflict.in-form')) el.remove();
  // A text still too long stays marked: its counter says so.
  for (const el of root.querySelectorAll('[data-max]')) if (limitMessage(el)) el.setAttribute('aria-invalid', 'true');
}

/**
 * Shows an API error in a form: each field problem next to the control whose data-field
 * matches (or its fieldset), the rest in the form's alert. Focuses the first bad control.
 * `aliases` maps API field paths to the data-field a form uses instead.
 */
export function showErrors(root, error, aliases = {}) {
  clearErrors(root);
  const leftover = [];
  let first = null;
  for (const f of error.fields || []) {
    const name = aliases[f.field] || f.field;
    const target = root.querySelector(`[data-field="${cssEscape(name)}"]`);
    if (!target) {
      leftover.push(f);
      continue;
    }
    const box = target.closest('.field') || target.parentElement;
    const err = box.querySelector('.field-error');
    if (err) {
      err.textContent = err.textContent ? `${err.textContent} ${f.message}` : f.message;
      err.hidden = false;
    }
    if (target.matches('input, select, textarea')) target.setAttribute('aria-invalid', 'true');
    else for (const c of target.querySelectorAll('input')) c.setAttribute('aria-invalid', 'true');
    if (!first) first = target.matches('input, select, textarea') ? target : target.querySelector('input');
  }
  const alert = root.querySelector('.form-alert');
  if (alert) {
    replace(alert, icon('alert'), h('div', {},
      h('p', { class: 'form-alert-title' }, error.message),
      leftover.length ? h('ul', {}, leftover.map((f) => h('li', {}, f.message))) : null));
    alert.hidden = false;
    if (!first) first = alert;
  }
  if (first) {
    if (first === alert) alert.focus();
    else first.focus();
  }
}

export function formAlert() {
  return h('div', { class: 'form-alert', role: 'alert', tabindex: '-1', hidden: true });
}

function cssEscape(s) {
  return window.CSS && CSS.escape ? CSS.escape(s) : s.replace(/["\\\]\[]/g, '\\$&');
}

/** Brief messages at the bottom of the screen, read by screen readers. */
export function toast(message, kind = 'ok', ms = 3500) {
  const box = document.getElementById('toasts');
  const el = h('div', { class: ['toast', `toast-${kind}`] }, icon(kind === 'error' ? 'alert' : 'check'), h('span', {}, message));
  box.append(el);
  setTimeout(() => el.remove(), kind === 'error' ? Math.max(ms, 7000) : ms);
}

/**
 * A modal dialog around a form. `onSubmit(form)` returns a promise; the dialog closes when it
 * resolves to anything but false. Resolves with that value, or null when cancelled.
 */
export function formDialog({ title, body, submitLabel, onSubmit, danger, wide, cancelLabel }) {
  return new Promise((resolve) => {
    const alert = formAlert();
    const submit = h('button', { type: 'submit', class: ['btn', danger ? 'btn-danger' : 'btn-primary'] }, submitLabel);
    const cancel = h('button', { type: 'button', class: 'btn', onclick: () => dlg.close() }, cancelLabel || t('common.cancel'));
    const titleId = nextId('dlg');
    const form = h('form', { class: 'dialog-form', novalidate: true },
      h('header', { class: 'dialog-head' },
        h('h2', { id: titleId }, title),
        iconButton('close', t('common.close'), () => dlg.close())),
      h('div', { class: 'dialog-body' }, alert, body),
      onSubmit ? h('footer', { class: 'dialog-foot' }, cancel, submit) : h('footer', { class: 'dialog-foot' }, cancel));
    const dlg = h('dialog', { class: ['dialog', wide ? 'dialog-wide' : null], 'aria-labelledby': titleId }, form);
    let result = null;
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (submit.disabled) return;
      clearErrors(form);
      if (!checkLimits(form)) return; // a text too long is refused here, never cut
      submit.disabled = true;
      try {
        const r = await onSubmit(form);
        if (r !== false) {
          result = r === undefined ? true : r;
          dlg.close();
        }
      } catch (e) {
        if (e && e.handled) { dlg.close(); return; }
        showErrors(form, e && e.message ? e : { message: String(e) });
      } finally {
        submit.disabled = false;
      }
    });
    dlg.addEventListener('close', () => {
      dlg.remove();
      resolve(result);
    });
    document.body.append(dlg);
    dlg.showModal();
    const firstInput = form.querySelector('.dialog-body input:not([type=hidden]):not([disabled]), .dialog-body select, .dialog-body textarea');
    if (firstInput) firstInput.focus();
  });
}

/**
 * Asks before doing something. With `onConfirm`, the dialog stays open while it runs and shows
 * its error (the API's message) instead of closing; resolves true once it succeeded.
 */
export async function confirmDialog({ title, text, confirmLabel, danger = true, onConfirm }) {
  const r = await formDialog({
    title, body: h('p', { class: 'dialog-text' }, text), submitLabel: confirmLabel, danger,
    onSubmit: async () => { if (onConfirm) await onConfirm(); return true; },
  });
  return r === true;
}

/**
 * Sizes a textarea to its text through its `rows` attribute (the CSP rules out inline
 * heights): from `min` to `max` lines; past `max` it scrolls (class `is-capped`).
 * Returns the lines the text needs (0 while the textarea is not laid out: detached or hidden).
 */
export function fitRows(ta, { min = 1, max = 30 } = {}) {
  if (!ta.isConnected || !ta.offsetParent) return 0;
  const cs = getComputedStyle(ta);
  const line = parseFloat(cs.lineHeight);
  if (!line) return 0;
  const pad = parseFloat(cs.paddingTop) + parseFloat(cs.paddingBottom);
  const { scrollX, scrollY } = window;
  ta.rows = min; // measured at its smallest, so that it shrinks as well as grows
  const needed = Math.max(min, Math.round((ta.scrollHeight - pad) / line));
  ta.rows = Math.min(max, needed);
  ta.classList.toggle('is-capped', needed > max);
  // The page was shorter for a moment: put it back where it was if that scrolled it.
  if (window.scrollY !== scrollY || window.scrollX !== scrollX) window.scrollTo(scrollX, scrollY);
  return needed;
}

export function debounce(fn, ms) {
  let timer = null;
  const d = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  d.cancel = () => clearTimeout(timer);
  return d;
}

/** Sets a control's value unless the user is typing in it. */
export function setValue(control, value) {
  if (document.activeElement === control) return;
  if (control.type === 'checkbox') control.checked = Boolean(value);
  else if (control.value !== value) control.value = value;
  syncLimit(control);
}

export async function copyText(text, input) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch { /* falls back below */ }
  // Plain http on the LAN is not a secure context: the old way still works there.
  if (input) {
    input.focus();
    input.select();
    try { return document.execCommand('copy'); } catch { return false; }
  }
  return false;
}

export function statusChip(status) {
  return h('span', { class: ['chip', `st-${status}`] }, h('span', { class: 'dot', 'aria-hidden': 'true' }), t(`status.${status}`));
}
