// The workspace shell: session, language, top bar and client-side routing (History API).
// Pages live in assets/pages/ and are loaded when first visited.
import { api, ApiError, onAuthProblem } from './api.js';
import { state } from './state.js';
import {
  t, plural, count, initialLanguage, dealerLanguage, rememberDealerLanguage, saveLanguageChoice, forgetLanguageChoice, LANGUAGES,
} from './i18n.js';
import { h, icon, replace, clear, toast, debounce } from './dom.js';
import { stopLive, onRepairOrdersChanged } from './live.js';

const routes = [
  { re: /^\/login$/, page: 'login', bare: true },
  { re: /^\/(?:repair-orders\/?)?$/, page: 'list', nav: 'ros' },
  { re: /^\/repair-orders\/new$/, page: 'new-ro', nav: 'ros' },
  { re: /^\/repair-orders\/(\d+)$/, page: 'ro', nav: 'ros' },
  // A clean document for the printer: signed in, but without the workspace's top bar.
  { re: /^\/repair-orders\/(\d+)\/print$/, page: 'print', plain: true },
  { re: /^\/account$/, page: 'account', nav: 'account' },
  { re: /^\/admin(?:\/(users|api-keys|agreements|settings))?\/?$/, page: 'admin', nav: 'admin', admin: true },
  // The first-boot setup, offered to a dealer admin until finished or put off.
  { re: /^\/setup$/, page: 'setup', nav: 'admin', admin: true },
];

const root = document.getElementById('app');
let current = null; // {route, key, instance, main}
let renderSeq = 0;
let closeUserMenu = null;

/** Safe "next" targets only: a path of this workspace, never another site. */
export function safeNext(next) {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/repair-orders';
  if (next.startsWith('/login') || next.startsWith('/api/')) return '/repair-orders';
  return next;
}

export function navigate(url, { replace: replaceState = false } = {}) {
  if (replaceState) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  render();
}

function goLogin() {
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

function applyLanguage(lang) {
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
  stopToHandle();
  try {
    await api('DELETE', '/session', { auth: false });
  } catch { /* the cookie is gone either way on the next request */ }
  state.user = null;
  state.csrf = '';
  state.users = null;
  toast(t('auth.signedOut'));
  navigate('/login', { replace: false });
}

export function setTitle(...parts) {
  document.title = [...parts.filter(Boolean), 'Relais'].join(' · ');
}

function matchRoute(path) {
  for (const r of routes) {
    const m = r.re.exec(path);
    if (m) return { ...r, params: m.slice(1) };
  }
  return null;
}

async function render({ force = false } = {}) {
  const seq = ++renderSeq;
  const path = location.pathname;
  const route = matchRoute(path);
  const query = new URLSearchParams(location.search);

  if (route && !route.bare && !state.user) {
    try {
      await loadSession();
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) { goLogin(); return; }
      showFatal(e);
      return;
    }
    if (seq !== renderSeq) return;
  }
  if (route && !route.bare && state.user && state.user.must_change_password) { goLogin(); return; }
  // A new box: its first dealer admin is taken to the setup until it is finished or put off.
  if (route && !route.bare && !route.plain && route.page !== 'setup' && state.user && state.user.role === 'dealer_admin'
      && state.setupDone === false) {
    navigate('/setup', { replace: true });
    return;
  }

  // Same page, new query (back/forward in the list's filters): let the page follow it.
  const key = route ? `${route.page}:${route.params.join('/')}` : '404';
  if (!force && current && current.key === key && current.instance && current.instance.update) {
    current.instance.update(query);
    return;
  }
  if (current && current.instance && current.instance.cleanup) current.instance.cleanup();
  current = null;

  let main;
  if (!route || route.bare || route.plain) stopToHandle(); // no top bar, no count to keep
  if (!route || route.bare) {
    clear(root);
    root.className = 'app app-bare';
    main = h('main', { id: 'main', class: 'bare-main' });
    root.append(main);
  } else if (route.plain) {
    clear(root);
    root.className = 'app app-plain';
    main = h('main', { id: 'main', class: 'plain-main' });
    root.append(main);
  } else {
    main = renderShell(route);
  }
  root.removeAttribute('aria-busy');
  if (!route) {
    setTitle(t('notFound.title'));
    main.append(emptyPage(t('notFound.title'), t('notFound.text')));
    current = { key };
    return;
  }
  if (route.admin && state.user.role !== 'dealer_admin') {
    setTitle(t('admin.title'));
    main.append(emptyPage(t('admin.onlyTitle'), t('admin.onlyText')));
    current = { key };
    return;
  }
  let mod;
  try {
    mod = await import(`./pages/${route.page}.js`);
  } catch (e) {
    showFatal(e);
    return;
  }
  if (seq !== renderSeq) return;
  const ctx = { params: route.params, query, main };
  current = { key, instance: null };
  const instance = await mod.default(ctx);
  if (seq !== renderSeq) {
    if (instance && instance.cleanup) instance.cleanup();
    return;
  }
  current.instance = instance || null;
  const heading = main.querySelector('h1');
  if (heading && document.activeElement === document.body) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }
}

function emptyPage(title, text) {
  return h('section', { class: 'page page-narrow' },
    h('div', { class: 'empty' }, icon('info', 'empty-icon'), h('h1', {}, title), h('p', {}, text),
      h('a', { href: '/repair-orders', class: 'btn btn-primary' }, t('nav.repairOrders'))));
}

function showFatal(e) {
  clear(root);
  root.className = 'app app-bare';
  root.append(h('main', { id: 'main', class: 'bare-main' },
    h('div', { class: 'auth-card' },
      h('h1', {}, t('error.fatalTitle')),
      h('p', {}, e && e.message ? e.message : String(e)),
      h('button', { type: 'button', class: 'btn btn-primary', onclick: () => location.reload() }, t('common.retry')))));
}

// ---- top bar ------------------------------------------------------------------------------

// How many repair orders are to handle (the customer confirmed, asked to be called or wrote
// back, or a message failed): a badge beside the list's link, opening the list filtered on
// them. Read again on live updates: one request at a time, a burst of changes read once.
const toHandle = { n: 0, known: false, el: null, stop: null, inFlight: false, again: false };

function showToHandle() {
  const el = toHandle.el;
  if (!el) return;
  const n = toHandle.known ? toHandle.n : 0;
  el.hidden = n === 0;
  const said = plural('nav.toHandle', n);
  el.setAttribute('aria-label', said);
  el.title = said;
  el.querySelector('.nav-badge-count').textContent = count(n);
}

async function readToHandle() {
  if (toHandle.inFlight) { toHandle.again = true; return; }
  toHandle.inFlight = true;
  try {
    do {
      toHandle.again = false;
      const r = await api('GET', '/repair-orders', { query: { attention: 'true', per_page: 1 }, auth: false });
      if (!toHandle.stop) return; // signed out meanwhile
      toHandle.n = r.data.total;
      toHandle.known = true;
      showToHandle();
    } while (toHandle.again && toHandle.stop);
  } catch { /* the badge waits for the next change; the list itself says what is wrong */ } finally {
    toHandle.inFlight = false;
  }
}
const readToHandleSoon = debounce(readToHandle, 300);

function watchToHandle() {
  if (toHandle.stop) return;
  toHandle.stop = onRepairOrdersChanged(() => readToHandleSoon());
  readToHandle();
}

function stopToHandle() {
  readToHandleSoon.cancel();
  if (toHandle.stop) toHandle.stop();
  toHandle.stop = null;
  toHandle.known = false;
  toHandle.el = null;
}

function toHandleBadge() {
  toHandle.el = h('a', { href: '/repair-orders?attention=true', class: 'nav-badge', hidden: true },
    icon('flag'), h('span', { class: 'nav-badge-count', 'aria-hidden': 'true' }));
  showToHandle();
  watchToHandle();
  return toHandle.el;
}

function renderShell(route) {
  clear(root);
  root.className = 'app';
  const user = state.user;
  const isAdmin = user.role === 'dealer_admin';
  const navLink = (href, label, name) =>
    h('a', { href, class: 'nav-link', 'aria-current': route.nav === name ? 'page' : null }, label);

  const menu = h('div', { class: 'menu', id: 'user-menu', role: 'menu', hidden: true },
    h('div', { class: 'menu-head' },
      h('strong', {}, user.display_name),
      h('span', {}, `${user.username} · ${t(`role.${user.role}`)}`)),
    h('a', { href: '/account', class: 'menu-item', role: 'menuitem' }, icon('person'), t('nav.account')),
    h('button', { type: 'button', class: 'menu-item', role: 'menuitem', onclick: () => signOut() }, icon('logout'), t('nav.signOut')));
  const menuButton = h('button', {
    type: 'button', class: 'user-button', 'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-controls': 'user-menu',
  }, h('span', { class: 'avatar', 'aria-hidden': 'true' }, initials(user.display_name)),
  h('span', { class: 'user-name' }, user.display_name), icon('chevron'));
  const closeMenu = () => { menu.hidden = true; menuButton.setAttribute('aria-expanded', 'false'); };
  menuButton.addEventListener('click', (ev) => {
    ev.stopPropagation();
    const open = menu.hidden;
    menu.hidden = !open;
    menuButton.setAttribute('aria-expanded', String(open));
    if (open) menu.querySelector('.menu-item').focus();
  });
  menu.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') { closeMenu(); menuButton.focus(); }
  });
  closeUserMenu = (ev) => { if (!menu.contains(ev.target) && !menuButton.contains(ev.target)) closeMenu(); };

  const header = h('header', { class: 'topbar' },
    h('a', { href: '#main', class: 'skip-link' }, t('nav.skip')),
    h('a', { href: '/repair-orders', class: 'brand' },
      h('img', { src: '/assets/icon.svg', alt: '', width: '28', height: '28' }),
      h('span', { class: 'brand-name' }, 'Relais'),
      h('span', { class: 'brand-dealer' }, state.dealer ? state.dealer.name : '')),
    h('nav', { class: 'nav', 'aria-label': t('nav.main') },
      navLink('/repair-orders', t('nav.repairOrders'), 'ros'),
      toHandleBadge(),
      isAdmin ? navLink('/admin/users', t('nav.admin'), 'admin') : null),
    h('div', { class: 'topbar-right' },
      languageSwitcher(),
      h('div', { class: 'user-menu' }, menuButton, menu)));
  const main = h('main', { id: 'main', class: 'main' });
  root.append(header, main);
  return main;
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

function initials(name) {
  const parts = String(name || '?').trim().split(/\s+/);
  return ((parts[0] || '?')[0] + (parts.length > 1 ? parts[parts.length - 1][0] : '')).toUpperCase();
}

// Same-origin links are followed without reloading the page.
document.addEventListener('click', (ev) => {
  if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
  const a = ev.target.closest('a[href]');
  if (!a || a.target || a.hasAttribute('download')) return;
  const href = a.getAttribute('href');
  if (href.startsWith('#')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
  ev.preventDefault();
  if (url.pathname + url.search !== location.pathname + location.search) navigate(url.pathname + url.search);
});

document.addEventListener('click', (ev) => { if (closeUserMenu) closeUserMenu(ev); }, { capture: true });
window.addEventListener('popstate', () => render());
onAuthProblem('unauthorized', () => goLogin());
onAuthProblem('passwordRequired', () => {
  if (state.user) state.user.must_change_password = true;
  goLogin();
});

applyLanguage(initialLanguage());
render();
