// DOM building without innerHTML: every piece of data becomes a text node or a property,
// so nothing a customer or a DMS typed can turn into markup. No inline styles either (CSP).
import { t } from './i18n.js';

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
export function field({ label, control, field: apiField, hint, className, optional }) {
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
  control.setAttribute('aria-describedby', described.join(' '));
  return h('div', { class: ['field', className] },
    h('label', { for: id }, label, optional ? h('span', { class: 'optional' }, ` ${t('common.optional')}`) : null),
    control, hintEl, err);
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
      submit.disabled = true;
      clearErrors(form);
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

export async function confirmDialog({ title, text, confirmLabel, danger = true }) {
  const r = await formDialog({
    title, body: h('p', { class: 'dialog-text' }, text), submitLabel: confirmLabel, danger,
    onSubmit: async () => true,
  });
  return r === true;
}

/**
 * Sizes a textarea to its text through its `rows` attribute (the CSP rules out inline
 * heights): from `min` to `max` lines; past `max` it scrolls (class `is-capped`).
 * Does nothing while the textarea is not laid out (detached or hidden).
 */
export function fitRows(ta, { min = 1, max = 30 } = {}) {
  if (!ta.isConnected || !ta.offsetParent) return;
  const cs = getComputedStyle(ta);
  const line = parseFloat(cs.lineHeight);
  if (!line) return;
  const pad = parseFloat(cs.paddingTop) + parseFloat(cs.paddingBottom);
  const { scrollX, scrollY } = window;
  ta.rows = min; // measured at its smallest, so that it shrinks as well as grows
  const needed = Math.max(min, Math.round((ta.scrollHeight - pad) / line));
  ta.rows = Math.min(max, needed);
  ta.classList.toggle('is-capped', needed > max);
  // The page was shorter for a moment: put it back where it was if that scrolled it.
  if (window.scrollY !== scrollY || window.scrollX !== scrollX) window.scrollTo(scrollX, scrollY);
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
