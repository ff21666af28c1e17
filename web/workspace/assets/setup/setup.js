// The box's settings: the first-boot setup (/setup, one step at a time, each one skippable) and
// Administration → Settings (every section on one page). Saving writes them on the box
// (PATCH /api/v1/admin/settings) and relais restarts in place to apply them: the page waits
// for it to answer again, then shows what now applies.
import { api, ApiError } from '../core/api.js';
import { state } from '../core/state.js';
import { t, dateTime, dateOnly } from '../core/i18n.js';
import { h, icon, field, formAlert, showErrors, clearErrors, toast, select, replace } from '../core/dom.js';
import { setTitle, navigate } from '../core/nav.js';
import { hoursSection } from './hours.js';

const SECTIONS = ['dealer', 'public', 'modem', 'mail'];
/** Administration → Settings has these too; the first-boot setup keeps their defaults. */
const SETTINGS_SECTIONS = [...SECTIONS, 'hours'];

const RESTART_TIMEOUT_MS = 150000; // the stop waits up to 60 s for sends, then 2 × 10 s for requests
const POLL_MS = 500;
const pause = (ms) => new Promise((r) => { setTimeout(r, ms); });

/** This run of relais (/healthz's "instance"): a new one at every start, also a restart in place. */
async function currentInstance() {
  const response = await fetch('/healthz', { cache: 'no-store', credentials: 'same-origin' });
  const body = await response.json(); // a degraded box answers 503 with the same fields
  return body.instance || null;
}

/** Waits until another run than `before` answers: until then, the old one may still answer (it
 * finishes the sends in progress first), then none does. False when none came in time. */
async function restarted(before) {
  const deadline = Date.now() + RESTART_TIMEOUT_MS;
  while (Date.now() < deadline) {
    try {
      const now = await currentInstance();
      if (now && now !== before) return true;
    } catch { /* stopping or starting: not answering, or not yet with JSON */ }
    await pause(POLL_MS);
  }
  return false;
}

function timeZones(current) {
  let zones = [];
  try { zones = Intl.supportedValuesOf('timeZone'); } catch { zones = []; }
  if (!zones.includes(current)) zones = [current, ...zones];
  return zones.map((z) => ({ value: z, label: z.replaceAll('_', ' '), selected: z === current }));
}

/** What the public name field shows of the base URL: all of it but an https:// scheme, so a
 * port or a path stays (https://garage.fr:8443 → garage.fr:8443); nothing for the name a new
 * box is delivered with. */
function publicShown(url) {
  const shown = (url || '').replace(/^https:\/\//i, '');
  return /^relais\.invalid(?:[:/]|$)/i.test(shown) ? '' : shown;
}

/** The base URL for what the field holds: https:// unless a scheme was typed, the name and port
 * in lower case, the rest as typed; the box checks it (config.cpp). */
function publicUrl(typed) {
  const v = typed.trim().replace(/\/+$/, '');
  if (!v) return '';
  const m = /^([a-z][a-z0-9+.-]*:\/\/)?([^/]*)(.*)$/i.exec(v);
  return `${(m[1] || 'https://').toLowerCase()}${m[2].toLowerCase()}${m[3]}`;
}

/** The HTTPS certificate customers are shown: what it is, whether their browser warns, the
 * CA's last error and the next attempt, and "try now" for an ACME one. Null without HTTPS. */
async function certificateBox() {
  const box = h('div', { class: 'setup-cert', role: 'status' });
  const fill = async () => {
    const c = (await api('GET', '/certificate')).data;
    if (c.state === 'off') { box.hidden = true; return; }
    const warn = c.customers_see_warning || c.state === 'failing';
    box.className = `setup-cert${warn ? ' setup-cert-warn' : ''}`;
    const at = (sec) => dateTime(new Date(sec * 1000).toISOString());
    const lines = [h('p', { class: 'setup-cert-title' }, icon(warn ? 'alert' : 'lock'), t(`cert.state.${c.state}`, { name: c.name }))];
    if (c.customers_see_warning) lines.push(h('p', {}, t('cert.warning')));
    lines.push(h('p', {}, t('cert.facts', {
      issuer: c.issuer, until: dateOnly(new Date(c.not_after * 1000).toISOString()), days: c.days_left,
    })));
    if (c.last_error) lines.push(h('p', { class: 'setup-cert-error' }, t('cert.lastError', { at: at(c.last_error_at), error: c.last_error })));
    if (c.next_attempt_at && c.source === 'acme') lines.push(h('p', {}, t('cert.next', { at: at(c.next_attempt_at) })));
    if (c.source === 'acme' && c.state !== 'no_public_name') {
      const now = h('button', { type: 'button', class: 'btn btn-small' }, t('cert.renewNow'));
      now.addEventListener('click', async () => {
        now.disabled = true;
        try {
          await api('POST', '/certificate/renew');
          toast(t('cert.asked'));
        } catch (e) {
          toast(e.message, 'error'); // asked too recently: the API says when to ask again
        }
        setTimeout(() => { fill().catch(() => {}); }, 20000);
      });
      lines.push(h('div', { class: 'form-buttons' }, now));
    }
    replace(box, ...lines);
  };
  await fill();
  return box.hidden ? null : box;
}

/** One section's form: its controls, what it sends, and its test (modem, mail). */
function sectionForm(name, s, onSaved) {
  const alert = formAlert();
  const controls = {};
  let body;
  let lead;
  let extra = null;
  let sectionChanges = null;
  if (name === 'hours') {
    ({ lead, body, changes: sectionChanges } = hoursSection(s));
  } else if (name === 'dealer') {
    controls.name = h('input', { type: 'text', value: s.dealer.name, maxlength: 80, autocomplete: 'organization' });
    controls.language = select([{ value: 'fr', label: t('lang.fr') }, { value: 'en', label: t('lang.en') }],
      { value: s.dealer.language });
    controls.timezone = select(timeZones(s.dealer.timezone), { value: s.dealer.timezone });
    lead = t('setup.dealerLead');
    body = [
      field({ label: t('setup.dealerName'), control: controls.name, field: 'dealer.name' }),
      field({ label: t('setup.language'), control: controls.language, field: 'dealer.language', hint: t('setup.languageHint') }),
      field({ label: t('setup.timezone'), control: controls.timezone, field: 'dealer.timezone' })];
  } else if (name === 'public') {
    controls.host = h('input', {
      type: 'text', value: publicShown(s.public_base_url), placeholder: 'atelier.garage-martin.fr',
      autocomplete: 'off', spellcheck: 'false', inputmode: 'url',
    });
    lead = t('setup.publicLead');
    body = [field({ label: t('setup.publicName'), control: controls.host, field: 'public_base_url', hint: t('setup.publicHint') })];
    extra = h('div', {}, h('div', { class: 'setup-note' }, icon('info'), h('p', {}, t('setup.publicPorts'))));
    certificateBox().then((box) => { if (box) extra.append(box); }).catch(() => {});
  } else if (name === 'modem') {
    const options = [{ value: 'virtual', label: t('setup.modemVirtual') }];
    for (const p of s.ports) {
      const what = p.known_modem || p.description || '';
      options.push({ value: p.path, label: what ? `${p.path} — ${what}` : p.path });
    }
    if (!options.some((o) => o.value === s.modem.device)) options.push({ value: s.modem.device, label: s.modem.device });
    controls.device = select(options, { value: s.modem.device });
    controls.pin = h('input', {
      type: 'password', inputmode: 'numeric', autocomplete: 'off', maxlength: 8,
      placeholder: s.modem.pin_set ? t('setup.keepSecret') : t('setup.noPin'),
    });
    lead = t('setup.modemLead');
    body = [
      field({ label: t('setup.modemPort'), control: controls.device, field: 'modem.device', hint: s.ports.length ? t('setup.modemPortsHint') : t('setup.noPorts') }),
      field({ label: t('setup.pin'), control: controls.pin, field: 'modem.pin', optional: true, hint: t('setup.pinHint') })];
    extra = testBox('sms');
  } else {
    const m = s.mail;
    controls.relay_host = h('input', { type: 'text', value: m.relay_host, placeholder: 'smtp.office365.com', autocomplete: 'off', spellcheck: 'false' });
    controls.relay_port = h('input', { type: 'number', value: m.relay_port, min: 1, max: 65535, inputmode: 'numeric' });
    controls.tls = select(['starttls', 'tls', 'opportunistic', 'none'].map((v) => ({ value: v, label: t(`setup.tls.${v}`) })), { value: m.tls });
    controls.username = h('input', { type: 'text', value: m.username, autocomplete: 'off' });
    controls.password = h('input', { type: 'password', autocomplete: 'new-password', placeholder: m.password_set ? t('setup.keepSecret') : '' });
    controls.from = h('input', { type: 'email', value: m.from, autocomplete: 'off' });
    lead = t('setup.mailLead');
    body = [
      field({ label: t('setup.relayHost'), control: controls.relay_host, field: 'mail.relay_host', optional: true, hint: t('setup.relayHostHint') }),
      h('div', { class: 'grid-2' },
        field({ label: t('setup.relayPort'), control: controls.relay_port, field: 'mail.relay_port' }),
        field({ label: t('setup.security'), control: controls.tls, field: 'mail.tls' })),
      h('div', { class: 'grid-2' },
        field({ label: t('setup.username'), control: controls.username, field: 'mail.username', optional: true }),
        field({ label: t('setup.password'), control: controls.password, field: 'mail.password', optional: true })),
      field({ label: t('setup.from'), control: controls.from, field: 'mail.from', hint: t('setup.fromHint') })];
    extra = testBox('email');
  }

  const changes = () => {
    if (sectionChanges) return sectionChanges();
    if (name === 'dealer') {
      return { dealer: { name: controls.name.value.trim(), language: controls.language.value, timezone: controls.timezone.value } };
    }
    if (name === 'public') {
      return { public_base_url: publicUrl(controls.host.value) };
    }
    if (name === 'modem') {
      const out = { modem: { device: controls.device.value } };
      if (controls.pin.value) out.modem.pin = controls.pin.value;
      return out;
    }
    const out = {
      mail: {
        relay_host: controls.relay_host.value.trim(), relay_port: Number(controls.relay_port.value) || 0,
        tls: controls.tls.value, username: controls.username.value.trim(), from: controls.from.value.trim(),
      },
    };
    if (controls.password.value) out.mail.password = controls.password.value;
    return out;
  };

  const form = h('form', { class: 'form setup-form', novalidate: true }, alert, ...body);
  /** Saves; resolves true when saved (after the restart), false on problems shown. */
  const save = async () => {
    clearErrors(form);
    try {
      // Read first: the answer that says the new settings apply is one from another run.
      let before;
      try {
        before = await currentInstance();
      } catch {
        throw new ApiError(0, { error: { code: 'network', message: t('error.network') } });
      }
      const r = await api('PATCH', '/admin/settings', { body: changes() });
      if (r.data && r.data.restarting) {
        replace(alert, icon('info'), h('p', { class: 'form-alert-title' }, t('setup.restarting')));
        alert.hidden = false;
        if (!await restarted(before)) {
          replace(alert, icon('alert'), h('p', { class: 'form-alert-title' }, t('setup.notBack')));
          return false;
        }
        alert.hidden = true;
        // The top bar shows the garage's name: it may have changed.
        const fresh = (await api('GET', '/settings')).data;
        state.dealer = fresh.dealer;
        const brand = document.querySelector('.brand-dealer');
        if (brand) brand.textContent = fresh.dealer.name;
      }
      toast(t('setup.saved'));
      if (onSaved) await onSaved();
      return true;
    } catch (e) {
      if (!(e instanceof ApiError) || e.handled) throw e;
      showErrors(form, e);
      return false;
    }
  };
  return { form, save, lead, extra };
}

/** Follows a test email to its outcome (GET /mail/test-email/{id}): the relay's answer, or why
 * it was not sent. */
async function emailOutcome(sent, result) {
  result.textContent = t('setup.emailSending', { to: sent.to });
  const deadline = Date.now() + 90000; // the relay's own timeouts end a send well before
  let test = sent;
  for (let first = true; test.state === 'sending' && Date.now() < deadline; first = false) {
    if (!first) await pause(1000);
    try {
      test = (await api('GET', `/mail/test-email/${encodeURIComponent(sent.id)}`)).data;
    } catch (e) {
      if (!(e instanceof ApiError) || e.handled) throw e;
      // Relais started again meanwhile: the test was the run before's.
      if (e.status === 404) { result.textContent = t('setup.emailLost'); return; }
      // Stopping or busy: asked again in a moment.
    }
  }
  if (test.state === 'sent') { result.textContent = t('setup.emailSent', { to: test.to, answer: test.answer }); return; }
  if (test.state === 'failed') { result.textContent = t('setup.emailFailed', { error: test.error }); return; }
  result.textContent = t('setup.emailNoAnswer');
}

/** A test SMS to a number, or a test email to an address, through what is configured now. */
function testBox(kind) {
  const input = h('input', kind === 'sms'
    ? { type: 'tel', autocomplete: 'off', placeholder: '06 12 34 56 78' }
    : { type: 'email', autocomplete: 'off', placeholder: 'atelier@garage-martin.fr' });
  const result = h('p', { class: 'setup-test-result', role: 'status' });
  const button = h('button', { type: 'submit', class: 'btn' }, icon(kind === 'sms' ? 'phone' : 'mail'),
    kind === 'sms' ? t('setup.sendTestSms') : t('setup.sendTestEmail'));
  const form = h('form', { class: 'form setup-test', novalidate: true }, formAlert(),
    h('div', { class: 'setup-test-row' },
      field({ label: kind === 'sms' ? t('setup.testTo') : t('setup.testEmailTo'), control: input, field: 'to', hint: t('setup.testHint') }),
      h('div', { class: 'form-buttons' }, button)),
    result);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    result.textContent = t('setup.testing');
    button.disabled = true;
    try {
      if (kind === 'sms') {
        const r = await api('POST', '/modem/test-sms', { body: { to: input.value, text: t('setup.testSmsText') } });
        result.textContent = t('setup.smsQueued', { to: r.data.to });
        // Its outcome, as the modem reports it (sent, then delivered or failed).
        for (let i = 0; i < 90; i += 1) {
          await pause(1000);
          const m = (await api('GET', '/modem')).data;
          const test = (m.tests || []).find((x) => x.id === r.data.id);
          if (test && test.state !== 'queued') {
            result.textContent = t(`setup.sms.${test.state}`, { to: r.data.to, detail: test.detail || '' });
            if (test.state !== 'sent') break;
          }
        }
      } else {
        const r = await api('POST', '/mail/test-email', { body: { to: input.value } });
        await emailOutcome(r.data, result);
      }
    } catch (e) {
      if (!(e instanceof ApiError) || e.handled) throw e;
      result.textContent = '';
      showErrors(form, e);
    } finally {
      button.disabled = false;
    }
  });
  return h('div', { class: 'setup-test-box' }, h('h3', { class: 'card-subtitle' }, t(kind === 'sms' ? 'setup.testSmsTitle' : 'setup.testEmailTitle')), form);
}

/** Administration → Settings: every section on one page, each saved on its own. */
export async function settingsTab(into) {
  const s = (await api('GET', '/admin/settings')).data;
  const content = h('div', { class: 'stack' });
  into.append(content);
  const reload = async () => { replace(into); await settingsTab(into); };
  for (const name of SETTINGS_SECTIONS) {
    const sec = sectionForm(name, s, reload);
    const save = h('button', { type: 'submit', class: 'btn btn-primary' }, t('common.save'));
    sec.form.append(h('div', { class: 'form-buttons' }, save));
    sec.form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      save.disabled = true;
      try { await sec.save(); } finally { save.disabled = false; }
    });
    content.append(h('section', { class: 'card', 'aria-labelledby': `h-set-${name}` },
      h('h2', { class: 'card-title', id: `h-set-${name}` }, t(`setup.step.${name}`)),
      h('p', { class: 'card-lead' }, sec.lead), sec.form, sec.extra));
  }
}

/** The first-boot setup: one step at a time, each one skippable, then done. */
export default async function setupPage({ main }) {
  setTitle(t('setup.title'));
  let settings = (await api('GET', '/admin/settings')).data;
  let step = 0;
  const page = h('section', { class: 'page page-narrow setup' });
  main.append(page);

  const finish = async () => {
    await api('POST', '/admin/setup/done');
    state.setupDone = true;
    toast(t('setup.finished'));
    navigate('/repair-orders', { replace: true });
  };

  const show = () => {
    const last = step === SECTIONS.length;
    const progress = h('ol', { class: 'setup-steps', 'aria-label': t('setup.progress') },
      [...SECTIONS, 'done'].map((n, i) => h('li', {
        class: i === step ? 'current' : i < step ? 'past' : null, 'aria-current': i === step ? 'step' : null,
      }, h('span', { class: 'setup-step-n' }, String(i + 1)), t(`setup.step.${n}`))));
    const head = h('div', { class: 'page-head' },
      h('h1', {}, t('setup.title')),
      h('button', { type: 'button', class: 'btn btn-ghost', onclick: finish }, t('setup.later')));
    if (last) {
      replace(page, head, progress, h('section', { class: 'card' },
        h('h2', { class: 'card-title' }, icon('check'), t('setup.step.done')),
        h('p', { class: 'card-lead' }, t('setup.doneLead')),
        h('div', { class: 'form-buttons' },
          h('button', { type: 'button', class: 'btn', onclick: () => { step -= 1; show(); } }, t('setup.back')),
          h('button', { type: 'button', class: 'btn btn-primary', onclick: finish }, t('setup.finish')))));
      return;
    }
    const name = SECTIONS[step];
    const sec = sectionForm(name, settings, async () => { settings = (await api('GET', '/admin/settings')).data; });
    const next = h('button', { type: 'submit', class: 'btn btn-primary' }, t('setup.saveNext'));
    const skip = h('button', { type: 'button', class: 'btn', onclick: () => { step += 1; show(); } }, t('setup.skip'));
    const back = step > 0 ? h('button', { type: 'button', class: 'btn btn-ghost', onclick: () => { step -= 1; show(); } }, t('setup.back')) : null;
    sec.form.append(h('div', { class: 'form-buttons' }, back, skip, next));
    sec.form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      next.disabled = skip.disabled = true;
      try {
        if (await sec.save()) { step += 1; show(); }
      } finally {
        next.disabled = skip.disabled = false;
      }
    });
    replace(page, head, progress, h('section', { class: 'card', 'aria-labelledby': 'h-setup-step' },
      h('h2', { class: 'card-title', id: 'h-setup-step' }, t(`setup.step.${name}`)),
      h('p', { class: 'card-lead' }, sec.lead), sec.extra && name === 'public' ? sec.extra : null,
      sec.form, name !== 'public' ? sec.extra : null));
    const first = sec.form.querySelector('input, select');
    if (first) first.focus();
  };
  show();
  return null;
}
