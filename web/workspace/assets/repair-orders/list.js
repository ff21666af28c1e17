// The repair-order list: search, filters, sort and pages, all kept in the URL's query so a
// reload or the back button shows the same list. The query is the API's own.
import { api, ApiError } from '../core/api.js';
import { t, money, count, plural, promisedLabel, isLate, RO_STATUSES } from '../core/i18n.js';
import { h, icon, replace, clear, debounce, select, nextId, statusChip } from '../core/dom.js';
import { navigate, setTitle } from '../core/nav.js';
import { loadUsers } from '../core/session.js';
import { onRepairOrdersChanged } from '../core/live.js';
import { OFFER_STEPS } from '../offers/offers.js';

const PER_PAGE = 50;
const OFFER_ICONS = {
  draft: 'clock', scheduled: 'clock', sent: 'send', received: 'check', seen: 'eye', confirmed: 'check', locked: 'lock',
  failed: 'alert', superseded: 'copy', expired: 'clock', cancelled: 'close',
};

/** The customer wrote back and no advisor has read it yet: a marker that says how many. */
function unreadMarker(n) {
  const said = plural('replies.unread', n);
  return h('span', { class: 'reply-marker', title: said }, icon('message'), h('span', { class: 'reply-marker-count', 'aria-hidden': 'true' }, count(n)),
    h('span', { class: 'visually-hidden' }, said));
}

/** Something came in since the RO was last marked handled ("to handle", attention=true). */
function attentionMarker() {
  const said = t('list.needsAttention');
  return h('span', { class: 'attention-marker', title: t('list.toHandleHint') }, icon('flag'), h('span', { class: 'visually-hidden' }, said));
}

/** The latest offer: its state with an icon, and how far along the customer steps it is. */
function offerCell(offer, noAnswer, toFollowUp) {
  if (!offer) return h('span', { class: 'muted' }, '—');
  const step = OFFER_STEPS.indexOf(offer.state) + 1; // 0 when off the path (failed, expired…)
  const label = t(`offer.state.${offer.state}`);
  return h('div', { class: ['offer-cell', `os-${offer.state}`], dataset: { state: offer.state } },
    h('span', { class: 'offer-cell-state' }, icon(OFFER_ICONS[offer.state] || 'info'), label,
      offer.version > 1 ? h('span', { class: 'offer-cell-version' }, ` v${offer.version}`) : null),
    h('span', {
      class: 'offer-bar', role: 'progressbar', 'aria-label': t('list.offerProgress'),
      'aria-valuemin': '0', 'aria-valuemax': String(OFFER_STEPS.length), 'aria-valuenow': String(step), 'aria-valuetext': label,
    }, OFFER_STEPS.map((_, i) => h('span', { class: i < step ? 'is-on' : offer.state === 'failed' && i === 0 ? 'is-failed' : null }))),
    // Five reminders went unanswered: someone has to call.
    noAnswer ? h('span', { class: 'no-answer-tag' }, icon('phone'), t('list.noAnswer')) : null,
    // Red or orange work the customer declined: to plan at a later visit.
    toFollowUp ? h('span', { class: 'follow-up-tag', dataset: { count: String(toFollowUp) } }, icon('flag'), plural('list.toFollowUp', toFollowUp)) : null);
}
const KEYS = ['q', 'status', 'advisor', 'date', 'from', 'to', 'sort', 'page'];

function readQuery(query) {
  const f = {};
  for (const k of KEYS) f[k] = query.get(k) || '';
  f.statuses = f.status ? f.status.split(',').filter((s) => RO_STATUSES.includes(s)) : [];
  f.attention = query.get('attention') === 'true'; // only the ROs to handle
  return f;
}

function toSearch(f) {
  const qs = new URLSearchParams();
  if (f.q.trim()) qs.set('q', f.q.trim());
  if (f.statuses.length) qs.set('status', f.statuses.join(','));
  if (f.attention) qs.set('attention', 'true');
  for (const k of ['advisor', 'date', 'from', 'to', 'sort']) {
    if (f[k] && !(k === 'date' && f[k] === 'created') && !(k === 'sort' && f[k] === 'newest')) qs.set(k, f[k]);
  }
  if (f.page && f.page !== '1') qs.set('page', f.page);
  const s = qs.toString();
  return s ? `?${s}` : '';
}

export default async function listPage({ query, main }) {
  setTitle(t('list.title'));
  let f = readQuery(query);
  let controller = null;
  let first = true;

  // ---- filters ----
  const search = h('input', {
    type: 'search', class: 'search-input', id: 'ro-search', value: f.q, autocomplete: 'off', spellcheck: 'false',
    placeholder: t('list.searchPlaceholder'),
  });
  const statusBoxes = RO_STATUSES.map((s) => {
    const input = h('input', { type: 'checkbox', value: s, checked: f.statuses.includes(s) });
    return { s, input, label: h('label', { class: ['status-toggle', `st-${s}`] }, input, h('span', { class: 'dot', 'aria-hidden': 'true' }), h('span', {}, t(`status.${s}`))) };
  });
  const advisor = select([
    { value: '', label: t('list.advisorAny') },
    { value: 'me', label: t('list.advisorMe') },
    { value: 'none', label: t('list.advisorNone') },
  ], { id: nextId('adv') });
  const dateField = select([
    { value: 'created', label: t('list.dateCreated') },
    { value: 'promised', label: t('list.datePromised') },
  ], { id: nextId('df') });
  const from = h('input', { type: 'date', id: nextId('from'), 'aria-label': t('list.from') });
  const to = h('input', { type: 'date', id: nextId('to'), 'aria-label': t('list.to') });
  const sort = select(['newest', 'oldest', 'promised', 'number'].map((s) => ({ value: s, label: t(`list.sort.${s}`) })), { id: nextId('sort') });
  const attention = h('input', { type: 'checkbox', checked: f.attention });
  const attentionToggle = h('label', { class: 'status-toggle attention-toggle', title: t('list.toHandleHint') },
    attention, icon('flag'), h('span', {}, t('list.toHandle')));
  const resetButton = h('button', {
    type: 'button', class: 'btn btn-quiet', hidden: true,
    onclick: () => apply({ q: '', statuses: [], attention: false, advisor: '', date: '', from: '', to: '', sort: '', page: '' }, true),
  },
    icon('close'), t('list.reset'));

  const summary = h('p', { class: 'list-count', 'aria-live': 'polite' });
  const tableBody = h('tbody');
  const table = roTable(tableBody);
  const tableWrap = h('div', { class: 'table-wrap' }, table);
  const empty = h('div', { class: 'empty', hidden: true });
  const pager = h('nav', { class: 'pager', 'aria-label': t('list.pages') });
  const errorBox = h('div', { class: 'form-alert', role: 'alert', hidden: true });

  main.append(listLayout({
    summary, search, advisor, dateField, from, to, sort, attentionToggle, statusBoxes, resetButton, errorBox, tableWrap, empty, pager,
  }));

  function syncControls() {
    if (document.activeElement !== search) search.value = f.q;
    for (const b of statusBoxes) b.input.checked = f.statuses.includes(b.s);
    attention.checked = f.attention;
    advisor.value = f.advisor || '';
    if (advisor.value !== (f.advisor || '')) advisor.value = '';
    dateField.value = f.date || 'created';
    from.value = f.from;
    to.value = f.to;
    sort.value = f.sort || 'newest';
    resetButton.hidden = !(f.q || f.statuses.length || f.attention || f.advisor || f.from || f.to || (f.sort && f.sort !== 'newest'));
  }

  /** Applies new filters: the URL first (push for a choice, replace while typing), then the list. */
  function apply(changes, push) {
    f = { ...f, ...changes };
    if (!('page' in changes)) f.page = '';
    const url = `${location.pathname}${toSearch(f)}`;
    if (url !== location.pathname + location.search) {
      if (push) history.pushState(null, '', url);
      else history.replaceState(null, '', url);
    }
    syncControls();
    load();
  }

  const typed = debounce(() => apply({ q: search.value }, false), 250);
  search.addEventListener('input', typed);
  search.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') { typed.cancel(); apply({ q: search.value }, false); }
  });
  for (const b of statusBoxes) {
    b.input.addEventListener('change', () => apply({ statuses: statusBoxes.filter((x) => x.input.checked).map((x) => x.s) }, true));
  }
  attention.addEventListener('change', () => apply({ attention: attention.checked }, true));
  advisor.addEventListener('change', () => apply({ advisor: advisor.value }, true));
  dateField.addEventListener('change', () => apply({ date: dateField.value }, true));
  from.addEventListener('change', () => apply({ from: from.value }, true));
  to.addEventListener('change', () => apply({ to: to.value }, true));
  sort.addEventListener('change', () => apply({ sort: sort.value }, true));

  async function load({ quiet = false } = {}) {
    if (controller) controller.abort();
    controller = new AbortController();
    const mine = controller;
    if (!quiet) {
      tableWrap.setAttribute('aria-busy', 'true');
      tableWrap.classList.add('is-loading');
    }
    if (first) skeleton(tableBody);
    errorBox.hidden = true;
    try {
      const r = await api('GET', '/repair-orders', {
        signal: mine.signal,
        query: {
          q: f.q.trim(), status: f.statuses.join(','), attention: f.attention ? 'true' : '', advisor: f.advisor, date: f.date, from: f.from, to: f.to,
          sort: f.sort, page: f.page, per_page: PER_PAGE,
        },
      });
      if (mine !== controller) return;
      show(r.data);
    } catch (e) {
      if (e.name === 'AbortError' || e.handled) return;
      if (!(e instanceof ApiError)) throw e;
      clear(tableBody);
      replace(errorBox, icon('alert'), h('div', {}, h('p', { class: 'form-alert-title' }, e.message),
        e.fields.length ? h('ul', {}, e.fields.map((x) => h('li', {}, x.message))) : null));
      errorBox.hidden = false;
      summary.textContent = '';
      clear(pager);
    } finally {
      if (mine === controller) {
        first = false;
        tableWrap.removeAttribute('aria-busy');
        tableWrap.classList.remove('is-loading');
      }
    }
  }

  function show(data) {
    clear(tableBody);
    const filtered = Boolean(f.q || f.statuses.length || f.attention || f.advisor || f.from || f.to);
    // Only "to handle", nothing else: an empty list is good news, said as such.
    const allHandled = f.attention && !(f.q || f.statuses.length || f.advisor || f.from || f.to);
    if (!data.items.length) {
      table.hidden = true;
      replace(empty, icon(allHandled ? 'check' : filtered ? 'search' : 'car', 'empty-icon'),
        h('h2', {}, allHandled ? t('list.emptyToHandle') : filtered ? t('list.emptyFiltered') : t('list.emptyTitle')),
        h('p', {}, allHandled ? t('list.emptyToHandleText') : filtered ? t('list.emptyFilteredText') : t('list.emptyText')),
        filtered
          ? h('button', { type: 'button', class: 'btn', onclick: () => resetButton.click() }, t('list.reset'))
          : h('a', { href: '/repair-orders/new', class: 'btn btn-primary' }, icon('plus'), t('list.new')));
      empty.hidden = false;
    } else {
      table.hidden = false;
      empty.hidden = true;
      for (const ro of data.items) tableBody.append(roRow(ro));
    }
    const startN = data.total ? (data.page - 1) * data.per_page + 1 : 0;
    const endN = Math.min(data.page * data.per_page, data.total);
    const said = data.total
      ? t('list.range', { start: count(startN), end: count(endN), total: count(data.total) })
      : t('list.none');
    if (summary.textContent !== said) summary.textContent = said; // a live refresh says nothing new
    renderPager(pager, data, apply);
  }

  syncControls();
  load();
  // Live: a change to any repair order may add, move or update a row of this page (an offer
  // seen, a new RO); the page is fetched again quietly, once a burst of changes has settled.
  const changed = debounce(() => load({ quiet: true }), 500);
  const stopLive = onRepairOrdersChanged(() => changed());
  // The advisor picker lists everyone; the list does not wait for it.
  loadUsers().then((users) => {
    for (const u of users.filter((x) => x.active !== false)) advisor.append(h('option', { value: String(u.id) }, u.display_name));
    advisor.value = f.advisor || '';
  }).catch(() => {});
  if (f.q) search.focus();

  return {
    update(q) {
      f = readQuery(q);
      syncControls();
      load();
    },
    cleanup() {
      stopLive();
      changed.cancel();
      typed.cancel();
      if (controller) controller.abort();
    },
  };
}

/** Grey rows while the first page loads. */
function skeleton(tableBody) {
  clear(tableBody);
  for (let i = 0; i < 8; i += 1) {
    tableBody.append(h('tr', { class: 'skeleton-row', 'aria-hidden': 'true' },
      Array.from({ length: 9 }, (_, k) => h('td', { class: k === 3 ? 'col-advisor' : (k === 7 ? 'col-count' : null) }, h('span', { class: 'skeleton' })))));
  }
}

/** One repair order of the list: the whole row opens it. */
function roRow(ro) {
  const href = `/repair-orders/${ro.id}`;
  const v = ro.vehicle || {};
  const late = isLate(ro);
  const tr = h('tr', { class: 'ro-row' },
    h('td', { class: 'col-number' }, h('a', { href, class: 'ro-link' }, ro.number), ro.needs_attention ? attentionMarker() : null),
    h('td', {}, h('div', { class: 'vehicle-cell' },
      v.plate ? h('span', { class: 'plate' }, v.plate) : h('span', { class: 'muted' }, t('common.noPlate')),
      h('span', { class: 'vehicle-model' }, [v.make, v.model].filter(Boolean).join(' ')))),
    h('td', { class: 'col-customer' }, ro.customer_name || h('span', { class: 'muted' }, '—'),
      ro.unread_replies ? unreadMarker(ro.unread_replies) : null),
    h('td', { class: 'col-advisor' }, ro.advisor ? ro.advisor.display_name : h('span', { class: 'muted' }, t('list.unassigned'))),
    h('td', { class: ['col-promised', late ? 'is-late' : null] },
      ro.promised_at ? promisedLabel(ro.promised_at) : h('span', { class: 'muted' }, '—'),
      late ? h('span', { class: 'late-tag' }, t('ro.late')) : null),
    h('td', {}, statusChip(ro.status)),
    h('td', { class: 'col-offer' }, offerCell(ro.offer, ro.no_answer, ro.to_follow_up)),
    h('td', { class: 'num col-count' }, String(ro.intervention_count)),
    h('td', { class: 'num money' }, money(ro.shown_incl_cents)));
  // The whole row opens the RO for a mouse; keyboard users have the number's link.
  tr.addEventListener('click', (ev) => {
    if (ev.target.closest('a, button, input, select')) return;
    if (window.getSelection && String(window.getSelection())) return;
    navigate(href);
  });
  return tr;
}

/** The pages' buttons under the list; `apply` changes the filters' page. */
function renderPager(pager, data, apply) {
  clear(pager);
  const pages = Math.max(1, Math.ceil(data.total / data.per_page));
  if (pages <= 1) { pager.hidden = true; return; }
  pager.hidden = false;
  const go = (p) => () => { apply({ page: String(p) }, true); window.scrollTo(0, 0); };
  pager.append(
    h('span', { class: 'pager-info' }, t('list.pageOf', { page: count(data.page), pages: count(pages) })),
    h('button', { type: 'button', class: 'btn btn-small', disabled: data.page <= 1, onclick: go(data.page - 1) }, icon('left'), t('list.previous')),
    h('button', { type: 'button', class: 'btn btn-small', disabled: data.page >= pages, onclick: go(data.page + 1) }, t('list.next'), icon('right')));
}

/** The list's table, its rows in `tableBody`. */
function roTable(tableBody) {
  return h('table', { class: 'table ro-table' },
    h('caption', { class: 'visually-hidden' }, t('list.title')),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('list.col.number')),
      h('th', { scope: 'col' }, t('list.col.vehicle')),
      h('th', { scope: 'col' }, t('list.col.customer')),
      h('th', { scope: 'col', class: 'col-advisor' }, t('list.col.advisor')),
      h('th', { scope: 'col' }, t('list.col.promised')),
      h('th', { scope: 'col' }, t('list.col.status')),
      h('th', { scope: 'col', class: 'col-offer' }, t('list.col.offer')),
      h('th', { scope: 'col', class: 'num col-count' }, h('abbr', { title: t('list.col.interventionsLong') }, t('list.col.interventions'))),
      h('th', { scope: 'col', class: 'num' }, t('list.col.total')))),
    tableBody);
}

/** The page: its head, the filters, and the table with its empty state and pager. */
function listLayout({
  summary, search, advisor, dateField, from, to, sort, attentionToggle, statusBoxes, resetButton, errorBox, tableWrap, empty, pager,
}) {
  return h('section', { class: 'page' },
    h('div', { class: 'page-head' },
      h('div', {}, h('h1', {}, t('list.title')), summary),
      h('a', { href: '/repair-orders/new', class: 'btn btn-primary' }, icon('plus'), t('list.new'))),
    h('div', { class: 'filters', role: 'search' },
      h('div', { class: 'filters-row' },
        h('div', { class: 'search-box' },
          h('label', { for: 'ro-search', class: 'visually-hidden' }, t('list.search')),
          icon('search', 'search-icon'), search),
        h('div', { class: 'filter' }, h('label', { for: advisor.id }, t('list.advisor')), advisor),
        h('div', { class: 'filter filter-dates' },
          h('label', { for: dateField.id }, t('list.dates')),
          h('div', { class: 'date-range' }, dateField, from, h('span', { class: 'range-sep', 'aria-hidden': 'true' }, '→'), to)),
        h('div', { class: 'filter' }, h('label', { for: sort.id }, t('list.sortBy')), sort)),
      h('div', { class: 'filters-row' },
        attentionToggle,
        h('fieldset', { class: 'status-filter' },
          h('legend', {}, t('list.status')),
          statusBoxes.map((b) => b.label)),
        resetButton)),
    errorBox,
    h('div', { class: 'card card-flush' }, tableWrap, empty, pager));
}
