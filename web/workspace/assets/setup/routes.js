// The first-boot setup, offered to a dealer admin until finished or put off.
import { addRoute } from '../core/nav.js';

addRoute({ re: /^\/setup$/, page: 'setup', nav: 'admin', admin: true, load: () => import('./setup.js') });
