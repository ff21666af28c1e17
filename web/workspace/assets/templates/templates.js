// Administration → Messages: the texts customers receive, per kind and language, as the
// dealership words them (docs/API.md, "Message templates"). An admin edits a kind's parts with
// placeholders; each save is a new version, and the shipped texts are one click away. As one
// types, the box previews the text with the longest plausible values: problems on their part,
// and for an SMS its encoding, characters and parts (the worst case), and each character that
// makes it UCS-2 with a one-click replacement (never a silent one).
import { api, get } from '../core/api.js';
import { t, plural, dateTime } from '../core/i18n.js';
import { h, icon, replace, clear, field, formAlert, showErrors, clearErrors, toast, confirmDialog, debounce, fitRows } from '../core/dom.js';

const LANG_NAMES = { fr: 'tpl.lang.fr', en: 'tpl.lang.en' };

/** The list of kinds, each with its version in both languages and a button to edit it. */
export async function templatesTab(content) {
  const list = await get('/templates');
  const row = (k) => h('tr', { dataset: { audience: k.audience } },
    h('th', { scope: 'row' }, h('span', { class: 'tpl-kind' }, icon(kindIcon(k)), t(`tpl.kind.${k.kind}`))),
    ['fr', 'en'].map((lang) => h('td', {},
      h('div', { class: 'tpl-version' }, versionWords(k.languages[lang])),
      h('button', {
        type: 'button', class: 'btn btn-small', dataset: { kind: k.kind, lang },
        onclick: () => openEditor(content, k.kind, lang),
      }, icon('edit'), t('tpl.edit', { lang: t(LANG_NAMES[lang]) })))));
  // The customers' messages, then what staff receive under a heading of their own.
  const group = (audience) => list.items.filter((k) => (k.audience || 'customer') === audience).map(row);
  const staff = group('staff');
  const rows = [...group('customer'), staff.length
    ? h('tr', { class: 'tpl-group' }, h('th', { scope: 'colgroup', colspan: 3 }, t('tpl.group.staff'))) : null, ...staff];
  replace(content,
    h('div', { class: 'section-head' }, h('div', {}, h('h2', {}, t('tpl.title')), h('p', { class: 'section-lead' }, t('tpl.lead')))),
    h('div', { class: 'card card-flush' }, h('div', { class: 'table-wrap' }, h('table', { class: 'table admin-table tpl-table' },
      h('caption', { class: 'visually-hidden' }, t('tpl.title')),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('tpl.col.kind')),
        h('th', { scope: 'col' }, t('tpl.lang.fr')), h('th', { scope: 'col' }, t('tpl.lang.en')))),
      h('tbody', {}, rows)))));
}

function kindIcon(k) {
  if (k.kind === 'advisor_notification') return 'bell';
  return k.channel === 'sms' ? 'phone' : 'mail';
}

function versionWords(v) {
  if (!v || v.version === 0) return h('span', { class: 'muted' }, t('tpl.shippedNever'));
  const when = v.created_at ? dateTime(v.created_at) : '';
  return h('span', {}, t(v.shipped ? 'tpl.versionShipped' : 'tpl.version', { n: v.version, when, who: v.created_by || '' }));
}

/** The editor of one kind in one language, in place of the list. */
async function openEditor(content, kind, lang) {
  const tpl = await get(`/templates/${kind}/${lang}`);
  const alert = formAlert();
  const areas = {};
  const previews = {};
  const fields = tpl.part_names.map((name) => {
    const area = h('textarea', { rows: 3, spellcheck: 'true', lang, dataset: { part: name } });
    area.value = tpl.parts[name] ?? '';
    areas[name] = area;
    previews[name] = h('div', { class: 'tpl-preview', dataset: { previewOf: name }, 'aria-live': 'polite' });
    area.addEventListener('input', () => { fitRows(area, { min: 2, max: 20 }); refresh(); });
    area.addEventListener('focus', () => { lastArea = area; showChips(); });
    const f = field({ label: t(`tpl.part.${partKey(name)}`), control: area, field: `parts.${name}` });
    f.append(previews[name]);
    return f;
  });
  let lastArea = areas[tpl.part_names[0]];
  const chips = tpl.placeholders.map((p) => h('button', {
    type: 'button', class: 'chip tpl-placeholder', dataset: { placeholder: p },
    title: t(tpl.audience === 'staff' && p === 'link' ? 'tpl.ph.roLink' : `tpl.ph.${p}`),
    onclick: () => insertAt(lastArea, `<%${p}>`),
  }, `<%${p}>`));
  // A staff text names only its own placeholders: the chips follow the box being typed in.
  const showChips = () => {
    const allowed = tpl.part_placeholders?.[lastArea.dataset.part] || tpl.placeholders;
    for (const c of chips) c.hidden = !allowed.includes(c.dataset.placeholder);
  };
  const staff = tpl.audience === 'staff';
  const hint = tpl.channel === 'sms' ? 'tpl.worstCase'
    : staff ? (kind === 'advisor_notification' ? 'tpl.notificationHint' : 'tpl.digestHint') : 'tpl.emailHint';

  const parts = () => Object.fromEntries(tpl.part_names.map((n) => [n, areas[n].value]));
  const form = h('form', { class: 'card tpl-editor', novalidate: true });
  let asked = 0; // the latest preview asked for: an older answer arriving late is dropped
  const refresh = debounce(async () => {
    const mine = ++asked;
    try {
      const r = await api('POST', `/templates/${kind}/${lang}/preview`, { body: { parts: parts() } });
      if (mine !== asked) return;
      showPreview(form, r.data, previews, areas, refresh, staff);
    } catch { /* the next keystroke tries again; saving shows the error */ }
  }, 150);

  const save = h('button', { type: 'submit', class: 'btn btn-primary' }, icon('check'), t('tpl.save'));
  const back = h('button', { type: 'button', class: 'btn', onclick: () => templatesTab(content) }, t('common.cancel'));
  const reset = h('button', {
    type: 'button', class: 'btn btn-ghost', disabled: tpl.shipped,
    onclick: async () => {
      const ok = await confirmDialog({
        title: t('tpl.resetTitle'), text: t('tpl.resetText'), confirmLabel: t('tpl.reset'), danger: false,
        onConfirm: () => api('POST', `/templates/${kind}/${lang}/default`),
      });
      if (ok) { toast(t('tpl.resetDone')); await openEditor(content, kind, lang); }
    },
  }, icon('back'), t('tpl.reset'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    save.disabled = true;
    try {
      const r = await api('PUT', `/templates/${kind}/${lang}`, { body: { parts: parts() } });
      toast(t('tpl.saved', { n: r.data.version }));
      await openEditor(content, kind, lang);
    } catch (e) {
      showErrors(form, e);
    } finally {
      save.disabled = false;
    }
  });
  replace(form,
    h('header', { class: 'tpl-head' },
      h('h2', {}, t(`tpl.kind.${kind}`), ' — ', t(LANG_NAMES[lang])),
      h('p', { class: 'section-lead' }, versionWords(tpl))),
    alert,
    h('div', { class: 'tpl-placeholders' }, h('p', { class: 'field-hint' }, t('tpl.placeholdersHint')), chips),
    h('p', { class: 'field-hint' }, t(hint, { n: tpl.max_body_characters })),
    fields,
    h('footer', { class: 'tpl-foot' }, reset, h('span', { class: 'spacer' }), back, save),
    historyList(tpl.history));
  replace(content, form);
  for (const a of Object.values(areas)) fitRows(a, { min: 2, max: 20 });
  showChips();
  refresh();
  lastArea.focus();
}

// "offer_email.body.one" → "body.one"; a whole-text SMS → "text" (its variant: "replies").
function partKey(name) {
  const dot = name.indexOf('.');
  if (dot < 0) return 'text';
  return name.slice(dot + 1);
}

function insertAt(area, text) {
  const start = area.selectionStart ?? area.value.length;
  const end = area.selectionEnd ?? start;
  area.value = area.value.slice(0, start) + text + area.value.slice(end);
  area.focus();
  area.selectionStart = area.selectionEnd = start + text.length;
  area.dispatchEvent(new Event('input'));
}

/** Shows the preview's problems on their parts and, per SMS part, its cost and UCS-2 characters. */
function showPreview(form, data, previews, areas, refresh, staff) {
  for (const el of form.querySelectorAll('.field-error')) { el.hidden = true; el.textContent = ''; }
  for (const a of Object.values(areas)) a.removeAttribute('aria-invalid');
  for (const p of data.problems) {
    const name = p.field.replace(/^parts\./, '');
    const area = areas[name];
    if (!area) continue;
    const err = area.closest('.field').querySelector('.field-error');
    err.textContent = err.textContent ? `${err.textContent} ${p.message}` : p.message;
    err.hidden = false;
    area.setAttribute('aria-invalid', 'true');
  }
  for (const part of data.parts) {
    const box = previews[part.part];
    if (!box) continue;
    clear(box);
    // What a colleague will read, filled with long example values.
    if (staff && part.text !== undefined) {
      box.append(h('p', { class: 'tpl-sample-text tpl-staff-sample' }, h('span', { class: 'tpl-sample-label' }, t('tpl.staffSample')), part.text));
      continue;
    }
    if (!part.cost) continue;
    const c = part.cost;
    const costly = c.encoding === 'ucs2' || c.parts > 1;
    box.append(h('p', { class: ['sms-info', costly ? 'is-costly' : null], dataset: { encoding: c.encoding, parts: String(c.parts) } },
      t(`tpl.encoding.${c.encoding}`), ' · ', plural('tpl.chars', c.characters), ' · ', plural('tpl.parts', c.parts)));
    if (part.ucs2.length) {
      box.append(h('p', { class: 'field-hint' }, t('tpl.ucs2Lead')));
      box.append(h('ul', { class: 'tpl-ucs2' }, part.ucs2.map((u) => h('li', {},
        h('code', {}, u.char), ` ${u.code} `, plural('tpl.times', u.count), ' ',
        u.replacement !== null
          ? h('button', {
            type: 'button', class: 'btn btn-small', dataset: { replace: u.char },
            onclick: () => {
              const area = areas[part.part];
              area.value = area.value.split(u.char).join(u.replacement);
              refresh();
              area.focus();
            },
          }, t('tpl.replaceWith', { from: u.char, to: u.replacement || t('tpl.nothing') }))
          : h('span', { class: 'muted' }, t('tpl.noReplacement'))))));
    }
    box.append(h('details', { class: 'tpl-sample' }, h('summary', {}, t('tpl.sample')), h('p', { class: 'tpl-sample-text' }, part.text)));
  }
}

function historyList(history) {
  if (!history.length) return null;
  return h('details', { class: 'tpl-history' },
    h('summary', {}, plural('tpl.historyCount', history.length)),
    h('ol', { reversed: true }, history.map((v) => h('li', {}, versionWords(v)))));
}
