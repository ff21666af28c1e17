// The admin pages (dealer admins only): users, API keys, agreements, settings.
import { addRoute } from '../core/nav.js';

addRoute({
  re: /^\/admin(?:\/(users|api-keys|agreements|settings))?\/?$/, page: 'admin', nav: 'admin', admin: true, load: () => import('./admin.js'),
});
