// The admin pages (dealer admins only): users, API keys, agreements, message templates, settings.
import { addRoute } from '../core/nav.js';

addRoute({
  re: /^\/admin(?:\/(users|api-keys|agreements|templates|settings))?\/?$/, page: 'admin', nav: 'admin', admin: true, load: () => import('./admin.js'),
});
