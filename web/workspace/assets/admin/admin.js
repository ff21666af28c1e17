// Dealer admin: staff accounts, the API keys a DMS uses, and the agreements ("conditions")
// customers accept before confirming an offer.
import { api } from '../core/api.js';
import { state } from '../core/state.js';
import { t, dateTime, dateOnly, localText } from '../core/i18n.js';
import { h, icon, replace, clear, field, select, checkbox, toast, confirmDialog, formDialog, copyText } from '../core/dom.js';
import { setTitle, navigate } from '../core/nav.js';
import { loadUsers, followOwnLanguage } from '../core/session.js';
import { LIMITS } from '../core/limits.js';

export default async function adminPage({ params, main }) {
  const tab = params[0] || '';
  if (!tab) { navigate('/admin/users', { replace: true }); return null; }
  const titles = { users: 'admin.users', 'api-keys': 'admin.keys', agreements: 'admin.agreements', templates: 'admin.templates', settings: 'admin.settings' };
  setTitle(t(titles[tab]), t('admin.title'));
  const content = h('div', {});
  const tabLink = (href, label, name, ic) => h('a', { href, class: 'tab', 'aria-current': tab === name ? 'page' : null }, icon(ic), label);
  main.append(h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, t('admin.title')), h('p', { class: 'page-lead' }, t('admin.lead')))),
    h('nav', { class: 'tabs', 'aria-label': t('admin.title') },
      tabLink('/admin/users', t('admin.users'), 'users', 'users'),
      tabLink('/admin/api-keys', t('admin.keys'), 'api-keys', 'key'),
      tabLink('/admin/agreements', t('admin.agreements'), 'agreements', 'doc'),
      tabLink('/admin/templates', t('admin.templates'), 'templates', 'message'),
      tabLink('/admin/settings', t('admin.settings'), 'settings', 'flag')),
    content));
  if (tab === 'users') await usersTab(content);
  else if (tab === 'agreements') await agreementsTab(content);
  else if (tab === 'templates') await (await import('../templates/templates.js')).templatesTab(content);
  else if (tab === 'settings') await (await import('../setup/setup.js')).settingsTab(content);
  else await keysTab(content);
  return null;
}

/** A temporary password easy to read out: three groups of four, no look-alike letters. */
function temporaryPassword() {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = new Uint32Array(12);
  crypto.getRandomValues(bytes);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]);
  return `${chars.slice(0, 4).join('')}-${chars.slice(4, 8).join('')}-${chars.slice(8).join('')}`;
}

function secretBox(value, label) {
  const input = h('input', { type: 'text', class: 'mono secret', value, readonly: true, 'aria-label': label });
  const button = h('button', { type: 'button', class: 'btn' }, icon('copy'), t('common.copy'));
  button.addEventListener('click', async () => {
    const ok = await copyText(value, input);
    replace(button, icon(ok ? 'check' : 'copy'), ok ? t('common.copied') : t('common.copyFailed'));
  });
  input.addEventListener('focus', () => input.select());
  return h('div', { class: 'secret-box' }, input, button);
}

function showSecret({ title, lead, value, label, warning }) {
  return formDialog({
    title, cancelLabel: t('common.done'), wide: true,
    body: h('div', { class: 'form' },
      h('p', { class: 'dialog-text' }, lead),
      secretBox(value, label),
      h('p', { class: 'notice' }, icon('alert'), warning)),
  });
}

/** The frame of an admin tab: its heading (with a lead and the main action), then a table
 * whose rows the tab fills in `body`, and an empty state when the tab has one. */
function adminTable(content, { title, lead, action, columns, empty }) {
  const body = h('tbody');
  const table = h('table', { class: 'table admin-table' },
    h('caption', { class: 'visually-hidden' }, title),
    h('thead', {}, h('tr', {},
      columns.map((c) => h('th', { scope: 'col' }, c)),
      h('th', { scope: 'col', class: 'col-actions' }, h('span', { class: 'visually-hidden' }, t('common.actions'))))),
    body);
  const emptyState = empty
    ? h('div', { class: 'empty', hidden: true }, icon(empty.icon, 'empty-icon'), h('h2', {}, empty.title), h('p', {}, empty.text))
    : null;
  replace(content,
    h('div', { class: 'section-head' },
      lead ? h('div', {}, h('h2', {}, title), h('p', { class: 'section-lead' }, lead)) : h('h2', {}, title),
      action),
    h('div', { class: 'card card-flush' }, h('div', { class: 'table-wrap' }, table), emptyState));
  const showEmpty = (isEmpty) => {
    table.hidden = isEmpty;
    if (emptyState) emptyState.hidden = !isEmpty;
  };
  return { body, showEmpty };
}

// ---- users ----------------------------------------------------------------------------------

async function usersTab(content) {
  const { body } = adminTable(content, {
    title: t('admin.users'),
    action: h('button', { type: 'button', class: 'btn btn-primary', onclick: () => create() }, icon('plus'), t('user.create')),
    columns: [t('user.name'), t('user.role'), t('user.language'), t('user.state'), t('user.created')],
  });

  async function reload() {
    const users = await loadUsers(true);
    clear(body);
    const sorted = [...users].sort((a, b) => (b.active - a.active) || a.display_name.localeCompare(b.display_name, state.lang));
    for (const u of sorted) body.append(row(u));
  }

  function row(u) {
    const me = u.id === state.user.id;
    const role = select(['advisor', 'dealer_admin'].map((r) => ({ value: r, label: t(`role.${r}`) })), {
      value: u.role, disabled: me || !u.active, 'aria-label': t('user.roleOf', { name: u.display_name }),
    });
    role.addEventListener('change', async () => {
      try {
        await api('PATCH', `/users/${u.id}`, { body: { role: role.value } });
        toast(t('user.roleChanged', { name: u.display_name, role: t(`role.${role.value}`) }));
      } catch (e) {
        if (!e.handled) toast(e.fields.length ? e.fields[0].message : e.message, 'error');
      }
      reload();
    });
    const stateChip = !u.active
      ? h('span', { class: 'chip st-closed' }, h('span', { class: 'dot', 'aria-hidden': 'true' }), t('user.inactive'))
      : u.must_change_password
        ? h('span', { class: 'chip st-in_progress' }, h('span', { class: 'dot', 'aria-hidden': 'true' }), t('user.mustChange'))
        : h('span', { class: 'chip st-ready' }, h('span', { class: 'dot', 'aria-hidden': 'true' }), t('user.active'));
    return h('tr', { class: u.active ? null : 'is-inactive' },
      h('td', {}, h('div', { class: 'user-cell' },
        h('strong', {}, u.display_name, me ? h('span', { class: 'tag' }, t('user.you')) : null),
        h('span', { class: 'muted mono-small' }, u.username))),
      h('td', {}, role),
      h('td', {}, u.language ? t(`lang.${u.language}`) : h('span', { class: 'muted' }, t('user.languageDefault'))),
      h('td', {}, stateChip),
      h('td', {}, dateOnly(u.created_at)),
      h('td', { class: 'col-actions' }, h('div', { class: 'row-actions' },
        h('button', { type: 'button', class: 'btn btn-small', onclick: () => edit(u) }, icon('edit'), t('common.edit')),
        u.active ? h('button', { type: 'button', class: 'btn btn-small', onclick: () => resetPassword(u) }, icon('key'), t('user.resetPassword')) : null,
        me ? null : u.active
          ? h('button', { type: 'button', class: 'btn btn-small btn-danger-quiet', onclick: () => setActive(u, false) }, t('user.deactivate'))
          : h('button', { type: 'button', class: 'btn btn-small', onclick: () => setActive(u, true) }, t('user.reactivate')))));
  }

  async function create() {
    const username = h('input', { type: 'text', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' });
    const display = h('input', { type: 'text', autocomplete: 'off' });
    const role = select(['advisor', 'dealer_admin'].map((r) => ({ value: r, label: t(`role.${r}`) })));
    const language = languageSelect('');
    const password = h('input', { type: 'text', class: 'mono', value: temporaryPassword(), autocomplete: 'off', spellcheck: 'false' });
    const result = await formDialog({
      title: t('user.createTitle'), submitLabel: t('user.create'), wide: true,
      body: h('div', { class: 'form' },
        h('div', { class: 'grid grid-2' },
          field({ label: t('user.username'), control: username, field: 'username', hint: t('user.usernameHint'), max: LIMITS.username }),
          field({ label: t('user.displayName'), control: display, field: 'display_name', max: LIMITS.display_name }),
          field({ label: t('user.role'), control: role, field: 'role' }),
          field({ label: t('user.language'), control: language, field: 'language' })),
        field({ label: t('user.tempPassword'), control: password, field: 'password', hint: t('user.tempPasswordHint') })),
      onSubmit: async () => {
        const r = await api('POST', '/users', { body: { username: username.value.trim(), display_name: display.value.trim(), role: role.value, language: language.value, password: password.value } });
        return { user: r.data, password: password.value };
      },
    });
    if (!result) return;
    await reload();
    await showSecret({
      title: t('user.createdTitle', { name: result.user.display_name }),
      lead: t('user.createdLead', { username: result.user.username }),
      value: result.password, label: t('user.tempPassword'), warning: t('user.tempWarning'),
    });
  }

  async function edit(u) {
    const display = h('input', { type: 'text', value: u.display_name, autocomplete: 'off' });
    const language = languageSelect(u.language);
    const ok = await formDialog({
      title: t('user.editTitle', { name: u.display_name }), submitLabel: t('common.save'),
      body: h('div', { class: 'form' },
        field({ label: t('user.displayName'), control: display, field: 'display_name', max: LIMITS.display_name }),
        field({ label: t('user.language'), control: language, field: 'language', hint: t('user.languageHint') })),
      onSubmit: () => api('PATCH', `/users/${u.id}`, { body: { display_name: display.value.trim(), language: language.value } }),
    });
    if (ok) {
      toast(t('common.savedToast'));
      if (u.id === state.user.id) {
        state.user.display_name = display.value.trim();
        followOwnLanguage(language.value);
      }
      reload();
    }
  }

  async function resetPassword(u) {
    const password = h('input', { type: 'text', class: 'mono', value: temporaryPassword(), autocomplete: 'off', spellcheck: 'false' });
    const me = u.id === state.user.id;
    const ok = await formDialog({
      title: t('user.resetTitle', { name: u.display_name }), submitLabel: t('user.resetPassword'), danger: true,
      body: h('div', { class: 'form' },
        h('p', { class: 'dialog-text' }, me ? t('user.resetSelf') : t('user.resetLead', { name: u.display_name })),
        field({ label: t('user.tempPassword'), control: password, field: 'password', hint: t('user.tempPasswordHint') })),
      onSubmit: () => api('PATCH', `/users/${u.id}`, { body: { password: password.value } }),
    });
    if (!ok) return;
    await reload();
    if (!me) {
      await showSecret({
        title: t('user.resetDone', { name: u.display_name }), lead: t('user.createdLead', { username: u.username }),
        value: password.value, label: t('user.tempPassword'), warning: t('user.tempWarning'),
      });
    } else {
      toast(t('common.savedToast'));
    }
  }

  async function setActive(u, active) {
    if (!active) {
      const ok = await confirmDialog({ title: t('user.deactivateTitle', { name: u.display_name }), text: t('user.deactivateText'), confirmLabel: t('user.deactivate') });
      if (!ok) return;
    }
    try {
      await api('PATCH', `/users/${u.id}`, { body: { active } });
      toast(active ? t('user.reactivated', { name: u.display_name }) : t('user.deactivated', { name: u.display_name }));
    } catch (e) {
      if (!e.handled) toast(e.fields.length ? e.fields[0].message : e.message, 'error');
    }
    reload();
  }

  await reload();
}

function languageSelect(value) {
  return select([{ value: '', label: t('user.languageDefault') }, { value: 'fr', label: t('lang.fr') }, { value: 'en', label: t('lang.en') }], { value });
}

// ---- API keys -------------------------------------------------------------------------------

async function keysTab(content) {
  const { body, showEmpty } = adminTable(content, {
    title: t('admin.keys'), lead: t('key.lead'),
    action: h('button', { type: 'button', class: 'btn btn-primary', onclick: () => create() }, icon('plus'), t('key.create')),
    columns: [t('key.name'), t('key.prefix'), t('key.created'), t('key.lastUsed'), t('key.state')],
    empty: { icon: 'key', title: t('key.noneTitle'), text: t('key.noneText') },
  });

  async function reload() {
    const r = await api('GET', '/api-keys');
    clear(body);
    const items = [...r.data.items].sort((a, b) => (Boolean(a.revoked_at) - Boolean(b.revoked_at)) || b.created_at.localeCompare(a.created_at));
    showEmpty(!items.length);
    for (const k of items) {
      body.append(h('tr', { class: k.revoked_at ? 'is-inactive' : null },
        h('td', {}, h('strong', {}, k.name)),
        h('td', {}, h('span', { class: 'mono' }, `${k.prefix}…`)),
        h('td', {}, dateTime(k.created_at)),
        h('td', {}, k.last_used_at ? dateTime(k.last_used_at) : h('span', { class: 'muted' }, t('key.never'))),
        h('td', {}, k.revoked_at
          ? h('span', { class: 'chip st-cancelled' }, h('span', { class: 'dot', 'aria-hidden': 'true' }), t('key.revokedOn', { when: dateOnly(k.revoked_at) }))
          : h('span', { class: 'chip st-ready' }, h('span', { class: 'dot', 'aria-hidden': 'true' }), t('key.active'))),
        h('td', { class: 'col-actions' }, k.revoked_at ? null
          : h('button', { type: 'button', class: 'btn btn-small btn-danger-quiet', onclick: () => revoke(k) }, t('key.revoke')))));
    }
  }

  async function create() {
    const name = h('input', { type: 'text', autocomplete: 'off' });
    const result = await formDialog({
      title: t('key.createTitle'), submitLabel: t('key.create'),
      body: h('div', { class: 'form' }, field({ label: t('key.name'), control: name, field: 'name', hint: t('key.nameHint'), max: LIMITS.api_key_name })),
      onSubmit: async () => (await api('POST', '/api-keys', { body: { name: name.value.trim() } })).data,
    });
    if (!result) return;
    await reload();
    await showSecret({
      title: t('key.createdTitle', { name: result.api_key.name }), lead: t('key.createdLead'),
      value: result.key, label: t('key.key'), warning: t('key.onlyOnce'),
    });
  }

  async function revoke(k) {
    const ok = await confirmDialog({ title: t('key.revokeTitle', { name: k.name }), text: t('key.revokeText'), confirmLabel: t('key.revoke') });
    if (!ok) return;
    try {
      await api('DELETE', `/api-keys/${k.id}`);
      toast(t('key.revoked', { name: k.name }));
    } catch (e) {
      if (!e.handled) toast(e.message, 'error');
    }
    reload();
  }

  await reload();
}

// ---- agreements -----------------------------------------------------------------------------

async function agreementsTab(content) {
  const { body, showEmpty } = adminTable(content, {
    title: t('admin.agreements'), lead: t('agr.lead'),
    action: h('button', { type: 'button', class: 'btn btn-primary', onclick: () => edit(null) }, icon('plus'), t('agr.create')),
    columns: [t('agr.title'), t('agr.kind'), t('agr.version'), t('agr.state')],
    empty: { icon: 'doc', title: t('agr.noneTitle'), text: t('agr.noneText') },
  });

  async function reload() {
    const r = await api('GET', '/agreements');
    clear(body);
    showEmpty(!r.data.items.length);
    for (const a of r.data.items) body.append(row(a));
  }

  function row(a) {
    const langs = ['fr', 'en'].filter((l) => a.title[l]).map((l) => l.toUpperCase()).join(' · ');
    return h('tr', { class: a.active ? null : 'is-inactive', dataset: { agreementId: String(a.id) } },
      h('td', {}, h('div', { class: 'user-cell' },
        h('strong', {}, localText(a.title)),
        h('span', { class: 'muted mono-small' }, langs))),
      h('td', {}, h('span', { class: ['chip', a.mandatory ? 'st-in_progress' : 'st-open'] },
        h('span', { class: 'dot', 'aria-hidden': 'true' }), t(a.mandatory ? 'agr.mandatory' : 'agr.optional'))),
      h('td', {}, h('div', { class: 'user-cell' },
        h('strong', {}, t('agr.versionN', { n: a.version })),
        h('span', { class: 'muted' }, t('agr.changedBy', { when: dateOnly(a.updated_at), who: a.updated_by || '—' })))),
      h('td', {}, a.active
        ? h('span', { class: 'chip st-ready' }, h('span', { class: 'dot', 'aria-hidden': 'true' }), t('agr.active'))
        : h('span', { class: 'chip st-closed' }, h('span', { class: 'dot', 'aria-hidden': 'true' }), t('agr.archived'))),
      h('td', { class: 'col-actions' }, h('div', { class: 'row-actions' },
        h('button', { type: 'button', class: 'btn btn-small', onclick: () => edit(a) }, icon('edit'), t('common.edit')),
        a.version > 1 ? h('button', { type: 'button', class: 'btn btn-small', onclick: () => history(a) }, icon('clock'), t('agr.history')) : null,
        a.active
          ? h('button', { type: 'button', class: 'btn btn-small btn-danger-quiet', onclick: () => setActive(a, false) }, t('agr.archive'))
          : h('button', { type: 'button', class: 'btn btn-small', onclick: () => setActive(a, true) }, t('agr.restore')))));
  }

  async function edit(a) {
    const input = (v) => h('input', { type: 'text', value: v || '', autocomplete: 'off' });
    const area = (v) => h('textarea', { rows: '7' }, v || '');
    const titleFr = input(a && a.title.fr);
    const textFr = area(a && a.text.fr);
    const titleEn = input(a && a.title.en);
    const textEn = area(a && a.text.en);
    const mandatory = checkbox(t('agr.mandatoryLabel'), { checked: a ? a.mandatory : true });
    mandatory.dataset.field = 'mandatory';
    const result = await formDialog({
      title: a ? t('agr.editTitle', { title: localText(a.title) }) : t('agr.createTitle'),
      submitLabel: a ? t('agr.saveVersion', { n: a.version + 1 }) : t('agr.create'),
      wide: true,
      body: h('div', { class: 'form' },
        h('p', { class: 'dialog-text' }, a ? t('agr.editLead', { n: a.version }) : t('agr.createLead')),
        h('div', { class: 'grid grid-2' },
          h('div', { class: 'form' },
            field({ label: t('agr.titleFr'), control: titleFr, field: 'title.fr', max: LIMITS.agreement_title }),
            field({ label: t('agr.textFr'), control: textFr, field: 'text.fr', max: LIMITS.agreement_text })),
          h('div', { class: 'form' },
            field({ label: t('agr.titleEn'), control: titleEn, field: 'title.en', optional: true, max: LIMITS.agreement_title }),
            field({ label: t('agr.textEn'), control: textEn, field: 'text.en', optional: true, max: LIMITS.agreement_text }))),
        mandatory,
        h('p', { class: 'field-hint' }, t('agr.mandatoryHint'))),
      onSubmit: async () => {
        const payload = {
          title: { fr: titleFr.value.trim(), en: titleEn.value.trim() },
          text: { fr: textFr.value.trim(), en: textEn.value.trim() },
          mandatory: mandatory.querySelector('input').checked,
        };
        return (await api(a ? 'PATCH' : 'POST', a ? `/agreements/${a.id}` : '/agreements', { body: payload })).data;
      },
    });
    if (!result) return;
    toast(a && result.version === a.version ? t('agr.unchanged')
      : t(a ? 'agr.savedVersion' : 'agr.created', { title: localText(result.title), n: result.version }));
    reload();
  }

  async function history(a) {
    const r = await api('GET', `/agreements/${a.id}`);
    await formDialog({
      title: t('agr.historyTitle', { title: localText(a.title) }), cancelLabel: t('common.close'), wide: true,
      body: h('ol', { class: 'agreement-history' }, r.data.versions.map((v) => h('li', {},
        h('details', { open: v.version === a.version },
          h('summary', {}, h('strong', {}, t('agr.versionN', { n: v.version })), ' · ',
            t('agr.changedBy', { when: dateTime(v.created_at), who: v.created_by || '—' }), ' · ',
            t(v.mandatory ? 'agr.mandatory' : 'agr.optional')),
          ['fr', 'en'].filter((l) => v.title[l]).map((l) => h('div', { class: 'agreement-text', lang: l },
            h('h3', {}, v.title[l]), h('p', {}, v.text[l]))))))),
    });
  }

  async function setActive(a, active) {
    if (!active) {
      const ok = await confirmDialog({ title: t('agr.archiveTitle', { title: localText(a.title) }), text: t('agr.archiveText'), confirmLabel: t('agr.archive') });
      if (!ok) return;
    }
    try {
      await api('PATCH', `/agreements/${a.id}`, { body: { active } });
      toast(t(active ? 'agr.restored' : 'agr.archivedToast', { title: localText(a.title) }));
    } catch (e) {
      if (!e.handled) toast(e.fields.length ? e.fields[0].message : e.message, 'error');
    }
    reload();
  }

  await reload();
}
