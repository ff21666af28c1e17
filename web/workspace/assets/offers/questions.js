// The customer's questions on the RO's items (asked on their page) and the advisor's answers:
// one thread per item, the unanswered ones marked, a box to answer each. The answer shows on the
// customer's page at once; the message that tells them leaves about 10 minutes after the last
// answer of a burst (the server's, offers/questions.hpp). Shown above the interventions while
// the RO has questions.
import { api } from '../core/api.js';
import { t, dateTime, plural } from '../core/i18n.js';
import { h, icon, replace, toast, limitText } from '../core/dom.js';

const MAX_ANSWER = 1000;

/**
 * `base`: the RO's API path; `getRo()`: the RO as last read (its items name the threads);
 * `onChange()`: called after an answer (the history has a new entry); `onThreads(map)`: after each
 * fetch, the items asked about (id → {waiting}), for the interventions' rows.
 * Returns { card, refresh }: the card is hidden while nobody asked anything.
 */
export function questionsPanel({ base, getRo, onChange, onThreads = () => {} }) {
  const counter = h('span', { class: 'questions-open', hidden: true });
  const list = h('div', { class: 'threads' });
  const card = h('section', { class: 'card card-questions', 'aria-labelledby': 'h-questions', hidden: true },
    h('div', { class: 'card-head' }, h('h2', { class: 'card-title', id: 'h-questions' }, icon('message'), t('q.title'), counter)),
    list);
  const drafts = new Map(); // what is being typed survives a live refresh
  let entries = [];
  let loading = null;

  async function refresh() {
    // One fetch at a time; a change announced during it fetches once more afterwards.
    if (loading) { loading.again = true; return loading.done; }
    loading = { again: false };
    loading.done = (async () => {
      try {
        do {
          loading.again = false;
          const r = await api('GET', `${base}/questions`);
          entries = r.data.items;
          render();
        } while (loading.again);
      } catch { /* the RO page works without them; the history has the questions too */ } finally {
        loading = null;
      }
    })();
    return loading.done;
  }

  function threads() {
    const byItem = new Map();
    for (const e of entries) {
      if (!byItem.has(e.intervention_id)) byItem.set(e.intervention_id, []);
      byItem.get(e.intervention_id).push(e);
    }
    return byItem;
  }

  function render() {
    const byItem = threads();
    const ro = getRo();
    const labels = new Map((ro.interventions || []).map((i) => [i.id, i.label]));
    const open = [...byItem.values()].filter((th) => th[th.length - 1].author === 'customer').length;
    card.hidden = byItem.size === 0;
    counter.hidden = open === 0;
    counter.textContent = open ? plural('q.unanswered', open) : '';
    // Keep the focus in the box being typed in across a redraw.
    const focused = document.activeElement && list.contains(document.activeElement) ? document.activeElement.id : '';
    replace(list, [...byItem.entries()].map(([itemId, th]) => thread(itemId, th, labels.get(itemId))));
    onThreads(new Map([...byItem.entries()].map(([itemId, th]) => [itemId, { waiting: th[th.length - 1].author === 'customer' }])));
    const again = focused && document.getElementById(focused);
    if (again) again.focus({ preventScroll: true });
  }

  function thread(itemId, th, label) {
    const waiting = th[th.length - 1].author === 'customer';
    const box = h('textarea', { id: `answer-${itemId}`, rows: '2', class: 'answer-input', 'aria-label': t('q.answerFor', { label: label || '' }) });
    box.value = drafts.get(itemId) || '';
    box.addEventListener('input', () => drafts.set(itemId, box.value));
    const count = limitText(box, MAX_ANSWER, t('q.answer'));
    const err = h('p', { class: 'row-error', role: 'alert', hidden: true });
    const button = h('button', { type: 'button', class: 'btn btn-small btn-primary', id: `answer-${itemId}-send` }, t('q.send'));
    button.addEventListener('click', async () => {
      const text = box.value.trim();
      if (!text) { err.textContent = t('q.empty'); err.hidden = false; box.focus(); return; }
      button.disabled = true;
      try {
        await api('POST', `${base}/questions/${itemId}/answers`, { body: { text } });
        drafts.delete(itemId);
        toast(t('q.sent'));
        onChange();
        await refresh();
      } catch (e) {
        err.textContent = e.fields && e.fields.length ? e.fields.map((f) => f.message).join(' ') : e.message;
        err.hidden = false;
      } finally {
        button.disabled = false;
      }
    });
    const told = th.filter((e) => e.author === 'advisor');
    const pending = told.some((e) => !e.told_at);
    return h('article', { class: ['thread', waiting ? 'is-waiting' : null], id: `thread-${itemId}`, tabindex: '-1', dataset: { item: String(itemId) } },
      h('div', { class: 'thread-head' },
        h('h3', {}, label || t('q.removedItem')),
        waiting ? h('span', { class: 'thread-waiting' }, t('q.waiting')) : null),
      h('ol', { class: 'thread-list' }, th.map((e) => h('li', { class: ['thread-entry', `is-${e.author}`] },
        h('div', { class: 'thread-meta' },
          h('strong', {}, e.author === 'customer' ? e.by || t('q.customer') : e.by),
          ' · ', h('time', { datetime: e.at }, dateTime(e.at)),
          e.author === 'advisor' ? h('span', { class: 'thread-told' }, e.told_at ? t('q.told') : t('q.toTell')) : null),
        h('p', { class: 'thread-text' }, e.text)))),
      pending ? h('p', { class: 'muted thread-note' }, t('q.debounce')) : null,
      h('div', { class: 'thread-answer' }, box, count, err, button));
  }

  return { card, refresh };
}
