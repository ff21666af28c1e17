// The customer's decision page. Served for every /o/<token>; nothing personal is in the page
// itself. Nothing is sent until the customer taps "open": link scanners that run scripts
// change nothing. No framework: the page must load fast on a weak 3G connection.

// /o/<token> for the customer; /preview/offers/<id> on the advisors' side (read-only).
const previewId = location.pathname.startsWith('/preview/offers/') ? location.pathname.split('/')[3] : null;
const token = previewId ? '' : location.pathname.split('/')[2] || '';
const main = document.getElementById('main');

const TEXT = {
  fr: {
    title: 'Votre devis',
    intro: 'Votre atelier vous a préparé un devis. Il s’ouvrira sur cet appareil, qui sera le seul à pouvoir l’afficher.',
    open: 'Ouvrir mon devis',
    opening: 'Ouverture…',
    from: 'Message de votre conseiller',
    fromDealer: 'Message de votre atelier',
    see: 'Voir les interventions',
    initial: 'Interventions prévues',
    optional: 'Interventions conseillées',
    severity: { red: 'Urgent', orange: 'À prévoir', green: 'Bon état' },
    choices: { accept: 'Faire', decline: 'Ne pas faire', contact_me: 'M’appeler' },
    decisionFor: (l) => `Votre décision pour ${l}`,
    total: 'Total accepté',
    incl: 'TTC',
    confirm: 'Confirmer ma commande',
    missing: (n) => `Il manque votre réponse pour ${n} intervention${n > 1 ? 's' : ''}.`,
    summary: 'Récapitulatif',
    summaryIntro: 'Vérifiez vos réponses avant de les envoyer. Elles ne pourront plus être modifiées.',
    send: 'Confirmer et envoyer',
    change: 'Modifier',
    thanks: 'Merci, votre réponse a été envoyée',
    thanksText: (d) => `${d} a bien reçu vos décisions.`,
    readOnly: 'Vos réponses',
    confirmedOn: (d) => `Confirmé le ${d}`,
    otherDevice: 'Ce devis est déjà ouvert sur un autre appareil.',
    expired: 'Ce lien a expiré.',
    otherDeviceWhy: 'Pour protéger vos informations, un devis ne s’ouvre que sur un appareil à la fois. Recevez un nouveau lien pour l’ouvrir sur celui-ci.',
    expiredWhy: 'Les liens restent valables 30 jours. Recevez-en un nouveau pour consulter votre devis.',
    askLink: (m) => `Envoyer un nouveau lien au ${m}`,
    askLinkMail: (m) => `Envoyer un nouveau lien à ${m}`,
    linkSent: (m) => `Un nouveau lien a été envoyé au ${m}. Ouvrez-le sur l’appareil de votre choix.`,
    linkSentMail: (m) => `Un nouveau lien a été envoyé à ${m}. Ouvrez-le sur l’appareil de votre choix.`,
    superseded: 'Votre atelier vous a envoyé une version plus récente de ce devis : utilisez le lien du dernier message reçu.',
    unknown: 'Ce lien n’est pas valide. Vérifiez qu’il est complet.',
    error: 'Une erreur est survenue. Réessayez dans un instant.',
    saved: 'Enregistré',
    preview: 'Aperçu : la page telle que le client la voit maintenant (lecture seule).',
    agreements: 'Conditions',
    acceptTerms: (title) => `J’ai lu et j’accepte : ${title}`,
    termRequired: 'obligatoire',
    termOptional: 'facultatif',
    readTerms: 'Lire le texte',
    termsMissing: 'Cochez les conditions obligatoires pour confirmer.',
    termsAccepted: 'Conditions acceptées',
  },
  en: {
    title: 'Your estimate',
    intro: 'Your workshop has prepared an estimate for you. It will open on this device, the only one that can show it.',
    open: 'Open my estimate',
    opening: 'Opening…',
    from: 'Message from your service advisor',
    fromDealer: 'Message from your workshop',
    see: 'See the items',
    initial: 'Planned work',
    optional: 'Recommended work',
    severity: { red: 'Urgent', orange: 'Soon', green: 'Good' },
    choices: { accept: 'Do it', decline: 'Don’t do it', contact_me: 'Call me' },
    decisionFor: (l) => `Your decision for ${l}`,
    total: 'Total accepted',
    incl: 'incl. VAT',
    confirm: 'Confirm my order',
    missing: (n) => `${n} item${n > 1 ? 's are' : ' is'} still waiting for your answer.`,
    summary: 'Summary',
    summaryIntro: 'Check your answers before sending them. They cannot be changed afterwards.',
    send: 'Confirm and send',
    change: 'Change',
    thanks: 'Thank you, your answer has been sent',
    thanksText: (d) => `${d} has received your decisions.`,
    readOnly: 'Your answers',
    confirmedOn: (d) => `Confirmed on ${d}`,
    otherDevice: 'This estimate is already open on another device.',
    expired: 'This link has expired.',
    otherDeviceWhy: 'To protect your information, an estimate opens on one device at a time. Get a new link to open it on this one.',
    expiredWhy: 'Links stay valid for 30 days. Get a new one to see your estimate.',
    askLink: (m) => `Send a new link to ${m}`,
    askLinkMail: (m) => `Send a new link to ${m}`,
    linkSent: (m) => `A new link was sent to ${m}. Open it on the device you want to use.`,
    linkSentMail: (m) => `A new link was sent to ${m}. Open it on the device you want to use.`,
    superseded: 'Your workshop has sent you a newer version of this estimate: use the link in the latest message.',
    unknown: 'This link is not valid. Check that it is complete.',
    error: 'Something went wrong. Please try again in a moment.',
    saved: 'Saved',
    preview: 'Preview: the page as the customer sees it now (read-only).',
    agreements: 'Terms',
    acceptTerms: (title) => `I have read and accept: ${title}`,
    termRequired: 'required',
    termOptional: 'optional',
    readTerms: 'Read the text',
    termsMissing: 'Tick the required terms to confirm.',
    termsAccepted: 'Terms accepted',
  },
};
const ORDER = ['accept', 'decline', 'contact_me'];

let lang = localStorage.getItem('relais.lang') || (navigator.language || 'fr').slice(0, 2);
if (!TEXT[lang]) lang = 'fr';
const freshChecks = () => ({ accepted: new Set(), openTerms: new Set() });
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
    state.error ? el('p', { class: 'error', role: 'alert' }, state.error) : null);
}

function refusedScreen() {
  const s = state.access;
  if (s.status === 'superseded') return el('section', { class: 'card' }, el('h1', {}, t().title), el('p', {}, t().superseded));
  if (s.status === 'unknown') return el('section', { class: 'card' }, el('h1', {}, t().title), el('p', {}, t().unknown));
  const ask = s.channel === 'email' ? t().askLinkMail(s.masked_destination) : t().askLink(s.masked_destination);
  return el('section', { class: 'card' },
    el('h1', {}, t().title),
    el('p', {}, s.status === 'expired' ? t().expired : t().otherDevice),
    el('p', { class: 'meta' }, s.status === 'expired' ? t().expiredWhy : t().otherDeviceWhy),
    state.linkSent
      ? el('p', { class: 'notice', role: 'status' }, (s.channel === 'email' ? t().linkSentMail : t().linkSent)(s.masked_destination))
      : el('button', { type: 'button', class: 'primary', onclick: askLink, disabled: state.busy }, ask),
    state.error ? el('p', { class: 'error', role: 'alert' }, state.error) : null);
}

function itemCard(item, offer) {
  const decision = offer.decisions[String(item.id)];
  const name = `item-${item.id}`;
  const choices = ORDER.map((d) => {
    const id = `${name}-${d}`;
    return el('div', { class: `choice choice-${d}` },
      el('input', {
        type: 'radio', name, id, value: d, checked: decision === d, disabled: offer.read_only || !!previewId,
        onchange: () => decide(item.id, d),
      }),
      el('label', { for: id }, t().choices[d]));
  });
  return el('article', { class: `item sev-${item.severity}${decision ? ' answered' : ''}` },
    el('div', { class: 'item-head' },
      el('h3', {}, item.label),
      el('span', { class: 'price' }, money(item.price_incl_cents, offer.currency))),
    el('p', { class: `badge sev-${item.severity}` }, t().severity[item.severity]),
    item.mechanic_note ? el('p', { class: 'note' }, item.mechanic_note) : null,
    el('fieldset', { class: 'choices' },
      el('legend', { class: 'visually-hidden' }, t().decisionFor(item.label)),
      choices));
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
          id: `${id}-text`, open: state.openTerms.has(a.id),
          ontoggle: (e) => { if (e.target.open) state.openTerms.add(a.id); else state.openTerms.delete(a.id); },
        }, el('summary', {}, t().readTerms), el('div', { class: 'agreement-text' }, local(a.text))));
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
  const missing = offer.items.filter((i) => !offer.decisions[String(i.id)]).length;
  const terms = missingTerms(offer);
  const footer = offer.read_only || previewId ? null : el('footer', { class: 'bar' },
    el('div', { class: 'total' }, el('span', {}, t().total), el('strong', { id: 'total' }, money(acceptedTotal(offer), offer.currency)),
      el('small', {}, t().incl)),
    el('button', { type: 'button', class: 'primary', onclick: () => { state.tried = true; if (!missing && !terms) state.summary = true; render(); } },
      t().confirm),
    state.tried && missing ? el('p', { class: 'error', role: 'alert' }, t().missing(missing)) : null,
    state.tried && !missing && terms ? el('p', { class: 'error', role: 'alert' }, t().termsMissing) : null);
  return el('div', { class: 'offer' },
    previewId ? el('p', { class: 'notice preview-banner', role: 'note' }, t().preview) : null,
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

function receipt(offer) {
  const when = offer.confirmed_at
    ? new Date(offer.confirmed_at).toLocaleString(lang === 'en' ? 'en-GB' : 'fr-FR', { dateStyle: 'long', timeStyle: 'short' })
    : '';
  return el('section', { class: 'card receipt', role: 'status' },
    el('h2', {}, state.justConfirmed ? t().thanks : t().readOnly),
    state.justConfirmed ? el('p', {}, t().thanksText(offer.dealer_name)) : null,
    when ? el('p', { class: 'meta' }, t().confirmedOn(when)) : null,
    el('p', { class: 'total-line' }, `${t().total} : `, el('strong', {}, money(acceptedTotal(offer), offer.currency)), ` ${t().incl}`),
    termsList(offer));
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
    el('ul', { class: 'summary' }, offer.items.map((i) => el('li', {},
      el('span', {}, i.label),
      el('strong', { class: `answer answer-${offer.decisions[String(i.id)]}` }, t().choices[offer.decisions[String(i.id)]])))),
    el('p', { class: 'total-line' }, `${t().total} : `, el('strong', {}, money(acceptedTotal(offer), offer.currency)), ` ${t().incl}`),
    termsList(offer),
    state.error ? el('p', { class: 'error', role: 'alert' }, state.error) : null,
    el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'secondary', onclick: close }, t().change),
      el('button', { type: 'button', class: 'primary', onclick: confirmOffer, disabled: state.busy }, t().send))), close);
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
  document.title = t().title;
  for (const b of document.querySelectorAll('[data-lang]')) b.setAttribute('aria-pressed', String(b.dataset.lang === lang));
  document.getElementById('dealer').textContent = state.offer ? state.offer.dealer_name : '';
  const screen = state.screen === 'offer' ? offerScreen() : state.screen === 'refused' ? refusedScreen() : startScreen();
  // The page is drawn anew on every change: keep the keyboard where it was.
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
        kind: i.kind, severity: i.severity, price_incl_cents: i.price_incl_cents })),
      agreements: o.agreements.map((a) => ({ ...a, accepted: !!a.accepted_at })),
    },
    ...freshChecks(),
  };
  if (!localStorage.getItem('relais.lang') && TEXT[o.language]) lang = o.language;
  render();
}

for (const b of document.querySelectorAll('[data-lang]')) b.addEventListener('click', () => setLang(b.dataset.lang));
async function start() {
  if (previewId) return loadPreview();
  const key = await linkKey().catch(() => null);
  if (key && memory().includes(key)) return openOffer();
  return render();
}
start();
