// The RO page's header: number, status chip, the actions (mark handled, print, delete), the
// status, advisor and promised date; and the deleted RO's banner and locks.
import { api } from '../core/api.js';
import { t, dateTime, toLocalInput, RO_STATUSES } from '../core/i18n.js';
import { h, icon, replace, clear, select, toast, confirmDialog, nextId, statusChip } from '../core/dom.js';
import { navigate, setTitle } from '../core/nav.js';

export function headerSection(pg) {
  const { id, base, users, saveState, patchRo, refresh } = pg;
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
    if (now === toLocalInput(pg.ro.promised_at)) return;
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
      pg.replies.refresh(); // its unread replies are read now
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
    const number = pg.ro.number;
    const ok = await confirmDialog({
      title: t('ro.deleteTitle'), text: t('ro.deleteText', { number }), confirmLabel: t('ro.deleteConfirm'),
      // After any save under way; a refusal (an offer sent meanwhile, not this advisor's RO)
      // is shown in the dialog in the server's words.
      onConfirm: () => pg.queue.then(() => api('DELETE', base)).catch((e) => {
        pg.offers.refresh();
        throw e;
      }),
    });
    if (!ok) return;
    toast(t('ro.deletedToast', { number }));
    navigate('/repair-orders');
  }

  /** The header's actions as the RO and its offers are now. */
  function syncActions() {
    const deleted = Boolean(pg.ro.deleted_at);
    handleButton.hidden = deleted || !pg.ro.needs_attention;
    deleteButton.hidden = deleted || pg.offers.count() !== 0; // hidden too until the offers are read
  }

  /** The header as the RO now is (`discard`: the saved values replace what is being chosen). */
  function render({ discard = false } = {}) {
    const ro = pg.ro;
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
  }

  /** A deleted RO: who deleted it and when, and nothing left to change (its whole history shown). */
  function renderDeleted(deleted) {
    for (const fs of locks) fs.disabled = deleted;
    deletedBanner.hidden = !deleted;
    if (!deleted) return;
    const by = pg.ro.deleted_by && (pg.ro.deleted_by.display_name || pg.ro.deleted_by.username);
    const when = dateTime(pg.ro.deleted_at);
    replace(deletedBanner, icon('trash'), h('div', {},
      h('p', { class: 'banner-title' }, by ? t('ro.deletedBy', { when, name: by }) : t('ro.deletedAt', { when })),
      h('p', {}, t('ro.deletedText'))));
  }

  function fillAdvisors() {
    const current = pg.ro.advisor ? String(pg.ro.advisor.id) : '';
    const options = [{ value: '', label: t('ro.unassigned') },
      ...users.filter((u) => u.active !== false || String(u.id) === current).map((u) => ({ value: String(u.id), label: u.display_name }))];
    if (pg.ro.advisor && !options.some((o) => o.value === current)) options.push({ value: current, label: pg.ro.advisor.display_name });
    if (advisorSel.options.length !== options.length) {
      clear(advisorSel);
      for (const o of options) advisorSel.append(h('option', { value: o.value }, o.label));
    }
    if (document.activeElement !== advisorSel) advisorSel.value = current;
  }

  return { header, lock, render, syncActions };
}
