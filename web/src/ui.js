// ui.js: small DOM helpers shared by the views.
import { t, lang, setLang, languages } from './i18n.js';

/**
 * h makes an element: h('button', {class: 'x', onclick: f}, 'text', child…). Attributes
 * starting with "on" are listeners; false and null attributes are left out.
 */
export function h(tag, attrs, ...children) {
	const el = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === false || v === null || v === undefined) continue;
		if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
		else if (k === 'html') el.innerHTML = v;
		else if (k === 'value') el.value = v;
		else if (k === 'checked') el.checked = v;
		else el.setAttribute(k, v === true ? '' : v);
	}
	for (const c of children.flat()) {
		if (c === null || c === undefined || c === false) continue;
		el.append(c instanceof Node ? c : document.createTextNode(String(c)));
	}
	return el;
}

let uid = 0;
/** id returns a new unique element id with the prefix. */
export function id(prefix) {
	uid += 1;
	return `${prefix}-${uid}`;
}

/** announce tells screen readers (and everyone, in the status line) about msg. */
export function announce(msg, kind = 'info') {
	const el = document.getElementById('status-line');
	if (!el) return;
	el.textContent = msg;
	el.className = `status-line ${kind}`;
	el.hidden = !msg;
	clearTimeout(announce.timer);
	if (msg && kind !== 'error') announce.timer = setTimeout(() => { el.hidden = true; }, 6000);
}

/** errorBox is a paragraph that shows an error message in role=alert. */
export function errorBox() {
	const el = h('p', { class: 'error', role: 'alert', hidden: true });
	el.show = (msg) => {
		el.textContent = msg || '';
		el.hidden = !msg;
	};
	return el;
}

/**
 * busy disables the button and shows a progress text while the promise runs; the
 * progress bar at the top of the page runs too.
 */
export async function busy(button, text, work) {
	const old = button.textContent;
	button.disabled = true;
	button.setAttribute('aria-busy', 'true');
	button.textContent = text;
	progress(true);
	try {
		return await work();
	} finally {
		progress(false);
		button.disabled = false;
		button.removeAttribute('aria-busy');
		button.textContent = old;
	}
}

let running = 0;
/** progress shows the top progress bar while any long operation runs. */
export function progress(on) {
	running = Math.max(0, running + (on ? 1 : -1));
	const bar = document.getElementById('progress');
	if (bar) bar.hidden = running === 0;
}

/**
 * shell renders the page frame: header with title, language menu and extra header
 * items, the status line, the progress bar, and main. It returns main.
 */
export function shell(title, rerender, extra = []) {
	const app = document.getElementById('app');
	// A view that is replaced frees its map (its WebGL context) first.
	window.trygg?.map?.remove();
	if (window.trygg) window.trygg.map = null;
	const main = h('main', { id: 'main', tabindex: '-1' });
	const menu = h('select', {
		class: 'lang', 'aria-label': t('langMenuLabel'), 'data-testid': 'lang-menu',
		onchange: async (e) => {
			await setLang(e.target.value);
			rerender();
		},
	}, languages.map((l) => h('option', { value: l.code, lang: l.code, dir: l.dir || 'ltr', selected: l.code === lang() }, l.name)));
	app.replaceChildren(
		h('a', { class: 'skip', href: '#main' }, t('skip')),
		h('div', { id: 'progress', class: 'progress', hidden: true, role: 'progressbar', 'aria-label': t('loading') }),
		h('header', { class: 'top' },
			h('a', { class: 'brand', href: '/' }, h('span', { class: 'logo', 'aria-hidden': 'true' }), t('appName')),
			h('span', { class: 'title' }, title),
			h('span', { class: 'spacer' }),
			...extra,
			menu),
		h('p', { id: 'status-line', class: 'status-line', role: 'status', 'aria-live': 'polite', hidden: true }),
		main,
	);
	document.title = title ? `${title} – Trygg` : 'Trygg';
	return main;
}

const pad2 = (n) => String(n).padStart(2, '0');

/**
 * dateInput is a date field that reads and writes ÅÅÅÅ-MM-DD in every browser and
 * language (a native date input follows the browser's locale: mm/dd/yyyy in an
 * American one). Its value is the ISO date or ''.
 */
export function dateInput(attrs = {}) {
	const el = h('input', {
		type: 'text', inputmode: 'numeric', autocomplete: 'off', maxlength: 10, size: 10,
		pattern: '\\d{4}-\\d{2}-\\d{2}', placeholder: t('dateHint'), title: t('dateInvalid'), ...attrs,
	});
	el.addEventListener('input', () => el.setCustomValidity(''));
	el.addEventListener('change', () => {
		el.setCustomValidity(el.value && !validDay(el.value) ? t('dateInvalid') : '');
	});
	return el;
}

/**
 * dateTimeInput is a local date and time field as ÅÅÅÅ-MM-DD TT:MM (24-hour clock);
 * parseLocal reads its value.
 */
export function dateTimeInput(attrs = {}) {
	const el = h('input', {
		type: 'text', inputmode: 'numeric', autocomplete: 'off', maxlength: 16, size: 16,
		pattern: '\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}', placeholder: t('dateTimeHint'), title: t('dateTimeInvalid'), ...attrs,
	});
	el.addEventListener('input', () => el.setCustomValidity(''));
	el.addEventListener('change', () => {
		el.setCustomValidity(el.value && !parseLocal(el.value) ? t('dateTimeInvalid') : '');
	});
	return el;
}

/** validDay reports whether v is a real calendar date written ÅÅÅÅ-MM-DD. */
export function validDay(v) {
	const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(v).trim());
	if (!m) return false;
	const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
	return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

/** parseLocal reads ÅÅÅÅ-MM-DD TT:MM (or with a T) as the browser's local time; null when invalid. */
export function parseLocal(v) {
	const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})$/.exec(String(v).trim());
	if (!m || !validDay(`${m[1]}-${m[2]}-${m[3]}`) || +m[4] > 23 || +m[5] > 59) return null;
	return new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
}

/** localInput is a time as a dateTimeInput value (ÅÅÅÅ-MM-DD TT:MM), in the browser's time. */
export function localInput(d) {
	const x = new Date(d);
	return `${x.getFullYear()}-${pad2(x.getMonth() + 1)}-${pad2(x.getDate())} ${pad2(x.getHours())}:${pad2(x.getMinutes())}`;
}
