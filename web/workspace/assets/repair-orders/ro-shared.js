// Pieces the repair-order pages share: the party and contact dialogs.
import { t, PARTY_ROLES } from '../core/i18n.js';
import { h, field, fieldset, checkbox, select, formDialog, nextId } from '../core/dom.js';
import { LIMITS } from '../core/limits.js';

/** The roles other parties of the RO already hold: role → that party's name. */
function rolesHeld(ro, exceptId) {
  const held = {};
  for (const p of ro.parties) {
    if (p.id === exceptId) continue;
    for (const r of p.roles) held[r] = p.display_name;
  }
  return held;
}

/**
 * Add or edit a party. `save(body)` sends it and returns the API's answer; errors it throws
 * are shown in the dialog next to the fields.
 */
export function partyDialog({ ro, party, save }) {
  const editing = Boolean(party);
  const p = party || { kind: 'person', roles: ro.parties.length ? [] : ['driver', 'owner'], title: '', first_name: '', last_name: '', company_name: '', preferred_name: '', language: '', opted_out: false };
  const held = rolesHeld(ro, party ? party.id : null);
  const kindName = nextId('pk');
  const person = h('input', { type: 'radio', name: kindName, value: 'person', checked: p.kind === 'person' });
  const company = h('input', { type: 'radio', name: kindName, value: 'company', checked: p.kind === 'company' });
  const title = select([{ value: '', label: '—' }, { value: 'M.', label: t('party.titleMr') }, { value: 'Mme', label: t('party.titleMrs') }]);
  if (p.title && ![...title.options].some((o) => o.value === p.title)) title.append(h('option', { value: p.title }, p.title));
  title.value = p.title || '';
  const first = h('input', { type: 'text', value: p.first_name, autocomplete: 'off' });
  const last = h('input', { type: 'text', value: p.last_name, autocomplete: 'off' });
  const companyName = h('input', { type: 'text', value: p.company_name, autocomplete: 'off' });
  const preferred = h('input', { type: 'text', value: p.preferred_name || '', autocomplete: 'off' });
  const roleBoxes = PARTY_ROLES.map((r) => {
    const box = checkbox(t(`role.party.${r}`), { value: r, checked: p.roles.includes(r) });
    if (held[r]) box.append(h('span', { class: 'check-note' }, t('party.heldBy', { name: held[r] })));
    return { r, box };
  });
  const language = select([{ value: '', label: t('party.languageDefault') }, { value: 'fr', label: t('lang.fr') }, { value: 'en', label: t('lang.en') }], { value: p.language || '' });
  const optedOut = checkbox(t('party.optedOutLabel'), { checked: p.opted_out });
  optedOut.querySelector('input').dataset.field = 'opted_out';

  const personBox = h('div', { class: 'grid grid-names' },
    field({ label: t('party.title'), control: title, field: 'title', className: 'field-title' }),
    field({ label: t('party.firstName'), control: first, field: 'first_name', max: LIMITS.first_name }),
    field({ label: t('party.lastName'), control: last, field: 'last_name', max: LIMITS.last_name }));
  const companyBox = h('div', {}, field({ label: t('party.companyName'), control: companyName, field: 'company_name', max: LIMITS.company_name }));
  const sync = () => { personBox.hidden = !person.checked; companyBox.hidden = !company.checked; };
  person.addEventListener('change', sync);
  company.addEventListener('change', sync);
  sync();

  let phone; let email; let phoneUsage; let emailUsage;
  const extra = [];
  if (!editing) {
    phone = h('input', { type: 'tel', autocomplete: 'off', placeholder: '06 12 34 56 78' });
    email = h('input', { type: 'email', autocomplete: 'off', spellcheck: 'false' });
    phoneUsage = usageSelect('personal');
    emailUsage = usageSelect('personal');
    extra.push(h('div', { class: 'grid grid-contact' },
      field({ label: t('contact.phone'), control: phone, field: 'cp.phone', optional: true }),
      field({ label: t('contact.usage'), control: phoneUsage, field: 'cp.phone.usage', className: 'field-usage' }),
      field({ label: t('contact.email'), control: email, field: 'cp.email', optional: true }),
      field({ label: t('contact.usage'), control: emailUsage, field: 'cp.email.usage', className: 'field-usage' })));
  }

  const body = h('div', { class: 'form' },
    fieldset({ legend: t('party.kind'), field: 'kind', className: 'inline-choices',
      children: [h('label', { class: 'check' }, person, h('span', {}, t('party.person'))), h('label', { class: 'check' }, company, h('span', {}, t('party.company')))] }),
    personBox, companyBox,
    fieldset({ legend: t('party.roles'), field: 'roles', className: 'inline-choices', children: roleBoxes.map((x) => x.box) }),
    extra,
    h('div', { class: 'grid grid-2' },
      field({ label: t('party.preferredName'), control: preferred, field: 'preferred_name', max: LIMITS.preferred_name, optional: true, hint: t('party.preferredNameHint') }),
      field({ label: t('party.language'), control: language, field: 'language' })),
    h('div', { class: 'field field-check' }, optedOut, h('p', { class: 'field-hint' }, t('party.optedOutHint')), h('p', { class: 'field-error', hidden: true })));

  return formDialog({
    title: editing ? t('party.editTitle', { name: party.display_name }) : t('party.addTitle'),
    body, wide: true,
    submitLabel: editing ? t('common.save') : t('party.add'),
    onSubmit: async (form) => {
      const isCompany = company.checked;
      const out = {
        kind: isCompany ? 'company' : 'person',
        roles: roleBoxes.filter((x) => x.box.querySelector('input').checked).map((x) => x.r),
        language: language.value,
        preferred_name: preferred.value.trim(),
        opted_out: optedOut.querySelector('input').checked,
      };
      if (isCompany) out.company_name = companyName.value.trim();
      else Object.assign(out, { title: title.value, first_name: first.value.trim(), last_name: last.value.trim() });
      const aliases = {};
      if (!editing) {
        const cps = [];
        if (phone.value.trim()) {
          aliases[`contact_points[${cps.length}].value`] = 'cp.phone';
          cps.push({ kind: 'phone', usage: phoneUsage.value, value: phone.value.trim() });
        }
        if (email.value.trim()) {
          aliases[`contact_points[${cps.length}].value`] = 'cp.email';
          cps.push({ kind: 'email', usage: emailUsage.value, value: email.value.trim() });
        }
        if (cps.length) out.contact_points = cps;
      }
      try {
        return await save(out, form, { title, first, last, companyName, language, optedOut: optedOut.querySelector('input'), roleBoxes });
      } catch (e) {
        if (e && e.fields) e.fields = e.fields.map((f) => ({ ...f, field: aliases[f.field] || f.field }));
        throw e;
      }
    },
  });
}

export function contactDialog({ party, contact, save }) {
  const editing = Boolean(contact);
  const c = contact || { kind: 'phone', usage: 'personal', value: '', opted_out: false };
  const kind = select([{ value: 'phone', label: t('contact.phone') }, { value: 'email', label: t('contact.email') }], { value: c.kind });
  const usage = usageSelect(c.usage);
  const value = h('input', { type: c.kind === 'email' ? 'email' : 'tel', value: editing && c.kind === 'phone' ? c.display : c.value, autocomplete: 'off', spellcheck: 'false' });
  kind.addEventListener('change', () => {
    value.type = kind.value === 'email' ? 'email' : 'tel';
    value.placeholder = kind.value === 'email' ? '' : '06 12 34 56 78';
  });
  if (c.kind === 'phone') value.placeholder = '06 12 34 56 78';
  const optedOut = checkbox(t('contact.optedOutLabel'), { checked: c.opted_out });
  optedOut.querySelector('input').dataset.field = 'opted_out';
  const body = h('div', { class: 'form' },
    h('div', { class: 'grid grid-2' },
      field({ label: t('contact.kind'), control: kind, field: 'kind' }),
      field({ label: t('contact.usage'), control: usage, field: 'usage' })),
    field({ label: t('contact.value'), control: value, field: 'value' }),
    h('div', { class: 'field field-check' }, optedOut, h('p', { class: 'field-hint' }, t('contact.optedOutHint')), h('p', { class: 'field-error', hidden: true })));
  return formDialog({
    title: editing ? t('contact.editTitle') : t('contact.addTitle', { name: party.display_name }),
    body,
    submitLabel: editing ? t('common.save') : t('contact.add'),
    onSubmit: (form) => save({ kind: kind.value, usage: usage.value, value: value.value.trim(), opted_out: optedOut.querySelector('input').checked },
      form, { kind, usage, value, optedOut: optedOut.querySelector('input') }),
  });
}

function usageSelect(value) {
  return select([{ value: 'personal', label: t('contact.personal') }, { value: 'professional', label: t('contact.professional') }], { value });
}
