// The offers of one repair order: the panel on the RO page (the latest version's progress,
// recipients, delivery and the customer's decisions; older versions folded) and the send
// dialog (recipients, note, the shown interventions, a preview of every message, then send).
import { api, ApiError } from '../api.js';
import { parseMoney, LIMITS } from './ro-shared.js';
import { t, money, moneyInput, dateTime, count, plural, localText, failureText } from '../i18n.js';
import {
  h, icon, replace, clear, toast, confirmDialog, formAlert, clearErrors, nextId, field, limitText, limitMessage, limitProblems,
} from '../dom.js';

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

/** Initial interventions first, then the optional ones, each in the RO's order. */
function offeredOrder(a, b) {
  if (a.kind !== b.kind) return a.kind === 'initial' ? -1 : 1;
  return a.position - b.position;
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
    replace(body, offerView(latest), offers.length > 1 ? olderList(offers.slice(1)) : null);
  }

  function offerView(o) {
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
      notice = h('p', { class: 'notice', dataset: { sendAt: due } }, icon('clock'), t('offer.scheduledFor', { when: dateTime(due) }));
    }
    const mismatch = o === offers[0] ? mismatchNotice(o) : null;
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
  function mismatchNotice(o) {
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
      const msgs = o.messages.filter((m) => m.recipient_id === r.id);
      const m = msgs.length ? msgs[msgs.length - 1] : null;
      const when = m && (m.delivered_at || m.sent_at);
      list.append(h('li', { class: 'offer-recipient', dataset: { channel: r.channel, contactPointId: String(r.contact_point_id) } },
        icon(r.channel === 'sms' ? 'phone' : 'mail', 'contact-icon'),
        h('div', { class: 'rcpt-main' },
          h('span', { class: 'rcpt-name' }, r.name || '—'),
          h('span', { class: 'rcpt-address' }, r.address_display || r.address),
          m && m.last_error ? h('span', { class: ['rcpt-error', m.state === 'failed' || m.state === 'quarantined' ? 'is-failed' : null] },
            m.state === 'quarantined' ? t('offer.quarantined', { n: m.interruptions })
              : m.state === 'failed' ? failureText(m.failure, m.last_error)
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

/**
 * The send dialog: which contacts, the note, the interventions that will be shown; then a
 * preview of each message (the SMS's cost, the email's subject and text) and the send.
 * Resolves with the new offer, or null when cancelled.
 */
export function sendDialog({ base, ro }) {
  return new Promise((resolve) => {
    let result = null;
    let step = 'compose';
    let sentIds = [];

    // ---- recipients: every contact point of every party; opted-out ones greyed and disabled ----
    const boxes = [];
    const parties = ro.parties.map((p) => {
      const rows = p.contact_points.map((c) => {
        const off = Boolean(c.opted_out || p.opted_out);
        const noSms = c.kind === 'phone' && c.sms_capable === false;
        const input = h('input', { type: 'checkbox', value: String(c.id), disabled: off || noSms, dataset: { contactPointId: String(c.id) } });
        const err = h('p', { class: 'field-error', id: nextId('rcpt-err'), hidden: true });
        input.setAttribute('aria-describedby', err.id);
        boxes.push({ c, p, input, err });
        return h('li', { class: ['send-rcpt', off || noSms ? 'is-disabled' : null] },
          h('label', { class: 'check send-rcpt-label' },
            input,
            icon(c.kind === 'phone' ? 'phone' : 'mail', 'contact-icon'),
            h('span', { class: 'send-rcpt-value' }, c.display || c.value),
            h('span', { class: 'tags' },
              h('span', { class: 'tag' }, t(`contact.${c.usage}`)),
              noSms ? h('span', { class: 'tag tag-muted' }, t('contact.noSms')) : null,
              c.opted_out || p.opted_out ? h('span', { class: 'tag tag-off' }, icon('close'), t('send.optedOut')) : null)),
          err);
      });
      return h('li', { class: ['send-party', p.opted_out ? 'is-opted-out' : null] },
        h('div', { class: 'send-party-head' },
          icon(p.kind === 'company' ? 'company' : 'person', 'send-party-icon'),
          h('strong', {}, [p.kind === 'person' ? p.title : '', p.display_name].filter(Boolean).join(' ')),
          h('span', { class: 'tags' }, p.roles.map((r) => h('span', { class: 'tag tag-role' }, t(`role.party.${r}`))))),
        rows.length ? h('ul', { class: 'send-rcpts' }, rows) : h('p', { class: 'muted send-rcpts' }, t('contact.none')));
    });
    const recipientsErr = h('p', { class: 'field-error', hidden: true });
    const recipientsBox = h('fieldset', { class: 'fieldset send-section' },
      h('legend', {}, t('send.recipients')),
      h('p', { class: 'field-hint send-lead' }, t('send.recipientsHint')),
      parties.length ? h('ul', { class: 'send-parties' }, parties) : h('p', { class: 'muted' }, t('send.noContacts')),
      recipientsErr);

    // ---- the note, with its limit (shown as it comes near, refused past it: dom.js limitText) ----
    const note = h('textarea', { rows: '4', spellcheck: 'true', placeholder: t('send.notePlaceholder') });
    const noteField = field({
      label: t('send.note'), control: note, field: 'note', optional: true, className: 'send-section', hint: t('send.noteHint'), max: LIMITS.offer_note,
    });
    noteField.querySelector('.char-counter').classList.add('note-counter');

    // ---- the interventions: shown or not, the price incl. VAT and the mechanic's note, each
    // change saved to the RO at once (the RO page shows it too) ----
    let version = ro.version;
    let items = [...ro.interventions].sort(offeredOrder);
    const itemsErr = h('p', { class: 'field-error', hidden: true });
    const itemsList = h('ul', { class: 'send-items' });
    const itemsCount = h('span', { class: 'count-badge' });
    const itemsTotal = h('span', { class: 'money' });
    async function saveItem(item, body, control) {
      control.removeAttribute('aria-invalid');
      itemsErr.hidden = true;
      try {
        let r;
        try {
          r = await api('PATCH', `${base}/interventions/${item.id}`, { body, version });
        } catch (e) {
          // The customer confirmed this item as it was: changed only once the advisor has read
          // what they accepted (the new version this dialog sends replaces it).
          if (!(e instanceof ApiError && e.code === 'agreed_by_customer' && e.params)) throw e;
          const p = e.params;
          const ok = await confirmDialog({
            title: t('item.agreedTitle'),
            text: `${t('item.agreedText', { label: p.label, price: money(Number(p.price_incl_cents)), n: p.version })} ${t('item.agreedDialogHint')}`,
            confirmLabel: t('item.agreedChange'),
            danger: false,
          });
          if (!ok) {
            renderItems(control);
            return null;
          }
          r = await api('PATCH', `${base}/interventions/${item.id}`, { body: { ...body, change_agreed: true }, version });
        }
        const fresh = await api('GET', base);
        version = fresh.version ?? fresh.data.version;
        items = [...fresh.data.interventions].sort(offeredOrder);
        ro.interventions = fresh.data.interventions;
        renderItems(control);
        return r;
      } catch (e) {
        if (e.handled) return null;
        itemsErr.textContent = e.fields && e.fields.length ? e.fields.map((f) => f.message).join(' ') : e.message;
        itemsErr.hidden = false;
        control.setAttribute('aria-invalid', 'true');
        return null;
      }
    }
    function itemRow(i) {
      const shownBox = h('input', { type: 'checkbox', checked: i.shown, 'aria-label': t('send.itemShown', { label: i.label }) });
      shownBox.addEventListener('change', () => saveItem(i, { shown: shownBox.checked }, shownBox));
      const price = h('input', {
        type: 'text', inputmode: 'decimal', class: 'money-input send-price', value: moneyInput(i.price_incl_cents),
        'aria-label': t('send.itemPrice', { label: i.label }),
      });
      price.addEventListener('change', () => {
        const cents = parseMoney(price.value);
        if (cents === undefined || cents === null) {
          itemsErr.textContent = t('item.amountInvalid');
          itemsErr.hidden = false;
          price.setAttribute('aria-invalid', 'true');
          return;
        }
        saveItem(i, { price_incl_cents: cents }, price);
      });
      const noteBox = h('textarea', {
        rows: '1', class: 'send-item-note', placeholder: t('item.notePlaceholder'),
        'aria-label': t('send.itemNote', { label: i.label }),
      });
      noteBox.value = i.mechanic_note || '';
      const noteCounter = limitText(noteBox, LIMITS.mechanic_note, t('send.itemNote', { label: i.label }));
      noteBox.setAttribute('aria-describedby', noteCounter.id);
      noteBox.addEventListener('change', () => {
        // Too long: refused with the reason, never cut; the text stays as typed.
        const tooLong = limitMessage(noteBox);
        if (tooLong) {
          itemsErr.textContent = tooLong;
          itemsErr.hidden = false;
          return;
        }
        saveItem(i, { mechanic_note: noteBox.value.trim() }, noteBox);
      });
      return h('li', { class: ['send-item', i.shown ? null : 'is-hidden'], dataset: { interventionId: String(i.id) } },
        h('label', { class: 'check send-item-shown' }, shownBox,
          h('span', { class: `sev-dot sev-${i.severity}`, 'aria-hidden': 'true' }),
          h('span', { class: 'send-item-label' }, i.label)),
        h('span', { class: 'tag' }, t(`kind.${i.kind}`)),
        h('span', { class: 'send-item-price' }, price, h('span', { class: 'muted' }, t('send.inclVat'))),
        noteBox, noteCounter);
    }
    function renderItems(focused) {
      // The control being used keeps its focus across the re-render.
      const keep = focused && focused.getAttribute('aria-label');
      clear(itemsList);
      for (const i of items) itemsList.append(itemRow(i));
      const shownItems = items.filter((i) => i.shown);
      itemsCount.textContent = shownItems.length ? String(shownItems.length) : '';
      itemsTotal.textContent = money(shownItems.reduce((sum, i) => sum + i.price_incl_cents, 0));
      if (keep) itemsList.querySelector(`[aria-label="${CSS.escape(keep)}"]`)?.focus();
    }
    renderItems();
    const itemsBox = h('section', { class: 'send-section', 'aria-labelledby': 'send-items-title' },
      h('h3', { class: 'send-title', id: 'send-items-title' }, t('send.items'), itemsCount),
      items.length ? itemsList : h('p', { class: 'notice' }, icon('alert'), t('send.noItems')),
      h('p', { class: 'send-items-total' }, h('span', { class: 'send-item-label' }, t('send.total')), itemsTotal),
      h('p', { class: 'field-hint' }, t('send.itemsHint')),
      itemsErr);

    // ---- when: now, or later (a scheduled send waits and can be cancelled until it leaves) ----
    const nowRadio = h('input', { type: 'radio', name: 'send-when', value: 'now', checked: true });
    const laterRadio = h('input', { type: 'radio', name: 'send-when', value: 'later' });
    const sendAt = h('input', { type: 'datetime-local', id: nextId('send-at'), disabled: true, step: '60' });
    const sendAtErr = h('p', { class: 'field-error', hidden: true });
    const syncWhen = () => {
      sendAt.disabled = !laterRadio.checked;
      if (laterRadio.checked && !sendAt.value) {
        // Tomorrow at 8:00 by default: when customers read their messages.
        const d = new Date();
        d.setDate(d.getDate() + 1);
        d.setHours(8, 0, 0, 0);
        const pad = (n) => String(n).padStart(2, '0');
        sendAt.value = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T08:00`;
      }
    };
    nowRadio.addEventListener('change', syncWhen);
    laterRadio.addEventListener('change', syncWhen);
    const whenBox = h('fieldset', { class: 'fieldset send-section send-when' },
      h('legend', {}, t('send.when')),
      h('label', { class: 'check' }, nowRadio, t('send.whenNow')),
      h('div', { class: 'send-later' },
        h('label', { class: 'check' }, laterRadio, t('send.whenLater')),
        h('label', { for: sendAt.id, class: 'visually-hidden' }, t('send.sendAt')),
        sendAt),
      sendAtErr);

    const compose = h('div', { class: 'form send-compose' }, recipientsBox, noteField, itemsBox, whenBox);
    const preview = h('div', { class: 'send-preview', hidden: true });

    // ---- the dialog (the same frame as dom.js formDialog, with two steps) ----
    const alert = formAlert();
    const titleId = nextId('dlg');
    const title = h('h2', { id: titleId }, t('send.title'));
    const back = h('button', { type: 'button', class: 'btn', hidden: true, onclick: () => showStep('compose') }, icon('back'), t('send.back'));
    const cancel = h('button', { type: 'button', class: 'btn', onclick: () => dlg.close() }, t('common.cancel'));
    const submit = h('button', { type: 'submit', class: 'btn btn-primary' });
    const form = h('form', { class: 'dialog-form', novalidate: true },
      h('header', { class: 'dialog-head' }, title,
        h('button', { type: 'button', class: 'btn-icon', 'aria-label': t('common.close'), title: t('common.close'), onclick: () => dlg.close() }, icon('close'))),
      h('div', { class: 'dialog-body' }, alert, compose, preview),
      h('footer', { class: 'dialog-foot' }, back, h('span', { class: 'foot-spacer' }), cancel, submit));
    const dlg = h('dialog', { class: 'dialog dialog-wide dialog-send', 'aria-labelledby': titleId }, form);

    function showStep(which) {
      step = which;
      compose.hidden = which !== 'compose';
      preview.hidden = which !== 'preview';
      back.hidden = which !== 'preview';
      title.textContent = which === 'compose' ? t('send.title') : t('send.previewTitle');
      const later = laterRadio.checked;
      replace(submit, which === 'compose' ? [icon('search'), t('send.preview')]
        : [icon(later ? 'clock' : 'send'), t(later ? 'send.schedule' : 'send.send')]);
      if (which === 'compose') alert.hidden = true;
      form.querySelector('.dialog-body').scrollTop = 0;
    }

    function request() {
      sentIds = boxes.filter((b) => b.input.checked && !b.input.disabled).map((b) => b.c.id);
      const body = { recipients: sentIds, note: note.value };
      if (laterRadio.checked) body.send_at = sendAt.value;
      return body;
    }

    /** An API error: each field problem next to its recipient, the note or the interventions. */
    function showProblems(e) {
      clearErrors(form);
      const leftover = [];
      let first = null;
      for (const f of e.fields || []) {
        const m = /^recipients\[(\d+)\]/.exec(f.field);
        const box = m ? boxes.find((b) => b.c.id === sentIds[Number(m[1])]) : null;
        let target = null;
        if (box) {
          box.err.textContent = box.err.textContent ? `${box.err.textContent} ${f.message}` : f.message;
          box.err.hidden = false;
          box.input.setAttribute('aria-invalid', 'true');
          target = box.input;
        } else if (f.field === 'recipients') {
          recipientsErr.textContent = f.message;
          recipientsErr.hidden = false;
          target = boxes.find((b) => !b.input.disabled)?.input;
        } else if (f.field === 'note') {
          const err = noteField.querySelector('.field-error');
          err.textContent = f.message;
          err.hidden = false;
          note.setAttribute('aria-invalid', 'true');
          target = note;
        } else if (f.field === 'send_at') {
          sendAtErr.textContent = f.message;
          sendAtErr.hidden = false;
          sendAt.setAttribute('aria-invalid', 'true');
          target = sendAt;
        } else if (f.field === 'interventions' || f.field.startsWith('interventions')) {
          itemsErr.textContent = f.message;
          itemsErr.hidden = false;
          target = itemsErr;
        } else {
          leftover.push(f);
        }
        if (!first && target) first = target;
      }
      replace(alert, icon('alert'), h('div', {},
        h('p', { class: 'form-alert-title' }, e.message),
        leftover.length ? h('ul', {}, leftover.map((f) => h('li', {}, f.message))) : null));
      alert.hidden = false;
      if (first && first.focus && first.tabIndex >= 0) first.focus();
      else alert.focus();
    }

    function showAlert(message) {
      replace(alert, icon('alert'), h('div', {}, h('p', { class: 'form-alert-title' }, message)));
      alert.hidden = false;
      alert.focus();
    }

    async function doPreview() {
      const body = request();
      if (!body.recipients.length) {
        clearErrors(form);
        recipientsErr.textContent = t('send.pickOne');
        recipientsErr.hidden = false;
        const firstBox = boxes.find((b) => !b.input.disabled);
        if (firstBox) firstBox.input.focus();
        return;
      }
      // A text over its limit is refused here, with the reason next to it; never cut.
      const tooLong = limitProblems(compose);
      if (tooLong.length) {
        showProblems({ message: plural('limit.formTitle', tooLong.length), fields: tooLong });
        return;
      }
      const r = await api('POST', `${base}/offers/preview`, { body });
      clearErrors(form);
      renderPreview(r.data);
      showStep('preview');
      submit.focus();
    }

    function renderPreview(p) {
      clear(preview);
      const byId = new Map(boxes.map((b) => [b.c.id, b]));
      preview.append(h('p', { class: 'send-preview-lead' },
        plural('send.previewLead', p.items.length, { total: money(p.total_incl_cents) })));
      if (p.agreements.length) {
        const names = p.agreements.map((a) => `${localText(a.title)} (${t(a.mandatory ? 'agr.mandatory' : 'agr.optional').toLowerCase()})`);
        preview.append(h('p', { class: 'field-hint send-agreements' }, icon('doc'), ' ', t('send.agreements', { list: names.join(', ') })));
      }
      for (const m of p.messages) {
        const b = byId.get(m.contact_point_id);
        const address = b ? (b.c.display || b.c.value) : m.address;
        const head = h('div', { class: 'preview-head' },
          icon(m.channel === 'sms' ? 'phone' : 'mail', 'contact-icon'),
          h('strong', {}, m.name || (b ? b.p.display_name : '')),
          h('span', { class: 'muted' }, address),
          h('span', { class: 'tag' }, t(m.channel === 'sms' ? 'send.channel.sms' : 'send.channel.email')),
          m.language ? h('span', { class: 'tag tag-muted' }, m.language.toUpperCase()) : null);
        let content;
        if (m.channel === 'sms') {
          const s = m.sms || {};
          const text = s.text || m.text;
          content = [
            h('p', { class: 'sms-bubble' }, text),
            h('p', { class: ['sms-info', s.encoding === 'ucs2' || s.parts > 1 ? 'is-costly' : null], dataset: { encoding: s.encoding || '', parts: String(s.parts ?? '') } },
              t('send.smsInfo', { parts: count(s.parts ?? 0), chars: count(s.characters ?? [...text].length), alphabet: t(`send.alphabet.${s.encoding}`) })),
            s.encoding === 'ucs2' ? h('p', { class: 'field-hint' }, t('send.ucs2Hint')) : null,
          ];
        } else {
          content = [
            h('p', { class: 'email-subject' }, h('span', { class: 'email-k' }, t('send.subject')), m.subject),
            h('pre', { class: 'email-text', tabindex: '0', 'aria-label': t('send.textPart') }, m.text),
          ];
        }
        preview.append(h('article', { class: ['preview-msg', `preview-${m.channel}`], dataset: { contactPointId: String(m.contact_point_id) } }, head, content));
      }
    }

    async function doSend(replaceSeen = false) {
      const body = request();
      if (replaceSeen) body.replace_seen = true;
      try {
        const r = await api('POST', `${base}/offers`, { body });
        result = r.data;
        dlg.close();
      } catch (e) {
        if (e instanceof ApiError && e.status === 409 && e.code === 'confirmation_required') {
          const ok = await confirmDialog({
            title: t('send.replaceTitle'), text: t('send.replaceText'), confirmLabel: t('send.replaceConfirm'), danger: false,
          });
          if (ok) await doSend(true);
          return;
        }
        throw e;
      }
    }

    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (submit.disabled) return;
      submit.disabled = true;
      back.disabled = true;
      try {
        if (step === 'compose') await doPreview();
        else await doSend();
      } catch (e) {
        if (e && e.handled) { dlg.close(); return; }
        if (e instanceof ApiError && e.status === 422) {
          showStep('compose');
          showProblems(e);
        } else {
          showAlert(e && e.message ? e.message : String(e));
        }
      } finally {
        submit.disabled = false;
        back.disabled = false;
      }
    });
    for (const b of boxes) {
      b.input.addEventListener('change', () => {
        recipientsErr.hidden = true;
        b.err.hidden = true;
        b.input.removeAttribute('aria-invalid');
      });
    }
    dlg.addEventListener('close', () => {
      dlg.remove();
      resolve(result);
    });

    showStep('compose');
    document.body.append(dlg);
    dlg.showModal();
    const firstBox = boxes.find((b) => !b.input.disabled);
    (firstBox ? firstBox.input : note).focus();
  });
}
