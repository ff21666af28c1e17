// What the whole workspace shares: the signed-in user, the CSRF token, the dealership's
// settings and the chosen language. Filled by app.js at start and after sign-in.
export const state = {
  lang: 'fr',
  user: null,
  csrf: '',
  dealer: null, // the full settings, once signed in
  publicDealer: null, // {name, language}: what the sign-in page may know
  users: null,
  reminders: null, // the dealership's reminder default, when /settings says it
};
