// The callbacks: the items customers asked to be called about.
import { addRoute } from '../core/nav.js';

addRoute({ re: /^\/callbacks\/?$/, page: 'callbacks', nav: 'callbacks', load: () => import('./callbacks.js') });
