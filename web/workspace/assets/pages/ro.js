// One repair order: header, note, vehicle, parties and contacts, interventions, history.
// Every change goes through its sub-resource with If-Match on the version last read; a 412
// means someone else changed the RO: the page says so and reloads it.
import { api, ApiError } from '../api.js';
import { state } from '../state.js';
import {
  t, money, dateTime, toLocalInput, vatLabel, moneyInput, RO_STATUSES, SEVERITIES, KINDS, VAT_RATES_BP,
  describeEvent, count,
} from '../i18n.js';
import {
  h, icon, iconButton, replace, clear, field, select, setValue, toast, confirmDialog, formDialog, checkbox,
  formAlert, showErrors, clearErrors, statusChip, nextId, debounce, fitRows,
} from '../dom.js';
import { setTitle, loadUsers } from '../app.js';
import { parseMileage, parseMoney, partyDialog, contactDialog } from './ro-shared.js';
import { offersPanel } from './offers.js';
import { repliesPanel } from './replies.js';
import { onRepairOrdersChanged } from '../live.js';

export default async function roPage({ params, main }) {
  const id = Number(params[0]);
  const base = `/repair-orders/${id}`;
  let ro = null;
  let version = null;
  let queue = Promise.resolve();
  let alive = true;
  let timelineItems = [];
  let timelineAll = false;

  const users = await loadUsers().catch(() => []);
  try {
    const r = await api('GET', base);
    ro = r.data;
    version = r.version ?? ro.version;
  } catch (e) {
    if (e.handled) return null;
    if (!(e instanceof ApiError)) throw e;
    setTitle(t('ro.notFound'));
    main.append(h('section', { class: 'page page-narrow' }, h('div', { class: 'empty' }, icon('info', 'empty-icon'),
      h('h1', {}, e.status === 404 ? t('ro.notFound') : t('error.fatalTitle')), h('p', {}, e.message),
      h('a', { href: '/repair-orders', class: 'btn btn-primary' }, t('nav.repairOrders')))));
    return null;
  }

  // ---- saving: one change at a time, each with the version the previous one produced ----
  const saveState = h('p', { class: 'save-state', 'aria-live': 'polite' });
  const conflictBanner = h('div', { class: 'banner banner-warning', role: 'alert', hidden: true });

  function mutate(fn) {
    const run = queue.then(async () => {
      saveState.className = 'save-state is-saving';
      replace(saveState, h('span', { class: 'spinner', 'aria-hidden': 'true' }), t('ro.saving'));
      try {
        const r = await fn(version);
        if (r && r.version !== undefined) version = r.version;
        await refresh();
        saveState.className = 'save-state is-saved';
        replace(saveState, icon('check'), t('ro.saved'));
        return r;
      } catch (e) {
        saveState.className = 'save-state';
        clear(saveState);
        if (e instanceof ApiError && e.status === 412) {
          e.handled = true;
          await conflict();
        } else if (e instanceof ApiError && e.status === 404) {
          toast(e.message, 'error');
          e.handled = true;
          await refresh().catch(() => {});
        }
        throw e;
      }
    });
    queue = run.catch(() => {});
    return run;
  }

  async function conflict() {
    replace(conflictBanner, icon('alert'), h('div', {},
      h('p', { class: 'banner-title' }, t('ro.conflictTitle')),
      h('p', {}, t('ro.conflictText'))),
    iconButton('close', t('common.close'), () => { conflictBanner.hidden = true; }));
    conflictBanner.hidden = false;
    await refresh({ discard: true });
    conflictBanner.scrollIntoView({ block: 'nearest' });
  }

  async function refresh({ discard = false } = {}) {
    const r = await api('GET', base);
    if (!alive) return;
    ro = r.data;
    version = r.version ?? ro.version;
    render({ discard });
    offers.redraw();
    loadTimeline();
  }

  /** A change whose problems are shown as a toast (inline edits have no room for a form). */
  function quick(fn, onError) {
    return mutate(fn).catch((e) => {
      if (e.handled) return;
      if (onError) onError(e);
      else toast(e.fields && e.fields.length ? e.fields.map((f) => f.message).join(' ') : e.message, 'error');
      refresh().catch(() => {});
    });
  }

  const patchRo = (body) => quick((v) => api('PATCH', base, { body, version: v }));

  // ---- header ----
  const title = h('h1', { class: 'ro-number' });
  const chipBox = h('span', {});
  const subtitle = h('p', { class: 'ro-subtitle' });
  const statusSel = select(RO_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) })), { id: nextId('st') });
  const advisorSel = h('select', { id: nextId('adv') });
  const promised = h('input', { type: 'datetime-local', id: nextId('pr'), step: '300' });
  statusSel.addEventListener('change', () => patchRo({ status: statusSel.value }));
  advisorSel.addEventListener('change', () => patchRo({ advisor_id: advisorSel.value ? Number(advisorSel.value) : null }));
  const savePromised = () => {
    // A half-typed date reads as "": never take it for "no promised date".
    if (promised.validity.badInput) {
      promised.setAttribute('aria-invalid', 'true');
      toast(t('ro.promisedInvalid'), 'error');
      return;
    }
    promised.removeAttribute('aria-invalid');
    const now = promised.value;
    if (now === toLocalInput(ro.promised_at)) return;
    patchRo({ promised_at: now || null });
  };
  promised.addEventListener('blur', savePromised);
  promised.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { ev.preventDefault(); savePromised(); } });

  const header = h('header', { class: 'ro-head' },
    h('a', { href: '/repair-orders', class: 'back-link' }, icon('back'), t('nav.repairOrders')),
    h('div', { class: 'ro-title-row' },
      h('div', { class: 'ro-title' }, title, chipBox),
      saveState),
    subtitle,
    h('div', { class: 'ro-meta card' },
      h('div', { class: 'field' }, h('label', { for: statusSel.id }, t('ro.status')), statusSel),
      h('div', { class: 'field' }, h('label', { for: advisorSel.id }, t('ro.advisor')), advisorSel),
      h('div', { class: 'field' }, h('label', { for: promised.id }, t('ro.promisedAt')), promised),
      h('div', { class: 'ro-meta-info' })));

  // ---- note ----
  const note = h('textarea', { id: nextId('note'), rows: '4', placeholder: t('ro.notePlaceholder') });
  const saveNote = () => { if (note.value !== ro.note) patchRo({ note: note.value }); };
  note.addEventListener('blur', saveNote);
  note.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) saveNote(); });
  const noteCard = h('section', { class: 'card', 'aria-labelledby': 'h-note' },
    h('h2', { class: 'card-title', id: 'h-note' }, t('ro.note')),
    h('label', { for: note.id, class: 'visually-hidden' }, t('ro.note')),
    note,
    h('p', { class: 'field-hint' }, t('ro.noteHint')));

  // ---- vehicle ----
  const vehicleBody = h('div', {});
  let vehicleEditing = false;
  const vehicleCard = h('section', { class: 'card', 'aria-labelledby': 'h-vehicle' },
    h('div', { class: 'card-head' },
      h('h2', { class: 'card-title', id: 'h-vehicle' }, icon('car'), t('ro.vehicle')),
      h('button', { type: 'button', class: 'btn btn-small', onclick: () => { vehicleEditing = true; renderVehicle(); } }, icon('edit'), t('common.edit'))),
    vehicleBody);

  function renderVehicle() {
    const v = ro.vehicle;
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
    const plate = h('input', { type: 'text', class: 'upper', value: v.plate, maxlength: '16' });
    const vin = h('input', { type: 'text', class: 'upper mono', value: v.vin, maxlength: '20', spellcheck: 'false' });
    const make = h('input', { type: 'text', value: v.make });
    const model = h('input', { type: 'text', value: v.model });
    const km = h('input', { type: 'text', inputmode: 'numeric', value: v.mileage_km ?? '' });
    const alert = formAlert();
    const form = h('form', { class: 'form', novalidate: true }, alert,
      h('div', { class: 'grid grid-2' },
        field({ label: t('vehicle.plate'), control: plate, field: 'vehicle.plate' }),
        field({ label: t('vehicle.mileage'), control: km, field: 'vehicle.mileage_km' }),
        field({ label: t('vehicle.make'), control: make, field: 'vehicle.make' }),
        field({ label: t('vehicle.model'), control: model, field: 'vehicle.model' })),
      field({ label: t('vehicle.vin'), control: vin, field: 'vehicle.vin' }),
      h('div', { class: 'form-buttons' },
        h('button', { type: 'button', class: 'btn', onclick: () => { vehicleEditing = false; renderVehicle(); } }, t('common.cancel')),
        h('button', { type: 'submit', class: 'btn btn-primary' }, t('common.save'))));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      clearErrors(form);
      const mileage = parseMileage(km.value);
      if (mileage === undefined) {
        showErrors(form, { message: t('common.checkFields'), fields: [{ field: 'vehicle.mileage_km', message: t('vehicle.mileageInvalid') }] });
        return;
      }
      const vehicle = { plate: plate.value.trim(), vin: vin.value.trim(), make: make.value.trim(), model: model.value.trim(), mileage_km: mileage };
      mutate((ver) => api('PATCH', base, { body: { vehicle }, version: ver }))
        .then(() => { vehicleEditing = false; renderVehicle(); })
        .catch((e) => { if (!e.handled) showErrors(form, e); });
    });
    replace(vehicleBody, form);
    plate.focus();
  }

  // ---- parties ----
  const partiesBody = h('div', { class: 'parties' });
  const partiesCard = h('section', { class: 'card', 'aria-labelledby': 'h-parties' },
    h('div', { class: 'card-head' },
      h('h2', { class: 'card-title', id: 'h-parties' }, icon('person'), t('ro.parties')),
      h('button', { type: 'button', class: 'btn btn-small', onclick: addParty }, icon('plus'), t('party.add'))),
    partiesBody);

  function addParty() {
    partyDialog({ ro, save: (body) => mutate((v) => api('POST', `${base}/parties`, { body, version: v })) })
      .then((r) => { if (r) toast(t('party.added')); });
  }

  function renderParties() {
    clear(partiesBody);
    if (!ro.parties.length) {
      partiesBody.append(h('p', { class: 'muted empty-inline' }, t('party.none')));
      return;
    }
    for (const p of ro.parties) partiesBody.append(partyBlock(p));
  }

  function partyBlock(p) {
    const purl = `${base}/parties/${p.id}`;
    const edit = () => partyDialog({ ro, party: p, save: (body) => mutate((v) => api('PATCH', purl, { body, version: v })) })
      .then((r) => { if (r) toast(t('common.savedToast')); });
    const remove = async () => {
      if (!await confirmDialog({ title: t('party.removeTitle'), text: t('party.removeText', { name: p.display_name }), confirmLabel: t('common.remove') })) return;
      quick((v) => api('DELETE', purl, { version: v }));
    };
    const addContact = () => contactDialog({ party: p, save: (body) => mutate((v) => api('POST', `${purl}/contact-points`, { body, version: v })) })
      .then((r) => { if (r) toast(t('contact.added')); });
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
          iconButton('edit', t('contact.edit', { value: c.display }), () => contactDialog({ party: p, contact: c, save: (body) => mutate((v) => api('PATCH', curl, { body, version: v })) })
            .then((r) => { if (r) toast(t('common.savedToast')); })),
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

  // ---- interventions ----
  const rowsById = new Map();
  const itemsBody = h('tbody');
  const totals = h('div', { class: 'totals' });
  const itemsTable = h('table', { class: 'table items-table' },
    h('caption', { class: 'visually-hidden' }, t('ro.interventions')),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col', class: 'col-pos' }, h('abbr', { title: t('item.position') }, '#')),
      h('th', { scope: 'col', class: 'col-label' }, t('item.label')),
      h('th', { scope: 'col', class: 'col-kind' }, t('item.kindSeverity')),
      h('th', { scope: 'col', class: 'col-shown' }, t('item.shown')),
      h('th', { scope: 'col', class: 'num col-price' }, t('item.excl')),
      h('th', { scope: 'col', class: 'num col-vat' }, t('item.vat')),
      h('th', { scope: 'col', class: 'num col-price' }, t('item.incl')),
      h('th', { scope: 'col', class: 'col-actions' }, h('span', { class: 'visually-hidden' }, t('common.actions'))))),
    itemsBody);
  const itemsEmpty = h('p', { class: 'muted empty-inline', hidden: true }, t('item.none'));
  const itemsCard = h('section', { class: 'card card-items', 'aria-labelledby': 'h-items' },
    h('div', { class: 'card-head' },
      h('h2', { class: 'card-title', id: 'h-items' }, t('ro.interventions'), h('span', { class: 'count-badge' })),
      h('button', { type: 'button', class: 'btn btn-small btn-primary', onclick: addIntervention }, icon('plus'), t('item.add'))),
    h('div', { class: 'table-wrap' }, itemsTable), itemsEmpty, totals);

  function addIntervention() {
    const label = h('input', { type: 'text', maxlength: '200', autocomplete: 'off' });
    const mnote = h('textarea', { rows: '3', maxlength: '4000' });
    const kind = select(KINDS.map((k) => ({ value: k, label: t(`kind.${k}`) })), { value: ro.interventions.length ? 'optional' : 'initial' });
    const severity = select(SEVERITIES.map((s) => ({ value: s, label: t(`severity.${s}`) })), { value: 'orange' });
    const excl = h('input', { type: 'text', inputmode: 'decimal', class: 'money-input', autocomplete: 'off' });
    const vat = vatSelect(state.dealer ? state.dealer.default_vat_rate_bp : 2000);
    const shown = checkbox(t('item.shownLabel'), { checked: true });
    shown.querySelector('input').dataset.field = 'shown';
    const body = h('div', { class: 'form' },
      field({ label: t('item.label'), control: label, field: 'label' }),
      field({ label: t('item.note'), control: mnote, field: 'mechanic_note', optional: true }),
      h('div', { class: 'grid grid-2' },
        field({ label: t('item.kind'), control: kind, field: 'kind' }),
        field({ label: t('item.severity'), control: severity, field: 'severity' }),
        field({ label: t('item.exclLong'), control: excl, field: 'price_excl_cents' }),
        field({ label: t('item.vat'), control: vat, field: 'vat_rate_bp' })),
      h('div', { class: 'field field-check' }, shown, h('p', { class: 'field-error', hidden: true })));
    formDialog({
      title: t('item.addTitle'), body, wide: true, submitLabel: t('item.add'),
      onSubmit: async () => {
        const cents = parseMoney(excl.value);
        if (cents === undefined) throw new ApiError(422, { error: { message: t('common.checkFields'), fields: [{ field: 'price_excl_cents', message: t('item.amountInvalid') }] } });
        const out = {
          label: label.value.trim(), mechanic_note: mnote.value.trim(), kind: kind.value, severity: severity.value,
          vat_rate_bp: Number(vat.value), shown: shown.querySelector('input').checked, price_excl_cents: cents ?? 0,
        };
        return mutate((v) => api('POST', `${base}/interventions`, { body: out, version: v }));
      },
    }).then((r) => { if (r) toast(t('item.added')); });
  }

  function vatSelect(current) {
    const rates = VAT_RATES_BP.includes(current) ? VAT_RATES_BP : [...VAT_RATES_BP, current].sort((a, b) => b - a);
    return select(rates.map((bp) => ({ value: String(bp), label: vatLabel(bp) })), { value: String(current) });
  }

  /**
   * A change to what the customer was offered (a price, a label, shown or not) once the latest
   * version was seen: asked first, then saved and sent as a new version to the same
   * recipients with the same note (DESIGN.md §2). Declined: nothing is saved.
   */
  async function changeSeen(item, showing, apply) {
    const o = offers.latest();
    const agreed = agreedItem(o, item);
    if (agreed) {
      // The customer confirmed this item as it was: asked first, saying what they accepted;
      // then a new version for them to accept, unless the offer is locked (then they are told).
      const locked = o.state === 'locked';
      const ok = await confirmDialog({
        title: t('item.agreedTitle'),
        text: `${t('item.agreedText', { label: agreed.label, price: money(agreed.price_incl_cents), n: o.version })} ${t(locked ? 'item.agreedLockedHint' : 'item.agreedSendHint')}`,
        confirmLabel: t(locked ? 'item.agreedChange' : 'item.agreedChangeSend'),
        danger: false,
      });
      if (!ok) {
        await refresh({ discard: true }).catch(() => {}); // shows the saved values again
        return undefined;
      }
      const saved = await apply({ change_agreed: true });
      if (!saved || locked) {
        offers.refresh();
        return saved;
      }
      return sendNewVersion(o, saved);
    }
    const seen = o && (o.state === 'seen' || o.state === 'confirmed')
      && (showing || o.items.some((i) => i.intervention_id === item.id));
    if (!seen) return apply();
    const ok = await confirmDialog({
      title: t('item.seenTitle'), text: t('item.seenText', { n: o.version }), confirmLabel: t('item.seenConfirm'), danger: false,
    });
    if (!ok) {
      await refresh().catch(() => {}); // shows the saved values again
      return undefined;
    }
    const saved = await apply();
    if (!saved) return undefined;
    return sendNewVersion(o, saved);
  }

  /** The item as the customer confirmed it on `o` (confirmed, or locked since), or null. */
  function agreedItem(o, item) {
    if (!o || !o.confirmed_at || (o.state !== 'confirmed' && o.state !== 'locked')) return null;
    return o.items.find((i) => i.intervention_id === item.id) || null;
  }

  /** A new version of `o` to the same recipients with the same note, after a change was saved. */
  async function sendNewVersion(o, saved) {
    const recipients = o.recipients.map((r) => r.contact_point_id).filter(Boolean);
    try {
      const r = await api('POST', `${base}/offers`, { body: { recipients, note: o.note, replace_seen: true } });
      toast(t('item.seenSent', { n: r.data.version }));
    } catch (e) {
      if (!e.handled) toast(t('item.seenNotSent', { message: e.message }), 'error');
    }
    offers.refresh();
    return saved;
  }

  /** One intervention row, edited in place; `update` refreshes it without stealing focus. */
  function interventionRow(initial) {
    let item = initial;
    const iurl = () => `${base}/interventions/${item.id}`;
    const rendered = new Map();
    const show = (control, value) => {
      setValue(control, value);
      if (document.activeElement !== control) rendered.set(control, control.type === 'checkbox' ? control.checked : control.value);
    };
    const err = h('p', { class: 'row-error', role: 'alert', hidden: true });
    const save = (body, control, extra) => {
      if (extra) body = { ...body, ...extra };
      err.hidden = true;
      if (control) control.removeAttribute('aria-invalid');
      return quick((v) => api('PATCH', iurl(), { body, version: v }), (e) => {
        err.textContent = e.fields && e.fields.length ? e.fields.map((f) => f.message).join(' ') : e.message;
        err.hidden = false;
        if (control) control.setAttribute('aria-invalid', 'true');
      });
    };
    const rid = nextId('it');
    const pos = h('span', { class: 'pos' });
    const label = h('input', { type: 'text', class: 'cell-input label-input', maxlength: '200', 'aria-label': t('item.label') });
    // Notes are several lines (up to 4,000 characters): a textarea as tall as its text.
    const mnote = h('textarea', {
      class: 'cell-input note-input', rows: '1', maxlength: '4000', placeholder: t('item.notePlaceholder'), 'aria-label': t('item.note'),
    });
    mnote.addEventListener('input', () => fitRows(mnote));
    const kind = select(KINDS.map((k) => ({ value: k, label: t(`kind.${k}`) })), { class: 'cell-input', 'aria-label': t('item.kind') });
    const dot = h('span', { class: 'sev-dot', 'aria-hidden': 'true' });
    const severity = select(SEVERITIES.map((s) => ({ value: s, label: t(`severity.${s}`) })), { class: 'cell-input sev-select', 'aria-label': t('item.severity') });
    const shown = h('input', { type: 'checkbox', id: `${rid}-shown` });
    const excl = h('input', { type: 'text', inputmode: 'decimal', class: 'cell-input money-input', 'aria-label': t('item.exclLong'), dataset: { price: 'excl' } });
    let vat = vatSelect(item.vat_rate_bp);
    vat.classList.add('cell-input');
    vat.setAttribute('aria-label', t('item.vat'));
    const incl = h('input', { type: 'text', inputmode: 'decimal', class: 'cell-input money-input', 'aria-label': t('item.inclLong'), dataset: { price: 'incl' } });
    // The advisor's authorisation (thumbs up / down), to match the customer's answers; pressing
    // the pressed one again clears it.
    const thumbUp = iconButton('thumbUp', t('item.authorize'), () => save({ authorized: item.authorized === true ? null : true }, thumbUp), 'thumb thumb-up');
    const thumbDown = iconButton('thumbDown', t('item.refuse'), () => save({ authorized: item.authorized === false ? null : false }, thumbDown), 'thumb thumb-down');
    const up = iconButton('up', t('item.moveUp'), () => move(-1));
    const down = iconButton('down', t('item.moveDown'), () => move(1));
    const del = iconButton('trash', t('item.remove'), async () => {
      const o = offers.latest();
      const agreed = agreedItem(o, item);
      const text = agreed
        ? `${t('item.agreedText', { label: agreed.label, price: money(agreed.price_incl_cents), n: o.version })} ${t('item.removeText', { label: item.label })}`
        : t('item.removeText', { label: item.label });
      if (!await confirmDialog({ title: agreed ? t('item.agreedTitle') : t('item.removeTitle'), text, confirmLabel: t(agreed ? 'item.agreedRemove' : 'common.remove') })) return;
      quick((v) => api('DELETE', iurl(), { version: v, query: agreed ? { change_agreed: 'true' } : undefined }));
    }, 'btn-danger-quiet');

    const textChange = (control, key) => control.addEventListener('change', () => {
      if (key === 'label' && !control.value.trim()) {
        err.textContent = t('item.labelRequired');
        err.hidden = false;
        control.setAttribute('aria-invalid', 'true');
        return;
      }
      const value = control.value.trim();
      if (key === 'label') changeSeen(item, false, (extra) => save({ [key]: value }, control, extra));
      else save({ [key]: value }, control);
    });
    textChange(label, 'label');
    textChange(mnote, 'mechanic_note');
    kind.addEventListener('change', () => save({ kind: kind.value }, kind));
    severity.addEventListener('change', () => { dot.className = `sev-dot sev-${severity.value}`; save({ severity: severity.value }, severity); });
    shown.addEventListener('change', () => changeSeen(item, shown.checked, (extra) => save({ shown: shown.checked }, shown, extra)));
    vat.addEventListener('change', () => save({ vat_rate_bp: Number(vat.value) }, vat));
    // Only the edited price is sent: the server computes the other with the row's VAT rate.
    for (const [control, key] of [[excl, 'price_excl_cents'], [incl, 'price_incl_cents']]) {
      control.addEventListener('change', () => {
        const cents = parseMoney(control.value);
        if (cents === undefined || cents === null) {
          err.textContent = t('item.amountInvalid');
          err.hidden = false;
          control.setAttribute('aria-invalid', 'true');
          return;
        }
        changeSeen(item, false, (extra) => save({ [key]: cents }, control, extra));
      });
    }
    // Leaving a field without changing it shows the latest value again (a save may have moved it).
    for (const control of [label, mnote, excl, incl]) {
      control.addEventListener('blur', () => {
        if (control.value === rendered.get(control)) {
          update(item);
          if (control === mnote) fitRows(mnote);
        }
      });
      control.addEventListener('keydown', (ev) => {
        // Enter saves; in the note it starts a new line and Ctrl+Enter saves.
        const saveKey = ev.key === 'Enter' && (control !== mnote || ev.ctrlKey || ev.metaKey);
        if (saveKey) { ev.preventDefault(); control.blur(); control.focus(); }
        if (ev.key === 'Escape') {
          control.removeAttribute('aria-invalid');
          err.hidden = true;
          control.value = rendered.get(control) ?? '';
          if (control === mnote) fitRows(mnote);
        }
      });
    }

    const tr = h('tr', { class: 'item-row', dataset: { id: String(item.id) } },
      h('td', { class: 'col-pos' }, pos),
      h('td', { class: 'col-label' }, label, mnote, err),
      h('td', { class: 'col-kind' }, kind, h('div', { class: 'sev' }, dot, severity)),
      h('td', { class: 'col-shown' }, h('label', { class: 'shown-toggle', for: shown.id }, shown, h('span', { class: 'visually-hidden' }, t('item.shownLabel')))),
      h('td', { class: 'num col-price' }, excl),
      h('td', { class: 'num col-vat' }, vat),
      h('td', { class: 'num col-price' }, incl),
      h('td', { class: 'col-actions' }, h('div', { class: 'row-actions' }, thumbUp, thumbDown, up, down, del)));

    function move(delta) {
      const target = item.position + delta;
      const button = delta < 0 ? 'up' : 'down';
      quick((v) => api('PATCH', iurl(), { body: { position: target }, version: v })).then(() => {
        const r = rowsById.get(item.id);
        if (r) r.focus(button);
      });
    }

    function update(next, index, total) {
      item = next;
      pos.textContent = String(item.position);
      show(label, item.label);
      show(mnote, item.mechanic_note); // sized by fitNotes once the row is in the page
      show(kind, item.kind);
      show(severity, item.severity);
      dot.className = `sev-dot sev-${item.severity}`;
      show(shown, item.shown);
      tr.classList.toggle('is-hidden-item', !item.shown);
      thumbUp.setAttribute('aria-pressed', String(item.authorized === true));
      thumbDown.setAttribute('aria-pressed', String(item.authorized === false));
      thumbUp.setAttribute('aria-label', t('item.authorizeNamed', { label: item.label }));
      thumbDown.setAttribute('aria-label', t('item.refuseNamed', { label: item.label }));
      show(excl, moneyInput(item.price_excl_cents));
      show(incl, moneyInput(item.price_incl_cents));
      if (![...vat.options].some((o) => o.value === String(item.vat_rate_bp))) {
        vat.append(h('option', { value: String(item.vat_rate_bp) }, vatLabel(item.vat_rate_bp)));
      }
      show(vat, String(item.vat_rate_bp));
      if (index !== undefined) {
        up.disabled = index === 0;
        down.disabled = index === total - 1;
      }
      up.setAttribute('aria-label', t('item.moveUpNamed', { label: item.label }));
      down.setAttribute('aria-label', t('item.moveDownNamed', { label: item.label }));
      del.setAttribute('aria-label', t('item.removeNamed', { label: item.label }));
    }

    return {
      tr,
      update,
      fit() { fitRows(mnote); },
      focus(which) {
        const b = which === 'up' ? up : down;
        (b.disabled ? (which === 'up' ? down : up) : b).focus();
      },
      clearError() { err.hidden = true; },
    };
  }

  function renderInterventions({ discard }) {
    const items = [...ro.interventions].sort((a, b) => a.position - b.position);
    const seen = new Set();
    items.forEach((item, i) => {
      let r = rowsById.get(item.id);
      if (!r || discard) {
        if (r) r.tr.remove();
        r = interventionRow(item);
        rowsById.set(item.id, r);
      }
      seen.add(item.id);
      r.update(item, i, items.length);
      // Re-append only rows out of place, so a focused input keeps its focus.
      if (itemsBody.children[i] !== r.tr) itemsBody.insertBefore(r.tr, itemsBody.children[i] || null);
    });
    for (const [rid, r] of rowsById) {
      if (!seen.has(rid)) { r.tr.remove(); rowsById.delete(rid); }
    }
    itemsTable.hidden = items.length === 0;
    itemsEmpty.hidden = items.length !== 0;
    fitNotes(); // now that the rows are in the page and can be measured
    itemsCard.querySelector('.count-badge').textContent = items.length ? String(items.length) : '';
    const tt = ro.totals;
    replace(totals,
      h('dl', { class: 'totals-grid' },
        h('dt', {}, t('totals.all')),
        h('dd', { class: 'money' }, h('span', { class: 'totals-k' }, t('totals.excl')), h('span', { dataset: { total: 'excl' } }, money(tt.excl_cents))),
        h('dd', { class: 'money' }, h('span', { class: 'totals-k' }, t('totals.incl')), h('span', { dataset: { total: 'incl' } }, money(tt.incl_cents))),
        h('dt', { class: 'totals-main' }, t('totals.shown')),
        h('dd', { class: 'money totals-main' }, h('span', { class: 'totals-k' }, t('totals.excl')), h('span', { dataset: { total: 'shown-excl' } }, money(tt.shown_excl_cents))),
        h('dd', { class: 'money totals-main' }, h('span', { class: 'totals-k' }, t('totals.incl')), h('span', { dataset: { total: 'shown-incl' } }, money(tt.shown_incl_cents)))));
  }

  function fitNotes() {
    for (const r of rowsById.values()) r.fit();
  }
  // A narrower or wider table wraps the notes differently.
  const refit = debounce(fitNotes, 100);
  window.addEventListener('resize', refit);
  if (document.fonts) document.fonts.ready.then(() => { if (alive) fitNotes(); });

  // ---- history ----
  const timelineList = h('ol', { class: 'timeline' });
  const timelineMore = h('button', { type: 'button', class: 'btn-link', hidden: true, onclick: () => { timelineAll = true; renderTimeline(); } });
  const timelineCard = h('section', { class: 'card', 'aria-labelledby': 'h-timeline' },
    h('h2', { class: 'card-title', id: 'h-timeline' }, icon('clock'), t('ro.timeline')),
    timelineList, timelineMore);

  async function loadTimeline() {
    try {
      const r = await api('GET', `${base}/timeline`);
      if (!alive) return;
      timelineItems = r.data.items;
      renderTimeline();
    } catch { /* the history is a convenience; the RO itself is shown */ }
  }

  function renderTimeline() {
    clear(timelineList);
    const items = [...timelineItems].reverse();
    const shown = timelineAll ? items : items.slice(0, 8);
    for (const ev of shown) {
      const d = describeEvent(ev, { ro, users });
      timelineList.append(h('li', { class: 'tl-item' },
        h('time', { datetime: ev.at, class: 'tl-time' }, dateTime(ev.at)),
        h('div', { class: 'tl-body' },
          h('p', { class: 'tl-title' }, h('strong', {}, d.title), ev.actor && ev.actor.name ? h('span', { class: 'tl-actor' }, ` · ${ev.actor.name}`) : null),
          d.details.length ? h('ul', { class: 'tl-details' }, d.details.map((x) => h('li', {}, x))) : null)));
    }
    timelineMore.hidden = timelineAll || items.length <= shown.length;
    timelineMore.textContent = t('ro.timelineMore', { n: items.length - shown.length });
  }

  // ---- offers to the customer (pages/offers.js), updated live ----
  const offers = offersPanel({ base, getRo: () => ro, onChange: () => loadTimeline(), onRoChanged: () => refresh() });
  // What the customer wrote back by SMS, above everything else while unread.
  const replies = repliesPanel({ base, getRo: () => ro, onChange: () => loadTimeline() });
  // A change to this RO (a customer's answer or SMS, a delivery, another advisor's edit): the
  // offers, replies and history are fetched again; the form keeps what is being typed.
  const stopLive = onRepairOrdersChanged((ids) => {
    if (ids && !ids.includes(ro.id)) return;
    offers.refresh();
    replies.refresh();
    loadTimeline();
  });

  // ---- page ----
  function render({ discard = false } = {}) {
    setTitle(ro.number, ro.vehicle.plate);
    title.textContent = ro.number;
    replace(chipBox, statusChip(ro.status));
    const v = ro.vehicle;
    replace(subtitle,
      v.plate ? h('span', { class: 'plate plate-lg' }, v.plate) : null,
      h('span', { class: 'ro-vehicle' }, [v.make, v.model].filter(Boolean).join(' ') || t('vehicle.unknown')),
      ro.customer_name ? h('span', { class: 'ro-customer' }, icon('person'), ro.customer_name) : null);
    const info = header.querySelector('.ro-meta-info');
    replace(info,
      h('span', {}, t('ro.createdAt', { when: dateTime(ro.created_at) })),
      h('span', {}, t('ro.updatedAt', { when: dateTime(ro.updated_at) })));

    if (discard || document.activeElement !== statusSel) statusSel.value = ro.status;
    fillAdvisors();
    if (discard || document.activeElement !== promised) promised.value = toLocalInput(ro.promised_at);
    if (discard || document.activeElement !== note) note.value = ro.note;
    if (discard) vehicleEditing = false;
    if (!vehicleEditing) renderVehicle();
    renderParties();
    renderInterventions({ discard });
  }

  function fillAdvisors() {
    const current = ro.advisor ? String(ro.advisor.id) : '';
    const options = [{ value: '', label: t('ro.unassigned') },
      ...users.filter((u) => u.active !== false || String(u.id) === current).map((u) => ({ value: String(u.id), label: u.display_name }))];
    if (ro.advisor && !options.some((o) => o.value === current)) options.push({ value: current, label: ro.advisor.display_name });
    if (advisorSel.options.length !== options.length) {
      clear(advisorSel);
      for (const o of options) advisorSel.append(h('option', { value: o.value }, o.label));
    }
    if (document.activeElement !== advisorSel) advisorSel.value = current;
  }

  main.append(h('section', { class: 'page page-ro' },
    header,
    conflictBanner,
    h('div', { class: 'ro-grid' },
      h('div', { class: 'ro-main' }, replies.card, itemsCard, offers.card, timelineCard),
      h('aside', { class: 'ro-side' }, partiesCard, noteCard, vehicleCard))));
  render();
  replies.refresh();
  loadTimeline();

  return {
    cleanup() {
      alive = false;
      stopLive();
      offers.stop();
      refit.cancel();
      window.removeEventListener('resize', refit);
    },
  };
}

function fact(label, value) {
  return h('div', { class: 'fact' }, h('dt', {}, label), h('dd', {}, value === '' || value === null ? h('span', { class: 'muted' }, '—') : value));
}
