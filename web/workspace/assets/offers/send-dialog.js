// The send dialog of an offer: which contacts, the note, the interventions that will be shown,
// when; then a preview of each message (the SMS's cost, the email's subject and text) and the send.
import { api, ApiError } from '../core/api.js';
import { parseMoney, LIMITS } from '../core/limits.js';
import { t, money, moneyInput, count, plural, localText, weekdayTime, dealerLanguage } from '../core/i18n.js';
import {
  h, icon, replace, clear, field, formAlert, clearErrors, confirmDialog, nextId, limitText, limitMessage, limitProblems,
} from '../core/dom.js';
import { policyControls } from './reminders.js';
import { messageSection } from './send-message.js';

/** Initial interventions first, then the optional ones, each in the RO's order. */
function offeredOrder(a, b) {
  if (a.kind !== b.kind) return a.kind === 'initial' ? -1 : 1;
  return a.position - b.position;
}

/**
 * The send dialog: which contacts, the note, the interventions that will be shown; then a
 * preview of each message (the SMS's cost, the email's subject and text) and the send.
 * Resolves with the new offer, or null when cancelled.
 */
export function sendDialog({ base, ro }) {
  return new Promise((resolve) => {
    let result = null;
    let step = 'compose';
    let sentIds = [];
    const { recipientsBox, recipientsErr, boxes } = recipientsSection(ro);

    // ---- the note, with its limit (shown as it comes near, refused past it: dom.js limitText) ----
    const note = h('textarea', { rows: '4', spellcheck: 'true', placeholder: t('send.notePlaceholder') });
    const noteField = field({
      label: t('send.note'), control: note, field: 'note', optional: true, className: 'send-section', hint: t('send.noteHint'), max: LIMITS.offer_note,
    });
    noteField.querySelector('.char-counter').classList.add('note-counter');

    const { itemsBox, itemsErr } = itemsSection({ base, ro });
    const { whenBox, laterRadio, relativeRadio, relativeHours, relativeInput, sendAt, sendAtErr } = whenSection(ro);
    // Reminders: the dealership's default unless the advisor chooses another plan here.
    const reminders = policyControls({ withDefault: true });
    const remindersErr = h('p', { class: 'field-error', hidden: true });
    const remindersBox = h('fieldset', { class: 'fieldset send-section send-reminders' },
      h('legend', {}, t('rem.title')), reminders.box, remindersErr);

    // In whose name, and this send's wording (send-message.js), in the customer's language.
    const main = ro.parties.find((p) => p.roles.includes('driver')) || ro.parties[0];
    const message = messageSection({ ro, lang: (main && main.language) || dealerLanguage() });

    const compose = h('div', { class: 'form send-compose' }, recipientsBox, noteField, itemsBox, whenBox, remindersBox, message.box);
    const preview = h('div', { class: 'send-preview', hidden: true });

    // ---- the dialog (the same frame as dom.js formDialog, with two steps) ----
    const alert = formAlert();
    const titleId = nextId('dlg');
    const title = h('h2', { id: titleId }, t('send.title'));
    const back = h('button', { type: 'button', class: 'btn', hidden: true, onclick: () => showStep('compose') }, icon('back'), t('send.back'));
    const cancel = h('button', { type: 'button', class: 'btn', onclick: () => dlg.close() }, t('common.cancel'));
    const submit = h('button', { type: 'submit', class: 'btn btn-primary' });
    const form = h('form', { class: 'dialog-form', novalidate: true },
      h('header', { class: 'dialog-head' }, title,
        h('button', { type: 'button', class: 'btn-icon', 'aria-label': t('common.close'), title: t('common.close'), onclick: () => dlg.close() }, icon('close'))),
      h('div', { class: 'dialog-body' }, alert, compose, preview),
      h('footer', { class: 'dialog-foot' }, back, h('span', { class: 'foot-spacer' }), cancel, submit));
    const dlg = h('dialog', { class: 'dialog dialog-wide dialog-send', 'aria-labelledby': titleId }, form);

    function showStep(which) {
      step = which;
      compose.hidden = which !== 'compose';
      preview.hidden = which !== 'preview';
      back.hidden = which !== 'preview';
      title.textContent = which === 'compose' ? t('send.title') : t('send.previewTitle');
      const later = laterRadio.checked || relativeRadio.checked;
      replace(submit, which === 'compose' ? [icon('search'), t('send.preview')]
        : [icon(later ? 'clock' : 'send'), t(later ? 'send.schedule' : 'send.send')]);
      if (which === 'compose') alert.hidden = true;
      form.querySelector('.dialog-body').scrollTop = 0;
    }

    function request() {
      sentIds = boxes.filter((b) => b.input.checked && !b.input.disabled).map((b) => b.c.id);
      const body = { recipients: sentIds, note: note.value };
      if (laterRadio.checked) body.send_at = sendAt.value;
      if (relativeRadio.checked) body.send_relative = { hours: relativeHours() };
      const plan = reminders.value();
      if (plan) body.reminders = plan;
      return Object.assign(body, message.value());
    }

    const problemTargets = () => ({
      form, alert, boxes, sentIds, recipientsErr, noteField, note, sendAt, sendAtErr, relativeInput, itemsErr, reminders, remindersErr,
    });

    function showAlert(message) {
      replace(alert, icon('alert'), h('div', {}, h('p', { class: 'form-alert-title' }, message)));
      alert.hidden = false;
      alert.focus();
    }

    async function doPreview() {
      const body = request();
      if (!body.recipients.length) {
        clearErrors(form);
        recipientsErr.textContent = t('send.pickOne');
        recipientsErr.hidden = false;
        const firstBox = boxes.find((b) => !b.input.disabled);
        if (firstBox) firstBox.input.focus();
        return;
      }
      // A text over its limit is refused here, with the reason next to it; never cut.
      const tooLong = limitProblems(compose);
      if (tooLong.length) {
        showProblems({ message: plural('limit.formTitle', tooLong.length), fields: tooLong }, problemTargets());
        return;
      }
      const r = await api('POST', `${base}/offers/preview`, { body });
      clearErrors(form);
      renderPreview(preview, r.data, boxes);
      showStep('preview');
      submit.focus();
    }

    async function doSend(replaceSeen = false) {
      const body = request();
      if (replaceSeen) body.replace_seen = true;
      try {
        const r = await api('POST', `${base}/offers`, { body });
        result = r.data;
        dlg.close();
      } catch (e) {
        if (e instanceof ApiError && e.status === 409 && e.code === 'confirmation_required') {
          const ok = await confirmDialog({
            title: t('send.replaceTitle'), text: t('send.replaceText'), confirmLabel: t('send.replaceConfirm'), danger: false,
          });
          if (ok) await doSend(true);
          return;
        }
        throw e;
      }
    }

    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (submit.disabled) return;
      submit.disabled = true;
      back.disabled = true;
      try {
        if (step === 'compose') await doPreview();
        else await doSend();
      } catch (e) {
        if (e && e.handled) { dlg.close(); return; }
        if (e instanceof ApiError && e.status === 422) {
          showStep('compose');
          showProblems(e, problemTargets());
        } else {
          showAlert(e && e.message ? e.message : String(e));
        }
      } finally {
        submit.disabled = false;
        back.disabled = false;
      }
    });
    for (const b of boxes) {
      b.input.addEventListener('change', () => {
        recipientsErr.hidden = true;
        b.err.hidden = true;
        b.input.removeAttribute('aria-invalid');
      });
    }
    dlg.addEventListener('close', () => {
      dlg.remove();
      resolve(result);
    });

    showStep('compose');
    document.body.append(dlg);
    dlg.showModal();
    const firstBox = boxes.find((b) => !b.input.disabled);
    (firstBox ? firstBox.input : note).focus();
  });
}

/** The recipients: every contact point of every party; opted-out ones greyed and disabled. */
function recipientsSection(ro) {
  const boxes = [];
  const parties = ro.parties.map((p) => {
    const rows = p.contact_points.map((c) => {
      const off = Boolean(c.opted_out || p.opted_out);
      const noSms = c.kind === 'phone' && c.sms_capable === false;
      const input = h('input', { type: 'checkbox', value: String(c.id), disabled: off || noSms, dataset: { contactPointId: String(c.id) } });
      const err = h('p', { class: 'field-error', id: nextId('rcpt-err'), hidden: true });
      input.setAttribute('aria-describedby', err.id);
      boxes.push({ c, p, input, err });
      return h('li', { class: ['send-rcpt', off || noSms ? 'is-disabled' : null] },
        h('label', { class: 'check send-rcpt-label' },
          input,
          icon(c.kind === 'phone' ? 'phone' : 'mail', 'contact-icon'),
          h('span', { class: 'send-rcpt-value' }, c.display || c.value),
          h('span', { class: 'tags' },
            h('span', { class: 'tag' }, t(`contact.${c.usage}`)),
            noSms ? h('span', { class: 'tag tag-muted' }, t('contact.noSms')) : null,
            c.opted_out || p.opted_out ? h('span', { class: 'tag tag-off' }, icon('close'), t('send.optedOut')) : null)),
        err);
    });
    return h('li', { class: ['send-party', p.opted_out ? 'is-opted-out' : null] },
      h('div', { class: 'send-party-head' },
        icon(p.kind === 'company' ? 'company' : 'person', 'send-party-icon'),
        h('strong', {}, [p.kind === 'person' ? p.title : '', p.display_name].filter(Boolean).join(' ')),
        h('span', { class: 'tags' }, p.roles.map((r) => h('span', { class: 'tag tag-role' }, t(`role.party.${r}`))))),
      rows.length ? h('ul', { class: 'send-rcpts' }, rows) : h('p', { class: 'muted send-rcpts' }, t('contact.none')));
  });
  const recipientsErr = h('p', { class: 'field-error', hidden: true });
  const recipientsBox = h('fieldset', { class: 'fieldset send-section' },
    h('legend', {}, t('send.recipients')),
    h('p', { class: 'field-hint send-lead' }, t('send.recipientsHint')),
    parties.length ? h('ul', { class: 'send-parties' }, parties) : h('p', { class: 'muted' }, t('send.noContacts')),
    recipientsErr);
  return { recipientsBox, recipientsErr, boxes };
}

/** The interventions: shown or not, the price incl. VAT and the mechanic's note, each change
 * saved to the RO at once (the RO page shows it too). */
function itemsSection({ base, ro }) {
  let version = ro.version;
  let items = [...ro.interventions].sort(offeredOrder);
  const itemsErr = h('p', { class: 'field-error', hidden: true });
  const itemsList = h('ul', { class: 'send-items' });
  const itemsCount = h('span', { class: 'count-badge' });
  const itemsTotal = h('span', { class: 'money' });
  async function saveItem(item, body, control) {
    control.removeAttribute('aria-invalid');
    itemsErr.hidden = true;
    try {
      let r;
      try {
        r = await api('PATCH', `${base}/interventions/${item.id}`, { body, version });
      } catch (e) {
        // The customer confirmed this item as it was: changed only once the advisor has read
        // what they accepted (the new version this dialog sends replaces it).
        if (!(e instanceof ApiError && e.code === 'agreed_by_customer' && e.params)) throw e;
        const p = e.params;
        const ok = await confirmDialog({
          title: t('item.agreedTitle'),
          text: `${t('item.agreedText', { label: p.label, price: money(Number(p.price_incl_cents)), n: p.version })} ${t('item.agreedDialogHint')}`,
          confirmLabel: t('item.agreedChange'),
          danger: false,
        });
        if (!ok) {
          renderItems(control);
          return null;
        }
        r = await api('PATCH', `${base}/interventions/${item.id}`, { body: { ...body, change_agreed: true }, version });
      }
      const fresh = await api('GET', base);
      version = fresh.version ?? fresh.data.version;
      items = [...fresh.data.interventions].sort(offeredOrder);
      ro.interventions = fresh.data.interventions;
      renderItems(control);
      return r;
    } catch (e) {
      if (e.handled) return null;
      itemsErr.textContent = e.fields && e.fields.length ? e.fields.map((f) => f.message).join(' ') : e.message;
      itemsErr.hidden = false;
      control.setAttribute('aria-invalid', 'true');
      return null;
    }
  }
  function itemRow(i) {
    const shownBox = h('input', { type: 'checkbox', checked: i.shown, 'aria-label': t('send.itemShown', { label: i.label }) });
    shownBox.addEventListener('change', () => saveItem(i, { shown: shownBox.checked }, shownBox));
    const price = h('input', {
      type: 'text', inputmode: 'decimal', class: 'money-input send-price', value: moneyInput(i.price_incl_cents),
      'aria-label': t('send.itemPrice', { label: i.label }),
    });
    price.addEventListener('change', () => {
      const cents = parseMoney(price.value);
      if (cents === undefined || cents === null) {
        itemsErr.textContent = t('item.amountInvalid');
        itemsErr.hidden = false;
        price.setAttribute('aria-invalid', 'true');
        return;
      }
      saveItem(i, { price_incl_cents: cents }, price);
    });
    const noteBox = h('textarea', {
      rows: '1', class: 'send-item-note', placeholder: t('item.notePlaceholder'),
      'aria-label': t('send.itemNote', { label: i.label }),
    });
    noteBox.value = i.mechanic_note || '';
    const noteCounter = limitText(noteBox, LIMITS.mechanic_note, t('send.itemNote', { label: i.label }));
    noteBox.setAttribute('aria-describedby', noteCounter.id);
    noteBox.addEventListener('change', () => {
      // Too long: refused with the reason, never cut; the text stays as typed.
      const tooLong = limitMessage(noteBox);
      if (tooLong) {
        itemsErr.textContent = tooLong;
        itemsErr.hidden = false;
        return;
      }
      saveItem(i, { mechanic_note: noteBox.value.trim() }, noteBox);
    });
    return h('li', { class: ['send-item', i.shown ? null : 'is-hidden'], dataset: { interventionId: String(i.id) } },
      h('label', { class: 'check send-item-shown' }, shownBox,
        h('span', { class: `sev-dot sev-${i.severity}`, 'aria-hidden': 'true' }),
        h('span', { class: 'send-item-label' }, i.label)),
      h('span', { class: 'tag' }, t(`kind.${i.kind}`)),
      h('span', { class: 'send-item-price' }, price, h('span', { class: 'muted' }, t('send.inclVat'))),
      noteBox, noteCounter);
  }
  function renderItems(focused) {
    // The control being used keeps its focus across the re-render.
    const keep = focused && focused.getAttribute('aria-label');
    clear(itemsList);
    for (const i of items) itemsList.append(itemRow(i));
    const shownItems = items.filter((i) => i.shown);
    itemsCount.textContent = shownItems.length ? String(shownItems.length) : '';
    itemsTotal.textContent = money(shownItems.reduce((sum, i) => sum + i.price_incl_cents, 0));
    if (keep) itemsList.querySelector(`[aria-label="${CSS.escape(keep)}"]`)?.focus();
  }
  renderItems();
  const itemsBox = h('section', { class: 'send-section', 'aria-labelledby': 'send-items-title' },
    h('h3', { class: 'send-title', id: 'send-items-title' }, t('send.items'), itemsCount),
    items.length ? itemsList : h('p', { class: 'notice' }, icon('alert'), t('send.noItems')),
    h('p', { class: 'send-items-total' }, h('span', { class: 'send-item-label' }, t('send.total')), itemsTotal),
    h('p', { class: 'field-hint' }, t('send.itemsHint')),
    itemsErr);
  return { itemsBox, itemsErr };
}

/** When: now, at a date, or so many hours before or after the RO's promised time, shown as the
 * local time it gives (a scheduled send waits and can be cancelled until it leaves; a relative
 * one follows the promised time until then). */
function whenSection(ro) {
  const nowRadio = h('input', { type: 'radio', name: 'send-when', value: 'now', checked: true });
  const laterRadio = h('input', { type: 'radio', name: 'send-when', value: 'later' });
  const sendAt = h('input', { type: 'datetime-local', id: nextId('send-at'), disabled: true, step: '60' });
  const promised = ro.promised_at || null;
  const relativeRadio = h('input', { type: 'radio', name: 'send-when', value: 'relative', disabled: !promised });
  const relativeInput = h('input', {
    type: 'number', class: 'send-rel-hours', min: '0', max: '168', step: '1', value: '2', inputmode: 'numeric', disabled: true,
    'aria-label': t('send.relHours'),
  });
  const relativeSide = h('select', { class: 'send-rel-side', disabled: true, 'aria-label': t('send.relSide') },
    h('option', { value: 'before' }, t('send.relBefore')),
    h('option', { value: 'after' }, t('send.relAfter')));
  const relativeResult = h('p', { class: 'send-rel-result', 'aria-live': 'polite' });
  const sendAtErr = h('p', { class: 'field-error', hidden: true });
  // The offset as the API takes it (negative: before); a number that is no whole one goes as
  // typed, for the server to say what is wrong with it.
  const relativeHours = () => {
    const n = Number(relativeInput.value);
    if (relativeInput.value.trim() === '' || !Number.isInteger(n)) return relativeInput.value;
    return relativeSide.value === 'before' ? -n : n;
  };
  const showResult = () => {
    clear(relativeResult);
    if (!promised) {
      relativeResult.append(t('send.relNoPromised'));
      return;
    }
    const hours = relativeHours();
    if (typeof hours !== 'number') return;
    const when = new Date(Date.parse(promised) + hours * 3600000).toISOString();
    relativeResult.append(icon('clock'), ' ', t('send.relResult'), ' ',
      h('strong', { class: 'send-rel-when', dataset: { sendAt: when } }, weekdayTime(when)),
      h('span', { class: 'muted' }, ` · ${t('send.relPromised', { when: weekdayTime(promised) })}`));
  };
  const syncWhen = () => {
    sendAt.disabled = !laterRadio.checked;
    relativeInput.disabled = !relativeRadio.checked;
    relativeSide.disabled = !relativeRadio.checked;
    relativeResult.classList.toggle('is-off', !relativeRadio.checked);
    if (laterRadio.checked && !sendAt.value) {
      // Tomorrow at 8:00 by default: when customers read their messages.
      const d = new Date();
      d.setDate(d.getDate() + 1);
      d.setHours(8, 0, 0, 0);
      const pad = (n) => String(n).padStart(2, '0');
      sendAt.value = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T08:00`;
    }
  };
  // A refusal said next to the choice goes once the choice changes.
  const clearError = () => {
    sendAtErr.hidden = true;
    sendAtErr.textContent = '';
    for (const c of [sendAt, relativeInput]) c.removeAttribute('aria-invalid');
  };
  for (const r of [nowRadio, laterRadio, relativeRadio]) r.addEventListener('change', () => { clearError(); syncWhen(); });
  for (const c of [sendAt, relativeInput, relativeSide]) c.addEventListener('input', clearError);
  relativeInput.addEventListener('input', showResult);
  relativeSide.addEventListener('change', showResult);
  showResult();
  syncWhen();
  const whenBox = h('fieldset', { class: 'fieldset send-section send-when' },
    h('legend', {}, t('send.when')),
    h('label', { class: 'check' }, nowRadio, t('send.whenNow')),
    h('div', { class: 'send-later' },
      h('label', { class: 'check' }, laterRadio, t('send.whenLater')),
      h('label', { for: sendAt.id, class: 'visually-hidden' }, t('send.sendAt')),
      sendAt),
    h('div', { class: ['send-later', 'send-relative', promised ? null : 'is-disabled'] },
      h('label', { class: 'check' }, relativeRadio, t('send.whenRelative')),
      relativeInput, h('span', {}, t('send.relUnit')), relativeSide),
    h('div', { class: 'send-rel-info' }, relativeResult,
      promised ? h('p', { class: 'field-hint' }, t('send.relHint')) : null),
    sendAtErr);
  return { whenBox, laterRadio, relativeRadio, relativeHours, relativeInput, sendAt, sendAtErr };
}

/** An API error: each field problem next to its recipient, the note or the interventions. */
function showProblems(e, {
form, alert, boxes, sentIds, recipientsErr, noteField, note, sendAt, sendAtErr, relativeInput, itemsErr, reminders, remindersErr,
}) {
  clearErrors(form);
  const leftover = [];
  let first = null;
  for (const f of e.fields || []) {
    const m = /^recipients\[(\d+)\]/.exec(f.field);
    const box = m ? boxes.find((b) => b.c.id === sentIds[Number(m[1])]) : null;
    let target = null;
    if (box) {
      box.err.textContent = box.err.textContent ? `${box.err.textContent} ${f.message}` : f.message;
      box.err.hidden = false;
      box.input.setAttribute('aria-invalid', 'true');
      target = box.input;
    } else if (f.field === 'recipients') {
      recipientsErr.textContent = f.message;
      recipientsErr.hidden = false;
      target = boxes.find((b) => !b.input.disabled)?.input;
    } else if (f.field === 'note') {
      const err = noteField.querySelector('.field-error');
      err.textContent = f.message;
      err.hidden = false;
      note.setAttribute('aria-invalid', 'true');
      target = note;
    } else if (f.field === 'send_at' || f.field.startsWith('send_relative')) {
      // The API's range is signed (negative: before); the dialog asks for hours and a side.
      const message = f.field === 'send_relative.hours' && f.code === 'out_of_range' ? t('send.relRange') : f.message;
      sendAtErr.textContent = sendAtErr.textContent && !sendAtErr.hidden ? `${sendAtErr.textContent} ${message}` : message;
      sendAtErr.hidden = false;
      target = f.field === 'send_at' ? sendAt : relativeInput;
      target.setAttribute('aria-invalid', 'true');
    } else if (f.field.startsWith('reminders')) {
      remindersErr.textContent = remindersErr.textContent ? `${remindersErr.textContent} ${f.message}` : f.message;
      remindersErr.hidden = false;
      target = f.field === 'reminders.every_hours' ? reminders.hours : reminders.policySelect;
      target.setAttribute('aria-invalid', 'true');
    } else if (f.field === 'interventions' || f.field.startsWith('interventions')) {
      itemsErr.textContent = f.message;
      itemsErr.hidden = false;
      target = itemsErr;
    } else if (form.querySelector(`[data-field="${f.field}"]`)) {
      // The message section's fields (sender_id, message.*): next to their control, opened.
      const control = form.querySelector(`[data-field="${f.field}"]`);
      const details = control.closest('details');
      if (details) details.open = true;
      const err = control.closest('.field').querySelector('.field-error');
      err.textContent = err.textContent ? `${err.textContent} ${f.message}` : f.message;
      err.hidden = false;
      control.setAttribute('aria-invalid', 'true');
      target = control;
    } else {
      leftover.push(f);
    }
    if (!first && target) first = target;
  }
  replace(alert, icon('alert'), h('div', {},
    h('p', { class: 'form-alert-title' }, e.message),
    leftover.length ? h('ul', {}, leftover.map((f) => h('li', {}, f.message))) : null));
  alert.hidden = false;
  if (first && first.focus && first.tabIndex >= 0) first.focus();
  else alert.focus();
}

/** The preview step: the offer's lead, its agreements, and each message as it will leave. */
function renderPreview(preview, p, boxes) {
  clear(preview);
  const byId = new Map(boxes.map((b) => [b.c.id, b]));
  preview.append(h('p', { class: 'send-preview-lead' },
    plural('send.previewLead', p.items.length, { total: money(p.total_incl_cents) })));
  // A scheduled send: when it leaves, and what was asked for when the opening hours defer it.
  if (p.send_at) {
    preview.append(h('p', { class: 'notice send-preview-when', dataset: { sendAt: p.send_at } }, icon('clock'),
      t('send.previewWhen', { when: weekdayTime(p.send_at) }),
      p.asked_for && p.asked_for !== p.send_at ? ` ${t('send.previewDeferred', { when: weekdayTime(p.asked_for) })}` : null));
  }
  if (p.agreements.length) {
    const names = p.agreements.map((a) => `${localText(a.title)} (${t(a.mandatory ? 'agr.mandatory' : 'agr.optional').toLowerCase()})`);
    preview.append(h('p', { class: 'field-hint send-agreements' }, icon('doc'), ' ', t('send.agreements', { list: names.join(', ') })));
  }
  for (const m of p.messages) {
    const b = byId.get(m.contact_point_id);
    const address = b ? (b.c.display || b.c.value) : m.address;
    const head = h('div', { class: 'preview-head' },
      icon(m.channel === 'sms' ? 'phone' : 'mail', 'contact-icon'),
      h('strong', {}, m.name || (b ? b.p.display_name : '')),
      h('span', { class: 'muted' }, address),
      h('span', { class: 'tag' }, t(m.channel === 'sms' ? 'send.channel.sms' : 'send.channel.email')),
      m.language ? h('span', { class: 'tag tag-muted' }, m.language.toUpperCase()) : null);
    let content;
    if (m.channel === 'sms') {
      const s = m.sms || {};
      const text = s.text || m.text;
      content = [
        h('p', { class: 'sms-bubble' }, text),
        h('p', { class: ['sms-info', s.encoding === 'ucs2' || s.parts > 1 ? 'is-costly' : null], dataset: { encoding: s.encoding || '', parts: String(s.parts ?? '') } },
          t('send.smsInfo', { parts: count(s.parts ?? 0), chars: count(s.characters ?? [...text].length), alphabet: t(`send.alphabet.${s.encoding}`) })),
        s.encoding === 'ucs2' ? h('p', { class: 'field-hint' }, t('send.ucs2Hint')) : null,
      ];
    } else {
      content = [
        h('p', { class: 'email-subject' }, h('span', { class: 'email-k' }, t('send.subject')), m.subject),
        h('pre', { class: 'email-text', tabindex: '0', 'aria-label': t('send.textPart') }, m.text),
      ];
    }
    preview.append(h('article', { class: ['preview-msg', `preview-${m.channel}`], dataset: { contactPointId: String(m.contact_point_id) } }, head, content));
  }
}
