// api.js: calls to Trygg's API. Errors become ApiError carrying the RFC 9457 problem,
// and problemText turns one into plain language.
import { t, lang, has } from './i18n.js';

/** ApiError is a failed call: status 0 for no answer at all. */
export class ApiError extends Error {
	constructor(status, problem, retryAfter) {
		super(problem?.detail || problem?.title || `HTTP ${status}`);
		this.status = status;
		this.problem = problem || {};
		this.retryAfter = retryAfter;
	}
}

let csrf = '';

/** setCSRF keeps the session's CSRF token, sent with every change while signed in. */
export function setCSRF(token) {
	csrf = token || '';
}

/** hasCSRF is whether a signed-in session's CSRF token is kept (outbox.js sends staff
 * requests only then). */
export function hasCSRF() {
	return csrf !== '';
}

/**
 * api calls method path with an optional JSON body and returns the parsed JSON answer
 * (null for 204). A Blob body (a file) is sent as it is, typed by headers or by its own
 * type. headers adds request headers; signal (an AbortSignal) cancels the call.
 */
export async function api(method, path, body, headers = {}, signal) {
	const h = { Accept: 'application/json, application/geo+json, application/problem+json', ...headers };
	const raw = body instanceof Blob;
	if (body !== undefined && !raw) h['Content-Type'] = 'application/json';
	if (raw && !h['Content-Type']) h['Content-Type'] = body.type || 'application/octet-stream';
	if (csrf && method !== 'GET' && method !== 'HEAD') h['X-CSRF-Token'] = csrf;
	let resp;
	try {
		resp = await fetch(path, {
			method, headers: h, credentials: 'same-origin', signal,
			body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
		});
	} catch (err) {
		if (err?.name === 'AbortError') throw err;
		throw new ApiError(0, null);
	}
	if (resp.status === 204) return null;
	const type = resp.headers.get('Content-Type') || '';
	const data = type.includes('json') ? await resp.json().catch(() => null) : null;
	if (!resp.ok) throw new ApiError(resp.status, data, Number(resp.headers.get('Retry-After')) || 0);
	return data;
}

/**
 * problemText says what went wrong in plain language: in Swedish from the status and
 * the field at fault, in English with the server's own detail. context tunes a few
 * cases ("signin").
 */
export function problemText(err, context) {
	if (!(err instanceof ApiError)) return t('err500');
	const s = err.status;
	const p = err.problem;
	if (s === 0) return t('errNetwork');
	let msg;
	if (s === 401 && context === 'signin') msg = t('err401signin');
	else if (s === 403 && p.field === 'X-CSRF-Token') msg = t('err403csrf');
	else if (s === 422 && /^(location|geometry)/.test(p.field || '')) msg = t('err422location');
	else if (s === 429) {
		const w = err.retryAfter || 60;
		msg = t('err429', { wait: w >= 90 ? t('minutes', { n: Math.ceil(w / 60) }) : t('seconds', { n: w }) });
	} else if (has(`err${s}`)) msg = t(`err${s}`);
	else msg = s >= 500 ? t('err500') : t('err400');
	if (s === 400 || s === 422 || s === 413) {
		if (lang() === 'en' && p.detail) return `${msg} ${capital(p.detail)}.`;
		if (p.field) {
			const base = p.field.replace(/^(properties|query)\./, '').replace(/\[\d+\]$/, '');
			const name = has(`field_${base}`) ? t(`field_${base}`) : base;
			return `${msg} ${t('errField', { field: name })}`;
		}
	}
	if (lang() === 'en' && p.detail && s !== 500 && s !== 401) return `${msg} (${p.detail})`;
	return msg;
}

function capital(s) {
	return s.charAt(0).toUpperCase() + s.slice(1).replace(/\.$/, '');
}

let categories;

/** loadCategories returns the report taxonomy (fetched once). */
export function loadCategories() {
	categories ??= api('GET', '/api/v1/categories').then((d) => d.categories);
	categories.catch(() => { categories = undefined; });
	return categories;
}

/**
 * categoriesLabel names a report's reasons, the main one first: p.categories (a list,
 * or in tiles a comma-joined string), else p.category alone.
 */
export function categoriesLabel(cats, p) {
	let list = p?.categories;
	if (typeof list === 'string') list = list.split(',').filter(Boolean);
	if (!Array.isArray(list) || !list.length) list = p?.category ? [p.category] : [];
	return list.map((c) => categoryLabel(cats, c)).join(', ');
}

/**
 * categoryLabel is a category's label in the current language: the server's own label
 * in Swedish and English, the catalogue's (cat_<code>) in the others, else Swedish.
 */
export function categoryLabel(cats, code) {
	const c = cats?.find((x) => x.code === code);
	if (!c) return code;
	if (lang() === 'sv') return c.label_sv;
	if (lang() === 'en') return c.label_en;
	return has(`cat_${code}`) ? t(`cat_${code}`) : c.label_sv;
}
