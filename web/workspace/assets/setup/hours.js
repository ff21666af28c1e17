// Administration → Settings, "Opening hours and reminders": when the dealership is open
// ([hours]) and how a customer who has not answered is reminded ([reminders]); docs/CONFIG.md.
// The box checks each value (a refused one comes back on its field, e.g. `hours.open`).
import { t } from '../core/i18n.js';
import { h, field, select, checkbox } from '../core/dom.js';

const POLICIES = ['gentle', 'urgent', 'custom', 'none'];
/** What a box without these settings yet applies (docs/CONFIG.md's defaults). */
const DEFAULTS = {
  hours: { open: 'mon-fri 08:00-19:00, sat 08:00-12:00', french_holidays: true, closed: '' },
  reminders: { policy: 'gentle', urgent_every_hours: 2, custom_every_hours: 24, sms_replies: false },
};

/** The section's lead, fields and the PATCH body they make, from GET /admin/settings `s`. */
export function hoursSection(s) {
  const hours = { ...DEFAULTS.hours, ...(s.hours || {}) };
  const rem = { ...DEFAULTS.reminders, ...(s.reminders || {}) };
  const open = h('input', {
    type: 'text', value: hours.open, autocomplete: 'off', spellcheck: 'false', placeholder: DEFAULTS.hours.open,
  });
  const holidays = checkbox(t('setup.frenchHolidays'), { checked: Boolean(hours.french_holidays), dataset: { field: 'hours.french_holidays' } });
  const closed = h('input', {
    type: 'text', value: hours.closed, autocomplete: 'off', spellcheck: 'false', placeholder: '2026-12-24, 2026-12-31',
  });
  const policy = select(POLICIES.map((p) => ({ value: p, label: t(`rem.choice.${p}`) })), { value: rem.policy });
  const urgent = h('input', { type: 'number', value: rem.urgent_every_hours, min: 1, max: 12, inputmode: 'numeric' });
  const custom = h('input', { type: 'number', value: rem.custom_every_hours, min: 1, max: 720, inputmode: 'numeric' });
  const replies = checkbox(t('setup.smsReplies'), { checked: Boolean(rem.sms_replies), dataset: { field: 'reminders.sms_replies' } });
  const policyHint = h('p', { class: 'field-hint' });
  const syncPolicy = () => {
    policyHint.textContent = t(`rem.explain.${policy.value}`, {
      n: policy.value === 'urgent' ? urgent.value : custom.value,
    });
  };
  for (const c of [policy, urgent, custom]) c.addEventListener('input', syncPolicy);
  const policyField = field({ label: t('setup.remPolicy'), control: policy, field: 'reminders.policy' });
  policyField.querySelector('.field-error').before(policyHint);
  syncPolicy();

  const body = [
    field({ label: t('setup.hoursOpen'), control: open, field: 'hours.open', hint: t('setup.hoursOpenHint') }),
    h('div', { class: 'field setup-check' }, holidays, h('p', { class: 'field-error', hidden: true })),
    field({ label: t('setup.hoursClosed'), control: closed, field: 'hours.closed', optional: true, hint: t('setup.hoursClosedHint') }),
    h('h3', { class: 'card-subtitle' }, t('rem.title')),
    policyField,
    h('div', { class: 'grid-2' },
      field({ label: t('setup.urgentEvery'), control: urgent, field: 'reminders.urgent_every_hours', hint: t('setup.urgentEveryHint') }),
      field({ label: t('setup.customEvery'), control: custom, field: 'reminders.custom_every_hours', hint: t('setup.customEveryHint') })),
    h('div', { class: 'field setup-check' }, replies, h('p', { class: 'field-hint' }, t('setup.smsRepliesHint')),
      h('p', { class: 'field-error', hidden: true })),
  ];
  const changes = () => ({
    hours: { open: open.value.trim(), french_holidays: holidays.querySelector('input').checked, closed: closed.value.trim() },
    reminders: {
      policy: policy.value,
      urgent_every_hours: Number(urgent.value) || 0,
      custom_every_hours: Number(custom.value) || 0,
      sms_replies: replies.querySelector('input').checked,
    },
  });
  return { lead: t('setup.hoursLead'), body, changes };
}
