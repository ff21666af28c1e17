// The RO page's side cards: the note, the vehicle, and the parties with their contacts.
import { api } from '../core/api.js';
import { state } from '../core/state.js';
import { t, count } from '../core/i18n.js';
import {
  h, icon, iconButton, replace, clear, field, toast, confirmDialog, formAlert, showErrors, clearErrors, nextId,
  limitText, limitMessage, syncLimit, checkLimits,
} from '../core/dom.js';
import { parseMileage } from '../core/limits.js';
import { partyDialog, contactDialog } from './ro-shared.js';
import { guardedText, saveForm } from './ro-saving.js';

/** The RO's note, saved on leaving it (or Ctrl+Enter), never lost (guardedText). */
export function noteCard(pg) {
  const { base } = pg;
  const note = h('textarea', { id: nextId('note'), rows: '4', placeholder: t('ro.notePlaceholder'), dataset: { field: 'note' } });
  const noteCounter = limitText(note, 4000, t('ro.note'));
  const noteErr = h('p', { class: 'field-error', id: nextId('note-err'), hidden: true });
  const noteHint = h('p', { class: 'field-hint', id: nextId('note-hint') }, t('ro.noteHint'));
  note.setAttribute('aria-describedby', `${noteHint.id} ${noteCounter.id} ${noteErr.id}`);
  const noteConflicts = h('div', {});
  const noteError = (message) => {
    noteErr.textContent = message;
    noteErr.hidden = !message;
    if (message) note.setAttribute('aria-invalid', 'true');
    else if (!limitMessage(note)) note.removeAttribute('aria-invalid');
  };
  const noteGuard = guardedText(pg, {
    control: note, host: noteConflicts, label: t('ro.note'), read: () => pg.ro.note,
    send: (value) => pg.mutate((v) => api('PATCH', base, { body: { note: value }, version: v })),
    onError: (e) => noteError(e.fields && e.fields.length ? e.fields.map((f) => f.message).join(' ') : e.message),
    onSettled: () => noteError(''),
  });
  const saveNote = () => {
    if (!noteGuard.dirty()) return;
    const tooLong = limitMessage(note);
    if (tooLong) { noteError(tooLong); return; } // refused, never cut: the text stays as typed
    noteError('');
    noteGuard.save(note.value.trim());
  };
  note.addEventListener('blur', saveNote);
  note.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) saveNote();
    if (ev.key === 'Escape' && noteGuard.dirty()) noteGuard.revert();
  });
  const noteCard = h('section', { class: 'card', 'aria-labelledby': 'h-note' },
    h('h2', { class: 'card-title', id: 'h-note' }, t('ro.note')),
    h('label', { for: note.id, class: 'visually-hidden' }, t('ro.note')),
    note,
    h('div', { class: 'field-foot' }, noteHint, noteCounter),
    noteErr,
    noteConflicts);

  return { card: noteCard, render: () => noteGuard.show(pg.ro.note) };
}

/** The vehicle: its facts, or the form editing them. */
export function vehicleCard(pg) {
  const { base } = pg;
  const vehicleBody = h('div', {});
  let vehicleEditing = false;
  const vehicleCard = h('section', { class: 'card', 'aria-labelledby': 'h-vehicle' },
    h('div', { class: 'card-head' },
      h('h2', { class: 'card-title', id: 'h-vehicle' }, icon('car'), t('ro.vehicle')),
      h('button', { type: 'button', class: 'btn btn-small', onclick: () => { vehicleEditing = true; renderVehicle(); } }, icon('edit'), t('common.edit'))),
    vehicleBody);

  function renderVehicle() {
    const v = pg.ro.vehicle;
    vehicleCard.querySelector('.card-head .btn').hidden = vehicleEditing;
    if (!vehicleEditing) {
      const km = v.mileage_km === null || v.mileage_km === undefined ? '' : `${count(v.mileage_km)} km`;
      replace(vehicleBody, h('dl', { class: 'facts' },
        fact(t('vehicle.plate'), v.plate ? h('span', { class: 'plate' }, v.plate) : ''),
        fact(t('vehicle.makeModel'), [v.make, v.model].filter(Boolean).join(' ')),
        fact(t('vehicle.vin'), v.vin ? h('span', { class: 'mono' }, v.vin) : ''),
        fact(t('vehicle.mileage'), km)));
      return;
    }
    const start = { ...v }; // what the form started from: a 412 compares against it
    const plate = h('input', { type: 'text', class: 'upper', value: v.plate });
    // No maxlength on the VIN: a pasted "VF3 LCB HZ6…" keeps its spaces until the server strips them.
    const vin = h('input', { type: 'text', class: 'upper mono', value: v.vin, spellcheck: 'false' });
    const make = h('input', { type: 'text', value: v.make });
    const model = h('input', { type: 'text', value: v.model });
    const km = h('input', { type: 'text', inputmode: 'numeric', value: v.mileage_km ?? '' });
    const alert = formAlert();
    const form = h('form', { class: 'form', novalidate: true }, alert,
      h('div', { class: 'grid grid-2' },
        field({ label: t('vehicle.plate'), control: plate, field: 'vehicle.plate', max: 16 }),
        field({ label: t('vehicle.mileage'), control: km, field: 'vehicle.mileage_km' }),
        field({ label: t('vehicle.make'), control: make, field: 'vehicle.make', max: 64 }),
        field({ label: t('vehicle.model'), control: model, field: 'vehicle.model', max: 64 })),
      field({ label: t('vehicle.vin'), control: vin, field: 'vehicle.vin' }),
      h('div', { class: 'form-buttons' },
        h('button', { type: 'button', class: 'btn', onclick: () => { vehicleEditing = false; renderVehicle(); } }, t('common.cancel')),
        h('button', { type: 'submit', class: 'btn btn-primary' }, t('common.save'))));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      clearErrors(form);
      if (!checkLimits(form)) return;
      const mileage = parseMileage(km.value);
      if (mileage === undefined) {
        showErrors(form, { message: t('common.checkFields'), fields: [{ field: 'vehicle.mileage_km', message: t('vehicle.mileageInvalid') }] });
        return;
      }
      const vehicle = { plate: plate.value.trim(), vin: vin.value.trim(), make: make.value.trim(), model: model.value.trim(), mileage_km: mileage };
      const text = (control) => (value) => { control.value = value ?? ''; syncLimit(control); };
      saveForm(pg, {
        form, base: start, mine: vehicle, current: () => pg.ro.vehicle,
        send: (ver) => api('PATCH', base, { body: { vehicle }, version: ver }),
        keys: [
          { key: 'plate', field: 'vehicle.plate', label: t('vehicle.plate'), set: text(plate) },
          { key: 'vin', field: 'vehicle.vin', label: t('vehicle.vin'), set: text(vin) },
          { key: 'make', field: 'vehicle.make', label: t('vehicle.make'), set: text(make) },
          { key: 'model', field: 'vehicle.model', label: t('vehicle.model'), set: text(model) },
          { key: 'mileage_km', field: 'vehicle.mileage_km', label: t('vehicle.mileage'), format: (n) => (n === null || n === undefined ? '' : `${count(n)} km`), set: (n) => { km.value = n ?? ''; } },
        ],
      })
        .then((r) => { if (r !== false) { vehicleEditing = false; renderVehicle(); } })
        .catch((e) => { if (!e.handled) showErrors(form, e); });
    });
    replace(vehicleBody, form);
    plate.focus();
  }

  return {
    card: vehicleCard,
    render({ discard = false } = {}) {
      if (discard) vehicleEditing = false;
      if (!vehicleEditing) renderVehicle();
    },
    stopEditing() { vehicleEditing = false; },
  };
}

/** The parties (driver, owner…) and their contacts, each edited in a dialog. */
export function partiesCard(pg) {
  const { base, add, quick } = pg;
  let partiesShown = '';
  const partiesBody = h('div', { class: 'parties' });
  const partiesCard = h('section', { class: 'card', 'aria-labelledby': 'h-parties' },
    h('div', { class: 'card-head' },
      h('h2', { class: 'card-title', id: 'h-parties' }, icon('person'), t('ro.parties')),
      h('button', { type: 'button', class: 'btn btn-small', onclick: addParty }, icon('plus'), t('party.add'))),
    partiesBody);

  function addParty() {
    partyDialog({ ro: pg.ro, save: (body) => add((v) => api('POST', `${base}/parties`, { body, version: v })) })
      .then((r) => { if (r) toast(t('party.added')); });
  }

  // What a party's and a contact's dialogs send, to compare after a 412 (saveForm).
  const yesNo = (b) => t(b ? 'common.yes' : 'common.no');
  const partyKeys = (c) => [
    { key: 'title', field: 'title', label: t('party.title'), set: (v) => { c.title.value = v || ''; } },
    { key: 'first_name', field: 'first_name', label: t('party.firstName'), set: (v) => { c.first.value = v || ''; syncLimit(c.first); } },
    { key: 'last_name', field: 'last_name', label: t('party.lastName'), set: (v) => { c.last.value = v || ''; syncLimit(c.last); } },
    { key: 'company_name', field: 'company_name', label: t('party.companyName'), set: (v) => { c.companyName.value = v || ''; syncLimit(c.companyName); } },
    { key: 'roles', field: 'roles', label: t('party.roles'), format: (rs) => (rs || []).map((r) => t(`role.party.${r}`)).join(', '),
      set: (rs) => { for (const x of c.roleBoxes) x.box.querySelector('input').checked = (rs || []).includes(x.r); } },
    { key: 'language', field: 'language', label: t('party.language'), format: (l) => (l ? t(`lang.${l}`) : t('party.languageDefault')), set: (l) => { c.language.value = l || ''; } },
    { key: 'opted_out', field: 'opted_out', label: t('party.optedOutLabel'), format: yesNo, set: (b) => { c.optedOut.checked = Boolean(b); } },
  ];
  const contactKeys = (c, party) => [
    { key: 'kind', field: 'kind', label: t('contact.kind'), format: (k) => t(`contact.${k}`), set: (k) => { c.kind.value = k; } },
    { key: 'usage', field: 'usage', label: t('contact.usage'), format: (u) => t(`contact.${u}`), set: (u) => { c.usage.value = u; } },
    { key: 'value', field: 'value', label: t('contact.value'), format: (v) => displayContact(party, v),
      set: (v) => { c.value.value = displayContact(party, v); } },
    { key: 'opted_out', field: 'opted_out', label: t('contact.optedOutLabel'), format: yesNo, set: (b) => { c.optedOut.checked = Boolean(b); } },
  ];
  /** A contact's value as the RO shows it ("06 12 34 56 78" for "+33612345678"). */
  function displayContact(party, value) {
    const now = pg.ro.parties.find((p) => p.id === party.id);
    const c = now && now.contact_points.find((x) => x.value === value);
    return c ? c.display : (value || '');
  }

  function renderParties() {
    // Drawn again only when they changed (a live update must not take the focus from a button).
    const key = `${state.lang}|${JSON.stringify(pg.ro.parties)}`;
    if (key === partiesShown) return;
    partiesShown = key;
    clear(partiesBody);
    if (!pg.ro.parties.length) {
      partiesBody.append(h('p', { class: 'muted empty-inline' }, t('party.none')));
      return;
    }
    for (const p of pg.ro.parties) partiesBody.append(partyBlock(p));
  }

  function partyBlock(p) {
    const purl = `${base}/parties/${p.id}`;
    const edit = () => {
      const start = { ...p };
      return partyDialog({
        ro: pg.ro, party: p,
        save: (body, form, controls) => saveForm(pg, {
          form, base: start, mine: body, keys: partyKeys(controls),
          current: () => pg.ro.parties.find((x) => x.id === p.id),
          send: (v) => api('PATCH', purl, { body, version: v }),
        }),
      }).then((r) => { if (r) toast(t('common.savedToast')); });
    };
    const remove = async () => {
      if (!await confirmDialog({ title: t('party.removeTitle'), text: t('party.removeText', { name: p.display_name }), confirmLabel: t('common.remove') })) return;
      quick((v) => api('DELETE', purl, { version: v }));
    };
    const addContact = () => contactDialog({ party: p, save: (body) => add((v) => api('POST', `${purl}/contact-points`, { body, version: v })) })
      .then((r) => { if (r) toast(t('contact.added')); });
    const editContact = (c, curl) => {
      const start = { ...c };
      return contactDialog({
        party: p, contact: c,
        save: (body, form, controls) => saveForm(pg, {
          form, base: start, mine: body, keys: contactKeys(controls, p),
          current: () => pg.ro.parties.find((x) => x.id === p.id)?.contact_points.find((x) => x.id === c.id),
          send: (v) => api('PATCH', curl, { body, version: v }),
        }),
      }).then((r) => { if (r) toast(t('common.savedToast')); });
    };
    const list = h('ul', { class: 'contacts' });
    for (const c of p.contact_points) {
      const curl = `${purl}/contact-points/${c.id}`;
      const off = c.opted_out || p.opted_out;
      list.append(h('li', { class: ['contact', off ? 'is-opted-out' : null] },
        icon(c.kind === 'phone' ? 'phone' : 'mail', 'contact-icon'),
        h('span', { class: 'contact-main' },
          c.kind === 'phone'
            ? h('span', { class: 'contact-value', title: c.value }, c.display)
            : h('span', { class: 'contact-value' }, c.display),
          h('span', { class: 'tags' },
            h('span', { class: 'tag' }, t(`contact.${c.usage}Short`)),
            c.kind === 'phone' && c.sms_capable === false ? h('span', { class: 'tag tag-muted' }, t('contact.noSms')) : null,
            c.opted_out ? h('span', { class: 'tag tag-off' }, icon('close'), t('contact.optedOut')) : null)),
        h('span', { class: 'row-actions' },
          iconButton('edit', t('contact.edit', { value: c.display }), () => editContact(c, curl)),
          iconButton('trash', t('contact.remove', { value: c.display }), async () => {
            if (!await confirmDialog({ title: t('contact.removeTitle'), text: t('contact.removeText', { value: c.display }), confirmLabel: t('common.remove') })) return;
            quick((v) => api('DELETE', curl, { version: v }));
          }))));
    }
    if (!p.contact_points.length) list.append(h('li', { class: 'contact muted' }, t('contact.none')));
    return h('article', { class: ['party', p.opted_out ? 'is-opted-out' : null], 'aria-label': p.display_name },
      h('div', { class: 'party-head' },
        icon(p.kind === 'company' ? 'company' : 'person', 'party-icon'),
        h('div', { class: 'party-name' },
          h('strong', {}, [p.kind === 'person' ? p.title : '', p.display_name].filter(Boolean).join(' ')),
          h('span', { class: 'tags' },
            p.roles.map((r) => h('span', { class: 'tag tag-role' }, t(`role.party.${r}`))),
            p.opted_out ? h('span', { class: 'tag tag-off' }, icon('close'), t('party.optedOut')) : null)),
        h('span', { class: 'row-actions' },
          iconButton('edit', t('party.edit', { name: p.display_name }), edit),
          iconButton('trash', t('party.remove', { name: p.display_name }), remove))),
      list,
      h('button', { type: 'button', class: 'btn-link add-contact', onclick: addContact }, icon('plus'), t('contact.add')));
  }

  return { card: partiesCard, render: renderParties };
}

function fact(label, value) {
  return h('div', { class: 'fact' }, h('dt', {}, label), h('dd', {}, value === '' || value === null ? h('span', { class: 'muted' }, '—') : value));
}
