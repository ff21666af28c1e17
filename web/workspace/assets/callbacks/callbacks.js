// The callbacks page ("À rappeler"): each item a customer asked to be called about on a
// confirmed offer, the number to call, and the advisor's outcome. "Injoignable" counts an
// attempt and keeps the row; "Fait" takes it off the open list. Read again on live updates.
import { api } from '../core/api.js';
import { t, money, plural, dateTime } from '../core/i18n.js';
import { h, icon, replace, clear, debounce } from '../core/dom.js';
import { setTitle } from '../core/nav.js';
import { onRepairOrdersChanged } from '../core/live.js';

function vehicleText(v) {
  return [v.make, v.model].filter(Boolean).join(' ');
}

function phoneLinks(c) {
  if (!c.phones.length) return h('span', { class: 'muted' }, t('cb.noPhone'));
  return h('div', { class: 'cb-phones' }, ...c.phones.map((p) =>
    h('a', { href: `tel:${p.e164}`, class: 'cb-phone' }, icon('phone'), p.display || p.e164)));
}

function followUp(c) {
  const parts = [];
  if (c.outcome === 'done') {
    parts.push(h('p', { class: 'cb-done' }, icon('check'), t('cb.doneAt', { at: dateTime(c.last_at), by: c.last_by })));
  } else if (c.attempts > 0) {
    parts.push(h('p', { class: 'cb-attempts' }, plural('cb.attempts', c.attempts)));
    parts.push(h('p', { class: 'muted' }, t('cb.last', { at: dateTime(c.last_at), by: c.last_by })));
  }
  if (c.note) parts.push(h('p', { class: 'cb-note' }, `« ${c.note} »`));
  return h('div', {}, ...parts);
}

/** One row: who, which item, the number, and the two outcomes with an optional note. */
function callbackRow(c, record) {
  const key = `${c.offer_id}-${c.intervention_id}`;
  const note = h('input', {
    type: 'text', class: 'cb-note-input', maxlength: '500', placeholder: t('cb.note'), 'aria-label': t('cb.note'),
  });
  const error = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const act = (outcome) => async (ev) => {
    const buttons = ev.currentTarget.parentElement.querySelectorAll('button');
    buttons.forEach((b) => { b.disabled = true; });
    error.hidden = true;
    try {
      await record(c, outcome, note.value);
    } catch (e) {
      error.textContent = e.message;
      error.hidden = false;
      buttons.forEach((b) => { b.disabled = false; });
    }
  };
  const actions = c.outcome === 'done' ? h('td', {}) : h('td', { class: 'cb-actions' },
    note,
    h('div', { class: 'cb-buttons' },
      h('button', { type: 'button', class: 'btn btn-small btn-primary cb-done-button', onclick: act('done') }, icon('check'), t('cb.done')),
      h('button', { type: 'button', class: 'btn btn-small cb-not-reached-button', onclick: act('not_reached') }, t('cb.notReached'))),
    error);
  return h('tr', { 'data-callback': key, class: c.outcome === 'done' ? 'cb-row cb-row-done' : 'cb-row' },
    h('td', {}, h('strong', {}, c.customer_name)),
    h('td', {}, h('span', { class: 'plate' }, c.vehicle.plate), h('div', { class: 'muted' }, vehicleText(c.vehicle))),
    h('td', {}, h('a', { href: `/repair-orders/${c.ro_id}`, class: 'cb-ro' }, c.ro_number)),
    h('td', { class: 'cb-item' },
      h('span', { class: `sev-dot sev-${c.severity}`, 'aria-hidden': 'true' }), ' ',
      h('span', {}, c.label), h('div', { class: 'muted' }, money(c.price_incl_cents))),
    h('td', {}, phoneLinks(c)),
    h('td', {}, dateTime(c.asked_at)),
    h('td', { class: 'cb-follow' }, followUp(c)),
    actions);
}

export default async function callbacksPage({ main }) {
  setTitle(t('cb.title'));
  let showDone = false;
  let controller = null;
  const status = h('p', { class: 'list-count', 'aria-live': 'polite' });
  const errorBox = h('div', { class: 'form-alert', role: 'alert', hidden: true });
  const tableBody = h('tbody', {});
  const table = h('table', { class: 'table cb-table', hidden: true },
    h('caption', { class: 'visually-hidden' }, t('cb.title')),
    h('thead', {}, h('tr', {},
      ...['customer', 'vehicle', 'ro', 'item', 'phone', 'asked', 'attempts', 'actions']
        .map((k) => h('th', { scope: 'col' }, t(`cb.col.${k}`))))),
    tableBody);
  const empty = h('div', { class: 'empty', hidden: true },
    icon('check', 'empty-icon'), h('h2', {}, t('cb.emptyTitle')), h('p', {}, t('cb.emptyText')));
  const toggle = h('input', { type: 'checkbox', id: 'cb-show-done' });
  toggle.addEventListener('change', () => { showDone = toggle.checked; load(); });

  async function load() {
    if (controller) controller.abort();
    controller = new AbortController();
    try {
      const r = await api('GET', '/callbacks', { query: { state: showDone ? 'all' : 'open' }, signal: controller.signal });
      errorBox.hidden = true;
      clear(tableBody);
      for (const c of r.data.items) tableBody.append(callbackRow(c, record));
      table.hidden = r.data.items.length === 0;
      empty.hidden = r.data.items.length !== 0;
    } catch (e) {
      if (e.name === 'AbortError') return;
      replace(errorBox, icon('alert'), h('p', {}, e.message));
      errorBox.hidden = false;
    }
  }

  async function record(c, outcome, note) {
    await api('POST', `/callbacks/${c.offer_id}/${c.intervention_id}`, { body: { outcome, note } });
    status.textContent = t(outcome === 'done' ? 'cb.saved.done' : 'cb.saved.notReached');
    await load();
  }

  main.append(h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, t('cb.title')), h('p', { class: 'muted' }, t('cb.lead')), status)),
    h('label', { class: 'cb-toggle', for: 'cb-show-done' }, toggle, ' ', t('cb.showDone')),
    errorBox, h('div', { class: 'table-wrap' }, table), empty));
  await load();
  const changed = debounce(() => load(), 500);
  const stopLive = onRepairOrdersChanged(() => changed());
  return {
    cleanup() {
      stopLive();
      changed.cancel();
      if (controller) controller.abort();
    },
  };
}
