// The RO page's interventions: the table edited in place (label, note, kind, severity, shown,
// prices, VAT, the advisor's thumbs, order), the totals, and a change to what the customer was
// offered, sent to them again as a new version (changeSeen).
import { api, ApiError } from '../core/api.js';
import { state } from '../core/state.js';
import { t, money, vatLabel, moneyInput, SEVERITIES, KINDS, VAT_RATES_BP } from '../core/i18n.js';
import {
  h, icon, iconButton, replace, field, select, setValue, toast, confirmDialog, formDialog, checkbox, nextId, debounce,
  fitRows, limitText, limitMessage, syncLimit,
} from '../core/dom.js';
import { parseMoney, LIMITS } from '../core/limits.js';
import { guardedText } from './ro-saving.js';

// A mechanic's note longer than this (in lines as shown) is folded, with a button to read it all:
// a long note must not make a huge row, and a short one (two lines that wrap) is shown whole.
const NOTE_FOLDED_LINES = 3;

export function interventionsCard(pg) {
  const { base, add } = pg;
  const rowsById = new Map();
  const itemsBody = h('tbody');
  const totals = h('div', { class: 'totals' });
  const itemsTable = h('table', { class: 'table items-table' },
    h('caption', { class: 'visually-hidden' }, t('ro.interventions')),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col', class: 'col-pos' }, h('abbr', { title: t('item.position') }, '#')),
      h('th', { scope: 'col', class: 'col-label' }, t('item.label')),
      h('th', { scope: 'col', class: 'col-kind' }, t('item.kindSeverity')),
      h('th', { scope: 'col', class: 'col-shown' }, t('item.shown')),
      h('th', { scope: 'col', class: 'num col-price' }, t('item.excl')),
      h('th', { scope: 'col', class: 'num col-vat' }, t('item.vat')),
      h('th', { scope: 'col', class: 'num col-price' }, t('item.incl')),
      h('th', { scope: 'col', class: 'col-actions' }, h('span', { class: 'visually-hidden' }, t('common.actions'))))),
    itemsBody);
  const itemsEmpty = h('p', { class: 'muted empty-inline', hidden: true }, t('item.none'));
  const itemsCard = h('section', { class: 'card card-items', 'aria-labelledby': 'h-items' },
    h('div', { class: 'card-head' },
      h('h2', { class: 'card-title', id: 'h-items' }, t('ro.interventions'), h('span', { class: 'count-badge' })),
      h('button', { type: 'button', class: 'btn btn-small btn-primary', onclick: addIntervention }, icon('plus'), t('item.add'))),
    h('div', { class: 'table-wrap' }, itemsTable), itemsEmpty, totals);


  function addIntervention() {
    const label = h('input', { type: 'text', autocomplete: 'off' });
    const mnote = h('textarea', { rows: '3' });
    const kind = select(KINDS.map((k) => ({ value: k, label: t(`kind.${k}`) })), { value: pg.ro.interventions.length ? 'optional' : 'initial' });
    // The severity follows the kind until the advisor picks one (the server's default too):
    // the work the customer came for is urgent, something found on the way can wait.
    const severityFor = (k) => (k === 'initial' ? 'red' : 'orange');
    const severity = select(SEVERITIES.map((s) => ({ value: s, label: t(`severity.${s}`) })), { value: severityFor(kind.value) });
    let severityPicked = false;
    severity.addEventListener('change', () => { severityPicked = true; });
    kind.addEventListener('change', () => { if (!severityPicked) severity.value = severityFor(kind.value); });
    const excl = h('input', { type: 'text', inputmode: 'decimal', class: 'money-input', autocomplete: 'off' });
    const vat = vatSelect(state.dealer ? state.dealer.default_vat_rate_bp : 2000);
    const shown = checkbox(t('item.shownLabel'), { checked: true });
    shown.querySelector('input').dataset.field = 'shown';
    const body = h('div', { class: 'form' },
      field({ label: t('item.label'), control: label, field: 'label', max: LIMITS.label }),
      field({ label: t('item.note'), control: mnote, field: 'mechanic_note', optional: true, max: LIMITS.mechanic_note }),
      h('div', { class: 'grid grid-2' },
        field({ label: t('item.kind'), control: kind, field: 'kind' }),
        field({ label: t('item.severity'), control: severity, field: 'severity' }),
        field({ label: t('item.exclLong'), control: excl, field: 'price_excl_cents' }),
        field({ label: t('item.vat'), control: vat, field: 'vat_rate_bp' })),
      h('div', { class: 'field field-check' }, shown, h('p', { class: 'field-error', hidden: true })));
    formDialog({
      title: t('item.addTitle'), body, wide: true, submitLabel: t('item.add'),
      onSubmit: async () => {
        const cents = parseMoney(excl.value);
        if (cents === undefined) throw new ApiError(422, { error: { message: t('common.checkFields'), fields: [{ field: 'price_excl_cents', message: t('item.amountInvalid') }] } });
        const out = {
          label: label.value.trim(), mechanic_note: mnote.value.trim(), kind: kind.value, severity: severity.value,
          vat_rate_bp: Number(vat.value), shown: shown.querySelector('input').checked, price_excl_cents: cents ?? 0,
        };
        return add((v) => api('POST', `${base}/interventions`, { body: out, version: v }));
      },
    }).then((r) => { if (r) toast(t('item.added')); });
  }

  function renderInterventions({ discard }) {
    const items = [...pg.ro.interventions].sort((a, b) => a.position - b.position);
    const seen = new Set();
    if (discard) { // drawn anew from what is saved
      for (const r of rowsById.values()) r.rows.forEach((el) => el.remove());
      rowsById.clear();
    }
    let cursor = itemsBody.firstElementChild;
    items.forEach((item, i) => {
      let r = rowsById.get(item.id);
      if (!r) {
        r = interventionRow(pg, rowsById, item);
        rowsById.set(item.id, r);
      }
      seen.add(item.id);
      r.update(item, i, items.length);
      // Each item is its row and the row of its conflicts below. Only rows out of place move,
      // so that a focused input keeps its focus.
      for (const el of r.rows) {
        if (el === cursor) cursor = cursor.nextElementSibling;
        else itemsBody.insertBefore(el, cursor);
      }
    });
    for (const [rid, r] of rowsById) {
      if (!seen.has(rid)) { r.rows.forEach((el) => el.remove()); rowsById.delete(rid); }
    }
    itemsTable.hidden = items.length === 0;
    itemsEmpty.hidden = items.length !== 0;
    fitNotes(); // now that the rows are in the page and can be measured
    markQuestions();
    itemsCard.querySelector('.count-badge').textContent = items.length ? String(items.length) : '';
    const tt = pg.ro.totals;
    replace(totals,
      h('dl', { class: 'totals-grid' },
        h('dt', {}, t('totals.all')),
        h('dd', { class: 'money' }, h('span', { class: 'totals-k' }, t('totals.excl')), h('span', { dataset: { total: 'excl' } }, money(tt.excl_cents))),
        h('dd', { class: 'money' }, h('span', { class: 'totals-k' }, t('totals.incl')), h('span', { dataset: { total: 'incl' } }, money(tt.incl_cents))),
        h('dt', { class: 'totals-main' }, t('totals.shown')),
        h('dd', { class: 'money totals-main' }, h('span', { class: 'totals-k' }, t('totals.excl')), h('span', { dataset: { total: 'shown-excl' } }, money(tt.shown_excl_cents))),
        h('dd', { class: 'money totals-main' }, h('span', { class: 'totals-k' }, t('totals.incl')), h('span', { dataset: { total: 'shown-incl' } }, money(tt.shown_incl_cents)))));
  }

  function fitNotes() {
    for (const r of rowsById.values()) r.fit();
  }

  // The items the customer asked about (offers/questions.js): a mark in the row that leads to the
  // thread, "unanswered" while the last word is the customer's. Kept for rows drawn anew.
  let asked = new Map();
  function markQuestions(threads = asked) {
    asked = threads;
    for (const [rid, r] of rowsById) {
      const cell = r.rows[0].querySelector('.col-label');
      const old = cell.querySelector('.item-question');
      const thread = asked.get(rid);
      if (!thread) { if (old) old.remove(); continue; }
      const mark = h('a', { class: ['item-question', thread.waiting ? 'is-waiting' : null], href: `#thread-${rid}` },
        icon('message'), thread.waiting ? t('item.questionWaiting') : t('item.questionAnswered'));
      if (old) old.replaceWith(mark); else cell.append(mark);
    }
  }
  // A narrower or wider table wraps the notes differently.
  const refit = debounce(fitNotes, 100);
  window.addEventListener('resize', refit);
  if (document.fonts) document.fonts.ready.then(() => { if (pg.alive) fitNotes(); });

  return {
    card: itemsCard,
    render: renderInterventions,
    markQuestions,
    stop() {
      refit.cancel();
      window.removeEventListener('resize', refit);
    },
  };
}

function vatSelect(current) {
  const rates = VAT_RATES_BP.includes(current) ? VAT_RATES_BP : [...VAT_RATES_BP, current].sort((a, b) => b - a);
  return select(rates.map((bp) => ({ value: String(bp), label: vatLabel(bp) })), { value: String(current) });
}

/**
 * A change to what the customer was offered (a price, a label, shown or not) once the latest
 * version was seen: asked first, then saved and sent as a new version to the same
 * recipients with the same note (DESIGN.md §2). Declined: nothing is saved.
 */
async function changeSeen(pg, item, showing, apply) {
  const o = pg.offers.latest();
  const agreed = agreedItem(o, item);
  if (agreed) {
    // The customer confirmed this item as it was: asked first, saying what they accepted;
    // then a new version for them to accept, unless the offer is locked (then they are told).
    const locked = o.state === 'locked';
    const ok = await confirmDialog({
      title: t('item.agreedTitle'),
      text: `${t('item.agreedText', { label: agreed.label, price: money(agreed.price_incl_cents), n: o.version })} ${t(locked ? 'item.agreedLockedHint' : 'item.agreedSendHint')}`,
      confirmLabel: t(locked ? 'item.agreedChange' : 'item.agreedChangeSend'),
      danger: false,
    });
    if (!ok) {
      await pg.refresh({ discard: true }).catch(() => {}); // shows the saved values again
      return undefined;
    }
    const saved = await apply({ change_agreed: true });
    if (!saved || locked) {
      pg.offers.refresh();
      return saved;
    }
    return sendNewVersion(pg, o, saved);
  }
  const seen = o && (o.state === 'seen' || o.state === 'confirmed')
    && (showing || o.items.some((i) => i.intervention_id === item.id));
  if (!seen) return apply();
  const ok = await confirmDialog({
    title: t('item.seenTitle'), text: t('item.seenText', { n: o.version }), confirmLabel: t('item.seenConfirm'), danger: false,
  });
  if (!ok) {
    await pg.refresh().catch(() => {}); // shows the saved values again
    return undefined;
  }
  const saved = await apply();
  if (!saved) return undefined;
  return sendNewVersion(pg, o, saved);
}

/** The item as the customer confirmed it on `o` (confirmed, or locked since), or null. */
function agreedItem(o, item) {
  if (!o || !o.confirmed_at || (o.state !== 'confirmed' && o.state !== 'locked')) return null;
  return o.items.find((i) => i.intervention_id === item.id) || null;
}

/** A new version of `o` to the same recipients with the same note, after a change was saved. */
async function sendNewVersion(pg, o, saved) {
  const recipients = o.recipients.map((r) => r.contact_point_id).filter(Boolean);
  try {
    const r = await api('POST', `${pg.base}/offers`, { body: { recipients, note: o.note, replace_seen: true } });
    toast(t('item.seenSent', { n: r.data.version }));
  } catch (e) {
    if (!e.handled) toast(t('item.seenNotSent', { message: e.message }), 'error');
  }
  pg.offers.refresh();
  return saved;
}

/** One intervention row, edited in place; `update` refreshes it without stealing focus and
 * without ever replacing what is being typed (guardedText). */
function interventionRow(pg, rowsById, initial) {
  const { base, quick, mutate, afterPointer } = pg;
  let item = initial;
  const iurl = () => `${base}/interventions/${item.id}`;
  const rid = nextId('it');
  const err = h('p', { class: 'row-error', id: `${rid}-err`, role: 'alert', hidden: true });
  const conflicts = h('div', { class: 'row-conflicts' });
  const rowError = (message, control) => {
    err.textContent = message;
    err.hidden = false;
    if (control) control.setAttribute('aria-invalid', 'true');
  };
  const errorOf = (e) => (e.fields && e.fields.length ? e.fields.map((f) => f.message).join(' ') : e.message);
  const clearError = (control) => {
    err.hidden = true;
    if (control && !limitMessage(control)) control.removeAttribute('aria-invalid');
  };
  const save = (body, control, extra) => {
    if (extra) body = { ...body, ...extra };
    clearError(control);
    return quick((v) => api('PATCH', iurl(), { body, version: v }), (e) => rowError(errorOf(e), control));
  };
  /** A PATCH whose problems reach the caller (the typed fields handle them themselves). */
  const send = (body, extra) => mutate((v) => api('PATCH', iurl(), { body: extra ? { ...body, ...extra } : body, version: v }));
  const pos = h('span', { class: 'pos' });
  // The label wraps and shows whole (a textarea on one logical line: Enter saves, a pasted
  // line break becomes a space); a long note is folded until asked for or edited.
  const label = h('textarea', { class: 'cell-input label-input', rows: '1', 'aria-label': t('item.label'), spellcheck: 'true' });
  const labelCounter = limitText(label, LIMITS.label, t('item.label'));
  label.addEventListener('input', () => {
    if (/[\r\n]/.test(label.value)) {
      const at = label.selectionStart;
      label.value = label.value.replace(/\r\n?|\n/g, ' ');
      label.setSelectionRange(at, at);
      syncLimit(label);
    }
    fitLabel();
  });
  const mnote = h('textarea', {
    class: 'cell-input note-input', id: `${rid}-note`, rows: '1', placeholder: t('item.notePlaceholder'), 'aria-label': t('item.note'),
  });
  const noteCounter = limitText(mnote, LIMITS.mechanic_note, t('item.note'));
  let noteOpen = false; // the advisor asked to read the whole note
  const noteToggle = h('button', {
    type: 'button', class: 'btn-link note-toggle', hidden: true, 'aria-controls': mnote.id, 'aria-expanded': 'false',
    onclick: () => { noteOpen = !noteOpen; fitNote(); },
  });
  mnote.addEventListener('input', () => fitNote());
  mnote.addEventListener('focus', () => fitNote());
  // Folded again once the focus has gone, after the click that moved it (so nothing the
  // pointer aimed at moves away under it).
  mnote.addEventListener('blur', () => afterPointer(() => { if (pg.alive) fitNote(); }));
  label.setAttribute('aria-describedby', `${labelCounter.id} ${err.id}`);
  mnote.setAttribute('aria-describedby', `${noteCounter.id} ${err.id}`);
  const kind = select(KINDS.map((k) => ({ value: k, label: t(`kind.${k}`) })), { class: 'cell-input', 'aria-label': t('item.kind') });
  const dot = h('span', { class: 'sev-dot', 'aria-hidden': 'true' });
  const severity = select(SEVERITIES.map((s) => ({ value: s, label: t(`severity.${s}`) })), { class: 'cell-input sev-select', 'aria-label': t('item.severity') });
  const shown = h('input', { type: 'checkbox', id: `${rid}-shown` });
  const excl = h('input', { type: 'text', inputmode: 'decimal', class: 'cell-input money-input', 'aria-label': t('item.exclLong'), dataset: { price: 'excl' } });
  let vat = vatSelect(item.vat_rate_bp);
  vat.classList.add('cell-input');
  vat.setAttribute('aria-label', t('item.vat'));
  const incl = h('input', { type: 'text', inputmode: 'decimal', class: 'cell-input money-input', 'aria-label': t('item.inclLong'), dataset: { price: 'incl' } });
  // The advisor's authorisation (thumbs up / down), to match the customer's answers; pressing
  // the pressed one again clears it.
  const thumbUp = iconButton('thumbUp', t('item.authorize'), () => save({ authorized: item.authorized === true ? null : true }, thumbUp), 'thumb thumb-up');
  const thumbDown = iconButton('thumbDown', t('item.refuse'), () => save({ authorized: item.authorized === false ? null : false }, thumbDown), 'thumb thumb-down');
  const up = iconButton('up', t('item.moveUp'), () => move(-1));
  const down = iconButton('down', t('item.moveDown'), () => move(1));
  const del = iconButton('trash', t('item.remove'), async () => {
    const o = pg.offers.latest();
    const agreed = agreedItem(o, item);
    const text = agreed
      ? `${t('item.agreedText', { label: agreed.label, price: money(agreed.price_incl_cents), n: o.version })} ${t('item.removeText', { label: item.label })}`
      : t('item.removeText', { label: item.label });
    if (!await confirmDialog({ title: agreed ? t('item.agreedTitle') : t('item.removeTitle'), text, confirmLabel: t(agreed ? 'item.agreedRemove' : 'common.remove') })) return;
    quick((v) => api('DELETE', iurl(), { version: v, query: agreed ? { change_agreed: 'true' } : undefined }));
  }, 'btn-danger-quiet');

  // What is typed: the label, the note and the two prices, each saved without being lost.
  const typed = (control, key, { seen = false, money: isMoney = false, afterPut } = {}) => guardedText(pg, {
    control, host: conflicts, label: control.getAttribute('aria-label'), read: () => item[key],
    send: seen
      ? (value) => changeSeen(pg, item, false, (extra) => send({ [key]: value }, extra))
      : (value) => send({ [key]: value }),
    ...(isMoney ? { toText: moneyInput, fromText: parseMoney, format: money } : {}),
    onError: (e) => rowError(errorOf(e), control),
    onSettled: () => clearError(control),
    afterPut,
  });
  const guards = new Map([
    [label, typed(label, 'label', { seen: true, afterPut: () => fitLabel() })],
    [mnote, typed(mnote, 'mechanic_note', { afterPut: () => fitNote() })],
    [excl, typed(excl, 'price_excl_cents', { seen: true, money: true })],
    [incl, typed(incl, 'price_incl_cents', { seen: true, money: true })],
  ]);
  for (const [control, guard] of guards) {
    const isMoney = control === excl || control === incl;
    control.addEventListener('change', () => {
      clearError(control);
      if (control === label && !label.value.trim()) { rowError(t('item.labelRequired'), label); return; }
      // Too long: refused with the reason, never cut; the text stays as typed.
      const tooLong = limitMessage(control);
      if (tooLong) { rowError(tooLong, control); return; }
      // Only the edited price is sent: the server computes the other with the row's VAT rate.
      const value = isMoney ? parseMoney(control.value) : control.value.trim();
      if (isMoney && (value === undefined || value === null)) { rowError(t('item.amountInvalid'), control); return; }
      guard.save(value);
    });
    // Leaving a field without changing it shows the latest value again.
    control.addEventListener('blur', () => { if (!guard.dirty()) guard.show(); });
    control.addEventListener('keydown', (ev) => {
      // Enter saves; in the note it starts a new line and Ctrl+Enter saves.
      const saveKey = ev.key === 'Enter' && (control !== mnote || ev.ctrlKey || ev.metaKey);
      if (saveKey) { ev.preventDefault(); control.blur(); control.focus(); }
      if (ev.key === 'Escape') {
        clearError(control);
        guard.revert();
      }
    });
  }
  kind.addEventListener('change', () => save({ kind: kind.value }, kind));
  severity.addEventListener('change', () => { dot.className = `sev-dot sev-${severity.value}`; save({ severity: severity.value }, severity); });
  shown.addEventListener('change', () => changeSeen(pg, item, shown.checked, (extra) => save({ shown: shown.checked }, shown, extra)));
  vat.addEventListener('change', () => save({ vat_rate_bp: Number(vat.value) }, vat));

  const tr = h('tr', { class: 'item-row', dataset: { id: String(item.id) } },
    h('td', { class: 'col-pos' }, pos),
    h('td', { class: 'col-label' }, label, labelCounter, mnote, noteCounter, noteToggle, err),
    h('td', { class: 'col-kind' }, kind, h('div', { class: 'sev' }, dot, severity)),
    h('td', { class: 'col-shown' }, h('label', { class: 'shown-toggle', for: shown.id }, shown, h('span', { class: 'visually-hidden' }, t('item.shownLabel')))),
    h('td', { class: 'num col-price' }, excl),
    h('td', { class: 'num col-vat' }, vat),
    h('td', { class: 'num col-price' }, incl),
    // Two short groups over two lines, so that the label column keeps the width.
    h('td', { class: 'col-actions' }, h('div', { class: 'row-actions' },
      h('span', { class: 'row-actions-group' }, thumbUp, thumbDown),
      h('span', { class: 'row-actions-group' }, up, down, del))));

  // A field someone else changed while it was typed: both values, across the table's width.
  const conflictRow = h('tr', { class: 'conflict-row', dataset: { id: String(item.id) } },
    h('td', { class: 'col-pos' }), h('td', { colspan: '7' }, conflicts));

  function fitLabel() {
    fitRows(label, { min: 1, max: 12 });
  }
  function fitNote() {
    const open = noteOpen || document.activeElement === mnote;
    const needed = fitRows(mnote, { min: 1, max: open ? 30 : NOTE_FOLDED_LINES });
    if (!needed) return; // not laid out yet
    const long = needed > NOTE_FOLDED_LINES;
    mnote.classList.toggle('is-folded', long && !open);
    noteToggle.hidden = !long || document.activeElement === mnote;
    noteToggle.setAttribute('aria-expanded', String(open));
    noteToggle.textContent = t(open ? 'item.noteLess' : 'item.noteMore');
  }

  function move(delta) {
    const target = item.position + delta;
    const button = delta < 0 ? 'up' : 'down';
    quick((v) => api('PATCH', iurl(), { body: { position: target }, version: v })).then(() => {
      const r = rowsById.get(item.id);
      if (r) r.focus(button);
    });
  }

  function update(next, index, total) {
    item = next;
    pos.textContent = String(item.position);
    for (const guard of guards.values()) guard.show();
    showItem({ kind, severity, dot, shown, tr, thumbUp, thumbDown, vat, up, down, del }, item, index, total);
  }

  return {
    tr,
    rows: [tr, conflictRow],
    update,
    fit() { fitLabel(); fitNote(); },
    focus(which) {
      const b = which === 'up' ? up : down;
      (b.disabled ? (which === 'up' ? down : up) : b).focus();
    },
    clearError() { err.hidden = true; },
  };
}

/** The controls of an intervention's row as `item` now is (`index` of `total`: the move buttons). */
function showItem({ kind, severity, dot, shown, tr, thumbUp, thumbDown, vat, up, down, del }, item, index, total) {
  const show = (control, value) => setValue(control, value);
  show(kind, item.kind);
  show(severity, item.severity);
  dot.className = `sev-dot sev-${item.severity}`;
  show(shown, item.shown);
  tr.classList.toggle('is-hidden-item', !item.shown);
  thumbUp.setAttribute('aria-pressed', String(item.authorized === true));
  thumbDown.setAttribute('aria-pressed', String(item.authorized === false));
  thumbUp.setAttribute('aria-label', t('item.authorizeNamed', { label: item.label }));
  thumbDown.setAttribute('aria-label', t('item.refuseNamed', { label: item.label }));
  if (![...vat.options].some((o) => o.value === String(item.vat_rate_bp))) {
    vat.append(h('option', { value: String(item.vat_rate_bp) }, vatLabel(item.vat_rate_bp)));
  }
  show(vat, String(item.vat_rate_bp));
  if (index !== undefined) {
    up.disabled = index === 0;
    down.disabled = index === total - 1;
  }
  up.setAttribute('aria-label', t('item.moveUpNamed', { label: item.label }));
  down.setAttribute('aria-label', t('item.moveDownNamed', { label: item.label }));
  del.setAttribute('aria-label', t('item.removeNamed', { label: item.label }));
}
