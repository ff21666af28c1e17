// The session and the language: sign-in state, the dealership's settings, the users for the
// pickers, and the language switcher (the user's own language, kept on the server).
import { api, ApiError } from './api.js';
import { state } from './state.js';
import {
  t, initialLanguage, dealerLanguage, rememberDealerLanguage, saveLanguageChoice, forgetLanguageChoice, LANGUAGES,
} from './i18n.js';
import { h, toast } from './dom.js';
import { stopLive } from './live.js';
import { navigate, render } from './nav.js';

const signOutHooks = [];

/** What to stop at a sign-out (the top bar's count of repair orders to handle). */
export function onSignOut(fn) {
  signOutHooks.push(fn);
}

export function goLogin() {
  const here = location.pathname + location.search;
  const next = location.pathname === '/login' ? new URLSearchParams(location.search).get('next') : here;
  state.user = null;
  navigate(`/login${next && next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`, { replace: true });
}

/** After a sign-in or a password change: keeps the session and loads the dealership's settings. */
export async function signedIn(body) {
  state.user = body.user;
  state.csrf = body.csrf_token;
  state.users = null;
  if (!state.dealer) {
    try {
      const r = await api('GET', '/settings');
      state.dealer = r.data.dealer;
      state.setupDone = r.data.setup_done !== false;
      // The dealership's reminder default, when the box says it ({policy, every_hours}).
      state.reminders = r.data.reminders || null;
      rememberDealerLanguage(state.dealer.language);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
    }
  }
  // The user's saved language wins over this browser's choice (see initialLanguage).
  applyLanguage(initialLanguage());
}

export async function loadSession() {
  const r = await api('GET', '/session', { auth: false });
  await signedIn(r.data);
}

/**
 * The dealership's name and language for the sign-in page: the API gives them without a
 * session. Without a saved choice on this browser, the page then speaks the dealer's language.
 */
export async function loadPublicSettings() {
  if (!state.publicDealer) {
    try {
      const r = await api('GET', '/settings', { auth: false });
      const d = (r.data && r.data.dealer) || {};
      state.publicDealer = { name: d.name || '', language: d.language || '' };
      rememberDealerLanguage(d.language);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e; // the page works without the name
    }
  }
  if (!state.user) applyLanguage(initialLanguage());
}

export function applyLanguage(lang) {
  state.lang = lang;
  document.documentElement.lang = lang;
}

/** Users for the advisor pickers, fetched once and refreshed when admin pages change them. */
export async function loadUsers(force = false) {
  if (!state.users || force) {
    const r = await api('GET', '/users');
    state.users = r.data.items;
  }
  return state.users;
}

/**
 * The language switcher and the account page: `lang` is 'fr', 'en', or '' (the dealership's,
 * account page only). Kept on this browser and, when signed in, in the user's account
 * (PATCH /session), so the server's messages follow it and it comes back at every sign-in.
 */
export async function setLanguage(lang) {
  if (lang !== '' && !LANGUAGES.includes(lang)) return;
  const user = state.user;
  const toServer = Boolean(user) && (user.language || '') !== lang;
  const next = lang || dealerLanguage();
  if (!toServer && next === state.lang && lang) return;
  if (lang) saveLanguageChoice(lang);
  else forgetLanguageChoice();
  applyLanguage(next); // before the request, so its error message comes in the new language
  let problem = null;
  if (toServer) {
    try {
      const r = await api('PATCH', '/session', { body: { language: lang } });
      state.user.language = r.data.user.language;
      if (r.data.csrf_token) state.csrf = r.data.csrf_token;
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (e.handled) return; // signed out meanwhile: the sign-in page is already showing
      problem = e;
    }
  }
  render({ force: true });
  if (problem) toast(`${t('account.languageNotSaved')} ${problem.message}`, 'error');
}

/** After an admin changed their own account's language on the admin page. */
export function followOwnLanguage(lang) {
  if (!state.user) return;
  state.user.language = lang;
  if (lang) saveLanguageChoice(lang);
  const next = initialLanguage();
  if (next !== state.lang) {
    applyLanguage(next);
    render({ force: true });
  }
}

export async function signOut() {
  stopLive();
  for (const fn of signOutHooks) fn();
  try {
    await api('DELETE', '/session', { auth: false });
  } catch { /* the cookie is gone either way on the next request */ }
  state.user = null;
  state.csrf = '';
  state.users = null;
  toast(t('auth.signedOut'));
  navigate('/login', { replace: false });
}

export function languageSwitcher() {
  const wrap = h('div', { class: 'lang-switch', role: 'group', 'aria-label': t('nav.language') });
  for (const lang of LANGUAGES) {
    wrap.append(h('button', {
      type: 'button', class: 'lang-option', lang, 'aria-pressed': String(lang === state.lang),
      // The name starts with what the button shows (WCAG 2.5.3), then says it in full.
      title: t(`lang.${lang}`), 'aria-label': `${lang.toUpperCase()} – ${t(`lang.${lang}`)}`, onclick: () => setLanguage(lang),
    }, lang.toUpperCase()));
  }
  return wrap;
}
