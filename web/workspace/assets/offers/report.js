// The repair report on the latest offer (issue 15): once the offer is locked and the RO ready,
// "Send the report" opens a dialog (what was done per item, a note where an accepted item was not
// done, the final amount, a note to the customer, the message as it will go), then sends it. The
// block shows the versions sent: when, by whom, and the message's delivery.
import { api } from '../core/api.js';
import { parseMoney } from '../core/limits.js';
import { t, plural, money, moneyInput, dateTime, failureText } from '../core/i18n.js';
import { h, icon, replace, formDialog, debounce, toast } from '../core/dom.js';

/** The report block of a locked offer; draws itself once GET <base>/report answers. */
export function reportBlock(o, { base, messageChip }) {
  const box = h('section', { class: 'offer-report', 'aria-labelledby': `report-${o.id}-title`, dataset: { offerId: String(o.id) } },
    h('h4', { class: 'offer-sub', id: `report-${o.id}-title` }, icon('doc'), t('report.title')),
    h('p', { class: 'muted' }, t('report.loading')));
  const load = () => api('GET', `${base}/report`).then((r) => draw(r.data)).catch((e) => {
    if (!e.handled) replace(box, h('p', { class: 'muted' }, t('report.loadFailed', { message: e.message })));
  });

  function draw(data) {
    const latest = data.items[0] || null;
    const button = h('button', {
      type: 'button', class: ['btn', 'btn-small', latest ? null : 'btn-primary'], disabled: !data.next,
      onclick: async () => {
        const sent = await reportDialog({ base, next: data.next, latest });
        if (!sent) return;
        toast(t('report.sentToast', { n: sent.version }));
        load();
      },
    }, icon('send'), t(latest ? 'report.resend' : 'report.send'));
    replace(box,
      h('div', { class: 'report-head' },
        h('h4', { class: 'offer-sub', id: `report-${o.id}-title` }, icon('doc'), t('report.title')),
        button),
      data.refused ? h('p', { class: 'field-hint report-refused', dataset: { code: data.refused.code } }, refusal(data.refused)) : null,
      latest ? sentLine(latest, messageChip) : h('p', { class: 'muted' }, t('report.none')),
      data.items.length > 1 ? h('p', { class: 'muted report-older' }, plural('report.older', data.items.length - 1)) : null);
  }

  load();
  return box;
}

/** Why no report can be sent now, with the workspace's names of the RO's status and the offer's state. */
function refusal(r) {
  if (r.code === 'report_ro_not_ready' && r.state) return t('report.refused.notReady', { status: t(`status.${r.state}`) });
  if (r.code === 'report_offer_not_locked' && r.state) return t('report.refused.notLocked', { state: t(`offer.state.${r.state}`) });
  return r.message;
}

/** The latest version sent: when, by whom, to whom, its delivery, what is to plan. */
function sentLine(r, messageChip) {
  const m = r.message;
  return h('div', { class: 'report-sent', dataset: { version: String(r.version) } },
    h('p', {},
      h('strong', {}, t('report.version', { n: r.version })), ' ',
      t('report.sentBy', { when: dateTime(r.created_at), name: r.created_by || '—' })),
    m ? h('p', { class: 'report-delivery' },
      icon(m.channel === 'sms' ? 'phone' : 'mail', 'contact-icon'), h('span', {}, m.address_display || m.address), ' ', messageChip(m),
      m.state === 'failed' ? h('span', { class: 'rcpt-error is-failed' }, failureText(m.failure, m.last_error)) : null) : null,
    h('p', { class: 'muted' }, t('report.summary', { total: money(r.final_total_incl_cents) }),
      r.to_plan ? ` · ${plural('report.toPlanCount', r.to_plan)}` : null));
}

/** One item's row in the dialog: what was done, and for an accepted item not done, why. */
function itemRow(item, k) {
  const declined = item.outcome === 'declined';
  const checked = item.outcome === 'checked';
  const done = h('input', { type: 'checkbox', id: `report-item-${item.intervention_id}`, checked: item.outcome === 'done', 'data-field': `items[${k}].done` });
  const note = h('input', {
    type: 'text', class: 'input report-note', maxlength: '300', value: item.note || '', placeholder: t('report.notePlaceholder'),
    'aria-label': t('report.noteFor', { label: item.label }), 'data-field': `items[${k}].note`, hidden: item.outcome !== 'not_done',
  });
  done.addEventListener('change', () => { note.hidden = done.checked; if (!done.checked) note.focus(); });
  let state;
  if (checked) state = h('span', { class: 'muted' }, t('report.checked'));
  else if (declined) state = h('span', { class: 'decision dec-decline' }, icon('close'), t('report.declined'));
  else state = h('label', { class: 'check', for: done.id }, done, ' ', t('report.done'));
  const plan = item.to_plan ? h('span', { class: `report-plan sev-${item.severity}` }, t('report.toPlan')) : null;
  const row = h('tr', { dataset: { interventionId: String(item.intervention_id), outcome: item.outcome } },
    h('td', {}, h('span', { class: 'offer-item-label' }, h('span', { class: `sev-dot sev-${item.severity}`, 'aria-hidden': 'true' }), item.label), ' ', plan),
    h('td', { class: 'num money' }, money(item.price_incl_cents)),
    h('td', {}, state, h('div', { class: 'field-error', hidden: true }), note));
  return { row, done, note, editable: !checked && !declined };
}

/**
 * The send dialog of the report: each item, the final amount (the done items' sum unless the
 * invoice says otherwise), a note, and the message as it will go. Resolves with the report sent,
 * or null.
 */
export function reportDialog({ base, next, latest }) {
  // A correction starts from what was sent last; the first report from the defaults.
  const start = latest || next.report;
  const items = next.report.items.map((item) => {
    const before = start.items.find((i) => i.intervention_id === item.intervention_id);
    return before && item.outcome !== 'declined' && item.outcome !== 'checked' ? { ...item, outcome: before.outcome, note: before.note } : item;
  });
  const rows = [];
  const editable = [];
  for (const item of items) {
    const r = itemRow(item, editable.length);
    rows.push(r.row);
    if (r.editable) editable.push({ item, ...r });
  }
  const computed = h('strong', { class: 'money report-computed' });
  const finalInput = h('input', {
    type: 'text', class: 'input money-input', inputmode: 'decimal', id: 'report-final', 'data-field': 'final_total_incl_cents',
    value: latest && latest.final_adjusted ? moneyInput(latest.final_total_incl_cents) : '',
  });
  const note = h('textarea', { rows: '3', class: 'input', id: 'report-note', maxlength: '1000', 'data-field': 'note', placeholder: t('report.customerNotePlaceholder') }, start.note || '');
  const preview = h('div', { class: 'report-message' });

  const body = () => {
    const final = parseMoney(finalInput.value);
    return {
      items: editable.map(({ item, done, note: n }) => ({ intervention_id: item.intervention_id, done: done.checked, note: done.checked ? '' : n.value })),
      final_total_incl_cents: finalInput.value.trim() === '' ? null : final === null ? -1 : final,
      note: note.value,
    };
  };
  const sum = () => editable.filter((e) => e.done.checked).reduce((s, e) => s + e.item.price_incl_cents, 0);
  const refresh = debounce(async () => {
    computed.textContent = money(sum());
    finalInput.placeholder = moneyInput(sum());
    try {
      const r = await api('POST', `${base}/report/preview`, { body: body() });
      drawMessage(preview, r.data.message);
    } catch (e) {
      if (!e.handled) replace(preview, h('p', { class: 'field-error' }, e.message));
    }
  }, 250);
  const form = h('div', { class: 'form report-form' },
    h('p', { class: 'dialog-text' }, t('report.intro')),
    h('table', { class: 'table offer-items report-items' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('offer.col.item')),
        h('th', { scope: 'col', class: 'num' }, t('offer.col.price')),
        h('th', { scope: 'col' }, t('report.col.outcome')))),
      h('tbody', {}, rows)),
    h('p', { class: 'report-sum' }, t('report.doneTotal'), ' ', computed),
    h('div', { class: 'field' },
      h('label', { for: finalInput.id }, t('report.final'), ' ', h('span', { class: 'muted' }, t('report.finalHint'))),
      finalInput, h('p', { class: 'field-error', hidden: true })),
    h('div', { class: 'field' },
      h('label', { for: note.id }, t('report.customerNote'), ' ', h('span', { class: 'muted' }, t('common.optional'))),
      note, h('p', { class: 'field-error', hidden: true })),
    h('h3', { class: 'offer-sub' }, t('report.messageTitle')),
    preview);
  form.addEventListener('input', refresh);
  form.addEventListener('change', refresh);
  drawMessage(preview, next.message);
  computed.textContent = money(sum());
  finalInput.placeholder = moneyInput(sum());
  if (latest) refresh();
  return formDialog({
    title: t(latest ? 'report.resendTitle' : 'report.sendTitle'), body: form, wide: true,
    submitLabel: t('report.submit'),
    onSubmit: async () => (await api('POST', `${base}/report`, { body: body() })).data,
  });
}

/** The message as it will go: to whom, and its text (an SMS with its parts) or subject. */
function drawMessage(box, m) {
  const to = t(m.channel === 'sms' ? 'report.toSms' : 'report.toEmail', { name: m.name || '—', address: m.address_display || m.address });
  replace(box,
    h('p', {}, icon(m.channel === 'sms' ? 'phone' : 'mail', 'contact-icon'), to),
    m.subject ? h('p', { class: 'report-subject' }, h('strong', {}, m.subject)) : null,
    m.channel === 'sms' ? h('p', { class: 'sms-bubble report-sms' }, m.text)
      : h('pre', { class: 'email-text', tabindex: '0', 'aria-label': t('send.textPart') }, m.text),
    m.sms ? h('p', { class: 'muted' }, t('report.smsCost', { parts: m.sms.parts, characters: m.sms.characters })) : null);
}
