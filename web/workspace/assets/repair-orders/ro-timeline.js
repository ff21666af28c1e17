// The RO page's history: the timeline's latest events (all of them on asking, or once deleted).
import { api } from '../core/api.js';
import { t, dateTime, describeEvent } from '../core/i18n.js';
import { h, icon, clear } from '../core/dom.js';

export function timelineCard(pg) {
  const { base, users } = pg;
  let timelineItems = [];
  let timelineAll = false;
  const timelineList = h('ol', { class: 'timeline' });
  const timelineMore = h('button', { type: 'button', class: 'btn-link', hidden: true, onclick: () => { timelineAll = true; renderTimeline(); } });
  const timelineCard = h('section', { class: 'card', 'aria-labelledby': 'h-timeline' },
    h('h2', { class: 'card-title', id: 'h-timeline' }, icon('clock'), t('ro.timeline')),
    timelineList, timelineMore);

  async function loadTimeline() {
    try {
      const r = await api('GET', `${base}/timeline`);
      if (!pg.alive) return;
      timelineItems = r.data.items;
      renderTimeline();
    } catch { /* the history is a convenience; the RO itself is shown */ }
  }

  function renderTimeline() {
    clear(timelineList);
    const items = [...timelineItems].reverse();
    const shown = timelineAll ? items : items.slice(0, 8);
    for (const ev of shown) {
      const d = describeEvent(ev, { ro: pg.ro, users });
      timelineList.append(h('li', { class: 'tl-item' },
        h('time', { datetime: ev.at, class: 'tl-time' }, dateTime(ev.at)),
        h('div', { class: 'tl-body' },
          h('p', { class: 'tl-title' }, h('strong', {}, d.title), ev.actor && ev.actor.name ? h('span', { class: 'tl-actor' }, ` · ${ev.actor.name}`) : null),
          d.details.length ? h('ul', { class: 'tl-details' }, d.details.map((x) => h('li', {}, x))) : null)));
    }
    timelineMore.hidden = timelineAll || items.length <= shown.length;
    timelineMore.textContent = t('ro.timelineMore', { n: items.length - shown.length });
  }

  return {
    card: timelineCard,
    load: loadTimeline,
    showAll() { timelineAll = true; },
  };
}
