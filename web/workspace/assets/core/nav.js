// The workspace's routes and navigation, with no page in it: each feature registers its routes
// here (its routes.js, imported by app.js), pages call navigate()/setTitle(), and app.js installs
// the function that draws a route. So no page imports app.js, and app.js imports no page.
const routes = [];
let renderer = () => {};

/**
 * A route: `re` matched on the path (its groups are the page's params), `load` a function
 * importing the page's module (loaded on first visit; its default export draws the page).
 * `nav` names the top bar's link to mark; `bare` pages are outside the session (sign-in),
 * `plain` pages have no top bar (print), `admin` pages are for dealer admins only.
 */
export function addRoute(route) {
  routes.push(route);
}

export function matchRoute(path) {
  for (const r of routes) {
    const m = r.re.exec(path);
    if (m) return { ...r, params: m.slice(1) };
  }
  return null;
}

/** app.js: the function drawing the current location ({force} draws again the same page). */
export function setRenderer(fn) {
  renderer = fn;
}

export function render(options) {
  return renderer(options);
}

export function navigate(url, { replace: replaceState = false } = {}) {
  if (replaceState) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  render();
}

export function setTitle(...parts) {
  document.title = [...parts.filter(Boolean), 'Relais'].join(' · ');
}

/** Safe "next" targets only: a path of this workspace, never another site. */
export function safeNext(next) {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/repair-orders';
  if (next.startsWith('/login') || next.startsWith('/api/')) return '/repair-orders';
  return next;
}
