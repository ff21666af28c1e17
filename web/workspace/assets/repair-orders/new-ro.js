// A new repair order: vehicle, header, and a first customer with a phone and an email.
// Every problem the API reports lands next to the input it is about.
import { api, ApiError } from '../core/api.js';
import { state } from '../core/state.js';
import { t, RO_STATUSES, PARTY_ROLES, dateOnly } from '../core/i18n.js';
import {
  h, icon, field, fieldset, checkbox, select, formAlert, showErrors, clearErrors, toast, nextId, replace, clear, debounce,
  iconButton, statusChip, checkLimits, syncLimit,
} from '../core/dom.js';
import { navigate, setTitle } from '../core/nav.js';
import { loadUsers } from '../core/session.js';
import { parseMileage, LIMITS } from '../core/limits.js';

export default async function newRoPage({ main }) {
  setTitle(t('new.title'));
  const users = await loadUsers().catch(() => []);

  // ---- vehicle ----
  // Limits are shown as they come near and refused past them (field({max})), never cut by a
  // maxlength: a pasted VIN keeps its spaces until the server strips them and checks 17.
  const plate = h('input', { type: 'text', class: 'upper', autocomplete: 'off', spellcheck: 'false', placeholder: 'AB-123-CD' });
  const vin = h('input', { type: 'text', class: 'upper mono', autocomplete: 'off', spellcheck: 'false' });
  const make = h('input', { type: 'text', autocomplete: 'off' });
  const model = h('input', { type: 'text', autocomplete: 'off' });
  const mileage = h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'off', class: 'num-input' });

  // ---- repair order ----
  const number = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const promised = h('input', { type: 'datetime-local', step: '300' });
  const advisor = select([{ value: '', label: t('ro.unassigned') },
    ...users.filter((u) => u.active !== false).map((u) => ({ value: String(u.id), label: u.display_name }))]);
  advisor.value = state.user && users.some((u) => u.id === state.user.id) ? String(state.user.id) : '';
  const status = select(RO_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) })), { value: 'open' });
  const note = h('textarea', { rows: '3' });

  // ---- customer ----
  const {
    person, company, title, firstName, lastName, companyName, roles, phone, phoneUsage, email, emailUsage, personFields, companyFields,
    syncKind,
  } = customerControls();

  // ---- a vehicle seen before: its open repair order, or its customers to take over ----
  const known = h('div', { class: 'known-vehicle', 'aria-live': 'polite', hidden: true });
  let extraParties = [];   // parties taken over beyond the first (the form holds one)
  let extraContacts = [];  // the first party's contact points beyond one phone and one email
  const taken = h('div', { class: 'taken-parties', hidden: true });
  const normPlate = (s) => s.toUpperCase().replace(/[^A-Z0-9]/g, '');
  const OPEN = new Set(['open', 'in_progress', 'ready']);
  let lookups = 0;
  let shownFor = ''; // the plate the panel shows, not drawn again for it

  async function lookUpPlate() {
    const wanted = normPlate(plate.value);
    // Leaving the field (its "change") after the panel came up must not redraw it: a click on
    // its button blurs the field first, and a button replaced between the press and the
    // release is never clicked.
    if (wanted === shownFor && !known.hidden) return;
    const ticket = ++lookups;
    shownFor = '';
    if (wanted.length < 4) { known.hidden = true; return; }
    let items;
    try {
      items = (await api('GET', '/repair-orders', { query: { q: plate.value.trim(), sort: 'newest', per_page: 20 } })).data.items;
    } catch { return; } // a convenience: the form works without it
    if (ticket !== lookups) return; // typed on since
    const same = items.filter((x) => normPlate((x.vehicle && x.vehicle.plate) || '') === wanted);
    if (!same.length) { known.hidden = true; clear(known); return; }
    const open = same.filter((x) => OPEN.has(x.status));
    const last = same[0];
    replace(known, icon(open.length ? 'alert' : 'info'), h('div', {},
      open.length
        ? [h('p', { class: 'known-title' }, t('new.knownOpen')),
          h('ul', {}, open.map((x) => h('li', {},
            h('a', { href: `/repair-orders/${x.id}`, class: 'ro-link' }, x.number), ' ', statusChip(x.status),
            x.customer_name ? ` ${x.customer_name}` : null)))]
        : h('p', { class: 'known-title' }, t('new.knownBefore', { number: last.number, when: dateOnly(last.created_at) })),
      h('button', { type: 'button', class: 'btn btn-small', onclick: () => takeOver(last) }, icon('copy'), t('new.knownTakeOver', { number: last.number }))));
    known.classList.toggle('is-open', open.length > 0);
    known.hidden = false;
    shownFor = wanted;
  }
  plate.addEventListener('input', debounce(lookUpPlate, 350));
  // "A plate or a customer" is answered by typing either: the error goes as soon as one is.
  for (const input of [plate, vin, firstName, lastName, companyName]) {
    input.addEventListener('input', () => {
      if (plate.getAttribute('aria-invalid') === 'true' && input.value.trim()) clearErrors(form);
    });
  }
  plate.addEventListener('change', lookUpPlate);

  // The vehicle and its customers as they were on `summary`'s RO: the first party in the form,
  // the others listed (each can be left out); nothing typed already is overwritten.
  async function takeOver(summary) {
    let ro;
    try { ro = (await api('GET', `/repair-orders/${summary.id}`)).data; } catch (e) {
      if (!e.handled) toast(e.message, 'error');
      return;
    }
    const v = ro.vehicle;
    const fill = (input, value) => { if (!input.value.trim() && value) input.value = value; };
    fill(vin, v.vin);
    fill(make, v.make);
    fill(model, v.model);
    const parties = ro.parties.map(copyParty);
    const first = parties.shift();
    extraContacts = [];
    if (first) {
      (first.kind === 'company' ? company : person).checked = true;
      syncKind();
      title.value = first.title || '';
      firstName.value = first.first_name || '';
      lastName.value = first.last_name || '';
      companyName.value = first.company_name || '';
      for (const x of roles) x.box.querySelector('input').checked = first.roles.includes(x.r);
      const cps = first.contact_points;
      const ph = cps.find((c) => c.kind === 'phone');
      const em = cps.find((c) => c.kind === 'email');
      phone.value = ph ? ph.display : '';
      if (ph) phoneUsage.value = ph.usage;
      email.value = em ? em.value : '';
      if (em) emailUsage.value = em.usage;
      extraContacts = cps.filter((c) => c !== ph && c !== em);
      // An opted-out contact stays opted out if kept as it was.
      firstExtras = { language: first.language, preferred_name: first.preferred_name, opted_out: first.opted_out, optedOut: cps.filter((c) => c.opted_out && (c === ph || c === em)) };
    }
    extraParties = parties;
    for (const input of [make, model, firstName, lastName, companyName]) syncLimit(input);
    renderTaken(ro.number);
  }
  let firstExtras = null;

  function renderTaken(number) {
    replace(taken, h('p', { class: 'field-hint' }, t('new.takenOver', { number })),
      extraParties.length ? h('p', { class: 'taken-title' }, t('new.alsoTaken')) : null,
      extraParties.length ? h('ul', {}, extraParties.map((p) => h('li', {}, partyLabel(p),
        iconButton('close', t('new.removeTaken', { name: partyLabel(p) }), () => {
          extraParties = extraParties.filter((x) => x !== p);
          renderTaken(number);
        })))) : null);
    taken.hidden = false;
  }

  const alert = formAlert();
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, icon('check'), t('new.create'));
  const form = newRoForm({
    plate, vin, make, model, mileage, known, number, promised, advisor, status, note, person, company, personFields, companyFields,
    roles, phone, phoneUsage, email, emailUsage, taken, alert, submit,
  });
  main.append(form);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (submit.disabled) return;
    clearErrors(form);
    if (!checkLimits(form)) return; // a text too long is refused, never cut
    const body = {
      vehicle: { plate: plate.value.trim(), vin: vin.value.trim(), make: make.value.trim(), model: model.value.trim() },
      status: status.value,
      advisor_id: advisor.value ? Number(advisor.value) : null,
    };
    const local = [];
    const km = parseMileage(mileage.value);
    if (km === undefined) local.push({ field: 'vehicle.mileage_km', message: t('vehicle.mileageInvalid') });
    else body.vehicle.mileage_km = km;
    if (number.value.trim()) body.number = number.value.trim();
    if (promised.validity.badInput) local.push({ field: 'promised_at', message: t('ro.promisedInvalid') });
    else if (promised.value) body.promised_at = promised.value;
    if (note.value.trim()) body.note = note.value;

    // The customer is sent when anything about them was typed; the API says what is missing.
    const aliases = {};
    const isCompany = company.checked;
    const anyCustomer = [firstName, lastName, companyName, phone, email].some((c) => c.value.trim());
    if (anyCustomer) {
      const party = firstParty({
        isCompany, roles, companyName, title, firstName, lastName, phone, phoneUsage, email, emailUsage,
      }, { firstExtras, extraContacts, aliases });
      body.parties = [party];
    }
    // Parties taken over from an earlier RO of this vehicle, as they were there.
    if (extraParties.length) {
      body.parties = [...(body.parties || []), ...extraParties.map((p) => ({
        ...p, contact_points: p.contact_points.map(({ display, ...c }) => c),
      }))];
    }
    if (local.length) {
      showErrors(form, { message: t('common.checkFields'), fields: local });
      return;
    }
    submit.disabled = true;
    try {
      const r = await api('POST', '/repair-orders', { body });
      toast(t('new.created', { number: r.data.number }));
      navigate(`/repair-orders/${r.data.id}`);
      return;
    } catch (e) {
      if (!(e instanceof ApiError) || e.handled) throw e;
      showErrors(form, e, aliases);
    }
    submit.disabled = false;
  });

  plate.focus();
  return null;
}

function usageSelect() {
  return select([{ value: 'personal', label: t('contact.personal') }, { value: 'professional', label: t('contact.professional') }]);
}

function radioLabel(input, label) {
  return h('label', { class: 'check' }, input, h('span', {}, label));
}

/** A party as the API takes it on creation, from one read back (ids and display fields dropped). */
function copyParty(p) {
  return {
    kind: p.kind, title: p.title, first_name: p.first_name, last_name: p.last_name, company_name: p.company_name,
    preferred_name: p.preferred_name, roles: [...p.roles], language: p.language, opted_out: p.opted_out,
    contact_points: p.contact_points.map((c) => ({ kind: c.kind, usage: c.usage, value: c.value, opted_out: c.opted_out, display: c.display })),
  };
}

function partyLabel(p) {
  const name = p.kind === 'company' ? p.company_name : [p.first_name, p.last_name].filter(Boolean).join(' ');
  return `${name} (${p.roles.map((r) => t(`role.party.${r}`)).join(', ')})`;
}

/** The first customer as the API takes it, from the form (`aliases`: the API's field names of
 * its contact points → the form's, filled in); what was taken over from an earlier RO kept. */
function firstParty({
  isCompany, roles, companyName, title, firstName, lastName, phone, phoneUsage, email, emailUsage,
}, { firstExtras, extraContacts, aliases }) {
  const party = { kind: isCompany ? 'company' : 'person', roles: roles.filter((x) => x.box.querySelector('input').checked).map((x) => x.r) };
  if (isCompany) party.company_name = companyName.value.trim();
  else Object.assign(party, { title: title.value, first_name: firstName.value.trim(), last_name: lastName.value.trim() });
  const cps = [];
  if (phone.value.trim()) {
    aliases[`parties[0].contact_points[${cps.length}].value`] = 'cp.phone';
    aliases[`parties[0].contact_points[${cps.length}].usage`] = 'cp.phone.usage';
    cps.push({ kind: 'phone', usage: phoneUsage.value, value: phone.value.trim() });
  }
  if (email.value.trim()) {
    aliases[`parties[0].contact_points[${cps.length}].value`] = 'cp.email';
    aliases[`parties[0].contact_points[${cps.length}].usage`] = 'cp.email.usage';
    cps.push({ kind: 'email', usage: emailUsage.value, value: email.value.trim() });
  }
  if (firstExtras) {
    if (firstExtras.language) party.language = firstExtras.language;
    if (firstExtras.preferred_name) party.preferred_name = firstExtras.preferred_name;
    if (firstExtras.opted_out) party.opted_out = true;
    for (const c of cps) {
      if (firstExtras.optedOut.some((o) => o.kind === c.kind && (o.display === c.value || o.value === c.value))) c.opted_out = true;
    }
  }
  cps.push(...extraContacts.map(({ display, ...c }) => c));
  if (cps.length) party.contact_points = cps;
  return party;
}

/** The form's layout: the vehicle and the RO on the left, the first customer on the right. */
function newRoForm({
  plate, vin, make, model, mileage, known, number, promised, advisor, status, note, person, company, personFields, companyFields,
  roles, phone, phoneUsage, email, emailUsage, taken, alert, submit,
}) {
  return h('form', { class: 'page new-ro', novalidate: true },
    h('div', { class: 'page-head' },
      h('div', {},
        h('a', { href: '/repair-orders', class: 'back-link' }, icon('back'), t('nav.repairOrders')),
        h('h1', {}, t('new.title')))),
    alert,
    h('div', { class: 'form-grid' },
      h('div', { class: 'form-col' },
        h('section', { class: 'card', 'aria-labelledby': 'sec-vehicle' },
          h('h2', { id: 'sec-vehicle', class: 'card-title' }, icon('car'), t('ro.vehicle')),
          h('div', { class: 'grid grid-2' },
            field({ label: t('vehicle.plate'), control: plate, field: 'vehicle.plate', max: LIMITS.plate }),
            field({ label: t('vehicle.vin'), control: vin, field: 'vehicle.vin', hint: t('vehicle.vinHint'), optional: true }),
            field({ label: t('vehicle.make'), control: make, field: 'vehicle.make', max: LIMITS.make }),
            field({ label: t('vehicle.model'), control: model, field: 'vehicle.model', max: LIMITS.model }),
            field({ label: t('vehicle.mileage'), control: mileage, field: 'vehicle.mileage_km', optional: true })),
          known),
        h('section', { class: 'card', 'aria-labelledby': 'sec-ro' },
          h('h2', { id: 'sec-ro', class: 'card-title' }, icon('clock'), t('new.roSection')),
          h('div', { class: 'grid grid-2' },
            field({ label: t('ro.number'), control: number, field: 'number', hint: t('new.numberHint'), optional: true, max: LIMITS.number }),
            field({ label: t('ro.promisedAt'), control: promised, field: 'promised_at', optional: true }),
            field({ label: t('ro.advisor'), control: advisor, field: 'advisor_id' }),
            field({ label: t('ro.status'), control: status, field: 'status' })),
          field({ label: t('ro.note'), control: note, field: 'note', hint: t('ro.noteHint'), optional: true, max: LIMITS.note }))),
      h('div', { class: 'form-col' },
        h('section', { class: 'card', 'aria-labelledby': 'sec-customer' },
          h('h2', { id: 'sec-customer', class: 'card-title' }, icon('person'), t('new.customerSection')),
          h('p', { class: 'card-lead' }, t('new.customerLead')),
          fieldset({ legend: t('party.kind'), field: 'parties[0].kind', className: 'inline-choices',
            children: [radioLabel(person, t('party.person')), radioLabel(company, t('party.company'))] }),
          personFields, companyFields,
          fieldset({ legend: t('party.roles'), field: 'parties[0].roles', className: 'inline-choices', children: roles.map((x) => x.box) }),
          h('div', { class: 'grid grid-contact' },
            field({ label: t('contact.phone'), control: phone, field: 'cp.phone' }),
            field({ label: t('contact.usage'), control: phoneUsage, field: 'cp.phone.usage', className: 'field-usage' }),
            field({ label: t('contact.email'), control: email, field: 'cp.email' }),
            field({ label: t('contact.usage'), control: emailUsage, field: 'cp.email.usage', className: 'field-usage' })),
          taken))),
    h('div', { class: 'form-actions' },
      h('a', { href: '/repair-orders', class: 'btn' }, t('common.cancel')),
      submit));
}

/** The first customer's controls: a person or a company, roles, a phone and an email. */
function customerControls() {
  const kindName = nextId('kind');
  const person = h('input', { type: 'radio', name: kindName, value: 'person', checked: true });
  const company = h('input', { type: 'radio', name: kindName, value: 'company' });
  const title = select([{ value: '', label: '—' }, { value: 'M.', label: t('party.titleMr') }, { value: 'Mme', label: t('party.titleMrs') }]);
  const firstName = h('input', { type: 'text', autocomplete: 'off' });
  const lastName = h('input', { type: 'text', autocomplete: 'off' });
  const companyName = h('input', { type: 'text', autocomplete: 'off' });
  const roles = PARTY_ROLES.map((r) => ({ r, box: checkbox(t(`role.party.${r}`), { value: r, checked: r === 'driver' || r === 'owner' }) }));
  const phone = h('input', { type: 'tel', autocomplete: 'off', inputmode: 'tel', placeholder: '06 12 34 56 78' });
  const phoneUsage = usageSelect();
  const email = h('input', { type: 'email', autocomplete: 'off', spellcheck: 'false' });
  const emailUsage = usageSelect();

  const personFields = h('div', { class: 'grid grid-names' },
    field({ label: t('party.title'), control: title, field: 'parties[0].title', className: 'field-title' }),
    field({ label: t('party.firstName'), control: firstName, field: 'parties[0].first_name', max: LIMITS.first_name }),
    field({ label: t('party.lastName'), control: lastName, field: 'parties[0].last_name', max: LIMITS.last_name }));
  const companyFields = h('div', { class: 'grid', hidden: true },
    field({ label: t('party.companyName'), control: companyName, field: 'parties[0].company_name', max: LIMITS.company_name }));
  const syncKind = () => {
    personFields.hidden = !person.checked;
    companyFields.hidden = !company.checked;
  };
  person.addEventListener('change', syncKind);
  company.addEventListener('change', syncKind);
  return {
    person, company, title, firstName, lastName, companyName, roles, phone, phoneUsage, email, emailUsage, personFields, companyFields,
    syncKind,
  };
}
