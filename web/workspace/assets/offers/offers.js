// The offers of one repair order: the panel on the RO page (the latest version's progress,
// recipients, delivery and the customer's decisions; older versions folded). The send dialog
// (recipients, note, the shown interventions, a preview of every message, then send) is
// send-dialog.js.
import { api } from '../core/api.js';
import { t, money, dateTime, count, plural, localText, failureText } from '../core/i18n.js';
import { h, icon, replace, toast, confirmDialog } from '../core/dom.js';
import { sendDialog } from './send-dialog.js';
import { remindersBlock } from './reminders.js';
import { reportBlock } from './report.js';

/** The customer-facing steps, in order; each has its `<step>_at` time once reached. */
export const OFFER_STEPS = ['sent', 'received', 'seen', 'confirmed', 'locked'];
/** States after which nothing moves any more (no lock either). */
const CLOSED = new Set(['locked', 'failed', 'superseded', 'expired', 'cancelled']);
/** States in which the same version can be sent again (a new link each, 30 more days). */
const RESENDABLE = new Set(['sent', 'received', 'seen', 'failed', 'expired']);

const DECISION_ICONS = { accept: 'check', decline: 'close', contact_me: 'phone' };

function offerChip(state) {
  return h('span', { class: ['chip', `os-${state}`], dataset: { state } },
    h('span', { class: 'dot', 'aria-hidden': 'true' }), t(`offer.state.${state}`));
}

function messageChip(m) {
  return h('span', { class: ['chip', 'msg-state', `ms-${m.state}`], dataset: { state: m.state } },
    h('span', { class: 'dot', 'aria-hidden': 'true' }), t(`offer.msg.${m.state}`));
}

/** A decision the customer confirmed; before that, an answer in progress they may still change. */
function decisionLabel(decision, confirmed) {
  const d = decision || 'none';
  if (!confirmed && decision) {
    return h('span', { class: ['decision', 'is-draft', `dec-${d}`], dataset: { decision: d, draft: 'true' } },
      icon('clock'), t(`offer.draft.${d}`));
  }
  return h('span', { class: ['decision', `dec-${d}`], dataset: { decision: d } },
    DECISION_ICONS[d] ? icon(DECISION_ICONS[d]) : h('span', { class: 'decision-none', 'aria-hidden': 'true' }, '–'),
    t(`offer.decision.${d}`));
}

/**
 * The "Offers" card. `getRo()` gives the RO as last read (for the send dialog); `onChange()`
 * is called when the offers changed (the page reloads its history then); `onLoaded(offers)`
 * each time they were read and differ from what was shown (the first time too).
 */
export function offersPanel({ base, getRo, onChange, onRoChanged, onLoaded }) {
  let offers = null;
  let fingerprint = '';
  let loadError = null;
  let alive = true;
  let inFlight = null;
  let again = false;
  let olderOpen = false;

  const badge = h('span', { class: 'count-badge' });
  const sendButton = h('button', { type: 'button', class: 'btn btn-small btn-primary', onclick: openSend },
    icon('send'), t('offer.send'));
  const body = h('div', { class: 'offers-body' });
  // One short sentence for screen readers when the state of the latest version moves.
  const live = h('p', { class: 'visually-hidden', 'aria-live': 'polite' });
  const card = h('section', { class: 'card card-offers', 'aria-labelledby': 'h-offers' },
    h('div', { class: 'card-head' },
      h('h2', { class: 'card-title', id: 'h-offers' }, icon('send'), t('offer.title'), badge),
      sendButton),
    live, body);

  function load() {
    if (inFlight) {
      again = true;  // a change came while loading: load once more after this one
      return inFlight;
    }
    inFlight = api('GET', `${base}/offers`).then((r) => {
      if (!alive) return;
      loadError = null;
      const next = JSON.stringify(r.data.items);
      if (next === fingerprint) return;
      const first = offers === null;
      const before = offers && offers[0] ? `${offers[0].id}:${offers[0].state}` : '';
      offers = r.data.items;
      fingerprint = next;
      render();
      const now = offers[0] ? `${offers[0].id}:${offers[0].state}` : '';
      if (!first && now !== before && offers[0]) {
        live.textContent = t('offer.liveState', { n: offers[0].version, state: t(`offer.state.${offers[0].state}`) });
      }
      if (!first && onChange) onChange();
      if (onLoaded) onLoaded(offers);
    }).catch((e) => {
      if (!alive || e.handled) return;
      // A failed poll keeps what is shown; only a first load with nothing to show says why.
      loadError = e;
      if (offers === null) render();
    }).finally(() => {
      inFlight = null;
      if (again && alive) {
        again = false;
        load();
      }
    });
    return inFlight;
  }

  function render() {
    if (offers === null) {
      replace(body, loadError
        ? h('p', { class: 'muted empty-inline' }, t('offer.loadFailed', { message: loadError.message }))
        : h('p', { class: 'muted empty-inline' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), ' ', t('offer.loading')));
      return;
    }
    badge.textContent = offers.length ? String(offers.length) : '';
    const latest = offers[0];
    sendButton.disabled = Boolean(latest && latest.state === 'locked');
    if (!latest) {
      replace(body, h('p', { class: 'muted empty-inline' }, t('offer.none')));
      return;
    }
    replace(body, offerView(latest, true, {
      lock, resend, cancelScheduled, applyAnswers, getRo, openSend, reload: load, base,
    }), offers.length > 1 ? olderList(offers.slice(1)) : null);
  }

  function olderList(older) {
    const details = h('details', { class: 'offer-older', open: olderOpen },
      h('summary', {}, icon('chevron', 'older-chevron'), t('offer.older', { n: older.length })),
      h('ul', {}, older.map((o) => h('li', { class: 'older-row', dataset: { offerId: String(o.id), state: o.state } },
        h('span', { class: 'older-name' }, t('offer.olderLine', { n: o.version, state: t(`offer.state.${o.state}`).toLowerCase() })),
        h('span', { class: 'muted' }, o.sent_at ? t('offer.sentOn', { when: dateTime(o.sent_at) }) : dateTime(o.created_at)),
        h('span', { class: 'muted' }, plural('offer.recipientCount', o.recipients.length)),
        h('span', { class: 'money' }, money(o.total_incl_cents))))));
    details.addEventListener('toggle', () => { olderOpen = details.open; });
    return details;
  }

  // Thumbs up / down on the RO's interventions as the customer answered (seed 004, step 8).
  // Drafts (not confirmed) only after the advisor has read that the customer may still change them.
  async function applyAnswers(o) {
    const drafts = !o.confirmed_at;
    if (drafts && !await confirmDialog({
      title: t('offer.applyDraftsTitle'), text: t('offer.applyDraftsText'), confirmLabel: t('offer.applyDraftsConfirm'),
    })) return;
    try {
      const r = await api('POST', `/offers/${o.id}/apply-answers`, { body: drafts ? { drafts: true } : {} });
      toast(plural('offer.applied', r.data.changed));
      if (onRoChanged) await onRoChanged();
    } catch (e) {
      if (!e.handled) toast(e.message, 'error');
    }
  }

  /** An action on an offer, asked first: POST /offers/{id}/{action}, then a toast and a reload. */
  async function offerAction(o, { action, title, text, confirmLabel, danger = false, done }) {
    if (!await confirmDialog({ title, text, confirmLabel, danger })) return;
    try {
      await api('POST', `/offers/${o.id}/${action}`, { body: {} });
      toast(done);
    } catch (e) {
      if (!e.handled) toast(e.message, 'error');
    }
    await load();
  }

  const lock = (o) => offerAction(o, {
    action: 'lock', title: t('offer.lockTitle'), text: t('offer.lockText'), confirmLabel: t('offer.lock'), done: t('offer.lockedToast'),
  });
  const resend = (o) => offerAction(o, {
    action: 'resend', title: t('offer.resendTitle'), text: t('offer.resendText'), confirmLabel: t('offer.resend'),
    done: t('offer.resentToast', { n: o.version }),
  });
  const cancelScheduled = (o) => offerAction(o, {
    action: 'cancel', title: t('offer.cancelTitle'), text: t('offer.cancelText'), confirmLabel: t('offer.cancel'), danger: true,
    done: t('offer.cancelledToast', { n: o.version }),
  });

  async function openSend() {
    const sent = await sendDialog({ base, ro: getRo() });
    // The dialog may have changed interventions (shown, price, note): the RO page reads them again.
    if (onRoChanged) await onRoChanged();
    if (!sent) return;
    toast(sent.state === 'scheduled' ? t('send.scheduledToast', { n: sent.version }) : t('send.sentToast', { n: sent.version }));
    await load();
  }

  render();
  load();

  return {
    card,
    reload: load,
    /** The latest version as last read, or null. */
    latest: () => (offers && offers[0]) || null,
    /** How many offers the RO has, or null until they were read. */
    count: () => (offers === null ? null : offers.length),
    /** Draws the offers again as last read (the RO changed: what was agreed may differ now). */
    redraw() {
      if (alive && offers !== null) render();
    },
    /** Fetches the offers again (a live update said they changed). */
    refresh() {
      if (alive) load();
    },
    stop() {
      alive = false;
    },
  };
}

/** One version of the offer; `latest`: the newest (its mismatch with the RO is said);
 * `acts`: the panel's actions and getRo. */
function offerView(o, latest, acts) {
  const { lock, resend, cancelScheduled, applyAnswers } = acts;
  const canLock = !CLOSED.has(o.state) && o.state !== 'scheduled';
  const lockButton = canLock
    ? h('button', { type: 'button', class: 'btn btn-small', onclick: () => lock(o) }, icon('lock'), t('offer.lock'))
    : null;
  const resendButton = RESENDABLE.has(o.state)
    ? h('button', { type: 'button', class: 'btn btn-small', onclick: () => resend(o) }, icon('send'), t('offer.resend'))
    : null;
  const cancelButton = o.state === 'scheduled'
    ? h('button', { type: 'button', class: 'btn btn-small btn-danger-quiet', onclick: () => cancelScheduled(o) }, icon('close'), t('offer.cancel'))
    : null;
  // A scheduled offer leaves when its messages are due.
  const due = o.messages.map((m) => m.next_attempt_at).filter(Boolean).sort()[0];
  let notice = null;
  if (['failed', 'expired', 'cancelled'].includes(o.state)) {
    notice = h('p', { class: ['notice', o.state === 'failed' ? 'notice-danger' : null] }, icon('alert'), t(`offer.notice.${o.state}`));
  } else if (o.state === 'scheduled' && due) {
    const rel = o.send_relative ? o.send_relative.hours : null;
    const side = rel === null ? null : rel < 0 ? 'before' : rel > 0 ? 'after' : 'at';
    notice = h('p', { class: 'notice', dataset: { sendAt: due } }, icon('clock'), t('offer.scheduledFor', { when: dateTime(due) }),
      side ? ` ${t(`offer.relative.${side}`, { n: Math.abs(rel) })}` : null);
  }
  const mismatch = latest ? mismatchNotice(o, acts) : null;
  return h('article', { class: 'offer', 'aria-labelledby': `offer-${o.id}-title`, dataset: { offerId: String(o.id), state: o.state } },
    h('div', { class: 'offer-head' },
      h('div', { class: 'offer-head-main' },
        h('h3', { class: 'offer-title', id: `offer-${o.id}-title` }, t('offer.version', { n: o.version }), offerChip(o.state)),
        h('p', { class: 'offer-meta' },
          o.created_by ? t('offer.createdBy', { when: dateTime(o.created_at), name: o.created_by }) : t('offer.created', { when: dateTime(o.created_at) }),
          o.expires_at && !CLOSED.has(o.state) ? ` · ${t('offer.expires', { when: dateTime(o.expires_at) })}` : null)),
      h('div', { class: 'offer-actions' },
        // What the customer sees now, read-only, in a tab of its own (seed 004's preview).
        h('a', { class: 'btn btn-small', href: `/preview/offers/${o.id}`, target: '_blank', rel: 'noopener' },
          icon('eye'), t('offer.preview')),
        o.items.some((i) => i.decision === 'accept' || i.decision === 'decline')
          ? h('button', { type: 'button', class: 'btn btn-small', onclick: () => applyAnswers(o) }, icon('thumbUp'),
            t(o.confirmed_at ? 'offer.applyAnswers' : 'offer.applyDrafts'))
          : null,
        resendButton,
        cancelButton,
        lockButton)),
    notice,
    mismatch,
    o.state === 'locked' ? h('p', { class: 'field-hint' }, t('offer.lockedHint')) : null,
    steps(o),
    latest ? remindersBlock(o, { reload: acts.reload, messageChip }) : null,
    // After the work: the repair report, on the locked latest version.
    latest && o.state === 'locked' ? reportBlock(o, { base: acts.base, messageChip }) : null,
    h('div', { class: 'offer-grid' },
      h('div', { class: 'offer-col' },
        h('h4', { class: 'offer-sub' }, t('offer.recipients')),
        recipients(o),
        o.note ? h('h4', { class: 'offer-sub' }, t('offer.note')) : null,
        o.note ? h('p', { class: 'offer-note' }, o.note) : null,
        o.agreements.length ? h('h4', { class: 'offer-sub' }, t('offer.agreements')) : null,
        o.agreements.length ? agreementList(o) : null),
      h('div', { class: 'offer-col' },
        h('h4', { class: 'offer-sub' }, t('offer.decisions')),
        decisions(o))));
}

// What the customer confirmed against the RO as it is now: a price, a label changed since,
// an item hidden or removed. Said on the offer, with the way out (a new version, or, once
// locked, telling the customer).
function mismatchNotice(o, { getRo, openSend }) {
  if (!o.confirmed_at || (o.state !== 'confirmed' && o.state !== 'locked')) return null;
  const ro = getRo();
  if (!ro) return null;
  const lines = [];
  for (const agreed of o.items) {
    const now = ro.interventions.find((i) => i.id === agreed.intervention_id);
    if (!now) lines.push(t('offer.mismatch.removed', { label: agreed.label }));
    else if (!now.shown) lines.push(t('offer.mismatch.hidden', { label: agreed.label }));
    else {
      if (now.label !== agreed.label) lines.push(t('offer.mismatch.label', { label: agreed.label, now: now.label }));
      if (now.price_incl_cents !== agreed.price_incl_cents) {
        lines.push(t('offer.mismatch.price', { label: now.label, agreed: money(agreed.price_incl_cents), now: money(now.price_incl_cents) }));
      }
    }
  }
  if (!lines.length) return null;
  return h('div', { class: 'notice notice-warning offer-mismatch', role: 'status' }, icon('alert'),
    h('div', {},
      h('p', { class: 'notice-title' }, t('offer.mismatchTitle')),
      h('ul', {}, lines.map((l) => h('li', {}, l))),
      o.state === 'locked'
        ? h('p', {}, t('offer.mismatchLocked'))
        : h('button', { type: 'button', class: 'btn btn-small', onclick: openSend }, icon('send'), t('offer.mismatchSend'))));
}

// The agreement versions frozen in this offer, and whether the customer accepted each.
function agreementList(o) {
  const answered = Boolean(o.confirmed_at);
  return h('ul', { class: 'offer-agreements' }, o.agreements.map((a) => h('li', {
    class: a.accepted_at ? 'is-accepted' : null, dataset: { agreementId: String(a.id), version: String(a.version) },
  },
  icon(a.accepted_at ? 'check' : 'doc', 'agreement-icon'),
  h('div', {},
    h('span', { class: 'agreement-title' }, localText(a.title)),
    h('span', { class: 'muted' }, ` · ${t('agr.versionN', { n: a.version })} · ${t(a.mandatory ? 'agr.mandatory' : 'agr.optional')}`),
    h('span', { class: 'agreement-state' }, a.accepted_at ? t('offer.agreementAccepted', { when: dateTime(a.accepted_at) })
      : t(answered ? 'offer.agreementNotAccepted' : 'offer.agreementPending'))))));
}

function steps(o) {
  const reached = OFFER_STEPS.map((s) => Boolean(o[`${s}_at`]));
  const last = reached.lastIndexOf(true);
  // A failed offer stopped at the step after the last one reached: shown there, in red.
  const failedAt = o.state === 'failed' ? last + 1 : -1;
  return h('ol', { class: 'offer-steps', 'aria-label': t('offer.progress') },
    OFFER_STEPS.map((s, i) => {
      const at = o[`${s}_at`];
      const failed = i === failedAt;
      let time;
      if (at) time = h('time', { class: 'step-time', datetime: at }, dateTime(at));
      else if (failed) time = h('span', { class: 'step-time step-failed' }, t('offer.stepFailed'));
      else time = h('span', { class: 'step-time' }, h('span', { class: 'visually-hidden' }, t('offer.stepNotYet')), h('span', { 'aria-hidden': 'true' }, '—'));
      return h('li', {
        // The line from the previous step is drawn only when both ends were reached (a lock
        // may come before the customer saw the offer).
        class: ['offer-step', reached[i] ? 'is-done' : null, reached[i] && reached[i - 1] ? 'is-linked' : null,
          i === last && !failed && failedAt < 0 ? 'is-current' : null, failed ? 'is-failed' : null],
        'aria-current': (failedAt < 0 ? i === last : failed) ? 'step' : null,
        dataset: { step: s },
      },
      h('span', { class: 'step-mark', 'aria-hidden': 'true' }, reached[i] ? icon('check') : failed ? icon('close') : String(i + 1)),
      h('span', { class: 'step-label' }, t(`offer.step.${s}`)),
      time);
    }));
}

function recipients(o) {
  const list = h('ul', { class: 'offer-recipients' });
  for (const r of o.recipients) {
    // The offer's own message; reminders show their delivery in the reminders block, and the
    // acknowledgement of an answer by SMS is on the timeline.
    const msgs = o.messages.filter((m) => m.recipient_id === r.id && !['reminder', 'sms_decision_ack', 'report'].includes(m.purpose));
    const m = msgs.length ? msgs[msgs.length - 1] : null;
    const when = m && (m.delivered_at || m.sent_at);
    list.append(h('li', { class: 'offer-recipient', dataset: { channel: r.channel, contactPointId: String(r.contact_point_id) } },
      icon(r.channel === 'sms' ? 'phone' : 'mail', 'contact-icon'),
      h('div', { class: 'rcpt-main' },
        h('span', { class: 'rcpt-name' }, r.name || '—'),
        h('span', { class: 'rcpt-address' }, r.address_display || r.address),
        m && m.last_error ? h('span', { class: ['rcpt-error', m.state === 'failed' || m.state === 'quarantined' ? 'is-failed' : null] },
          m.state === 'quarantined' ? t('offer.quarantined', { n: m.interruptions })
            : m.state === 'failed' || (m.failure && m.failure.code === 'sms_sim_network') ? failureText(m.failure, m.last_error)
              : t('offer.retrying', { n: m.attempts, error: failureText(m.failure, m.last_error) })) : null),
      h('div', { class: 'rcpt-state' },
        m ? messageChip(m) : null,
        when ? h('time', { class: 'rcpt-time', datetime: when }, dateTime(when)) : null)));
  }
  if (!o.recipients.length) list.append(h('li', { class: 'muted' }, '—'));
  return list;
}

// Until the customer confirms, their answers are drafts: shown as in progress, never summed
// as accepted (they may still change them).
function decisions(o) {
  const confirmed = Boolean(o.confirmed_at);
  const answered = o.items.filter((i) => i.decision).length;
  const accepted = o.items.filter((i) => i.decision === 'accept').reduce((s, i) => s + i.price_incl_cents, 0);
  return h('div', {},
    !confirmed && answered ? h('p', { class: 'offer-draft-note' }, icon('clock'), t('offer.draftNote')) : null,
    h('table', { class: 'table offer-items' },
      h('caption', { class: 'visually-hidden' }, t('offer.decisions')),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('offer.col.item')),
        h('th', { scope: 'col', class: 'num' }, t('offer.col.price')),
        h('th', { scope: 'col' }, t(confirmed ? 'offer.col.decision' : 'offer.col.draft')))),
      h('tbody', {}, o.items.map((i) => h('tr', { dataset: { interventionId: String(i.intervention_id) } },
        h('td', {}, h('span', { class: 'offer-item-label' }, h('span', { class: `sev-dot sev-${i.severity}`, 'aria-hidden': 'true' }), i.label)),
        h('td', { class: 'num money' }, money(i.price_incl_cents)),
        h('td', {}, decisionLabel(i.decision, confirmed)))))),
    h('dl', { class: 'offer-sums' },
      h('div', {}, h('dt', {}, t('offer.total')), h('dd', { class: 'money' }, money(o.total_incl_cents))),
      confirmed ? h('div', { class: 'is-main' }, h('dt', {}, t('offer.accepted')), h('dd', { class: 'money' }, money(accepted))) : null,
      !confirmed && answered ? h('div', { class: 'is-draft' }, h('dt', {}, t('offer.draftAnswered', { n: count(answered), total: count(o.items.length) }))) : null));
}
