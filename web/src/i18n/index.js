// Every word the elements show, in one place, replaceable per page and per locale.
//
// Why not @lit/localize: its runtime mode keeps one global locale set by a single
// configureLocalization() call per page, which a CMS page that already uses it would collide with,
// and it has no plural forms. These elements are guests on someone else's page, so they keep
// a small table of their own: one function per message (plurals via Intl.PluralRules), a
// locale per element read from the nearest `lang` attribute, and page overrides of any key.
// English is built in; other languages are modules that register themselves (../locales/de.js).
import en from './en.js';

const catalogs = new Map([['en', en]]);
const overrides = new Map(); // locale -> partial table set by the page
const EVENT = 'orderflow-strings-changed';

/**
 * Adds or replaces a locale's messages (a partial table falls back to English key by key).
 * `defineMessages('fr', {...})` ships a language; `overrideMessages('en', {bulkActions: 'Mass edit'})`
 * rewords single strings of an existing one. Both re-render every element on the page.
 */
export function defineMessages(locale, table) {
  catalogs.set(locale.toLowerCase(), { ...(catalogs.get(locale.toLowerCase()) ?? {}), ...table });
  changed();
}
export function overrideMessages(locale, table) {
  const k = locale.toLowerCase();
  overrides.set(k, { ...(overrides.get(k) ?? {}), ...table });
  changed();
}
function changed() {
  if (typeof window !== 'undefined') window.dispatchEvent(new Event(EVENT));
}

// A page that switches language by changing <html lang> (or any element's lang) re-renders the
// elements: one observer for the whole page, started by the first element.
let observer = null;
function watchLang() {
  if (observer || typeof MutationObserver === 'undefined') return;
  observer = new MutationObserver(changed);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['lang'], subtree: true });
}

/** 'de-CH' -> ['de-ch', 'de', 'en'] */
function chain(locale) {
  const out = [];
  const l = (locale || 'en').toLowerCase();
  out.push(l);
  if (l.includes('-')) out.push(l.split('-')[0]);
  if (!out.includes('en')) out.push('en');
  return out;
}

/** The message `key` in `locale` with `params`; a missing key shows the key (found in tests). */
export function message(locale, key, params = {}) {
  for (const l of chain(locale)) {
    const m = overrides.get(l)?.[key] ?? catalogs.get(l)?.[key];
    if (m !== undefined) return typeof m === 'function' ? m(params, { locale: l, plural: plural(l), n: num(locale) }) : m;
  }
  return key;
}

const plurals = new Map();
function plural(locale) {
  let p = plurals.get(locale);
  if (!p) plurals.set(locale, (p = new Intl.PluralRules(locale)));
  return (n) => p.select(n);
}
function num(locale) {
  const f = new Intl.NumberFormat(locale);
  return (n) => f.format(n);
}

/** The language of `el`: the nearest `lang` attribute, across shadow roots, else the document's. */
export function localeOf(el) {
  let n = el;
  while (n) {
    if (n.nodeType === 1 && n.hasAttribute('lang') && n.getAttribute('lang')) return n.getAttribute('lang');
    n = n.parentNode ?? n.host ?? null;
  }
  return (typeof document !== 'undefined' && document.documentElement.lang) || 'en';
}

/**
 * A Lit reactive controller: `this.i18n = new Strings(this)`, then `this.i18n.t('key', params)`,
 * `this.i18n.date(iso)`, `this.i18n.money(n)`. Re-renders its host when the messages change.
 */
export class Strings {
  constructor(host) {
    this.host = host;
    host.addController(this);
    this._onChange = () => {
      this._locale = null;
      host.requestUpdate();
    };
    this._locale = null;
  }
  hostConnected() {
    this._locale = null;
    window.addEventListener(EVENT, this._onChange);
    watchLang();
  }
  hostDisconnected() {
    window.removeEventListener(EVENT, this._onChange);
  }
  get locale() {
    return (this._locale ??= localeOf(this.host));
  }
  t(key, params) {
    return message(this.locale, key, params);
  }
  /** A date and time in the page's locale; '' for nothing, never the raw ISO text. */
  date(iso, style = { dateStyle: 'medium', timeStyle: 'short' }) {
    if (!iso) return '';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return '';
    return formatter(this.locale, style).format(d);
  }
  number(n, opts = {}) {
    return typeof n === 'number' ? formatter(this.locale, opts, Intl.NumberFormat).format(n) : (n ?? '');
  }
}

const formatters = new Map();
function formatter(locale, opts, Ctor = Intl.DateTimeFormat) {
  const k = `${Ctor.name}|${locale}|${JSON.stringify(opts)}`;
  let f = formatters.get(k);
  if (!f) {
    try {
      f = new Ctor(locale, opts);
    } catch {
      f = new Ctor('en', opts);
    }
    formatters.set(k, f);
  }
  return f;
}

export { en as english };
