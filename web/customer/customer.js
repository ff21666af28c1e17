// The customer's decision page. Served for every /o/<token>; nothing personal is in the page
// itself. Nothing is sent until the customer taps "open": link scanners that run scripts
// change nothing. No framework: the page must load fast on a weak 3G connection.
import { fr, en } from './texts.js';

// /o/<token> for the customer; /preview/offers/<id> on the advisors' side (read-only).
const previewId = location.pathname.startsWith('/preview/offers/') ? location.pathname.split('/')[3] : null;
const token = previewId ? '' : location.pathname.split('/')[2] || '';
const main = document.getElementById('main');

// The page's texts by language (texts.js).
const TEXT = { fr, en };
const ORDER = ['accept', 'decline', 'contact_me'];

// The dealership's name, phone and time zone, written into the page by the server: the start
// and other-device pages have no offer to take them from.
const DEALER = (() => {
  try {
    const d = JSON.parse(document.getElementById('dealer-info').textContent);
    return d && typeof d === 'object' ? d : {};
  } catch { return {}; }
})();

let lang = localStorage.getItem('relais.lang') || (navigator.language || 'fr').slice(0, 2);
if (!TEXT[lang]) lang = 'fr';
const freshChecks = () => ({ accepted: new Set(), openTerms: new Set(), drafts: {} });
let state = { screen: 'start', ...freshChecks() };

const t = () => TEXT[lang];
/** A {fr, en} text in the page's language, else in the other one. */
const local = (text) => text[lang] || text.fr || text.en || '';

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v == null) continue;
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c != null) node.append(c);
  return node;
}

function money(cents, currency) {
  return new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'fr-FR', { style: 'currency', currency: currency || 'EUR' })
    .format(cents / 100);
}

/** A date and time in the dealership's time zone (the customer may be elsewhere), in the page's language. */
function dateTime(iso, zone, options) {
  const d = new Date(iso);
  if (!iso || Number.isNaN(d.getTime())) return '';
  const locale = lang === 'en' ? 'en-GB' : 'fr-FR';
  try {
    return new Intl.DateTimeFormat(locale, { ...options, timeZone: zone || undefined }).format(d);
  } catch { // a zone this browser does not know: its own
    return new Intl.DateTimeFormat(locale, options).format(d);
  }
}

/** The dealership as the offer names it, else as the page does. */
function dealer(offer) {
  const phone = (offer && offer.dealer_phone) || DEALER.phone;
  return {
    name: (offer && offer.dealer_name) || (typeof DEALER.name === 'string' ? DEALER.name : ''),
    phone: phone && typeof phone.display === 'string' && /^\+?[0-9]{3,20}$/.test(phone.tel) ? phone : null,
    zone: (offer && offer.timezone) || DEALER.timezone || '',
  };
}

/** The garage's name and a tap-to-call link, when it has a phone number. */
function contact(offer) {
  const d = dealer(offer);
  if (!d.name && !d.phone) return null;
  return el('div', { class: 'contact' },
    d.name ? el('p', {}, el('span', { class: 'meta' }, t().workshop), el('br'), el('strong', {}, d.name)) : null,
    d.phone ? el('a', { class: 'secondary call', href: `tel:${d.phone.tel}` }, t().call(d.phone.display)) : null);
}

async function post(action, body = {}) {
  const r = await fetch(`/o/${encodeURIComponent(token)}/${action}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    credentials: 'same-origin',
  });
  let data = {};
  try { data = await r.json(); } catch { /* an HTML error page */ }
  return { status: r.status, data };
}

function setLang(next) {
  lang = next;
  localStorage.setItem('relais.lang', lang);
  render();
}

// --- screens ---------------------------------------------------------------------------------

function startScreen() {
  const button = el('button', { type: 'button', class: 'primary', onclick: openOffer }, t().open);
  if (state.busy) { button.disabled = true; button.textContent = t().opening; }
  return el('section', { class: 'card start' },
    el('h1', {}, t().title),
    el('p', {}, t().intro),
    button,
    state.error ? el('p', { class: 'error', role: 'alert' }, state.error) : null,
    contact(null));
}

function refusedScreen() {
  const s = state.access;
  if (s.status === 'superseded' || s.status === 'unknown') {
    return el('section', { class: 'card' }, el('h1', {}, t().title), el('p', {}, t()[s.status]), contact(null));
  }
  const ask = s.channel === 'email' ? t().askLinkMail(s.masked_destination) : t().askLink(s.masked_destination);
  return el('section', { class: 'card' },
    el('h1', {}, t().title),
    el('p', {}, s.status === 'expired' ? t().expired : t().otherDevice),
    el('p', { class: 'meta' }, s.status === 'expired' ? t().expiredWhy : t().otherDeviceWhy),
    state.linkSent
      ? el('p', { class: 'notice', role: 'status' }, (s.channel === 'email' ? t().linkSentMail : t().linkSent)(s.masked_destination))
      : el('button', { type: 'button', class: 'primary', onclick: askLink, disabled: state.busy }, ask),
    state.error ? el('p', { class: 'error', role: 'alert' }, state.error) : null,
    contact(null));
}

/** The items that still need the customer's answer: informational ones (a check found in good
 * order, nothing to pay) need none. */
function unanswered(offer) {
  return offer.items.filter((i) => !i.informational && !offer.decisions[String(i.id)]);
}

function itemCard(item, offer) {
  const note = item.mechanic_note ? el('p', { class: 'note' }, item.mechanic_note) : null;
  if (item.informational) {
    return el('article', { class: `item informational sev-${item.severity}` },
      el('h3', {}, item.label),
      el('p', { class: 'checked' }, el('span', { 'aria-hidden': 'true' }, '✓ '), t().checked),
      note);
  }
  const decision = offer.decisions[String(item.id)];
  const name = `item-${item.id}`;
  // Marked once the customer tried to confirm without it, until answered.
  const missing = state.tried && !decision && !offer.read_only && !previewId;
  const described = missing ? `${name}-missing` : null;
  const choices = ORDER.map((d) => {
    const id = `${name}-${d}`;
    return el('div', { class: `choice choice-${d}` },
      el('input', {
        type: 'radio', name, id, value: d, checked: decision === d, disabled: offer.read_only || !!previewId,
        'aria-describedby': described, onchange: () => decide(item.id, d),
      }),
      el('label', { for: id }, t().choices[d]));
  });
  return el('article', { class: `item sev-${item.severity}${decision ? ' answered' : ''}${missing ? ' missing' : ''}` },
    el('div', { class: 'item-head' },
      el('h3', {}, item.label),
      el('span', { class: 'price' }, money(item.price_incl_cents, offer.currency))),
    el('p', { class: `badge sev-${item.severity}` }, t().severity[item.severity]),
    note,
    missing ? el('p', { class: 'missing-note', id: described }, t().answerNeeded) : null,
    el('fieldset', { class: 'choices', 'aria-invalid': missing ? 'true' : null, 'aria-describedby': described },
      el('legend', { class: 'visually-hidden' }, t().decisionFor(item.label)),
      choices),
    questionsBlock(item, offer));
}

/** The item's questions and the advisor's answers, and the box to ask one (seed 000). The answer
 * shows here as soon as it is written; the message telling of it leaves about 10 minutes later. */
function questionsBlock(item, offer) {
  const thread = Array.isArray(item.questions) ? item.questions : [];
  const zone = dealer(offer).zone;
  const list = thread.length ? el('ol', { class: 'thread', 'aria-label': t().questions },
    thread.map((q) => el('li', { class: `q q-${q.author === 'advisor' ? 'advisor' : 'customer'}` },
      el('p', { class: 'q-who' }, q.author === 'advisor' ? q.by || offer.advisor_name || t().yourAdvisor : t().you,
        ' · ', dateTime(q.at, zone, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' })),
      el('p', { class: 'q-text' }, q.text)))) : null;
  const waiting = thread.length && thread[thread.length - 1].author !== 'advisor'
    ? el('p', { class: 'q-waiting' }, t().unanswered) : null;
  if (previewId || !offer.questions_open) return list ? el('div', { class: 'questions' }, list, waiting) : null;
  const id = `item-${item.id}-ask`;
  const max = offer.question_max_chars || 1000;
  const draft = state.drafts[item.id] || '';
  const error = state.questionError && state.questionError.id === item.id ? state.questionError.text : null;
  const counter = el('small', { class: 'q-count', id: `${id}-count`, 'aria-live': 'polite' }, t().charsLeft(max - draft.length));
  const box = el('textarea', {
    id: `${id}-text`, rows: '3', maxlength: String(max), 'aria-describedby': `${id}-count${error ? ` ${id}-error` : ''}`,
    'aria-invalid': error ? 'true' : null,
    oninput: (e) => { state.drafts[item.id] = e.target.value; counter.textContent = t().charsLeft(max - e.target.value.length); },
  });
  box.value = draft;
  return el('div', { class: 'questions' }, list, waiting,
    state.questionSent === item.id ? el('p', { class: 'notice', role: 'status' }, t().questionSent) : null,
    el('details', { class: 'ask', id, open: state.openTerms.has(id) || !!draft || !!error },
      el('summary', {}, thread.length ? t().askAnother : t().ask),
      el('label', { for: `${id}-text` }, t().questionFor(item.label)),
      box, counter,
      el('p', { class: 'meta q-hint' }, t().questionHint),
      error ? el('p', { class: 'error', id: `${id}-error`, role: 'alert' }, error) : null,
      el('button', {
        type: 'button', class: 'secondary', id: `${id}-send`, disabled: state.busyQuestion === item.id,
        onclick: () => askQuestion(item.id),
      }, state.busyQuestion === item.id ? t().sendingQuestion : t().sendQuestion)));
}

// The agreements to accept before confirming: a labelled checkbox each, its text one tap away.
function agreementsSection(offer) {
  if (!offer.agreements || !offer.agreements.length) return null;
  const fixed = offer.read_only || !!previewId;
  return el('section', { class: 'group agreements' },
    el('h2', {}, t().agreements),
    offer.agreements.map((a) => {
      const id = `agreement-${a.id}`;
      const checked = offer.read_only ? a.accepted : state.accepted.has(a.id);
      const missing = state.tried && a.mandatory && !checked && !fixed;
      return el('article', { class: `agreement${missing ? ' missing' : ''}` },
        el('div', { class: 'agreement-check' },
          el('input', {
            type: 'checkbox', id, checked, disabled: fixed, required: a.mandatory, 'aria-invalid': missing ? 'true' : null,
            onchange: (e) => { if (e.target.checked) state.accepted.add(a.id); else state.accepted.delete(a.id); render(); },
          }),
          el('label', { for: id }, t().acceptTerms(local(a.title)), ' ',
            el('span', { class: a.mandatory ? 'req' : 'opt' }, `(${a.mandatory ? t().termRequired : t().termOptional})`))),
        el('details', {
          id: `${id}-text`, open: state.openTerms.has(`${id}-text`),
        }, el('summary', { id: `${id}-read` }, t().readTerms),
        // It scrolls when long: reachable and named for the keyboard (WCAG 2.1.1). Ids keep the
        // focus through a redraw.
        el('div', {
          id: `${id}-body`, class: 'agreement-text', tabindex: '0', role: 'region', 'aria-label': t().termsText(local(a.title)),
        }, local(a.text))));
    }));
}

function missingTerms(offer) {
  return (offer.agreements || []).filter((a) => a.mandatory && !state.accepted.has(a.id)).length;
}

function acceptedTerms(offer) {
  return (offer.agreements || []).filter((a) => (offer.read_only ? a.accepted : state.accepted.has(a.id)));
}

function acceptedTotal(offer) {
  return offer.items.filter((i) => offer.decisions[String(i.id)] === 'accept')
    .reduce((sum, i) => sum + i.price_incl_cents, 0);
}

function offerScreen() {
  const offer = state.offer;
  const v = offer.vehicle;
  const groups = [['initial', t().initial], ['optional', t().optional]].map(([kind, title]) => {
    const items = offer.items.filter((i) => i.kind === kind);
    if (!items.length) return null;
    return el('section', { class: 'group' }, el('h2', {}, title), items.map((i) => itemCard(i, offer)));
  });
  const missing = unanswered(offer).length;
  const terms = missingTerms(offer);
  const footer = offer.read_only || previewId ? null : el('footer', { class: 'bar' },
    el('div', { class: 'total' }, el('span', {}, t().total), el('strong', { id: 'total' }, money(acceptedTotal(offer), offer.currency)),
      el('small', {}, t().incl)),
    el('button', { type: 'button', id: 'confirm', class: 'primary', onclick: tryConfirm }, t().confirm),
    state.tried && missing ? el('p', { class: 'error', role: 'alert' }, t().missing(missing)) : null,
    state.tried && !missing && terms ? el('p', { class: 'error', role: 'alert' }, t().termsMissing) : null);
  return el('div', { class: 'offer' },
    previewId ? el('p', { class: 'notice preview-banner', role: 'note' }, t().preview) : null,
    offer.report ? backToReport() : null,
    el('section', { class: 'card vehicle' },
      el('h1', {}, [v.make, v.model].filter(Boolean).join(' ') || t().title),
      el('p', { class: 'meta' }, [v.plate, offer.ro_number].filter(Boolean).join(' · ')),
      offer.note ? el('blockquote', { class: 'advisor-note' }, offer.note) : null),
    offer.read_only ? receipt(offer) : null,
    groups,
    agreementsSection(offer),
    footer,
    state.welcome ? welcomeDialog(offer) : null,
    state.summary ? summaryDialog(offer) : null);
}

function totalLine(offer) {
  return el('p', { class: 'total-line' }, `${t().total}${t().colon} `,
    el('strong', {}, money(acceptedTotal(offer), offer.currency)), ` ${t().incl}`);
}

function receipt(offer) {
  const zone = dealer(offer).zone;
  const when = dateTime(offer.confirmed_at, zone, { dateStyle: 'long', timeStyle: 'short' });
  const promised = offer.promised_at ? new Date(offer.promised_at) : null;
  const ready = promised && dateTime(offer.promised_at, zone, {
    weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit',
    year: promised.getFullYear() === new Date().getFullYear() ? undefined : 'numeric',
  });
  const calls = offer.items.filter((i) => offer.decisions[String(i.id)] === 'contact_me').length;
  return el('section', { class: 'card receipt', role: 'status' },
    el('h2', {}, state.justConfirmed ? t().thanks : t().readOnly),
    state.justConfirmed ? el('p', {}, t().thanksText(offer.dealer_name)) : null,
    when ? el('p', { class: 'meta' }, t().confirmedOn(when)) : null,
    totalLine(offer),
    termsList(offer),
    // Not in the advisor's preview: its offer comes without the RO's promised time.
    previewId ? null : el('div', { class: 'next' }, el('h3', {}, t().nextTitle), el('p', {}, t().next(calls, ready)), contact(offer)));
}

function termsList(offer) {
  const accepted = acceptedTerms(offer);
  if (!accepted.length) return null;
  return el('div', { class: 'terms-accepted' },
    el('h3', {}, t().termsAccepted),
    el('ul', {}, accepted.map((a) => el('li', {}, local(a.title)))));
}

function dialog(content, onclose) {
  const d = el('dialog', { class: 'dialog', oncancel: (e) => { e.preventDefault(); onclose(); } }, content);
  queueMicrotask(() => { if (!d.open) d.showModal(); });
  return d;
}

function welcomeDialog(offer) {
  const close = () => { state.welcome = false; render(); };
  return dialog(el('div', {},
    el('h2', {}, offer.advisor_name ? t().from : t().fromDealer),
    el('p', { class: 'who' }, offer.advisor_name ? `${offer.advisor_name} · ${offer.dealer_name}` : offer.dealer_name),
    el('blockquote', { class: 'advisor-note' }, offer.note),
    el('button', { type: 'button', class: 'primary', onclick: close }, t().see)), close);
}

function summaryDialog(offer) {
  const close = () => { state.summary = false; render(); };
  return dialog(el('div', {},
    el('h2', {}, t().summary),
    el('p', {}, t().summaryIntro),
    el('ul', { class: 'summary' }, offer.items.filter((i) => !i.informational).map((i) => el('li', {},
      el('span', {}, i.label),
      el('strong', { class: `answer answer-${offer.decisions[String(i.id)]}` }, t().choices[offer.decisions[String(i.id)]])))),
    totalLine(offer),
    termsList(offer),
    state.error ? el('p', { class: 'error', role: 'alert' }, state.error) : null,
    el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'secondary', onclick: close }, t().change),
      el('button', { type: 'button', class: 'primary', onclick: confirmOffer, disabled: state.busy }, t().send))), close);
}

// --- the repair report -----------------------------------------------------------------------
// Once the workshop sent its report, the same link opens it, read-only: what was done, what was
// not and why, what to plan (with why it matters), the final amount. The estimate it reports on
// stays one tap away.

function reportItem(item, currency) {
  const why = item.to_plan ? t().why[item.severity] : null;
  return el('article', { class: `item report-item sev-${item.severity} out-${item.outcome}`, 'data-outcome': item.outcome },
    el('div', { class: 'item-head' },
      el('h3', {}, item.label),
      item.outcome === 'checked' ? null : el('span', { class: 'price' }, money(item.price_incl_cents, currency))),
    item.to_plan ? el('p', { class: `badge sev-${item.severity}` }, t().severity[item.severity]) : null,
    item.outcome === 'not_done' ? el('p', { class: 'not-done' }, t().notDone) : null,
    item.note ? el('p', { class: 'report-note' }, item.note) : null,
    // What the workshop saw on this car, then why such an item matters.
    item.to_plan && item.mechanic_note ? el('p', { class: 'note' }, item.mechanic_note) : null,
    why ? el('p', { class: 'why' }, why) : null);
}

function reportGroup(title, items, currency, extraClass) {
  if (!items.length) return null;
  return el('section', { class: `group ${extraClass || ''}` }, el('h2', {}, title), items.map((i) => reportItem(i, currency)));
}

function reportScreen() {
  const offer = state.offer;
  const r = offer.report;
  const v = offer.vehicle;
  const zone = dealer(offer).zone;
  const when = dateTime(r.sent_at, zone, { dateStyle: 'long' });
  const done = r.items.filter((i) => i.outcome === 'done');
  const plan = r.items.filter((i) => i.to_plan);
  const notDone = r.items.filter((i) => !i.to_plan && (i.outcome === 'not_done' || i.outcome === 'declined'));
  const checked = r.items.filter((i) => i.outcome === 'checked');
  return el('div', { class: 'offer report' },
    el('section', { class: 'card vehicle' },
      el('h1', {}, [v.make, v.model].filter(Boolean).join(' ') || t().reportTitle),
      el('p', { class: 'meta' }, [v.plate, offer.ro_number].filter(Boolean).join(' · '))),
    el('section', { class: 'card report-card', role: 'status' },
      el('h2', {}, t().reportTitle),
      el('p', { class: 'meta' }, r.advisor_name ? t().reportBy(when, r.advisor_name) : t().reportOn(when)),
      r.note ? el('blockquote', { class: 'advisor-note' }, r.note) : null,
      el('div', { class: 'final' },
        el('span', {}, t().finalAmount),
        el('strong', { id: 'final-total' }, money(r.final_total_incl_cents, r.currency)),
        el('small', {}, t().incl)),
      r.final_adjusted ? el('p', { class: 'meta adjusted' }, t().adjusted(money(r.done_total_incl_cents, r.currency))) : null),
    reportGroup(t().doneTitle, done, r.currency, 'done'),
    reportGroup(t().planTitle, plan, r.currency, 'plan'),
    reportGroup(t().notDoneTitle, notDone, r.currency, 'not-done-group'),
    checked.length ? el('section', { class: 'group checked-group' }, el('h2', {}, t().checkedTitle),
      el('ul', { class: 'checked-list' }, checked.map((i) => el('li', {}, el('span', { 'aria-hidden': 'true' }, '✓ '), i.label)))) : null,
    el('section', { class: 'card' },
      el('p', { class: 'meta' }, t().reportReadOnly),
      el('button', { type: 'button', class: 'secondary', id: 'see-estimate', onclick: () => { state.showOffer = true; render(); window.scrollTo(0, 0); } }, t().seeEstimate),
      contact(offer)));
}

function backToReport() {
  return el('button', { type: 'button', class: 'secondary back', id: 'back-to-report', onclick: () => { state.showOffer = false; render(); window.scrollTo(0, 0); } }, t().backToReport);
}

// --- this device's memory --------------------------------------------------------------------
// A device that has opened this link goes straight to the offer on later visits (the page's
// script asks, as the tap did: a link scanner never has this memory), and sees the welcome
// once per version. Kept as hashes of the link, in this browser only.

const MEMORY = 'relais.opened';

async function linkKey() {
  if (!token || !window.crypto || !crypto.subtle) return null;
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  return [...new Uint8Array(digest)].slice(0, 16).map((b) => b.toString(16).padStart(2, '0')).join('');
}

function memory() {
  try {
    const list = JSON.parse(localStorage.getItem(MEMORY) || '[]');
    return Array.isArray(list) ? list : [];
  } catch { return []; }
}

function remember(entry) {
  const list = memory().filter((x) => x !== entry);
  list.push(entry);
  try { localStorage.setItem(MEMORY, JSON.stringify(list.slice(-40))); } catch { /* private mode: this visit only */ }
}

// --- actions ---------------------------------------------------------------------------------

async function openOffer() {
  state.busy = true; state.error = null; render();
  try {
    const { status, data } = await post('open');
    state.busy = false;
    if (data.language && !localStorage.getItem('relais.lang') && TEXT[data.language]) lang = data.language;
    if (status === 200 && data.offer) {
      const key = await linkKey().catch(() => null);
      const welcomed = key ? `${key}:v${data.offer.version}` : null;
      const welcome = !data.offer.read_only && !!data.offer.note && !(welcomed && memory().includes(welcomed));
      if (key) { remember(key); if (welcome) remember(welcomed); }
      state = { screen: 'offer', offer: data.offer, welcome, ...freshChecks() };
    } else if (data.status) {
      state = { screen: 'refused', access: data };
    } else {
      state.error = (data.error && data.error.message) || t().error;
    }
  } catch {
    state.busy = false; state.error = t().error;
  }
  render();
}

// Confirming with answers missing takes the customer (and the keyboard) to the first one; each
// missing one is marked. Then the mandatory agreements; with all there, the summary.
function tryConfirm() {
  const offer = state.offer;
  state.tried = true;
  const item = unanswered(offer)[0];
  const term = !item && (offer.agreements || []).find((a) => a.mandatory && !state.accepted.has(a.id));
  if (!item && !term) state.summary = true;
  render();
  const target = document.getElementById(item ? `item-${item.id}-${ORDER[0]}` : term ? `agreement-${term.id}` : '');
  if (!target) return;
  target.closest('article').scrollIntoView({ block: 'center' });
  target.focus({ preventScroll: true });
}

// Answers are saved one after the other, in the order given (arrow keys move through a group
// quickly); only the answer to the last one is drawn.
let saving = Promise.resolve();
let lastDecision = 0;
function decide(id, decision) {
  state.offer.decisions[String(id)] = decision;
  render();
  const seq = ++lastDecision;
  saving = saving.then(async () => {
    const { status, data } = await post('decisions', { decisions: { [id]: decision } }).catch(() => ({ status: 0 }));
    if (status === 200 && seq === lastDecision && state.offer) { state.offer = data.offer; render(); }
  });
}

async function confirmOffer() {
  state.busy = true; state.error = null; render();
  await saving;
  const { status, data } = await post('decisions', { decisions: state.offer.decisions, agreements: [...state.accepted], confirm: true })
    .catch(() => ({ status: 0, data: {} }));
  state.busy = false;
  if (status === 200) {
    state.offer = data.offer; state.summary = false; state.justConfirmed = true;
    window.scrollTo(0, 0);
  } else {
    state.error = (data.error && data.error.message) || t().error;
  }
  render();
}

// A question on an item: its text checked here for the customer's sake, and by the server.
async function askQuestion(id) {
  const text = (state.drafts[id] || '').trim();
  state.questionSent = null;
  if (!text) {
    state.questionError = { id, text: t().questionEmpty };
    return render();
  }
  state.busyQuestion = id; state.questionError = null; render();
  const { status, data } = await post('question', { intervention_id: id, text }).catch(() => ({ status: 0, data: {} }));
  state.busyQuestion = null;
  if (status === 201 && data.offer) {
    state.offer = data.offer;
    delete state.drafts[id];
    const form = document.getElementById(`item-${id}-ask`);
    if (form) form.open = false; // render() keeps what the page shows open
    state.openTerms.delete(`item-${id}-ask`);
    state.questionSent = id;
  } else {
    const field = data.error && Array.isArray(data.error.fields) && data.error.fields[0];
    state.questionError = { id, text: (field && field.message) || (data.error && data.error.message) || t().error };
  }
  render();
}

async function askLink() {
  state.busy = true; state.error = null; render();
  const { status, data } = await post('access-link').catch(() => ({ status: 0, data: {} }));
  state.busy = false;
  if (status === 202) state.linkSent = true;
  else state.error = (data.error && data.error.message) || t().error;
  render();
}

// --- rendering -------------------------------------------------------------------------------

function render() {
  document.documentElement.lang = lang;
  document.title = state.offer && state.offer.report ? t().reportTitle : t().title;
  for (const b of document.querySelectorAll('[data-lang]')) b.setAttribute('aria-pressed', String(b.dataset.lang === lang));
  document.getElementById('dealer').textContent = dealer(state.offer).name;
  // The page is drawn anew on every change: keep the conditions' texts open as they are (read
  // from the page: a toggle event may come after the next redraw) and the keyboard where it was.
  if (state.openTerms) for (const d of main.querySelectorAll('details[id]')) state.openTerms[d.open ? 'add' : 'delete'](d.id);
  let screen;
  if (state.screen === 'offer') screen = state.offer.report && !state.showOffer ? reportScreen() : offerScreen();
  else screen = state.screen === 'refused' ? refusedScreen() : startScreen();
  const focused = document.activeElement && main.contains(document.activeElement) ? document.activeElement.id : '';
  main.replaceChildren(screen);
  const again = focused && document.getElementById(focused);
  if (again) again.focus({ preventScroll: true });
}

// The advisor's preview: the offer from the API (with the advisor's session), shaped as the
// customer's page receives it. Nothing is posted.
async function loadPreview() {
  const r = await fetch(`/api/v1/offers/${encodeURIComponent(previewId)}`, { headers: { Accept: 'application/json' } });
  if (!r.ok) {
    state = { screen: 'refused', access: { status: 'unknown' } };
    return render();
  }
  const o = await r.json();
  const decisions = {};
  for (const i of o.items) if (i.decision) decisions[String(i.intervention_id)] = i.decision;
  state = {
    screen: 'offer',
    offer: {
      state: o.state, version: o.version, read_only: ['confirmed', 'locked'].includes(o.state), note: o.note,
      dealer_name: o.dealer_name, advisor_name: o.advisor_name, customer_name: o.customer_name,
      ro_number: o.ro_number, vehicle: o.vehicle, currency: o.currency, total_incl_cents: o.total_incl_cents,
      confirmed_at: o.confirmed_at, decisions,
      items: o.items.map((i) => ({ id: i.intervention_id, label: i.label, mechanic_note: i.mechanic_note,
        kind: i.kind, severity: i.severity, price_incl_cents: i.price_incl_cents,
        informational: i.informational ?? (i.severity === 'green' && i.price_incl_cents === 0) })),
      agreements: o.agreements.map((a) => ({ ...a, accepted: !!a.accepted_at })),
    },
    ...freshChecks(),
  };
  if (!localStorage.getItem('relais.lang') && TEXT[o.language]) lang = o.language;
  render();
}

for (const b of document.querySelectorAll('[data-lang]')) b.addEventListener('click', () => setLang(b.dataset.lang));
// Back on the page (the message of answers brought the customer here, or another tab): the offer
// is read again, so that an answer written meanwhile shows. What is being typed stays.
document.addEventListener('visibilitychange', async () => {
  if (document.visibilityState !== 'visible' || state.screen !== 'offer' || previewId || state.busy) return;
  await saving; // an answer being saved is not undone by an older read
  const { status, data } = await post('open').catch(() => ({ status: 0, data: {} }));
  if (status === 200 && data.offer && state.screen === 'offer' && !state.busy) { state.offer = data.offer; render(); }
});
async function start() {
  if (previewId) return loadPreview();
  const key = await linkKey().catch(() => null);
  if (key && memory().includes(key)) return openOffer();
  return render();
}
start();
