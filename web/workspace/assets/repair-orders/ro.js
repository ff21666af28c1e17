// One repair order: header, note, vehicle, parties and contacts, interventions, history.
// Every change goes through its sub-resource with If-Match on the version last read; a 412
// means someone else changed the RO: the page reads it again, and what the advisor typed is
// never thrown away (sent again when nobody touched that field, else shown beside the current
// value to keep either). Live updates keep the page current in every tab.
// The page is put together here from its parts: ro-saving.js (saving, conflicts), ro-header.js,
// ro-cards.js (note, vehicle, parties), ro-interventions.js, ro-timeline.js, and the offers and
// replies panels; they share `pg`, the page's state (the RO and its version, the save queue).
import { api, ApiError } from '../core/api.js';
import { t } from '../core/i18n.js';
import { h, icon } from '../core/dom.js';
import { setTitle } from '../core/nav.js';
import { loadUsers } from '../core/session.js';
import { onRepairOrdersChanged } from '../core/live.js';
import { offersPanel } from '../offers/offers.js';
import { repliesPanel } from '../replies/replies.js';
import { questionsPanel } from '../offers/questions.js';
import { savingFor } from './ro-saving.js';
import { headerSection } from './ro-header.js';
import { noteCard, vehicleCard, partiesCard } from './ro-cards.js';
import { interventionsCard } from './ro-interventions.js';
import { timelineCard } from './ro-timeline.js';

export default async function roPage({ params, main }) {
  const id = Number(params[0]);
  const base = `/repair-orders/${id}`;
  const users = await loadUsers().catch(() => []);
  let first;
  try {
    first = await api('GET', base);
  } catch (e) {
    if (e.handled) return null;
    if (!(e instanceof ApiError)) throw e;
    setTitle(t('ro.notFound'));
    main.append(h('section', { class: 'page page-narrow' }, h('div', { class: 'empty' }, icon('info', 'empty-icon'),
      h('h1', {}, e.status === 404 ? t('ro.notFound') : t('error.fatalTitle')), h('p', {}, e.message),
      h('a', { href: '/repair-orders', class: 'btn btn-primary' }, t('nav.repairOrders')))));
    return null;
  }
  // What every part shares: the RO as last read and its version, the queue of saves, whether
  // the page is still shown; savingFor() adds mutate / quick / add / refresh, and the parts
  // below what others call (render, the offers and replies panels, the history).
  const pg = {
    id, base, users, ro: first.data, version: first.version ?? first.data.version, queue: Promise.resolve(), alive: true,
  };
  savingFor(pg);
  const head = headerSection(pg);
  const note = noteCard(pg);
  const vehicle = vehicleCard(pg);
  const parties = partiesCard(pg);
  const items = interventionsCard(pg);
  pg.timeline = timelineCard(pg);

  // ---- offers to the customer (offers/offers.js), updated live ----
  pg.offers = offersPanel({
    base, getRo: () => pg.ro, onChange: () => pg.timeline.load(), onRoChanged: () => pg.refresh(), onLoaded: () => head.syncActions(),
  });
  // What the customer wrote back by SMS, above everything else while unread.
  pg.replies = repliesPanel({ base, getRo: () => pg.ro, onChange: () => pg.timeline.load() });
  // What the customer asked about an item on their page, and the advisor's answers.
  pg.questions = questionsPanel({
    base, getRo: () => pg.ro, onChange: () => pg.timeline.load(), onThreads: (threads) => items.markQuestions(threads),
  });
  // A change to this RO (another tab or advisor's edit, a DMS, a customer's answer or SMS, a
  // delivery): the RO itself, its offers, replies and history are fetched again. What is being
  // typed stays (guardedText); a field someone else changed meanwhile is shown when it is saved.
  const stopLive = onRepairOrdersChanged((ids) => {
    if (ids && !ids.includes(pg.ro.id)) return;
    pg.refreshLive(); // the history too
    pg.offers.refresh();
    pg.replies.refresh();
    pg.questions.refresh();
  });

  const page = h('section', { class: 'page page-ro' },
    head.header,
    pg.conflictBanner,
    head.lock(h('div', { class: 'ro-grid' },
      h('div', { class: 'ro-main' }, pg.replies.card, pg.questions.card, items.card, pg.offers.card, pg.timeline.card),
      h('aside', { class: 'ro-side' }, parties.card, note.card, vehicle.card))));

  // ---- page ----
  pg.render = ({ discard = false } = {}) => {
    // A deleted RO is read-only, with its whole history shown (the header says who and when).
    const deleted = Boolean(pg.ro.deleted_at);
    page.classList.toggle('is-deleted', deleted);
    if (deleted) {
      vehicle.stopEditing();
      pg.timeline.showAll();
    }
    head.render({ discard });
    note.render();
    vehicle.render({ discard });
    parties.render();
    items.render({ discard });
  };
  main.append(page);
  pg.render();
  pg.replies.refresh();
  pg.questions.refresh();
  pg.timeline.load();

  return {
    cleanup() {
      pg.alive = false;
      stopLive();
      pg.stopSaving();
      pg.offers.stop();
      items.stop();
    },
  };
}
