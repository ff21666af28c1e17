// The print view of one repair order, for the workshop folder: on A4, the dealership's name, the
// RO (number, vehicle, parties, interventions with prices), and what the customer answered on
// each offer (decisions, with their times, and the agreements accepted), then their messages.
// A plain document (no top bar); its toolbar is for the screen only (app.css @media print).
import { api, ApiError } from '../core/api.js';
import { state } from '../core/state.js';
import { t, money, dateTime, vatLabel, count, localText, replySender } from '../core/i18n.js';
import { h, icon, replace } from '../core/dom.js';
import { setTitle } from '../core/nav.js';

/** The customer-facing steps of an offer, each stamped with its time once reached. */
const OFFER_STEPS = ['sent', 'received', 'seen', 'confirmed', 'locked'];

export default async function printPage({ params, main }) {
  const id = Number(params[0]);
  const base = `/repair-orders/${id}`;
  setTitle(t('print.docTitle'));
  const back = h('a', { href: base, class: 'btn' }, icon('back'), t('print.back'));
  const printButton = h('button', { type: 'button', class: 'btn btn-primary', disabled: true, onclick: () => window.print() },
    icon('print'), t('print.print'));
  const toolbar = h('div', { class: 'print-toolbar', role: 'toolbar', 'aria-label': t('print.docTitle') },
    back, printButton, h('p', { class: 'print-toolbar-hint' }, t('print.toolbarHint')));
  const doc = h('article', { class: 'print-doc', 'aria-busy': 'true' },
    h('p', { class: 'muted' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), ' ', t('print.loading')));
  main.append(toolbar, doc);

  let ro; let offers; let events; let replies;
  try {
    [ro, offers, events, replies] = await Promise.all([
      api('GET', base).then((r) => r.data),
      api('GET', `${base}/offers`).then((r) => r.data.items),
      api('GET', `${base}/timeline`).then((r) => r.data.items).catch(() => []),
      api('GET', `${base}/replies`).then((r) => r.data.items).catch(() => []),
    ]);
    if (!state.dealer) state.dealer = (await api('GET', '/settings')).data.dealer;
  } catch (e) {
    if (e.handled) return null;
    if (!(e instanceof ApiError)) throw e;
    doc.removeAttribute('aria-busy');
    replace(doc, h('h1', {}, t('error.fatalTitle')), h('p', {}, t('print.loadFailed', { message: e.message })));
    return null;
  }
  setTitle(ro.number, t('print.docTitle'));
  doc.removeAttribute('aria-busy');
  replace(doc, ...documentOf({ ro, offers, events, replies }));
  printButton.disabled = false;
  return null;
}

function documentOf({ ro, offers, events, replies }) {
  const v = ro.vehicle;
  const dealer = (state.dealer && state.dealer.name) || '';
  const head = h('header', { class: 'print-head' },
    h('div', { class: 'print-dealer' },
      h('p', { class: 'print-dealer-name' }, dealer),
      h('p', { class: 'print-dealer-sub' }, t('auth.tagline'))),
    h('div', { class: 'print-ident' },
      h('h1', {}, t('print.title', { number: ro.number })),
      // Each fact whole on its line: a date is never split from its time.
      h('p', {}, [
        t('print.status', { status: t(`status.${ro.status}`) }),
        t('print.createdAt', { when: dateTime(ro.created_at) }),
        ro.promised_at ? t('print.promised', { when: dateTime(ro.promised_at) }) : null,
        ro.advisor ? t('print.advisor', { name: ro.advisor.display_name }) : null,
      ].filter(Boolean).flatMap((x, i) => [i ? ' · ' : null, h('span', { class: 'print-fact' }, x)]))));

  const km = v.mileage_km === null || v.mileage_km === undefined ? '' : `${count(v.mileage_km)} km`;
  const vehicle = h('section', { class: 'print-block' },
    h('h2', {}, t('ro.vehicle')),
    h('dl', { class: 'print-facts' },
      fact(t('vehicle.plate'), v.plate),
      fact(t('vehicle.makeModel'), [v.make, v.model].filter(Boolean).join(' ')),
      fact(t('vehicle.vin'), v.vin),
      fact(t('vehicle.mileage'), km)));
  const parties = h('section', { class: 'print-block' },
    h('h2', {}, t('ro.parties')),
    ro.parties.length
      ? h('ul', { class: 'print-parties' }, ro.parties.map((p) => h('li', {},
        h('strong', {}, [p.kind === 'person' ? p.title : '', p.display_name].filter(Boolean).join(' ')),
        h('span', { class: 'print-muted' }, ` (${p.roles.map((r) => t(`role.party.${r}`)).join(', ')})`),
        p.opted_out ? h('span', { class: 'print-muted' }, ` · ${t('party.optedOut')}`) : null,
        p.contact_points.length
          ? h('span', { class: 'print-contacts' }, p.contact_points.map((c) => `${c.display}${c.opted_out ? ` (${t('contact.optedOut')})` : ''}`).join(' · '))
          : null)))
      : h('p', { class: 'print-muted' }, t('party.none')));

  return [
    head,
    h('div', { class: 'print-two' }, vehicle, parties),
    interventions(ro),
    answers(offers, events),
    replies.length ? messages(replies, ro) : null,
    ro.note ? h('section', { class: 'print-block' }, h('h2', {}, t('print.internalNote')), h('p', { class: 'print-text' }, ro.note)) : null,
    h('footer', { class: 'print-foot' },
      t('print.printedAt', { when: dateTime(new Date().toISOString()), name: state.user ? state.user.display_name : '' }),
      ` · ${dealer} · Relais`),
  ];
}

function fact(label, value) {
  return h('div', {}, h('dt', {}, label), h('dd', {}, value || '—'));
}

function interventions(ro) {
  const items = [...ro.interventions].sort((a, b) => a.position - b.position);
  const tt = ro.totals;
  return h('section', { class: 'print-block' },
    h('h2', {}, t('ro.interventions')),
    items.length ? h('table', { class: 'print-table print-items' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col', class: 'num' }, '#'),
        h('th', { scope: 'col' }, t('item.label')),
        h('th', { scope: 'col' }, t('item.kindSeverity')),
        h('th', { scope: 'col' }, t('item.shown')),
        h('th', { scope: 'col' }, t('print.col.authorized')),
        h('th', { scope: 'col', class: 'num' }, t('item.excl')),
        h('th', { scope: 'col', class: 'num' }, t('item.vat')),
        h('th', { scope: 'col', class: 'num' }, t('item.incl')))),
      h('tbody', {}, items.map((i) => h('tr', { dataset: { interventionId: String(i.id) } },
        h('td', { class: 'num' }, String(i.position)),
        h('td', {}, h('span', { class: 'print-label' }, i.label),
          i.mechanic_note ? h('span', { class: 'print-note' }, i.mechanic_note) : null),
        h('td', {}, `${t(`kind.${i.kind}`)} · ${t(`severity.${i.severity}`)}`),
        h('td', {}, t(i.shown ? 'print.shownYes' : 'print.shownNo')),
        h('td', {}, i.authorized === true || i.authorized === false ? t(`print.authorized.${i.authorized}`) : '—'),
        h('td', { class: 'num' }, money(i.price_excl_cents)),
        h('td', { class: 'num' }, vatLabel(i.vat_rate_bp)),
        h('td', { class: 'num' }, money(i.price_incl_cents))))),
      h('tfoot', {},
        h('tr', {}, h('th', { scope: 'row', colspan: '5' }, t('totals.all')),
          h('td', { class: 'num' }, money(tt.excl_cents)), h('td', {}), h('td', { class: 'num' }, money(tt.incl_cents))),
        h('tr', { class: 'is-main' }, h('th', { scope: 'row', colspan: '5' }, t('totals.shown')),
          h('td', { class: 'num' }, money(tt.shown_excl_cents)), h('td', {}), h('td', { class: 'num', dataset: { total: 'shown-incl' } }, money(tt.shown_incl_cents)))))
      : h('p', { class: 'print-muted' }, t('item.none')));
}

/** The latest offer, and every earlier one the customer confirmed, in full; others in a line. */
function answers(offers, events) {
  const section = h('section', { class: 'print-block print-answers' }, h('h2', {}, t('print.decisionsTitle')));
  if (!offers.length) {
    section.append(h('p', { class: 'print-muted' }, t('print.noOffer')));
    return section;
  }
  const full = offers.filter((o, i) => i === 0 || o.confirmed_at);
  const brief = offers.filter((o) => !full.includes(o));
  for (const o of full) section.append(offerBlock(o, events));
  if (brief.length) {
    section.append(h('h3', {}, t('print.olderTitle')),
      h('ul', { class: 'print-older' }, brief.map((o) => h('li', {}, t('print.olderLine', {
        n: o.version, state: t(`offer.state.${o.state}`).toLowerCase(), when: dateTime(o.sent_at || o.created_at),
      })))));
  }
  return section;
}

function offerBlock(o, events) {
  const confirmed = Boolean(o.confirmed_at);
  // Who confirmed: the customer the link was sent to, as the history names them.
  const confirmation = events.find((e) => e.type === 'offer.confirmed' && e.data && e.data.offer_id === o.id)
    || null;
  const who = confirmation && confirmation.actor && confirmation.actor.name;
  // The time of each answer when the API gives it, else the time it became final.
  const timed = o.items.some((i) => i.decided_at);
  const accepted = o.items.filter((i) => i.decision === 'accept').reduce((sum, i) => sum + i.price_incl_cents, 0);
  const steps = OFFER_STEPS.filter((s) => o[`${s}_at`]).map((s) => `${t(`offer.step.${s}`)} ${dateTime(o[`${s}_at`])}`);
  return h('div', { class: 'print-offer', dataset: { offerId: String(o.id), state: o.state } },
    h('h3', {}, t('print.offerTitle', { n: o.version, state: t(`offer.state.${o.state}`).toLowerCase() })),
    steps.length ? h('p', { class: 'print-steps' }, steps.join(' · ')) : null,
    o.recipients.length ? h('p', {}, t('print.sentTo', {
      list: o.recipients.map((r) => (r.name ? `${r.name} (${r.address_display || r.address})` : r.address_display || r.address)).join(', '),
    })) : null,
    h('p', { class: ['print-confirmation', confirmed ? 'is-confirmed' : 'is-draft'] },
      confirmed
        ? (who ? t('print.confirmedBy', { when: dateTime(o.confirmed_at), name: who }) : t('print.confirmedAt', { when: dateTime(o.confirmed_at) }))
        : t('print.notConfirmed')),
    h('table', { class: 'print-table print-decisions' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('offer.col.item')),
        h('th', { scope: 'col', class: 'num' }, t('offer.col.price')),
        h('th', { scope: 'col' }, t(confirmed ? 'offer.col.decision' : 'offer.col.draft')),
        timed ? h('th', { scope: 'col' }, t('print.col.answeredAt')) : null)),
      h('tbody', {}, o.items.map((i) => h('tr', { dataset: { interventionId: String(i.intervention_id), decision: i.decision || 'none' } },
        h('td', {}, i.label),
        h('td', { class: 'num' }, money(i.price_incl_cents)),
        h('td', { class: 'print-decision' }, !i.decision ? t('offer.decision.none')
          : t(confirmed ? `offer.decision.${i.decision}` : `offer.draft.${i.decision}`)),
        timed ? h('td', {}, i.decided_at ? dateTime(i.decided_at) : '—') : null))),
      h('tfoot', {},
        h('tr', {}, h('th', { scope: 'row' }, t('offer.total')), h('td', { class: 'num' }, money(o.total_incl_cents)), h('td', {}), timed ? h('td', {}) : null),
        // Until the customer confirms, nothing counts as accepted.
        confirmed ? h('tr', { class: 'is-main' }, h('th', { scope: 'row' }, t('offer.accepted')),
          h('td', { class: 'num' }, money(accepted)), h('td', {}), timed ? h('td', {}) : null) : null)),
    o.agreements.length ? h('div', { class: 'print-agreements' },
      h('h4', {}, t('print.agreementsTitle')),
      h('ul', {}, o.agreements.map((a) => h('li', { dataset: { agreementId: String(a.id), accepted: String(Boolean(a.accepted_at)) } },
        h('span', { class: 'print-agreement-mark', 'aria-hidden': 'true' }, a.accepted_at ? '☑' : '☐'), ' ',
        h('strong', {}, localText(a.title)),
        ` · ${t('agr.versionN', { n: a.version })} · ${t(a.mandatory ? 'agr.mandatory' : 'agr.optional').toLowerCase()} · `,
        a.accepted_at ? t('print.agreementAccepted', { when: dateTime(a.accepted_at) })
          : t(confirmed ? 'print.agreementNotAccepted' : 'print.agreementPending'))))) : null,
    o.note ? h('div', { class: 'print-offer-note' }, h('h4', {}, t('offer.note')), h('p', { class: 'print-text' }, o.note)) : null);
}

function messages(replies, ro) {
  return h('section', { class: 'print-block' },
    h('h2', {}, t('print.repliesTitle')),
    h('ul', { class: 'print-replies' }, [...replies].reverse().map((r) => h('li', {},
      h('p', { class: 'print-muted' }, t('print.replyFrom', { who: replySender(r, ro), when: dateTime(r.received_at) })),
      h('p', { class: 'print-text' }, t('print.quote', { text: r.text }))))));
}
