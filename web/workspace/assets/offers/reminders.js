// The reminders of an offer: the plan's controls shared by the send dialog and the panel (a
// policy, its period, one sentence saying what it does), and the panel's "Reminders" block (the
// policy in words, how many were sent, each one's delivery, the next one or why they stopped;
// pause, resume, one now, change). The server keeps the plan: docs/API.md "Reminders".
import { api, ApiError } from '../core/api.js';
import { t, plural, dateTime, weekdayTime } from '../core/i18n.js';
import { state } from '../core/state.js';
import {
  h, icon, replace, toast, confirmDialog, nextId, formAlert, showErrors, clearErrors,
} from '../core/dom.js';

export const POLICIES = ['gentle', 'urgent', 'custom', 'none'];
/** Each policy with a period: its bounds and the server's default (docs/API.md). */
const PERIODS = { urgent: { min: 1, max: 12, every: 2 }, custom: { min: 1, max: 720, every: 24 } };

/** The policy in a few words: "Urgente, toutes les 2 h". */
export function policyWords(policy, everyHours) {
  return t(`rem.policy.${policy}`, { n: everyHours || (PERIODS[policy] ? PERIODS[policy].every : '') });
}

/** What the policy does, in one sentence. */
function policySentence(policy, everyHours) {
  return t(`rem.explain.${policy}`, { n: everyHours || (PERIODS[policy] ? PERIODS[policy].every : '') });
}

/**
 * A policy select, an "every N hours" field for urgent and custom, and the sentence saying what
 * the choice does. `withDefault`: a first choice "the dealership's default" (the send dialog).
 * `value()` gives {policy, every_hours?}, or null for the default.
 */
export function policyControls({ withDefault = false, policy = null, everyHours = null } = {}) {
  const known = state.reminders && state.reminders.policy ? state.reminders : null;
  const policySelect = h('select', { dataset: { field: 'reminders.policy' }, class: 'rem-policy' });
  if (withDefault) {
    policySelect.append(h('option', { value: '' },
      known ? t('rem.defaultKnown', { policy: t(`rem.choice.${known.policy}`).toLowerCase() }) : t('rem.default')));
  }
  for (const p of POLICIES) policySelect.append(h('option', { value: p }, t(`rem.choice.${p}`)));
  policySelect.value = policy || (withDefault ? '' : 'gentle');
  const hours = h('input', {
    type: 'number', class: 'rem-hours', inputmode: 'numeric', step: '1', dataset: { field: 'reminders.every_hours' },
    'aria-label': t('rem.everyLabel'),
  });
  const hoursId = nextId('rem-hours');
  hours.id = hoursId;
  const hoursErr = h('p', { class: 'field-error', id: `${hoursId}-err`, hidden: true });
  hours.setAttribute('aria-describedby', hoursErr.id);
  const hoursBox = h('div', { class: 'rem-hours-box field' },
    h('div', { class: 'rem-hours-line' },
      h('label', { for: hoursId, 'aria-hidden': 'true' }, t('rem.every')), hours, h('span', { 'aria-hidden': 'true' }, t('rem.hoursUnit'))),
    hoursErr);
  const sentence = h('p', { class: 'field-hint rem-explain', 'aria-live': 'polite' });
  const remembered = {};
  if (PERIODS[policy] && everyHours) remembered[policy] = everyHours;
  let shown = null;

  function sync() {
    const p = policySelect.value;
    if (shown && PERIODS[shown] && hours.value) remembered[shown] = Number(hours.value);
    const period = PERIODS[p];
    hoursBox.hidden = !period;
    if (period && p !== shown) {
      hours.min = String(period.min);
      hours.max = String(period.max);
      hours.value = String(remembered[p] || period.every);
    }
    shown = p;
    const n = period ? Number(hours.value) || period.every : null;
    if (p) replace(sentence, policySentence(p, n));
    else replace(sentence, known ? policySentence(known.policy, known.every_hours) : t('rem.explain.default'));
  }
  policySelect.addEventListener('change', sync);
  hours.addEventListener('input', sync);
  sync();

  policySelect.id = nextId('rem-policy');
  const label = h('label', { for: policySelect.id }, t('rem.plan'));
  const box = h('div', { class: 'rem-controls' },
    h('div', { class: 'rem-row' }, h('div', { class: 'field rem-policy-field' }, label, policySelect), hoursBox),
    sentence);
  return {
    box,
    policySelect,
    hours,
    value() {
      const p = policySelect.value;
      if (!p) return null;
      return PERIODS[p] ? { policy: p, every_hours: Number(hours.value) } : { policy: p };
    },
  };
}

/** The reminders sent, grouped by the moment they were made (one reminder, all its recipients). */
function sentReminders(o) {
  const groups = new Map();
  for (const m of o.messages.filter((x) => x.purpose === 'reminder')) {
    if (!groups.has(m.created_at)) groups.set(m.created_at, []);
    groups.get(m.created_at).push(m);
  }
  return [...groups.entries()].sort((a, b) => a[0].localeCompare(b[0]));
}

/** What the plan does now: the next reminder, paused, or why it stopped. */
function statusLine(o, r) {
  if (r.ended === 'no_answer') return null; // said by the warning
  if (r.ended) {
    return h('p', { class: 'rem-status is-ended', dataset: { ended: r.ended } }, icon('check'), t(`rem.ended.${r.ended}`));
  }
  if (r.paused) return h('p', { class: 'rem-status is-paused' }, icon('clock'), t('rem.paused'));
  if (!r.next_at) return h('p', { class: 'rem-status' }, icon('clock'), t('rem.noNext'));
  const when = h('time', { datetime: r.next_at }, weekdayTime(r.next_at));
  return h('p', { class: 'rem-status', dataset: { nextAt: r.next_at } }, icon('clock'),
    t(r.next_is_no_answer ? 'rem.noAnswerAt' : 'rem.next'), ' ', when);
}

/** The customer never answered: the advisor calls them, at the numbers the offer went to. */
function noAnswerWarning(o, r) {
  const phones = o.recipients.filter((x) => x.channel === 'sms');
  return h('div', { class: 'notice notice-danger rem-no-answer', role: 'status' }, icon('phone'),
    h('div', {},
      h('p', { class: 'notice-title' }, plural('rem.noAnswer', r.sent)),
      r.no_answer_at ? h('p', { class: 'rem-no-answer-at' }, t('rem.noAnswerSince', { when: dateTime(r.no_answer_at) })) : null,
      phones.length
        ? h('ul', { class: 'rem-phones' }, phones.map((p) => h('li', {},
          h('a', { href: `tel:${p.address}` }, p.address_display || p.address), p.name ? ` · ${p.name}` : null)))
        : h('p', {}, t('rem.noPhone'))));
}

function historyList(o, messageChip) {
  const byId = new Map(o.recipients.map((x) => [x.id, x]));
  const groups = sentReminders(o);
  if (!groups.length) return null;
  return h('ol', { class: 'rem-history', 'aria-label': t('rem.history') }, groups.map(([at, msgs], i) => h('li', { class: 'rem-sent' },
    h('span', { class: 'rem-sent-n' }, t('rem.number', { n: i + 1 })),
    h('time', { class: 'rem-sent-time', datetime: msgs[0].sent_at || at }, dateTime(msgs[0].sent_at || at)),
    h('ul', { class: 'rem-sent-to' }, msgs.map((m) => {
      const who = byId.get(m.recipient_id);
      return h('li', { class: 'rem-sent-rcpt', dataset: { channel: m.channel, state: m.state } },
        icon(m.channel === 'sms' ? 'phone' : 'mail', 'contact-icon'),
        h('span', { class: 'rcpt-address' }, (who && (who.address_display || who.address)) || m.address),
        messageChip(m));
    })))));
}

/** The inline "change" form: a policy and its period, PATCHed, then the panel reads again. */
function changeForm(o, r, { onDone, onCancel }) {
  const controls = policyControls({ policy: r.policy, everyHours: r.every_hours });
  const alert = formAlert();
  const save = h('button', { type: 'submit', class: 'btn btn-small btn-primary' }, t('common.save'));
  const form = h('form', { class: 'form rem-change', novalidate: true, 'aria-label': t('rem.changeTitle') },
    alert, controls.box,
    h('div', { class: 'form-buttons' },
      h('button', { type: 'button', class: 'btn btn-small', onclick: onCancel }, t('common.cancel')), save));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    save.disabled = true;
    try {
      await api('PATCH', `/offers/${o.id}/reminders`, { body: controls.value() });
      toast(t('rem.changedToast'));
      await onDone();
    } catch (e) {
      if (!(e instanceof ApiError) || e.handled) throw e;
      showErrors(form, e, { every_hours: 'reminders.every_hours', policy: 'reminders.policy' });
    } finally {
      save.disabled = false;
    }
  });
  setTimeout(() => controls.policySelect.focus(), 0);
  return form;
}

/**
 * The "Reminders" block of the latest version, or null when it has no plan. `reload()` reads
 * the offers again (after each action); `messageChip(m)` draws a message's delivery state.
 */
export function remindersBlock(o, { reload, messageChip }) {
  const r = o.reminders;
  if (!r) return null;
  const headingId = `offer-${o.id}-reminders`;
  const section = h('section', {
    class: 'offer-reminders', 'aria-labelledby': headingId,
    dataset: { policy: r.policy, paused: String(Boolean(r.paused)), ended: r.ended || '' },
  });

  async function act(fn) {
    try {
      await fn();
    } catch (e) {
      if (!e.handled) toast(e.message, 'error');
    }
    await reload();
  }
  const pause = () => act(async () => {
    await api('PATCH', `/offers/${o.id}/reminders`, { body: { paused: !r.paused } });
    toast(t(r.paused ? 'rem.resumedToast' : 'rem.pausedToast'));
  });
  async function sendNow() {
    const sent = await confirmDialog({
      title: t('rem.sendNowTitle'), text: t('rem.sendNowText', { n: r.sent + 1, max: r.max }), confirmLabel: t('rem.sendNow'), danger: false,
      onConfirm: () => api('POST', `/offers/${o.id}/reminders/send`, { body: {} }),
    });
    if (sent) toast(t('rem.sentToast'));
    await reload();
  }

  function draw(changing) {
    const actions = r.ended ? null : h('div', { class: 'offer-actions rem-actions' },
      h('button', { type: 'button', class: 'btn btn-small', onclick: pause }, icon(r.paused ? 'send' : 'clock'),
        t(r.paused ? 'rem.resume' : 'rem.pause')),
      // All five went: none more to send, only the wait for an answer. Nor before the offer left
      // (a scheduled send): a reminder of a message the customer has not had yet.
      r.sent < r.max && o.state !== 'scheduled' && o.state !== 'draft' ? h('button', { type: 'button', class: 'btn btn-small', onclick: sendNow }, icon('message'), t('rem.sendNow')) : null,
      h('button', { type: 'button', class: 'btn btn-small', 'aria-expanded': String(changing), onclick: () => draw(!changing) },
        icon('edit'), t('rem.change')));
    replace(section,
      h('div', { class: 'rem-head' },
        h('div', { class: 'rem-head-main' },
          h('h4', { class: 'offer-sub', id: headingId }, t('rem.title')),
          h('p', { class: 'rem-summary' },
            h('span', { class: 'rem-policy-words' }, policyWords(r.policy, r.every_hours)),
            h('span', { class: 'rem-count', dataset: { sent: String(r.sent), max: String(r.max) } },
              t('rem.count', { n: r.sent, max: r.max })))),
        actions),
      r.ended === 'no_answer' ? noAnswerWarning(o, r) : null,
      changing ? changeForm(o, r, { onDone: reload, onCancel: () => draw(false) }) : statusLine(o, r),
      historyList(o, messageChip));
  }
  draw(false);
  return section;
}
