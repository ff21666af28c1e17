// The send dialog's "Message" section: in whose name the offer goes (the RO's advisor unless
// another colleague is chosen: their name in the messages, their reminders), and this one send's
// wording — the offer SMS, the email's subject and body — prefilled with the templates in force
// (Administration → Messages) and checked as they are; the templates stay as they were. Only
// what the advisor changed is sent (docs/API.md, the send body's "sender_id" and "message").
import { api, get } from '../core/api.js';
import { t, plural } from '../core/i18n.js';
import { h, field, select, debounce, fitRows } from '../core/dom.js';
import { loadUsers } from '../core/session.js';

/** `lang`: the language the RO's customer reads (the templates shown are that language's). */
export function messageSection({ ro, lang }) {
  const sender = select([{ value: '', label: ro.advisor ? t('send.senderAdvisor', { name: ro.advisor.display_name }) : t('send.senderNone') }],
    { dataset: { field: 'sender_id' } });
  loadUsers().then((users) => {
    for (const u of users.filter((x) => x.active && (!ro.advisor || x.id !== ro.advisor.id))) {
      sender.append(h('option', { value: String(u.id) }, u.display_name));
    }
  }).catch(() => { /* the default stays: the RO's advisor */ });

  const sms = h('textarea', { rows: 3, spellcheck: 'true', lang });
  const subject = h('input', { type: 'text', spellcheck: 'true', lang });
  const body = h('textarea', { rows: 4, spellcheck: 'true', lang });
  const cost = h('p', { class: 'sms-info send-sms-cost', 'aria-live': 'polite' });
  const shipped = { sms: null, subject: null, body: null };
  const details = h('details', { class: 'send-message-edit' },
    h('summary', {}, t('send.editMessage')),
    h('p', { class: 'field-hint' }, t('send.editMessageHint')),
    field({ label: t('send.smsText'), control: sms, field: 'message.sms' }), cost,
    field({ label: t('send.emailSubject'), control: subject, field: 'message.email_subject' }),
    field({ label: t('send.emailBody'), control: body, field: 'message.email_body', hint: t('send.emailBodyHint') }));

  const refreshCost = debounce(async () => {
    try {
      const r = await api('POST', `/templates/offer_sms/${lang}/preview`, { body: { parts: { offer_sms: sms.value, 'offer_sms.replies': sms.value } } });
      const part = r.data.parts.find((p) => p.part === 'offer_sms');
      if (!part || !part.cost) { cost.textContent = ''; return; }
      cost.dataset.encoding = part.cost.encoding;
      cost.classList.toggle('is-costly', part.cost.encoding === 'ucs2' || part.cost.parts > 1);
      cost.textContent = t('send.smsWorstCase', { chars: plural('send.chars', part.cost.characters), parts: plural('send.parts', part.cost.parts) });
    } catch { cost.textContent = ''; }
  }, 200);
  sms.addEventListener('input', refreshCost);
  // A problem the server named goes once the text it was about changes.
  for (const c of [sender, sms, subject, body]) {
    c.addEventListener('input', () => {
      const err = c.closest('.field')?.querySelector('.field-error');
      if (err) { err.hidden = true; err.textContent = ''; }
      c.removeAttribute('aria-invalid');
    });
  }

  // Prefilled when first opened: the templates in force for one item or several.
  let loaded = false;
  details.addEventListener('toggle', async () => {
    if (!details.open || loaded) return;
    loaded = true;
    const [s, e] = await Promise.all([get(`/templates/offer_sms/${lang}`), get(`/templates/offer_email/${lang}`)]);
    const several = ro.interventions.filter((i) => i.shown !== false).length !== 1;
    shipped.sms = s.parts.offer_sms;
    shipped.subject = e.parts['offer_email.subject'];
    shipped.body = e.parts[several ? 'offer_email.body.other' : 'offer_email.body.one'];
    sms.value = shipped.sms;
    subject.value = shipped.subject;
    body.value = shipped.body;
    fitRows(sms, { min: 2, max: 8 });
    fitRows(body, { min: 3, max: 14 });
    refreshCost();
  });

  const box = h('fieldset', { class: 'fieldset send-section send-message' },
    h('legend', {}, t('send.messageTitle')),
    field({ label: t('send.sender'), control: sender, field: 'sender_id', hint: t('send.senderHint') }),
    details);

  /** The send body's part: {sender_id?, message?}, only what differs from the defaults. */
  function value() {
    const out = {};
    if (sender.value) out.sender_id = Number(sender.value);
    if (loaded) {
      const message = {};
      if (sms.value !== shipped.sms) message.sms = sms.value;
      if (subject.value !== shipped.subject) message.email_subject = subject.value;
      if (body.value !== shipped.body) message.email_body = body.value;
      if (Object.keys(message).length) out.message = message;
    }
    return out;
  }
  return { box, value, details };
}
