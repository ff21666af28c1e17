// The RO page's saving: one change at a time, each with the version the previous one produced;
// a 412 reads the RO again and nothing typed is lost (guardedText for what is typed in place,
// saveForm for the forms and dialogs). `pg` is the page's shared state (ro.js).
import { api, ApiError } from '../core/api.js';
import { t } from '../core/i18n.js';
import {
  h, icon, iconButton, replace, clear, toast, clearErrors, syncLimit, conflictPanel, announce,
} from '../core/dom.js';

/** Adds to `pg` the page's save state and banner, mutate / quick / add, refresh and refreshLive. */
export function savingFor(pg) {
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
    const run = pg.queue.then(async () => {
      saveState.className = 'save-state is-saving';
      replace(saveState, h('span', { class: 'spinner', 'aria-hidden': 'true' }), t('ro.saving'));
      try {
        const r = await fn(pg.version);
        if (r && r.version !== undefined) pg.version = r.version;
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
    pg.queue = run.catch(() => {});
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
    const r = await api('GET', pg.base);
    if (!pg.alive) return;
    const next = r.version ?? r.data.version;
    // A read overtaken by a save (a live update racing the advisor's own change) is older.
    if (!discard && pg.version !== null && next < pg.version) return;
    pg.ro = r.data;
    pg.version = next;
    pg.render({ discard });
    pg.offers.redraw();
    pg.timeline.load();
  }

  // A live update: read the RO again (after any save under way), one read at a time.
  let liveRead = null;
  let liveAgain = false;
  function refreshLive() {
    if (liveRead) { liveAgain = true; return; }
    liveRead = pg.queue.then(() => refresh()).catch(() => {}).finally(() => {
      liveRead = null;
      if (liveAgain && pg.alive) { liveAgain = false; refreshLive(); }
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
    if (e.conflict && pg.alive) return mutate(fn);
    throw e;
  });

  const patchRo = (body) => quick((v) => api('PATCH', pg.base, { body, version: v }));
  Object.assign(pg, {
    saveState, conflictBanner, afterPointer, mutate, conflict, refresh, refreshLive, quick, add, patchRo,
    stopSaving() {
      document.removeEventListener('pointerdown', onPointerDown, true);
      document.removeEventListener('pointerup', onPointerUp, true);
    },
  });
}

/**
 * What the advisor types in `control`, saved without ever being lost. `read()` is the field's
 * latest value from the server and `send(value)` saves it (through mutate). The value this tab
 * showed before they typed is kept: if someone else changed the field since (seen live, or
 * learnt from a 412), both are shown in `host` and the advisor keeps either; "keep mine" saves
 * it on the current version. A text that differs from what the page last showed is never
 * replaced by an update. `toText`/`fromText` convert to and from the control's text.
 */
export function guardedText(pg, {
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
      for (let attempt = 0; attempt < 3 && pg.alive; attempt += 1) {
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
export async function saveForm(pg, { form, send, keys, base, mine, current }) {
  try {
    return await pg.mutate(send);
  } catch (e) {
    if (!e.conflict || !pg.alive) throw e;
    const now = current();
    if (!now) throw e;
    const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
    const clashes = keys.filter((k) => k.key in mine && !same(now[k.key], base[k.key]) && !same(now[k.key], mine[k.key]));
    if (!clashes.length) return pg.mutate(send);
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
