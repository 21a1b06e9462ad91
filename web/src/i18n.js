// i18n.js: the app's texts in Swedish, English, Arabic, Somali and Finnish. One catalogue
// per language in i18n/ (`export default {key: text}`, the same keys everywhere, held by
// web/i18n_test.go). Swedish is bundled and is the fallback; the others are loaded on
// demand. The language is the stored choice, else the browser's first supported one,
// else Swedish.
import sv from './i18n/sv.js';

const storageKey = 'trygg-lang';

/** languages are the UI's languages, each with its own name (the menu shows these). */
export const languages = [
	{ code: 'sv', name: 'Svenska' },
	{ code: 'en', name: 'English' },
	{ code: 'ar', name: 'العربية', dir: 'rtl' },
	{ code: 'so', name: 'Soomaali' },
	{ code: 'fi', name: 'Suomi' },
];

// Locales for Intl. Arabic keeps Western digits, as in the codes, numbers and
// placeholders the texts carry (and as Arabic pages of Swedish authorities write them).
const locales = { sv: 'sv-SE', en: 'en-GB', ar: 'ar-u-nu-latn', so: 'so-SO', fi: 'fi-FI' };

const loaders = {
	en: () => import('./i18n/en.js'),
	ar: () => import('./i18n/ar.js'),
	so: () => import('./i18n/so.js'),
	fi: () => import('./i18n/fi.js'),
};

const catalogues = { sv };
let current = 'sv';

/** supported normalises l to one of the UI's languages, or null. */
function supported(l) {
	const base = String(l || '').toLowerCase().split(/[-_]/)[0];
	if (languages.some((x) => x.code === base)) return base;
	// Norwegian (nb, nn, no) and Danish readers read Swedish best.
	if (['nb', 'nn', 'no', 'da'].includes(base)) return 'sv';
	return null;
}

/**
 * pickLang is the language to start in: the stored choice, else the first of the
 * browser's languages that the UI has, else Swedish.
 */
export function pickLang(stored, browserLangs) {
	const s = languages.some((x) => x.code === stored) ? stored : null;
	if (s) return s;
	for (const b of browserLangs || []) {
		const l = supported(b);
		if (l) return l;
	}
	return 'sv';
}

function storedLang() {
	try {
		return localStorage.getItem(storageKey);
	} catch {
		return null; /* storage may be off */
	}
}

function browserLangs() {
	if (typeof navigator === 'undefined') return [];
	return navigator.languages?.length ? navigator.languages : [navigator.language];
}

/** lang is the current language: sv, en, ar, so or fi. */
export function lang() {
	return current;
}

/** dir is the current language's writing direction, "rtl" or "ltr". */
export function dir() {
	return languages.find((x) => x.code === current)?.dir || 'ltr';
}

/** locale is the current language's locale for Intl. */
export function locale() {
	return locales[current];
}

function apply() {
	const el = document.documentElement;
	el.lang = current;
	el.dir = dir();
}

/**
 * loadLang loads the catalogue of l (default: the language to start in, see pickLang),
 * makes it the current language and sets <html lang dir>. A catalogue that cannot be
 * loaded (offline, say) leaves Swedish. It does not store the choice.
 */
export async function loadLang(l) {
	const want = supported(l) || pickLang(storedLang(), browserLangs());
	if (!catalogues[want]) {
		try {
			catalogues[want] = (await loaders[want]()).default;
		} catch {
			apply();
			return current;
		}
	}
	current = want;
	apply();
	return current;
}

/** setLang stores l as the user's choice and loads it; the caller re-renders. */
export async function setLang(l) {
	const want = supported(l) || 'sv';
	try {
		localStorage.setItem(storageKey, want);
	} catch { /* storage may be off */ }
	return loadLang(want);
}

/**
 * missing collects keys the current language lacks (window.__missingKeys, read by the
 * browser tests): each "lang:key" once.
 */
function missing(k) {
	if (typeof window === 'undefined') return;
	const list = (window.__missingKeys ??= []);
	const e = `${current}:${k}`;
	if (!list.includes(e)) list.push(e);
}

/** t returns the text for k in the current language, with {name} filled from vars. */
export function t(k, vars) {
	let s = catalogues[current][k];
	if (s === undefined) {
		missing(k);
		s = sv[k] ?? k;
	}
	if (vars) s = s.replace(/\{(\w+)\}/g, (m, n) => (n in vars ? String(vars[n]) : m));
	return s;
}

/** has reports whether there is a text for k. */
export function has(k) {
	return k in sv;
}

/** formatNumber formats n for the current language (Intl), at most digits decimals. */
export function formatNumber(n, digits = 0) {
	return Number(n).toLocaleString(locales[current], { maximumFractionDigits: digits });
}

const intlFor = new Map();
/**
 * intl is a cached DateTimeFormat in Swedish time for the current language, or null
 * when the browser has no data for it (Chromium has none for Somali): then days are
 * written ISO 8601, ÅÅÅÅ-MM-DD, which no reader takes for another day.
 */
function intl(kind) {
	const k = `${current}:${kind}`;
	if (!intlFor.has(k)) {
		const loc = locales[current];
		let f = null;
		if (Intl.DateTimeFormat.supportedLocalesOf([loc]).length) {
			const opts = kind === 'time' ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
				// Swedish writes days as ÅÅÅÅ-MM-DD; the others with the month's name
				// (4 Dec 2026) or their own numeric order (4.12.2026).
				: current === 'sv' ? { year: 'numeric', month: '2-digit', day: '2-digit' }
					: { year: 'numeric', month: 'short', day: 'numeric' };
			f = new Intl.DateTimeFormat(loc, { ...opts, timeZone: 'Europe/Stockholm' });
		}
		intlFor.set(k, f);
	}
	return intlFor.get(k);
}

/**
 * stockholmParts are an instant's calendar fields in Swedish time (Europe/Stockholm),
 * whatever the browser's own zone and locale.
 */
function stockholmParts(iso) {
	const parts = new Intl.DateTimeFormat('en-GB', {
		year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
		hourCycle: 'h23', timeZone: 'Europe/Stockholm',
	}).formatToParts(new Date(iso));
	return Object.fromEntries(parts.map((x) => [x.type, x.value]));
}

/** isoDay is an ISO time's or date's Swedish day as ÅÅÅÅ-MM-DD, for date fields. */
export function isoDay(iso) {
	if (!iso) return '';
	if (/^\d{4}-\d{2}-\d{2}$/.test(String(iso))) return String(iso);
	const p = stockholmParts(iso);
	return `${p.year}-${p.month}-${p.day}`;
}

/**
 * formatDay formats an ISO time or date as its day in Swedish time for people, in the
 * current language: ÅÅÅÅ-MM-DD in Swedish, "4 Dec 2026", "4.12.2026", … in the others.
 */
export function formatDay(iso) {
	if (!iso) return '';
	const f = intl('day');
	if (!f) return isoDay(iso);
	// A date alone is that day, not the UTC midnight before it in Swedish time.
	const s = String(iso);
	const at = /^\d{4}-\d{2}-\d{2}$/.test(s) ? new Date(`${s}T12:00:00Z`) : new Date(s);
	return f.format(at);
}

/** formatDate formats an ISO time for people as its day and TT:MM in Swedish time, in the current language. */
export function formatDate(iso) {
	if (!iso) return '';
	const f = intl('time');
	if (!f) {
		const p = stockholmParts(iso);
		return `${isoDay(iso)} ${p.hour}:${p.minute}`;
	}
	return `${formatDay(iso)} ${f.format(new Date(iso))}`;
}
