// The signed-in user's own account: who they are, their password, their language, and the
// signature of the customer emails sent in their name.
import { api, ApiError } from '../core/api.js';
import { state } from '../core/state.js';
import { t, LANGUAGES, languageChoice, dealerLanguage } from '../core/i18n.js';
import { h, icon, field, formAlert, showErrors, clearErrors, toast, nextId } from '../core/dom.js';
import { setTitle } from '../core/nav.js';
import { setLanguage } from '../core/session.js';

export default async function accountPage({ main }) {
  setTitle(t('account.title'));
  const u = state.user;

  // ---- password ----
  const current = h('input', { type: 'password', autocomplete: 'current-password' });
  const fresh = h('input', { type: 'password', autocomplete: 'new-password' });
  const confirm = h('input', { type: 'password', autocomplete: 'new-password' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('account.changePassword'));
  const pwForm = h('form', { class: 'form', novalidate: true },
    h('input', { type: 'text', autocomplete: 'username', value: u.username, hidden: true, readonly: true }),
    formAlert(),
    field({ label: t('password.current'), control: current, field: 'current_password' }),
    field({ label: t('password.new'), control: fresh, field: 'new_password', hint: t('password.rules') }),
    field({ label: t('password.confirm'), control: confirm, field: 'confirm_password' }),
    h('div', { class: 'form-buttons' }, submit));
  pwForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(pwForm);
    const problems = [];
    if (!current.value) problems.push({ field: 'current_password', message: t('common.required') });
    if (!fresh.value) problems.push({ field: 'new_password', message: t('common.required') });
    if (fresh.value && confirm.value !== fresh.value) problems.push({ field: 'confirm_password', message: t('password.mismatch') });
    if (problems.length) {
      showErrors(pwForm, { message: t('common.checkFields'), fields: problems });
      return;
    }
    submit.disabled = true;
    try {
      await api('POST', '/session/password', { body: { current_password: current.value, new_password: fresh.value } });
      current.value = fresh.value = confirm.value = '';
      toast(t('account.passwordChanged'));
    } catch (e) {
      if (!(e instanceof ApiError) || e.handled) throw e;
      showErrors(pwForm, e);
    } finally {
      submit.disabled = false;
    }
  });

  // ---- language ----
  // Saved in the user's account (PATCH /session by setLanguage); '' follows the dealership.
  const name = nextId('lang');
  const saved = u.language || languageChoice() || '';
  const radios = [...LANGUAGES, ''].map((lang) => {
    const input = h('input', { type: 'radio', name, value: lang, checked: saved === lang });
    input.addEventListener('change', () => { if (input.checked) setLanguage(lang); });
    const text = lang ? t(`lang.${lang}`) : t('account.languageDealer', { lang: t(`lang.${dealerLanguage()}`) });
    return h('label', { class: 'check check-card', lang: lang || null }, input, h('span', {}, text));
  });

  // ---- email signature ----
  const me = await api('GET', `/users/${u.id}`).then((r) => r.data).catch(() => ({ email_signature: '' }));
  const signature = h('textarea', { rows: 4, spellcheck: 'true' });
  signature.value = me.email_signature || '';
  const sigSubmit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('account.saveSignature'));
  const sigForm = h('form', { class: 'form', novalidate: true },
    formAlert(),
    field({ label: t('account.signature'), control: signature, field: 'email_signature', optional: true, hint: t('account.signatureHint'), max: 500 }),
    h('div', { class: 'form-buttons' }, sigSubmit));
  sigForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(sigForm);
    sigSubmit.disabled = true;
    try {
      await api('PATCH', '/session', { body: { email_signature: signature.value } });
      toast(t('account.signatureSaved'));
    } catch (e) {
      if (!(e instanceof ApiError) || e.handled) throw e;
      showErrors(sigForm, e);
    } finally {
      sigSubmit.disabled = false;
    }
  });

  main.append(h('section', { class: 'page page-narrow' },
    h('div', { class: 'page-head' }, h('h1', {}, t('account.title'))),
    h('div', { class: 'stack' },
      h('section', { class: 'card', 'aria-labelledby': 'h-profile' },
        h('h2', { class: 'card-title', id: 'h-profile' }, icon('person'), t('account.profile')),
        h('dl', { class: 'facts facts-wide' },
          h('div', { class: 'fact' }, h('dt', {}, t('user.displayName')), h('dd', {}, u.display_name)),
          h('div', { class: 'fact' }, h('dt', {}, t('user.username')), h('dd', { class: 'mono' }, u.username)),
          h('div', { class: 'fact' }, h('dt', {}, t('user.role')), h('dd', {}, t(`role.${u.role}`)))),
        u.role === 'dealer_admin' ? null : h('p', { class: 'field-hint' }, t('account.profileHint'))),
      h('section', { class: 'card', 'aria-labelledby': 'h-password' },
        h('h2', { class: 'card-title', id: 'h-password' }, icon('key'), t('account.password')),
        h('p', { class: 'card-lead' }, t('account.passwordLead')),
        pwForm),
      h('section', { class: 'card', 'aria-labelledby': 'h-language' },
        h('h2', { class: 'card-title', id: 'h-language' }, t('account.language')),
        h('fieldset', { class: 'fieldset inline-choices' },
          h('legend', { class: 'visually-hidden' }, t('account.language')),
          h('div', { class: 'choices' }, radios)),
        h('p', { class: 'field-hint' }, t('account.languageHint'))),
      h('section', { class: 'card', 'aria-labelledby': 'h-signature' },
        h('h2', { class: 'card-title', id: 'h-signature' }, icon('mail'), t('account.signatureTitle')),
        h('p', { class: 'card-lead' }, t('account.signatureLead')),
        sigForm))));
  return null;
}
