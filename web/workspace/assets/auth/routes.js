// The sign-in page (outside the session) and the user's own account.
import { addRoute } from '../core/nav.js';

addRoute({ re: /^\/login$/, page: 'login', bare: true, load: () => import('./login.js') });
addRoute({ re: /^\/account$/, page: 'account', nav: 'account', load: () => import('./account.js') });
