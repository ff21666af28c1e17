// The workspace's texts runtime: t(), plurals, the language choice, and the formats of money,
// numbers and dates (in the dealership's currency and time zone, whatever the browser's own
// settings). The texts themselves are data, one texts.js per feature folder (French and English,
// the same keys: tests/web/workspace.test.mjs), merged here into one dictionary per language.
import { state } from './state.js';
import * as coreTexts from './texts.js';
import * as repairOrderTexts from '../repair-orders/texts.js';
import * as offerTexts from '../offers/texts.js';
import * as replyTexts from '../replies/texts.js';
import * as adminTexts from '../admin/texts.js';
import * as setupTexts from '../setup/texts.js';
import * as authTexts from '../auth/texts.js';
import * as callbackTexts from '../callbacks/texts.js';
import * as templateTexts from '../templates/texts.js';

export const LANGUAGES = ['fr', 'en'];
export const RO_STATUSES = ['open', 'in_progress', 'ready', 'closed', 'cancelled'];
export const PARTY_ROLES = ['driver', 'owner', 'contractor', 'leasing_company'];
export const SEVERITIES = ['red', 'orange', 'green'];
export const KINDS = ['initial', 'optional'];
export const VAT_RATES_BP = [2000, 1000, 550, 210, 0];

/** Every feature's texts, for the merge below and for the test that checks their keys. */
export const FEATURE_TEXTS = {
  core: coreTexts, 'repair-orders': repairOrderTexts, offers: offerTexts, replies: replyTexts,
  admin: adminTexts, setup: setupTexts, auth: authTexts, callbacks: callbackTexts, templates: templateTexts,
};
const fr = Object.assign({}, ...Object.values(FEATURE_TEXTS).map((x) => x.fr));
const en = Object.assign({}, ...Object.values(FEATURE_TEXTS).map((x) => x.en));

// French typography: a no-break space before two-part punctuation and inside « », so a
// colon or a question mark never starts a line. Applied to the texts, not to data.
for (const [k, v] of Object.entries(fr)) {
  fr[k] = v.replace(/ ([:;?!»%])/g, '\u00a0$1').replace(/« /g, '«\u00a0');
}

const dictionaries = { fr, en };

export function t(key, params) {
  const dict = dictionaries[state.lang] || fr;
  let s = dict[key] ?? fr[key] ?? key;
  if (params) s = s.replace(/\{(\w+)\}/g, (m, name) => (params[name] === undefined ? m : String(params[name])));
  return s;
}

// ---- language choice ----------------------------------------------------------------------

function stored(key) {
  try { return localStorage.getItem(key) || ''; } catch { return ''; }
}

/** The language picked with the switcher on this browser, or '' when none was. */
/** A text the dealership wrote in both languages ({fr, en}, an agreement's title): the one in
 * the workspace's language, else the other. */
export function localText(text) {
  return text[state.lang] || text.fr || text.en || '';
}

export function languageChoice() {
  const v = stored('relais.lang');
  return LANGUAGES.includes(v) ? v : '';
}

export function saveLanguageChoice(lang) {
  try { localStorage.setItem('relais.lang', lang); } catch { /* private mode: this page only */ }
}

export function forgetLanguageChoice() {
  try { localStorage.removeItem('relais.lang'); } catch { /* ignore */ }
}

/** Remembered so the sign-in page (before any API answer) speaks the dealership's language. */
export function rememberDealerLanguage(lang) {
  try { if (LANGUAGES.includes(lang)) localStorage.setItem('relais.dealerLang', lang); } catch { /* ignore */ }
}

/** The dealership's language (full settings, else the sign-in page's, else remembered), else the browser's. */
export function dealerLanguage() {
  const candidates = [
    state.dealer && state.dealer.language,
    state.publicDealer && state.publicDealer.language,
    stored('relais.dealerLang'),
    ...(navigator.languages || [navigator.language]).map((l) => String(l || '').slice(0, 2).toLowerCase()),
  ];
  return candidates.find((l) => LANGUAGES.includes(l)) || 'fr';
}

/**
 * The signed-in user's own language (saved on the server, so it follows them to any computer),
 * else the switcher's choice on this browser, else the dealership's, else the browser's.
 */
export function initialLanguage() {
  const own = [state.user && state.user.language, languageChoice()].find((l) => LANGUAGES.includes(l));
  return own || dealerLanguage();
}

// ---- formats ------------------------------------------------------------------------------

// English is formatted the British way (day/month, 24 h): the dealerships are in Europe.
const LOCALES = { fr: 'fr-FR', en: 'en-GB' };
const locale = () => LOCALES[state.lang] || state.lang;

const cache = new Map();
function fmt(kind, options) {
  const key = `${kind}|${state.lang}|${JSON.stringify(options)}`;
  let f = cache.get(key);
  if (!f) {
    if (kind === 'p') f = new Intl.PluralRules(locale(), options);
    else if (kind === 'n') f = new Intl.NumberFormat(locale(), options);
    else f = new Intl.DateTimeFormat(locale(), options);
    cache.set(key, f);
  }
  return f;
}

const zone = () => (state.dealer && state.dealer.timezone) || undefined;
const currency = () => (state.dealer && state.dealer.currency) || 'EUR';

export function money(cents) {
  if (cents === null || cents === undefined) return '';
  return fmt('n', { style: 'currency', currency: currency() }).format(cents / 100);
}

/** An amount as typed in an input: "145,50" in French, no currency sign. */
export function moneyInput(cents) {
  if (cents === null || cents === undefined) return '';
  return fmt('n', { minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: false }).format(cents / 100);
}

export function count(n) {
  return fmt('n', {}).format(n);
}

/** A text that depends on a number: `${key}.one`, `.other` (…) chosen by the language's own
 * plural rules (French says "1 réponse", "0 réponse", English "0 replies"), with {n} formatted. */
export function plural(key, n, params = {}) {
  const rule = fmt('p', {}).select(n);
  const k = t(`${key}.${rule}`) === `${key}.${rule}` ? `${key}.other` : `${key}.${rule}`;
  return t(k, { ...params, n: count(n) });
}

export function vatLabel(bp) {
  return fmt('n', { style: 'percent', maximumFractionDigits: 2 }).format(bp / 10000);
}

export function dateTime(iso) {
  if (!iso) return '';
  return fmt('d', { timeZone: zone(), dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso));
}

/** A moment within the coming days, with its weekday: "mar. 8 déc., 08:00", "Tue, 8 Dec, 08:00". */
export function weekdayTime(iso) {
  if (!iso) return '';
  return fmt('d', {
    timeZone: zone(), weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).format(new Date(iso));
}

export function dateOnly(iso) {
  if (!iso) return '';
  return fmt('d', { timeZone: zone(), dateStyle: 'medium' }).format(new Date(iso));
}

function localParts(date) {
  const parts = {};
  for (const p of fmt('d', {
    timeZone: zone(), year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(date)) parts[p.type] = p.value;
  return parts;
}

/** "2026-11-24T17:30" in the dealership's time zone, for a datetime-local input. */
export function toLocalInput(iso) {
  if (!iso) return '';
  const p = localParts(new Date(iso));
  return `${p.year}-${p.month}-${p.day}T${p.hour === '24' ? '00' : p.hour}:${p.minute}`;
}

function localDay(date) {
  const p = localParts(date);
  return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day)) / 86400000;
}

/** A promised time as an advisor reads it: "Today 17:30", "Tomorrow 09:00", "Tue 24/11 17:30". */
export function promisedLabel(iso) {
  const d = new Date(iso);
  const diff = localDay(d) - localDay(new Date());
  const time = fmt('d', { timeZone: zone(), hour: '2-digit', minute: '2-digit' }).format(d);
  if (diff >= -1 && diff <= 1) {
    const word = new Intl.RelativeTimeFormat(locale(), { numeric: 'auto' }).format(diff, 'day');
    return `${word.charAt(0).toUpperCase()}${word.slice(1)} ${time}`;
  }
  const sameYear = localParts(d).year === localParts(new Date()).year;
  const day = fmt('d', sameYear
    ? { timeZone: zone(), weekday: 'short', day: '2-digit', month: '2-digit' }
    : { timeZone: zone(), day: '2-digit', month: '2-digit', year: 'numeric' }).format(d);
  return `${day} ${time}`;
}

/** Promised time passed while the work is not done yet. */
export function isLate(ro) {
  return Boolean(ro.promised_at) && (ro.status === 'open' || ro.status === 'in_progress') && Date.parse(ro.promised_at) < Date.now();
}

// ---- history ------------------------------------------------------------------------------

function partyName(p) {
  if (!p) return '';
  if (p.kind === 'company') return p.company_name || '';
  return [p.first_name, p.last_name].filter(Boolean).join(' ');
}

/** Who sent an SMS back ({name, party_id, contact_point_id, from, from_display}), as the RO
 * names them: "Hélène Lefèvre (Conducteur, Propriétaire) · 06 12 34 56 78". */
export function replySender(r, ro) {
  const party = ro.parties.find((p) => p.id === r.party_id);
  let number = r.from_display || r.from || '';
  for (const p of ro.parties) {
    const c = p.contact_points.find((x) => x.id === r.contact_point_id);
    if (c) number = c.display;
  }
  const name = (party && party.display_name) || r.name || '';
  const roles = party ? party.roles.map((x) => t(`role.party.${x}`)).join(', ') : '';
  const who = name ? (roles ? `${name} (${roles})` : name) : '';
  return [who, number].filter(Boolean).join(' · ');
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/i;

function formatValue(fieldName, value, scope, users) {
  if (value === null || value === undefined || value === '') return '—';
  switch (fieldName) {
    case 'status': return t(`status.${value}`);
    case 'advisor_id': {
      const u = (users || []).find((x) => x.id === value);
      return u ? u.display_name : `#${value}`;
    }
    case 'price_excl_cents':
    case 'price_incl_cents': return money(value);
    case 'vat_rate_bp': return vatLabel(value);
    case 'severity': return t(`severity.${value}`);
    case 'kind':
      if (scope === 'intervention') return t(`kind.${value}`);
      if (scope === 'party') return t(`party.${value}`);
      return t(`contact.${value}`);
    case 'usage': return t(`contact.${value}`);
    case 'roles': return (Array.isArray(value) ? value : [value]).map((r) => t(`role.party.${r}`)).join(', ');
    case 'language': return LANGUAGES.includes(value) ? t(`lang.${value}`) : String(value);
    case 'vehicle.mileage_km': return `${count(value)} km`;
    default:
      if (typeof value === 'boolean') return value ? t('common.yes') : t('common.no');
      // Times (promised_at and any other) come as RFC 3339: shown in the dealership's time zone.
      if (typeof value === 'string' && RFC3339.test(value)) return dateTime(value);
      return String(value);
  }
}

/** Why a message failed or waits ({code, params} from the server), in words; `detail` (the
 * modem's or relay's own, English) only when an older message has no code. */
export function failureText(failure, detail = '') {
  if (!failure || !failure.code) return detail;
  const p = failure.params || {};
  const key = `failure.${failure.code}`;
  const words = [t(key, p) === key ? detail || failure.code : t(key, p)];
  if (p.cms) words.push(t('failure.cms', p));
  if (p.attempts) words.push(plural('failure.gaveUp', Number(p.attempts)));
  return words.join(' ');
}

/** A timeline event as a title and a few lines of "what changed". */
export function describeEvent(ev, { ro, users }) {
  const data = ev.data || {};
  const scope = ev.type.split('.')[0];
  let params = {};
  if (scope === 'party') {
    const current = ro.parties.find((p) => p.id === data.party_id);
    params = { name: partyName(data) || (current ? current.display_name : '') };
  } else if (scope === 'contact_point') {
    let value = data.value;
    for (const p of ro.parties) {
      const c = p.contact_points.find((x) => x.id === data.contact_point_id);
      if (c) value = c.display;
    }
    params = { value: value || '' };
  } else if (scope === 'intervention') {
    const current = ro.interventions.find((i) => i.id === data.intervention_id);
    params = { label: data.label || (current ? current.label : '') };
  }
  // Without a name (the party or contact is gone since), the title says only what happened.
  const named = Object.values(params).every((v) => v);
  const key = named ? `tl.${ev.type}` : `tl.${ev.type}.plain`;
  const title = t(key, params) === key ? ev.type : t(key, params);
  const details = [];
  // The thumbs put on from the customer's answers: {label: authorised}, not field changes.
  if (ev.type === 'interventions.authorized_from_answers') {
    for (const [label, yes] of Object.entries(data.changes || {})) details.push(t(yes ? 'tl.itemAuthorized' : 'tl.itemRefused', { label }));
    if (data.confirmed === false) details.push(t('tl.draftsApplied'));
    return { title, details };
  }
  if (data.changes && typeof data.changes === 'object') {
    for (const [name, change] of Object.entries(data.changes)) {
      const label = t(`field.${name}`);
      if (name === 'note' || name === 'mechanic_note') {
        details.push(t('tl.textChanged', { field: label }));
      } else {
        details.push(t('tl.change', {
          field: label,
          from: formatValue(name, change.from, scope, users),
          to: formatValue(name, change.to, scope, users),
        }));
      }
    }
  }
  // What a customer wrote back, whole, and who wrote it as the RO names them.
  if (ev.type === 'sms.received') {
    details.push(`« ${data.text || ''} »`);
    details.push(t('tl.sms.from', { who: replySender({ ...data, name: ev.actor && ev.actor.name }, ro) }));
  }
  // Why a message or an offer failed.
  if (['message.failed', 'offer.failed', 'message.quarantined'].includes(ev.type) && (data.reason || data.error)) {
    details.push(failureText(data.reason, data.error));
  }
  if (ev.type.startsWith('offer.remind') || ev.type === 'offer.no_answer') details.push(...reminderDetails(ev.type, data, ro));
  if (ev.type === 'offer.scheduled' || ev.type === 'offer.rescheduled') details.push(...scheduleDetails(data));
  // A callback's outcome: which item, the attempts without answer so far, the advisor's note.
  if (ev.type.startsWith('callback.')) {
    if (data.label) details.push(t('tl.callback.item', { label: data.label }));
    if (ev.type === 'callback.not_reached' && data.attempts) details.push(plural('tl.callback.attempts', Number(data.attempts)));
    if (data.note) details.push(t('tl.callback.note', { note: data.note }));
  }
  // A question on an item or its answer: which item, the words; the message of the answers.
  if (ev.type.startsWith('item.')) {
    if (data.label) details.push(t('tl.callback.item', { label: data.label }));
    if (data.text) details.push(t('tl.item.text', { text: data.text }));
    if (ev.type === 'item.answers_queued' && data.items) details.push(plural('tl.item.count', Number(data.items)));
    if (Array.isArray(data.recipients)) details.push(...reminderDetails('offer.reminded', { recipients: data.recipients }, ro));
  }
  // The repair report: which version, to whom, the amount, what is to plan.
  if (ev.type === 'repair_order.report_sent') {
    details.push(t('tl.report.detail', { n: data.version, address: data.address || '', total: money(data.final_total_incl_cents || 0) }));
    if (data.to_plan) details.push(plural('tl.report.toPlan', Number(data.to_plan)));
  }
  // An answer texted back (OUI, NON, APPELEZ-MOI): the customer's words.
  if (ev.type === 'offer.confirmed' && data.by === 'sms') details.push(t('tl.confirmedBySms', { reply: data.reply || '' }));
  // The agreements accepted with a confirmation, each with the version the customer read.
  if (ev.type === 'offer.confirmed' && Array.isArray(data.agreements)) {
    for (const a of data.agreements) details.push(t('tl.agreementAccepted', { title: a.title, n: a.version }));
  }
  return { title, details };
}

/** A scheduled send: when it leaves, what was asked for, and the promised time it follows. */
function scheduleDetails(data) {
  const out = [];
  const hours = data.send_relative ? data.send_relative.hours : data.hours;
  if (data.promised_at === null && hours !== undefined) return [t('tl.schedule.unpromised'), t('tl.schedule.leaves', { when: weekdayTime(data.send_at) })];
  if (data.send_at) out.push(t('tl.schedule.leaves', { when: weekdayTime(data.send_at) }));
  if (data.asked_for) out.push(t(data.late ? 'tl.schedule.late' : 'tl.schedule.asked', { when: weekdayTime(data.asked_for) }));
  if (typeof hours === 'number' && data.promised_at) {
    const side = hours < 0 ? 'before' : hours > 0 ? 'after' : 'at';
    out.push(t(`tl.schedule.${side}`, { n: Math.abs(hours), when: weekdayTime(data.promised_at) }));
  }
  return out;
}

/** A reminder's number, whom it went to and how; the plan's change; how many went unanswered. */
function reminderDetails(type, data, ro) {
  const out = [];
  if (type === 'offer.reminded') {
    if (data.number) out.push(t('tl.reminded.number', { n: data.number }));
    // A number as the RO shows it ("06 12 34 56 78", not "+33612345678") when it still has it.
    const shown = (address) => {
      for (const p of (ro && ro.parties) || []) {
        const c = p.contact_points.find((x) => x.value === address);
        if (c && c.display) return c.display;
      }
      return address;
    };
    const to = Array.isArray(data.recipients)
      ? data.recipients.map((r) => {
        if (!r || typeof r !== 'object') return r;
        const address = r.address_display || shown(r.address);
        return r.name && address ? `${r.name} (${address})` : r.name || address;
      }).filter(Boolean) : [];
    if (to.length) out.push(t('tl.reminded.to', { list: to.join(', ') }));
    if (data.automatic !== undefined) out.push(t(data.automatic ? 'tl.reminded.automatic' : 'tl.reminded.byHand'));
  } else if (type === 'offer.no_answer') {
    if (data.reminders) out.push(plural('tl.noAnswer.after', Number(data.reminders)));
  } else if (type === 'offer.reminders_changed') {
    if (data.policy) out.push(t(`rem.policy.${data.policy}`, { n: data.every_hours ?? '' }));
    if (data.paused !== undefined && data.paused !== null) out.push(t(data.paused ? 'tl.remindersPaused' : 'tl.remindersResumed'));
  }
  return out;
}
