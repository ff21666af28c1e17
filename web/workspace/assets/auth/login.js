// Sign-in, then (for a new or reset account) choosing one's own password, then back to the
// page the user wanted.
import { api, ApiError } from '../core/api.js';
import { state } from '../core/state.js';
import { t } from '../core/i18n.js';
import { h, field, formAlert, showErrors, clearErrors, icon, replace } from '../core/dom.js';
import { navigate, safeNext, setTitle } from '../core/nav.js';
import { signedIn, loadSession, loadPublicSettings, languageSwitcher, signOut } from '../core/session.js';

export default async function loginPage({ query, main }) {
  const next = safeNext(query.get('next'));
  let timer = null;

  if (!state.user) {
    // Both at once: the session (perhaps still open) and the dealership's name and language.
    await Promise.all([
      loadSession().catch(() => { /* not signed in: the form below */ }),
      loadPublicSettings(),
    ]);
  }
  if (state.user && !state.user.must_change_password) {
    navigate(next, { replace: true });
    return null;
  }

  const card = h('div', { class: 'auth-card' });
  const dealerName = (state.dealer && state.dealer.name) || (state.publicDealer && state.publicDealer.name) || '';
  const brand = h('div', { class: 'auth-brand' },
    h('img', { src: '/assets/icon.svg', alt: '', width: '40', height: '40' }),
    h('div', {},
      h('span', { class: 'auth-product' }, 'Relais', h('span', { class: 'auth-tagline' }, t('auth.tagline'))),
      dealerName ? h('span', { class: 'auth-dealer' }, dealerName) : null));
  main.append(h('div', { class: 'auth-wrap' }, card,
    h('div', { class: 'auth-foot' }, languageSwitcher())));

  function showSignIn() {
    setTitle(t('auth.signInTitle'));
    const username = h('input', { type: 'text', name: 'username', autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false', required: true });
    const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, t('auth.signIn'));
    const alert = formAlert();
    const form = h('form', { class: 'form', novalidate: true },
      alert,
      field({ label: t('auth.username'), control: username, field: 'username' }),
      field({ label: t('auth.password'), control: password, field: 'password' }),
      submit);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (submit.disabled) return;
      clearErrors(form);
      if (!username.value.trim() || !password.value) {
        showErrors(form, { message: t('auth.fillBoth'), fields: [] });
        return;
      }
      submit.disabled = true;
      submit.textContent = t('auth.signingIn');
      try {
        const r = await api('POST', '/session', { body: { username: username.value.trim(), password: password.value }, auth: false });
        await signedIn(r.data);
        if (state.user.must_change_password) {
          showPasswordChange();
        } else {
          navigate(next, { replace: true });
        }
        return;
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        showErrors(form, e);
        if (e.status === 429 && e.retryAfter > 0) {
          countdown(submit, e.retryAfter);
          return;
        }
        password.value = '';
        if (e.status === 401) password.focus();
      }
      submit.disabled = false;
      submit.textContent = t('auth.signIn');
    });
    replace(card, brand, h('h1', {}, t('auth.signInTitle')), form);
    username.focus();
  }

  // A throttled sign-in: the button says how long to wait and comes back by itself.
  function countdown(button, seconds) {
    let left = seconds;
    clearInterval(timer);
    const tick = () => {
      if (left <= 0) {
        clearInterval(timer);
        button.disabled = false;
        button.textContent = t('auth.signIn');
        return;
      }
      button.disabled = true;
      button.textContent = t('auth.waitSeconds', { seconds: left });
      left -= 1;
    };
    tick();
    timer = setInterval(tick, 1000);
  }

  function showPasswordChange() {
    setTitle(t('password.chooseTitle'));
    const user = state.user;
    const current = h('input', { type: 'password', autocomplete: 'current-password', required: true });
    const fresh = h('input', { type: 'password', autocomplete: 'new-password', required: true, minlength: '10' });
    const confirm = h('input', { type: 'password', autocomplete: 'new-password', required: true });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, t('password.saveAndContinue'));
    const alert = formAlert();
    const form = h('form', { class: 'form', novalidate: true },
      // Lets password managers file the new password under the right account.
      h('input', { type: 'text', name: 'username', autocomplete: 'username', value: user.username, hidden: true, readonly: true }),
      alert,
      field({ label: t('password.current'), control: current, field: 'current_password' }),
      field({ label: t('password.new'), control: fresh, field: 'new_password', hint: t('password.rules') }),
      field({ label: t('password.confirm'), control: confirm, field: 'confirm_password' }),
      submit);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      const problems = [];
      if (!current.value) problems.push({ field: 'current_password', message: t('common.required') });
      if (!fresh.value) problems.push({ field: 'new_password', message: t('common.required') });
      if (fresh.value && confirm.value !== fresh.value) problems.push({ field: 'confirm_password', message: t('password.mismatch') });
      if (problems.length) {
        showErrors(form, { message: t('common.checkFields'), fields: problems });
        return;
      }
      submit.disabled = true;
      try {
        await api('POST', '/session/password', { body: { current_password: current.value, new_password: fresh.value } });
        const r = await api('GET', '/session');
        await signedIn(r.data);
        navigate(next, { replace: true });
        return;
      } catch (e) {
        if (!(e instanceof ApiError) || e.handled) throw e;
        showErrors(form, e);
      }
      submit.disabled = false;
    });
    replace(card, brand,
      h('h1', {}, t('password.chooseTitle')),
      h('p', { class: 'auth-lead' }, t('password.chooseLead', { name: user.display_name })),
      form,
      h('p', { class: 'auth-alt' },
        h('button', { type: 'button', class: 'btn-link', onclick: () => signOut() }, icon('logout'), t('password.notYou'))));
    current.focus();
  }

  if (state.user && state.user.must_change_password) showPasswordChange();
  else showSignIn();

  return { cleanup: () => clearInterval(timer) };
}
