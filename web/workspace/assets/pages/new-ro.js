// A new repair order: vehicle, header, and a first customer with a phone and an email.
// Every problem the API reports lands next to the input it is about.
import { api, ApiError } from '../api.js';
import { state } from '../state.js';
import { t, RO_STATUSES, PARTY_ROLES } from '../i18n.js';
import { h, icon, field, fieldset, checkbox, select, formAlert, showErrors, clearErrors, toast, nextId } from '../dom.js';
import { navigate, setTitle, loadUsers } from '../app.js';
import { parseMileage } from './ro-shared.js';

export default async function newRoPage({ main }) {
  setTitle(t('new.title'));
  const users = await loadUsers().catch(() => []);

  // ---- vehicle ----
  const plate = h('input', { type: 'text', class: 'upper', autocomplete: 'off', spellcheck: 'false', maxlength: '16', placeholder: 'AB-123-CD' });
  const vin = h('input', { type: 'text', class: 'upper mono', autocomplete: 'off', spellcheck: 'false', maxlength: '20' });
  const make = h('input', { type: 'text', autocomplete: 'off' });
  const model = h('input', { type: 'text', autocomplete: 'off' });
  const mileage = h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'off', class: 'num-input' });

  // ---- repair order ----
  const number = h('input', { type: 'text', autocomplete: 'off', maxlength: '32', spellcheck: 'false' });
  const promised = h('input', { type: 'datetime-local', step: '300' });
  const advisor = select([{ value: '', label: t('ro.unassigned') },
    ...users.filter((u) => u.active !== false).map((u) => ({ value: String(u.id), label: u.display_name }))]);
  advisor.value = state.user && users.some((u) => u.id === state.user.id) ? String(state.user.id) : '';
  const status = select(RO_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) })), { value: 'open' });
  const note = h('textarea', { rows: '3' });

  // ---- customer ----
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
    field({ label: t('party.firstName'), control: firstName, field: 'parties[0].first_name' }),
    field({ label: t('party.lastName'), control: lastName, field: 'parties[0].last_name' }));
  const companyFields = h('div', { class: 'grid', hidden: true },
    field({ label: t('party.companyName'), control: companyName, field: 'parties[0].company_name' }));
  const syncKind = () => {
    personFields.hidden = !person.checked;
    companyFields.hidden = !company.checked;
  };
  person.addEventListener('change', syncKind);
  company.addEventListener('change', syncKind);

  const alert = formAlert();
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, icon('check'), t('new.create'));
  const form = h('form', { class: 'page new-ro', novalidate: true },
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
            field({ label: t('vehicle.plate'), control: plate, field: 'vehicle.plate' }),
            field({ label: t('vehicle.vin'), control: vin, field: 'vehicle.vin', hint: t('vehicle.vinHint'), optional: true }),
            field({ label: t('vehicle.make'), control: make, field: 'vehicle.make' }),
            field({ label: t('vehicle.model'), control: model, field: 'vehicle.model' }),
            field({ label: t('vehicle.mileage'), control: mileage, field: 'vehicle.mileage_km', optional: true }))),
        h('section', { class: 'card', 'aria-labelledby': 'sec-ro' },
          h('h2', { id: 'sec-ro', class: 'card-title' }, icon('clock'), t('new.roSection')),
          h('div', { class: 'grid grid-2' },
            field({ label: t('ro.number'), control: number, field: 'number', hint: t('new.numberHint'), optional: true }),
            field({ label: t('ro.promisedAt'), control: promised, field: 'promised_at', optional: true }),
            field({ label: t('ro.advisor'), control: advisor, field: 'advisor_id' }),
            field({ label: t('ro.status'), control: status, field: 'status' })),
          field({ label: t('ro.note'), control: note, field: 'note', hint: t('ro.noteHint'), optional: true }))),
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
            field({ label: t('contact.usage'), control: emailUsage, field: 'cp.email.usage', className: 'field-usage' }))))),
    h('div', { class: 'form-actions' },
      h('a', { href: '/repair-orders', class: 'btn' }, t('common.cancel')),
      submit));
  main.append(form);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (submit.disabled) return;
    clearErrors(form);
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
      if (cps.length) party.contact_points = cps;
      body.parties = [party];
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
