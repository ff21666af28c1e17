// The workspace's entry: draws the route the location names (session first, then the top bar
// and the page), follows same-origin links with the History API, and boots. Pages live in the
// feature folders, each registering its routes (routes.js) in core/nav.js; a page is loaded on
// its first visit. No page imports this module.
import { ApiError, onAuthProblem } from './core/api.js';
import { state } from './core/state.js';
import { t, initialLanguage } from './core/i18n.js';
import { h, icon, clear } from './core/dom.js';
import { matchRoute, navigate, setRenderer, setTitle } from './core/nav.js';
import { loadSession, goLogin, applyLanguage } from './core/session.js';
import { renderShell, stopToHandle } from './shell/topbar.js';
import './auth/routes.js';
import './repair-orders/routes.js';
import './callbacks/routes.js';
import './admin/routes.js';
import './setup/routes.js';

const root = document.getElementById('app');
let current = null; // {route, key, instance, main}
let renderSeq = 0;

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
    main = renderShell(root, route);
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
    mod = await route.load();
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

window.addEventListener('popstate', () => render());
onAuthProblem('unauthorized', () => goLogin());
onAuthProblem('passwordRequired', () => {
  if (state.user) state.user.must_change_password = true;
  goLogin();
});

setRenderer(render);
applyLanguage(initialLanguage());
render();
