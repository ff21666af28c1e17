// Live updates (server-sent events from GET /api/v1/events, see docs/API.md): one stream for
// the whole workspace, open while some page listens. An "ro" event names the repair orders
// that changed; listeners fetch what they show again. A "notification" event tells the user that
// they have a new one (the top bar's bell reads them again). After a reconnect (streams end every
// 30 minutes, or relais restarted) every listener refreshes, as events may have been missed.

const listeners = new Set();
const notificationListeners = new Set();
let source = null;
let interrupted = false;
let retryTimer = null;
let closeTimer = null;

function tell(ids) {
  for (const fn of [...listeners]) fn(ids);
}

function open() {
  clearTimeout(closeTimer);
  if (source || !(listeners.size || notificationListeners.size) || typeof EventSource === 'undefined') return;
  source = new EventSource('/api/v1/events');
  source.addEventListener('ro', (e) => {
    let ids;
    try { ids = JSON.parse(e.data).ids; } catch { return; }
    if (Array.isArray(ids)) tell(ids);
  });
  // A notification for the signed-in user (only theirs reach this stream).
  source.addEventListener('notification', () => {
    for (const fn of [...notificationListeners]) fn();
  });
  source.addEventListener('open', () => {
    if (interrupted) {
      tell(null);
      for (const fn of [...notificationListeners]) fn();
    }
    interrupted = false;
  });
  source.addEventListener('error', () => {
    interrupted = true;
    // The browser reconnects by itself after a dropped stream; a refused one (signed out, too
    // many tabs) is closed for good, so it is retried here a little later.
    if (source && source.readyState === EventSource.CLOSED) {
      source = null;
      clearTimeout(retryTimer);
      retryTimer = setTimeout(open, 30000);
    }
  });
}

function close() {
  clearTimeout(retryTimer);
  if (source) source.close();
  source = null;
  interrupted = false;
}

/**
 * Calls `fn(ids)` whenever repair orders change: `ids` lists them, or is null when anything may
 * have changed (after a reconnect). Returns the function that stops listening.
 */
export function onRepairOrdersChanged(fn) {
  listeners.add(fn);
  open();
  return () => {
    listeners.delete(fn);
    // Moving from one page to the next keeps the stream; leaving for good closes it.
    clearTimeout(closeTimer);
    if (!listeners.size && !notificationListeners.size) {
      closeTimer = setTimeout(() => { if (!listeners.size && !notificationListeners.size) close(); }, 2000);
    }
  };
}

/**
 * Calls `fn()` whenever the signed-in user has a new notification (and after a reconnect, when
 * one may have been missed). Returns the function that stops listening.
 */
export function onNotification(fn) {
  notificationListeners.add(fn);
  open();
  return () => {
    notificationListeners.delete(fn);
    clearTimeout(closeTimer);
    if (!listeners.size && !notificationListeners.size) {
      closeTimer = setTimeout(() => { if (!listeners.size && !notificationListeners.size) close(); }, 2000);
    }
  };
}

/** Ends the stream now (sign-out). */
export function stopLive() {
  listeners.clear();
  notificationListeners.clear();
  close();
}
