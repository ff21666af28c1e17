// What the customer wrote back by SMS on one repair order: each message whole, who wrote it
// (name, roles, number as the RO shows them) and when; the unread ones marked until an advisor
// marks them read. Shown at the top of the RO page, above the interventions, so that an answer
// such as "call me after 5 pm about the tyres" is never buried in the history.
import { api } from '../core/api.js';
import { t, dateTime, plural, replySender } from '../core/i18n.js';
import { h, icon, replace, toast } from '../core/dom.js';

/**
 * `base`: the RO's API path; `getRo()`: the RO as last read (its parties name the senders);
 * `onChange()`: called after replies were marked read (the history has a new entry).
 * Returns { card, refresh }: the card is hidden while the RO has no replies.
 */
export function repliesPanel({ base, getRo, onChange }) {
  const counter = h('span', { class: 'replies-unread', hidden: true });
  const markButton = h('button', { type: 'button', class: 'btn btn-small', hidden: true, onclick: markRead },
    icon('check'), t('replies.markRead'));
  const list = h('ol', { class: 'replies' });
  const card = h('section', { class: 'card card-replies', 'aria-labelledby': 'h-replies', hidden: true },
    h('div', { class: 'card-head' },
      h('h2', { class: 'card-title', id: 'h-replies' }, icon('message'), t('replies.title'), counter),
      markButton),
    list);
  let items = [];
  let loading = null;

  async function refresh() {
    // One fetch at a time; a change announced during it fetches once more afterwards.
    if (loading) { loading.again = true; return loading.done; }
    loading = { again: false };
    loading.done = (async () => {
      try {
        do {
          loading.again = false;
          const r = await api('GET', `${base}/replies`);
          items = r.data.items;
          render(r.data.unread);
        } while (loading.again);
      } catch { /* the RO page still works without them; the history has the texts too */ } finally {
        loading = null;
      }
    })();
    return loading.done;
  }

  function render(unread) {
    card.hidden = items.length === 0;
    counter.hidden = unread === 0;
    counter.textContent = unread ? plural('replies.unread', unread) : '';
    markButton.hidden = unread === 0;
    const ro = getRo();
    replace(list, items.map((r) => h('li', { class: ['reply', r.read_at ? null : 'is-unread'], dataset: { id: String(r.id) } },
      h('div', { class: 'reply-head' },
        h('strong', { class: 'reply-from' }, replySender(r, ro)),
        r.read_at ? null : h('span', { class: 'reply-new' }, t('replies.new')),
        h('time', { class: 'reply-time', datetime: r.received_at }, dateTime(r.received_at))),
      h('p', { class: 'reply-text' }, r.text),
      r.complete ? null : h('p', { class: 'reply-note' }, icon('alert'), t('replies.incomplete')),
      r.read_at ? h('p', { class: 'reply-read' }, t('replies.readBy', { when: dateTime(r.read_at) })) : null)));
  }

  async function markRead() {
    markButton.disabled = true;
    try {
      await api('POST', `${base}/replies/read`, { body: {} });
      toast(t('replies.marked'));
      await refresh();
      onChange();
    } catch (e) {
      if (!e.handled) toast(e.message, 'error');
    } finally {
      markButton.disabled = false;
    }
  }

  return { card, refresh };
}
