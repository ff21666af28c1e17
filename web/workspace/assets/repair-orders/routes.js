// The repair orders: the list (also at /), a new one, one RO, and its printable document.
import { addRoute } from '../core/nav.js';

addRoute({ re: /^\/(?:repair-orders\/?)?$/, page: 'list', nav: 'ros', load: () => import('./list.js') });
addRoute({ re: /^\/repair-orders\/new$/, page: 'new-ro', nav: 'ros', load: () => import('./new-ro.js') });
addRoute({ re: /^\/repair-orders\/(\d+)$/, page: 'ro', nav: 'ros', load: () => import('./ro.js') });
// A clean document for the printer: signed in, but without the workspace's top bar.
addRoute({ re: /^\/repair-orders\/(\d+)\/print$/, page: 'print', plain: true, load: () => import('./print.js') });
