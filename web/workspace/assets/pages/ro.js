// One repair order: header, note, vehicle, parties and contacts, interventions, history.
// Every change goes through its sub-resource with If-Match on the version last read; a 412
// means someone else changed the RO: the page reads it again, and what the advisor typed is
// never thrown away (sent again when nobody touched that field, else shown beside the current
// value to keep either). Live updates keep the page current in every tab.
import { api, ApiError } from '../api.js';
import { state } from '../state.js';
import {
  t, money, dateTime, toLocalInput, vatLabel, moneyInput, RO_STATUSES, SEVERITIES, KINDS, VAT_RATES_BP,
  describeEvent, count,
} from '../i18n.js';
import {
  h, icon, iconButton, replace, clear, field, select, setValue, toast, confirmDialog, formDialog, checkbox,
  formAlert, showErrors, clearErrors, statusChip, nextId, debounce, fitRows, limitText, limitMessage, syncLimit,
  checkLimits, conflictPanel, announce,
} from '../dom.js';
import { setTitle, loadUsers, navigate } from '../app.js';
import { parseMileage, parseMoney, partyDialog, contactDialog, LIMITS } from './ro-shared.js';
import { offersPanel } from './offers.js';
import { repliesPanel } from './replies.js';
import { onRepairOrdersChanged } from '../live.js';

// A mechanic's note longer than this (in lines as shown) is folded, with a button to read it all:
// a long note must not make a huge row, and a short one (two lines that wrap) is shown whole.
const NOTE_FOLDED_LINES = 3;

export default async function roPage({ params, main }) {
  const id = Number(params[0]);
  const base = `/repair-orders/${id}`;
  let ro = null;
  let version = null;
  let queue = Promise.resolve();
  let alive = true;
  let timelineItems = [];
  let timelineAll = false;
  let partiesShown = '';

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

  // Whether a pointer is down: a layout change (a note folding on blur) waits for the click.
  let pointerDown = false;
  const onPointerDown = () => { pointerDown = true; };
  const onPointerUp = () => { pointerDown = false; };
  document.addEventListener('pointerdown', onPointerDown, true);
  document.addEventListener('pointerup', onPointerUp, true);
  const afterPointer = (fn) => {
    if (!pointerDown) { fn(); return; }
    document.addEventListener('pointerup', () => setTimeout(fn, 0), { once: true });
  };

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
          // Someone else changed the RO: the page reads it again (typed text stays where it
          // is) and the caller decides: send again, show both values, or say it was not saved.
          e.conflict = true;
          await refresh().catch(() => {});
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

  /** A click refused by a 412 (a status, a thumb, a move): nothing typed is lost, the page shows
   * the latest version and says the click was not saved. */
  function conflict() {
    replace(conflictBanner, icon('alert'), h('div', {},
      h('p', { class: 'banner-title' }, t('ro.conflictTitle')),
      h('p', {}, t('ro.conflictText'))),
    iconButton('close', t('common.close'), () => { conflictBanner.hidden = true; }));
    conflictBanner.hidden = false;
    conflictBanner.scrollIntoView({ block: 'nearest' });
  }

  async function refresh({ discard = false } = {}) {
    const r = await api('GET', base);
    if (!alive) return;
    const next = r.version ?? r.data.version;
    // A read overtaken by a save (a live update racing the advisor's own change) is older.
    if (!discard && version !== null && next < version) return;
    ro = r.data;
    version = next;
    render({ discard });
    offers.redraw();
    loadTimeline();
  }

  // A live update: read the RO again (after any save under way), one read at a time.
  let liveRead = null;
  let liveAgain = false;
  function refreshLive() {
    if (liveRead) { liveAgain = true; return; }
    liveRead = queue.then(() => refresh()).catch(() => {}).finally(() => {
      liveRead = null;
      if (liveAgain && alive) { liveAgain = false; refreshLive(); }
    });
  }

  /** A change whose problems are shown as a toast (inline edits have no room for a form). */
  function quick(fn, onError) {
    return mutate(fn).catch((e) => {
      if (e.handled) return;
      if (e.conflict) { conflict(); return; }
      if (onError) onError(e);
      else toast(e.fields && e.fields.length ? e.fields.map((f) => f.message).join(' ') : e.message, 'error');
      refresh().catch(() => {});
    });
  }

  /** An addition (an intervention, a party, a contact): it cannot clash with anyone's change,
   * so after a 412 it is simply sent again on the version just read. */
  const add = (fn) => mutate(fn).catch((e) => {
    if (e.conflict && alive) return mutate(fn);
    throw e;
  });

  /**
   * What the advisor types in `control`, saved without ever being lost. `read()` is the field's
   * latest value from the server and `send(value)` saves it (through mutate). The value this tab
   * showed before they typed is kept: if someone else changed the field since (seen live, or
   * learnt from a 412), both are shown in `host` and the advisor keeps either; "keep mine" saves
   * it on the current version. A text that differs from what the page last showed is never
   * replaced by an update. `toText`/`fromText` convert to and from the control's text.
   */
  function guardedText({
    control, host, label, read, send, toText = (v) => v ?? '', fromText = (s) => s.trim(), format = (v) => v,
    onError, onSettled, afterPut,
  }) {
    let shown = read(); // what this tab showed: what the advisor started from
    let panel = null;
    let clashed; // the value shown as "yours" in the panel
    let pending = 0; // saves under way: only the last one puts the saved value back
    const put = (value) => {
      control.value = toText(value);
      syncLimit(control);
      if (afterPut) afterPut();
    };
    put(shown);
    const closePanel = () => {
      if (panel) panel.el.remove();
      panel = null;
      control.classList.remove('has-conflict');
    };
    const settle = () => {
      closePanel();
      if (pending) return; // a later save will settle
      const now = read();
      const stillTyped = document.activeElement === control && fromText(control.value) !== now;
      shown = now;
      if (!stillTyped) put(now);
      if (onSettled) onSettled();
    };
    const guard = {
      /** Whether the control holds text of the advisor's that is not saved. */
      dirty: () => control.value !== toText(shown),
      /** The server's latest value: shown unless the control holds the advisor's own text. */
      show(value = read()) {
        if (panel) { panel.setCurrent(format(value)); return; }
        if (guard.dirty()) return;
        shown = value;
        if (control.value !== toText(value)) put(value);
      },
      /** Saves `value` (what is typed, checked by the caller), or shows the clash. */
      async save(value, from = shown) {
        // The same text left again while its clash is shown: the panel waits for a choice.
        if (panel && value === clashed && from === shown) return;
        closePanel();
        for (let attempt = 0; attempt < 3 && alive; attempt += 1) {
          const current = read();
          if (current === value) { settle(); return; }
          if (current !== from) { clash(value, current); return; }
          pending += 1;
          try {
            await send(value); // undefined when the advisor declined: the saved value comes back
            pending -= 1;
            settle();
            return;
          } catch (e) {
            pending -= 1;
            if (e && e.conflict) continue; // the page has just read the RO again: compare again
            if (e && e.handled) return;
            if (onError) onError(e);
            return;
          }
        }
      },
      /** Back to the saved value (Escape, or "keep the current value"). */
      revert() {
        closePanel();
        shown = read();
        put(shown);
        if (onSettled) onSettled();
      },
    };
    function clash(value, current) {
      clashed = value;
      control.classList.add('has-conflict');
      panel = conflictPanel({
        label, mine: format(value), current: format(current),
        // The advisor has now seen the current value: theirs replaces it, on the current version.
        onKeepMine: () => { closePanel(); shown = read(); control.focus(); guard.save(value); },
        onKeepCurrent: () => { guard.revert(); control.focus(); },
      });
      host.append(panel.el);
      announce(t('conflict.title', { field: label }));
    }
    return guard;
  }

  /**
   * A form's change (the vehicle, a party, a contact): after a 412 it is sent again on the version
   * just read when nobody else changed what it sends; otherwise each field someone else changed
   * is shown in `form` beside what was typed (nothing is lost) and the form stays open: saving
   * again then keeps what is in it. `keys`: [{key, field, label, format, set}] of `mine`;
   * `base` is what the form started from (updated as clashes are shown), `current()` the
   * latest. Resolves with the answer, or false while clashes wait.
   */
  async function saveForm({ form, send, keys, base, mine, current }) {
    try {
      return await mutate(send);
    } catch (e) {
      if (!e.conflict || !alive) throw e;
      const now = current();
      if (!now) throw e;
      const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
      const clashes = keys.filter((k) => k.key in mine && !same(now[k.key], base[k.key]) && !same(now[k.key], mine[k.key]));
      if (!clashes.length) return mutate(send);
      clearErrors(form);
      let first = null;
      for (const k of clashes) {
        const target = form.querySelector(`[data-field="${CSS.escape(k.field)}"]`);
        const box = target && (target.closest('.field') || target.parentElement);
        if (!box) continue;
        const fmt = k.format || ((v) => (v === null || v === undefined ? '' : String(v)));
        const panel = conflictPanel({
          label: k.label, mine: fmt(mine[k.key]), current: fmt(now[k.key]),
          onKeepMine: () => { panel.el.remove(); target.focus(); },
          onKeepCurrent: () => {
            if (k.set) k.set(now[k.key]);
            else { target.value = now[k.key] ?? ''; syncLimit(target); }
            panel.el.remove();
            target.focus();
          },
        });
        panel.el.classList.add('in-form');
        box.append(panel.el);
        base[k.key] = now[k.key]; // seen now: saving again keeps what the form holds
        if (!first) first = panel.el.querySelector('button');
      }
      const alert = form.querySelector('.form-alert');
      if (alert) {
        replace(alert, icon('alert'), h('div', {}, h('p', { class: 'form-alert-title' }, t('conflict.formTitle'))));
        alert.hidden = false;
      }
      announce(t('conflict.formTitle'));
      if (first) first.focus();
      return false;
    }
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

  // What came in (a confirmation, "contact me", an SMS, a failed message) is dealt with: the RO
  // leaves the "to handle" list and the top bar's count (POST …/handled).
  const handleButton = h('button', {
    type: 'button', class: 'btn btn-small btn-primary ro-handle', hidden: true, title: t('ro.handleHint'), onclick: markHandled,
  }, icon('check'), t('ro.handle'));
  // An RO created by mistake goes, as long as nothing was sent from it (its offers say so).
  const deleteButton = h('button', { type: 'button', class: 'btn btn-small btn-danger-quiet ro-delete', hidden: true, onclick: deleteRo },
    icon('trash'), t('ro.delete'));
  // A deleted RO is shown read-only: every control of its cards sits in a disabled fieldset.
  const locks = [];
  const lock = (...children) => {
    const fs = h('fieldset', { class: 'ro-lock' }, children);
    locks.push(fs);
    return fs;
  };
  const deletedBanner = h('div', { class: 'banner banner-deleted', hidden: true });

  const header = h('header', { class: 'ro-head' },
    h('a', { href: '/repair-orders', class: 'back-link' }, icon('back'), t('nav.repairOrders')),
    h('div', { class: 'ro-title-row' },
      h('div', { class: 'ro-title' }, title, chipBox),
      saveState,
      h('div', { class: 'ro-actions' },
        handleButton,
        // The print view opens beside the page, which keeps whatever is being typed here.
        h('a', {
          href: `/repair-orders/${id}/print`, class: 'btn btn-small ro-print', target: '_blank', rel: 'noopener', title: t('ro.printHint'),
        }, icon('print'), t('ro.print')),
        deleteButton)),
    subtitle,
    deletedBanner,
    lock(h('div', { class: 'ro-meta card' },
      h('div', { class: 'field' }, h('label', { for: statusSel.id }, t('ro.status')), statusSel),
      h('div', { class: 'field' }, h('label', { for: advisorSel.id }, t('ro.advisor')), advisorSel),
      h('div', { class: 'field' }, h('label', { for: promised.id }, t('ro.promisedAt')), promised),
      h('div', { class: 'ro-meta-info' }))));

  async function markHandled() {
    handleButton.disabled = true;
    try {
      await api('POST', `${base}/handled`);
      toast(t('ro.handled'));
      const hadFocus = document.activeElement === handleButton;
      await refresh().catch(() => {});
      replies.refresh(); // its unread replies are read now
      if (hadFocus && handleButton.hidden) {
        title.setAttribute('tabindex', '-1');
        title.focus();
      }
    } catch (e) {
      if (!e.handled) toast(e.message, 'error');
    } finally {
      handleButton.disabled = false;
    }
  }

  async function deleteRo() {
    const number = ro.number;
    const ok = await confirmDialog({
      title: t('ro.deleteTitle'), text: t('ro.deleteText', { number }), confirmLabel: t('ro.deleteConfirm'),
      // After any save under way; a refusal (an offer sent meanwhile, not this advisor's RO)
      // is shown in the dialog in the server's words.
      onConfirm: () => queue.then(() => api('DELETE', base)).catch((e) => {
        offers.refresh();
        throw e;
      }),
    });
    if (!ok) return;
    toast(t('ro.deletedToast', { number }));
    navigate('/repair-orders');
  }

  /** The header's actions as the RO and its offers are now. */
  function syncActions() {
    const deleted = Boolean(ro.deleted_at);
    handleButton.hidden = deleted || !ro.needs_attention;
    deleteButton.hidden = deleted || offers.count() !== 0; // hidden too until the offers are read
  }

  // ---- note ----
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
  const noteGuard = guardedText({
    control: note, host: noteConflicts, label: t('ro.note'), read: () => ro.note,
    send: (value) => mutate((v) => api('PATCH', base, { body: { note: value }, version: v })),
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
      saveForm({
        form, base: start, mine: vehicle, current: () => ro.vehicle,
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

  // ---- parties ----
  const partiesBody = h('div', { class: 'parties' });
  const partiesCard = h('section', { class: 'card', 'aria-labelledby': 'h-parties' },
    h('div', { class: 'card-head' },
      h('h2', { class: 'card-title', id: 'h-parties' }, icon('person'), t('ro.parties')),
      h('button', { type: 'button', class: 'btn btn-small', onclick: addParty }, icon('plus'), t('party.add'))),
    partiesBody);

  function addParty() {
    partyDialog({ ro, save: (body) => add((v) => api('POST', `${base}/parties`, { body, version: v })) })
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
    const now = ro.parties.find((p) => p.id === party.id);
    const c = now && now.contact_points.find((x) => x.value === value);
    return c ? c.display : (value || '');
  }

  function renderParties() {
    // Drawn again only when they changed (a live update must not take the focus from a button).
    const key = `${state.lang}|${JSON.stringify(ro.parties)}`;
    if (key === partiesShown) return;
    partiesShown = key;
    clear(partiesBody);
    if (!ro.parties.length) {
      partiesBody.append(h('p', { class: 'muted empty-inline' }, t('party.none')));
      return;
    }
    for (const p of ro.parties) partiesBody.append(partyBlock(p));
  }

  function partyBlock(p) {
    const purl = `${base}/parties/${p.id}`;
    const edit = () => {
      const start = { ...p };
      return partyDialog({
        ro, party: p,
        save: (body, form, controls) => saveForm({
          form, base: start, mine: body, keys: partyKeys(controls),
          current: () => ro.parties.find((x) => x.id === p.id),
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
        save: (body, form, controls) => saveForm({
          form, base: start, mine: body, keys: contactKeys(controls, p),
          current: () => ro.parties.find((x) => x.id === p.id)?.contact_points.find((x) => x.id === c.id),
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
    const label = h('input', { type: 'text', autocomplete: 'off' });
    const mnote = h('textarea', { rows: '3' });
    const kind = select(KINDS.map((k) => ({ value: k, label: t(`kind.${k}`) })), { value: ro.interventions.length ? 'optional' : 'initial' });
    // The severity follows the kind until the advisor picks one (the server's default too):
    // the work the customer came for is urgent, something found on the way can wait.
    const severityFor = (k) => (k === 'initial' ? 'red' : 'orange');
    const severity = select(SEVERITIES.map((s) => ({ value: s, label: t(`severity.${s}`) })), { value: severityFor(kind.value) });
    let severityPicked = false;
    severity.addEventListener('change', () => { severityPicked = true; });
    kind.addEventListener('change', () => { if (!severityPicked) severity.value = severityFor(kind.value); });
    const excl = h('input', { type: 'text', inputmode: 'decimal', class: 'money-input', autocomplete: 'off' });
    const vat = vatSelect(state.dealer ? state.dealer.default_vat_rate_bp : 2000);
    const shown = checkbox(t('item.shownLabel'), { checked: true });
    shown.querySelector('input').dataset.field = 'shown';
    const body = h('div', { class: 'form' },
      field({ label: t('item.label'), control: label, field: 'label', max: LIMITS.label }),
      field({ label: t('item.note'), control: mnote, field: 'mechanic_note', optional: true, max: LIMITS.mechanic_note }),
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
        return add((v) => api('POST', `${base}/interventions`, { body: out, version: v }));
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

  /** One intervention row, edited in place; `update` refreshes it without stealing focus and
   * without ever replacing what is being typed (guardedText). */
  function interventionRow(initial) {
    let item = initial;
    const iurl = () => `${base}/interventions/${item.id}`;
    const show = (control, value) => setValue(control, value);
    const rid = nextId('it');
    const err = h('p', { class: 'row-error', id: `${rid}-err`, role: 'alert', hidden: true });
    const conflicts = h('div', { class: 'row-conflicts' });
    const rowError = (message, control) => {
      err.textContent = message;
      err.hidden = false;
      if (control) control.setAttribute('aria-invalid', 'true');
    };
    const errorOf = (e) => (e.fields && e.fields.length ? e.fields.map((f) => f.message).join(' ') : e.message);
    const clearError = (control) => {
      err.hidden = true;
      if (control && !limitMessage(control)) control.removeAttribute('aria-invalid');
    };
    const save = (body, control, extra) => {
      if (extra) body = { ...body, ...extra };
      clearError(control);
      return quick((v) => api('PATCH', iurl(), { body, version: v }), (e) => rowError(errorOf(e), control));
    };
    /** A PATCH whose problems reach the caller (the typed fields handle them themselves). */
    const send = (body, extra) => mutate((v) => api('PATCH', iurl(), { body: extra ? { ...body, ...extra } : body, version: v }));
    const pos = h('span', { class: 'pos' });
    // The label wraps and shows whole (a textarea on one logical line: Enter saves, a pasted
    // line break becomes a space); a long note is folded until asked for or edited.
    const label = h('textarea', { class: 'cell-input label-input', rows: '1', 'aria-label': t('item.label'), spellcheck: 'true' });
    const labelCounter = limitText(label, LIMITS.label, t('item.label'));
    label.addEventListener('input', () => {
      if (/[\r\n]/.test(label.value)) {
        const at = label.selectionStart;
        label.value = label.value.replace(/\r\n?|\n/g, ' ');
        label.setSelectionRange(at, at);
        syncLimit(label);
      }
      fitLabel();
    });
    const mnote = h('textarea', {
      class: 'cell-input note-input', id: `${rid}-note`, rows: '1', placeholder: t('item.notePlaceholder'), 'aria-label': t('item.note'),
    });
    const noteCounter = limitText(mnote, LIMITS.mechanic_note, t('item.note'));
    let noteOpen = false; // the advisor asked to read the whole note
    const noteToggle = h('button', {
      type: 'button', class: 'btn-link note-toggle', hidden: true, 'aria-controls': mnote.id, 'aria-expanded': 'false',
      onclick: () => { noteOpen = !noteOpen; fitNote(); },
    });
    mnote.addEventListener('input', () => fitNote());
    mnote.addEventListener('focus', () => fitNote());
    // Folded again once the focus has gone, after the click that moved it (so nothing the
    // pointer aimed at moves away under it).
    mnote.addEventListener('blur', () => afterPointer(() => { if (alive) fitNote(); }));
    label.setAttribute('aria-describedby', `${labelCounter.id} ${err.id}`);
    mnote.setAttribute('aria-describedby', `${noteCounter.id} ${err.id}`);
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

    // What is typed: the label, the note and the two prices, each saved without being lost.
    const typed = (control, key, { seen = false, money: isMoney = false, afterPut } = {}) => guardedText({
      control, host: conflicts, label: control.getAttribute('aria-label'), read: () => item[key],
      send: seen
        ? (value) => changeSeen(item, false, (extra) => send({ [key]: value }, extra))
        : (value) => send({ [key]: value }),
      ...(isMoney ? { toText: moneyInput, fromText: parseMoney, format: money } : {}),
      onError: (e) => rowError(errorOf(e), control),
      onSettled: () => clearError(control),
      afterPut,
    });
    const guards = new Map([
      [label, typed(label, 'label', { seen: true, afterPut: () => fitLabel() })],
      [mnote, typed(mnote, 'mechanic_note', { afterPut: () => fitNote() })],
      [excl, typed(excl, 'price_excl_cents', { seen: true, money: true })],
      [incl, typed(incl, 'price_incl_cents', { seen: true, money: true })],
    ]);
    for (const [control, guard] of guards) {
      const isMoney = control === excl || control === incl;
      control.addEventListener('change', () => {
        clearError(control);
        if (control === label && !label.value.trim()) { rowError(t('item.labelRequired'), label); return; }
        // Too long: refused with the reason, never cut; the text stays as typed.
        const tooLong = limitMessage(control);
        if (tooLong) { rowError(tooLong, control); return; }
        // Only the edited price is sent: the server computes the other with the row's VAT rate.
        const value = isMoney ? parseMoney(control.value) : control.value.trim();
        if (isMoney && (value === undefined || value === null)) { rowError(t('item.amountInvalid'), control); return; }
        guard.save(value);
      });
      // Leaving a field without changing it shows the latest value again.
      control.addEventListener('blur', () => { if (!guard.dirty()) guard.show(); });
      control.addEventListener('keydown', (ev) => {
        // Enter saves; in the note it starts a new line and Ctrl+Enter saves.
        const saveKey = ev.key === 'Enter' && (control !== mnote || ev.ctrlKey || ev.metaKey);
        if (saveKey) { ev.preventDefault(); control.blur(); control.focus(); }
        if (ev.key === 'Escape') {
          clearError(control);
          guard.revert();
        }
      });
    }
    kind.addEventListener('change', () => save({ kind: kind.value }, kind));
    severity.addEventListener('change', () => { dot.className = `sev-dot sev-${severity.value}`; save({ severity: severity.value }, severity); });
    shown.addEventListener('change', () => changeSeen(item, shown.checked, (extra) => save({ shown: shown.checked }, shown, extra)));
    vat.addEventListener('change', () => save({ vat_rate_bp: Number(vat.value) }, vat));

    const tr = h('tr', { class: 'item-row', dataset: { id: String(item.id) } },
      h('td', { class: 'col-pos' }, pos),
      h('td', { class: 'col-label' }, label, labelCounter, mnote, noteCounter, noteToggle, err),
      h('td', { class: 'col-kind' }, kind, h('div', { class: 'sev' }, dot, severity)),
      h('td', { class: 'col-shown' }, h('label', { class: 'shown-toggle', for: shown.id }, shown, h('span', { class: 'visually-hidden' }, t('item.shownLabel')))),
      h('td', { class: 'num col-price' }, excl),
      h('td', { class: 'num col-vat' }, vat),
      h('td', { class: 'num col-price' }, incl),
      // Two short groups over two lines, so that the label column keeps the width.
      h('td', { class: 'col-actions' }, h('div', { class: 'row-actions' },
        h('span', { class: 'row-actions-group' }, thumbUp, thumbDown),
        h('span', { class: 'row-actions-group' }, up, down, del))));

    // A field someone else changed while it was typed: both values, across the table's width.
    const conflictRow = h('tr', { class: 'conflict-row', dataset: { id: String(item.id) } },
      h('td', { class: 'col-pos' }), h('td', { colspan: '7' }, conflicts));

    function fitLabel() {
      fitRows(label, { min: 1, max: 12 });
    }
    function fitNote() {
      const open = noteOpen || document.activeElement === mnote;
      const needed = fitRows(mnote, { min: 1, max: open ? 30 : NOTE_FOLDED_LINES });
      if (!needed) return; // not laid out yet
      const long = needed > NOTE_FOLDED_LINES;
      mnote.classList.toggle('is-folded', long && !open);
      noteToggle.hidden = !long || document.activeElement === mnote;
      noteToggle.setAttribute('aria-expanded', String(open));
      noteToggle.textContent = t(open ? 'item.noteLess' : 'item.noteMore');
    }

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
      for (const guard of guards.values()) guard.show();
      show(kind, item.kind);
      show(severity, item.severity);
      dot.className = `sev-dot sev-${item.severity}`;
      show(shown, item.shown);
      tr.classList.toggle('is-hidden-item', !item.shown);
      thumbUp.setAttribute('aria-pressed', String(item.authorized === true));
      thumbDown.setAttribute('aria-pressed', String(item.authorized === false));
      thumbUp.setAttribute('aria-label', t('item.authorizeNamed', { label: item.label }));
      thumbDown.setAttribute('aria-label', t('item.refuseNamed', { label: item.label }));
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
      rows: [tr, conflictRow],
      update,
      fit() { fitLabel(); fitNote(); },
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
    if (discard) { // drawn anew from what is saved
      for (const r of rowsById.values()) r.rows.forEach((el) => el.remove());
      rowsById.clear();
    }
    let cursor = itemsBody.firstElementChild;
    items.forEach((item, i) => {
      let r = rowsById.get(item.id);
      if (!r) {
        r = interventionRow(item);
        rowsById.set(item.id, r);
      }
      seen.add(item.id);
      r.update(item, i, items.length);
      // Each item is its row and the row of its conflicts below. Only rows out of place move,
      // so that a focused input keeps its focus.
      for (const el of r.rows) {
        if (el === cursor) cursor = cursor.nextElementSibling;
        else itemsBody.insertBefore(el, cursor);
      }
    });
    for (const [rid, r] of rowsById) {
      if (!seen.has(rid)) { r.rows.forEach((el) => el.remove()); rowsById.delete(rid); }
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
  const offers = offersPanel({
    base, getRo: () => ro, onChange: () => loadTimeline(), onRoChanged: () => refresh(), onLoaded: () => syncActions(),
  });
  // What the customer wrote back by SMS, above everything else while unread.
  const replies = repliesPanel({ base, getRo: () => ro, onChange: () => loadTimeline() });
  // A change to this RO (another tab or advisor's edit, a DMS, a customer's answer or SMS, a
  // delivery): the RO itself, its offers, replies and history are fetched again. What is being
  // typed stays (guardedText); a field someone else changed meanwhile is shown when it is saved.
  const stopLive = onRepairOrdersChanged((ids) => {
    if (ids && !ids.includes(ro.id)) return;
    refreshLive(); // the history too
    offers.refresh();
    replies.refresh();
  });

  // ---- page ----
  function render({ discard = false } = {}) {
    setTitle(ro.number, ro.vehicle.plate);
    title.textContent = ro.number;
    const deleted = Boolean(ro.deleted_at);
    replace(chipBox, statusChip(ro.status),
      ro.needs_attention && !deleted ? h('span', { class: 'tag tag-attention' }, icon('flag'), t('ro.toHandle')) : null);
    renderDeleted(deleted);
    syncActions();
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
    noteGuard.show(ro.note);
    if (discard) vehicleEditing = false;
    if (!vehicleEditing) renderVehicle();
    renderParties();
    renderInterventions({ discard });
  }

  /** A deleted RO: who deleted it and when, and nothing left to change (its whole history shown). */
  function renderDeleted(deleted) {
    page.classList.toggle('is-deleted', deleted);
    for (const fs of locks) fs.disabled = deleted;
    deletedBanner.hidden = !deleted;
    if (!deleted) return;
    vehicleEditing = false;
    timelineAll = true;
    const by = ro.deleted_by && (ro.deleted_by.display_name || ro.deleted_by.username);
    const when = dateTime(ro.deleted_at);
    replace(deletedBanner, icon('trash'), h('div', {},
      h('p', { class: 'banner-title' }, by ? t('ro.deletedBy', { when, name: by }) : t('ro.deletedAt', { when })),
      h('p', {}, t('ro.deletedText'))));
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

  const page = h('section', { class: 'page page-ro' },
    header,
    conflictBanner,
    lock(h('div', { class: 'ro-grid' },
      h('div', { class: 'ro-main' }, replies.card, itemsCard, offers.card, timelineCard),
      h('aside', { class: 'ro-side' }, partiesCard, noteCard, vehicleCard))));
  main.append(page);
  render();
  replies.refresh();
  loadTimeline();

  return {
    cleanup() {
      alive = false;
      stopLive();
      document.removeEventListener('pointerdown', onPointerDown, true);
      document.removeEventListener('pointerup', onPointerUp, true);
      offers.stop();
      refit.cancel();
      window.removeEventListener('resize', refit);
    },
  };
}

function fact(label, value) {
  return h('div', { class: 'fact' }, h('dt', {}, label), h('dd', {}, value === '' || value === null ? h('span', { class: 'muted' }, '—') : value));
}
