// The workspace's top bar: the dealership, the link to the repair orders with the count of
// those to handle, the language switcher and the user's menu.
import { api } from '../core/api.js';
import { state } from '../core/state.js';
import { t, plural, count } from '../core/i18n.js';
import { h, icon, clear, debounce } from '../core/dom.js';
import { onRepairOrdersChanged } from '../core/live.js';
import { signOut, onSignOut, languageSwitcher } from '../core/session.js';
import { notificationsBell, stopNotifications } from './notifications.js';

let closeUserMenu = null;

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

// How many call-back requests are open (GET /callbacks, open ones: one per item): a count beside the
// callbacks' link, read again on live updates like the repair orders' badge.
const toCall = { n: 0, el: null, stop: null, inFlight: false, again: false };

async function readToCall() {
  if (toCall.inFlight) { toCall.again = true; return; }
  toCall.inFlight = true;
  try {
    do {
      toCall.again = false;
      const r = await api('GET', '/callbacks', { query: { state: 'open' }, auth: false });
      if (!toCall.stop) return;
      toCall.n = r.data.items.length;
      showToCall();
    } while (toCall.again && toCall.stop);
  } catch { /* the count waits for the next change */ } finally {
    toCall.inFlight = false;
  }
}
const readToCallSoon = debounce(readToCall, 300);

function showToCall() {
  const el = toCall.el;
  if (!el) return;
  el.hidden = toCall.n === 0;
  el.textContent = count(toCall.n);
  el.setAttribute('aria-label', plural('nav.callbacksCount', toCall.n));
}

function callbacksLink(current) {
  toCall.el = h('span', { class: 'count-badge nav-callbacks-count', hidden: true });
  showToCall();
  if (!toCall.stop) {
    toCall.stop = onRepairOrdersChanged(() => readToCallSoon());
    readToCall();
  }
  return h('a', { href: '/callbacks', class: 'nav-link nav-callbacks', 'aria-current': current ? 'page' : null },
    t('nav.callbacks'), ' ', toCall.el);
}

export function stopToHandle() {
  stopNotifications();
  readToCallSoon.cancel();
  if (toCall.stop) toCall.stop();
  toCall.stop = null;
  toCall.el = null;
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

/** The top bar around a page; returns the page's <main>. */
export function renderShell(root, route) {
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
      callbacksLink(route.nav === 'callbacks'),
      isAdmin ? navLink('/admin/users', t('nav.admin'), 'admin') : null),
    h('div', { class: 'topbar-right' },
      notificationsBell(),
      languageSwitcher(),
      h('div', { class: 'user-menu' }, menuButton, menu)));
  const main = h('main', { id: 'main', class: 'main' });
  root.append(header, main);
  return main;
}

function initials(name) {
  const parts = String(name || '?').trim().split(/\s+/);
  return ((parts[0] || '?')[0] + (parts.length > 1 ? parts[parts.length - 1][0] : '')).toUpperCase();
}

onSignOut(stopToHandle);
document.addEventListener('click', (ev) => { if (closeUserMenu) closeUserMenu(ev); }, { capture: true });
