// The bell in the top bar: the signed-in user's notifications (a customer opened, confirmed,
// asked to be called or wrote back; a message failed; no answer after the reminders), with the
// count of unread ones. A new one arrives live (core/live.js, a "notification" event for this
// user only); each is marked read on its own (or all at once), and opening one opens its RO.
// The panel also holds the user's choice of an email digest (docs/API.md, "Notifications").
import { api } from '../core/api.js';
import { t, plural, count, dateTime } from '../core/i18n.js';
import { h, icon, clear, debounce, checkbox, announce } from '../core/dom.js';
import { onNotification } from '../core/live.js';
import { navigate } from '../core/nav.js';

const bell = { items: [], unread: 0, stop: null, root: null, button: null, badge: null, panel: null, list: null };
let inFlight = false;
let again = false;

// The server words it with the advisor_notification template in force (which names the RO and
// the customer as the dealership chose); the workspace's own words stand in without it.
function sentence(n) {
  return n.text || t(`notif.kind.${n.kind}`, { detail: n.detail });
}

function showCount() {
  if (!bell.badge) return;
  bell.badge.hidden = bell.unread === 0;
  bell.badge.textContent = count(bell.unread);
  const said = bell.unread ? plural('notif.unread', bell.unread) : t('notif.title');
  bell.button.setAttribute('aria-label', said);
  bell.button.title = said;
}

async function markRead(n) {
  if (n.read) return;
  try {
    const r = await api('POST', `/notifications/${n.id}/read`);
    Object.assign(n, r.data);
    bell.unread = Math.max(0, bell.unread - 1);
    showCount();
    drawList();
  } catch { /* stays unread; the next read of the list says how it is */ }
}

async function markAllRead() {
  try {
    await api('POST', '/notifications/read-all');
    for (const n of bell.items) n.read = true;
    bell.unread = 0;
    showCount();
    drawList();
    announce(t('notif.allRead'));
  } catch { /* the list stays as it was */ }
}

function item(n) {
  const open = h('a', {
    href: `/repair-orders/${n.ro_id}`, class: 'notif-open',
    onclick: (ev) => {
      ev.preventDefault();
      closePanel();
      markRead(n);
      navigate(`/repair-orders/${n.ro_id}`);
    },
  }, n.text ? null : h('span', { class: 'notif-who' }, h('span', { class: 'notif-ro' }, n.ro_number), ' · ', n.customer_name || t('notif.noName')),
  h('span', { class: 'notif-text' }, sentence(n)), h('span', { class: 'notif-time' }, dateTime(n.at)));
  const read = n.read ? null : h('button', {
    type: 'button', class: 'notif-read', title: t('notif.markRead'), 'aria-label': t('notif.markRead'),
    onclick: () => markRead(n),
  }, icon('check'));
  return h('li', { class: `notif-item notif-${n.kind}${n.read ? '' : ' is-unread'}`, 'data-id': String(n.id) }, open, read);
}

function drawList() {
  if (!bell.list) return;
  clear(bell.list);
  if (!bell.items.length) {
    bell.list.append(h('li', { class: 'notif-empty' }, t('notif.empty')));
    return;
  }
  for (const n of bell.items) bell.list.append(item(n));
}

async function readNotifications() {
  if (inFlight) { again = true; return; }
  inFlight = true;
  try {
    do {
      again = false;
      const r = await api('GET', '/notifications', { auth: false });
      if (!bell.stop) return; // signed out meanwhile
      bell.items = r.data.items;
      bell.unread = r.data.unread;
      showCount();
      drawList();
    } while (again && bell.stop);
  } catch { /* the bell waits for the next notification */ } finally {
    inFlight = false;
  }
}
const readSoon = debounce(readNotifications, 200);

async function digestSettings() {
  const email = h('input', { type: 'email', class: 'input notif-email', autocomplete: 'email', 'aria-label': t('notif.digestEmail'), placeholder: t('notif.digestEmail') });
  const box = checkbox(t('notif.digest'), { name: 'digest' });
  const input = box.querySelector('input');
  const status = h('p', { class: 'notif-settings-status', role: 'status' });
  const save = async () => {
    status.textContent = '';
    try {
      const r = await api('PUT', '/notifications/settings', { body: { digest: input.checked, email: email.value } });
      email.value = r.data.email;
      input.checked = r.data.digest;
      status.textContent = t('notif.saved');
    } catch (e) {
      status.textContent = e.message || t('notif.notSaved');
    }
  };
  const form = h('form', { class: 'notif-settings', novalidate: true, onsubmit: (ev) => { ev.preventDefault(); save(); } },
    box, h('p', { class: 'notif-hint' }, t('notif.digestHint')),
    h('div', { class: 'notif-settings-row' }, email, h('button', { type: 'submit', class: 'btn btn-small' }, t('notif.save'))),
    status);
  try {
    const r = await api('GET', '/notifications/settings', { auth: false });
    email.value = r.data.email;
    input.checked = r.data.digest;
  } catch { /* the form starts empty */ }
  return form;
}

function closePanel() {
  if (!bell.panel || bell.panel.hidden) return;
  bell.panel.hidden = true;
  bell.button.setAttribute('aria-expanded', 'false');
}

async function togglePanel(ev) {
  ev.stopPropagation();
  const open = bell.panel.hidden;
  bell.panel.hidden = !open;
  bell.button.setAttribute('aria-expanded', String(open));
  if (!open) return;
  readNotifications();
  const settings = bell.panel.querySelector('.notif-settings-slot');
  if (settings && !settings.firstChild) settings.append(await digestSettings());
}

/** The bell and its panel, for the top bar. */
export function notificationsBell() {
  bell.badge = h('span', { class: 'notif-count', hidden: true, 'aria-hidden': 'true' });
  bell.button = h('button', {
    type: 'button', class: 'notif-button', 'aria-haspopup': 'dialog', 'aria-expanded': 'false', 'aria-controls': 'notif-panel',
    onclick: togglePanel,
  }, icon('bell'), bell.badge);
  bell.list = h('ul', { class: 'notif-list' });
  bell.panel = h('div', { class: 'notif-panel', id: 'notif-panel', role: 'dialog', 'aria-label': t('notif.title'), hidden: true },
    h('div', { class: 'notif-head' },
      h('strong', {}, t('notif.title')),
      h('button', { type: 'button', class: 'btn-link notif-read-all', onclick: markAllRead }, t('notif.markAllRead'))),
    bell.list,
    h('div', { class: 'notif-settings-slot' }));
  bell.panel.addEventListener('keydown', (ev) => { if (ev.key === 'Escape') { closePanel(); bell.button.focus(); } });
  bell.root = h('div', { class: 'notif' }, bell.button, bell.panel);
  showCount();
  drawList();
  if (!bell.stop) bell.stop = onNotification(() => readSoon());
  readNotifications();
  return bell.root;
}

export function stopNotifications() {
  readSoon.cancel();
  if (bell.stop) bell.stop();
  bell.stop = null;
  bell.items = [];
  bell.unread = 0;
  bell.root = null;
  bell.badge = null;
  bell.panel = null;
  bell.list = null;
}

document.addEventListener('click', (ev) => {
  if (bell.root && !bell.root.contains(ev.target)) closePanel();
}, { capture: true });
