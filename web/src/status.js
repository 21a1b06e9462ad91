// status.js: a report's status page (/rapport/{id}): received, published, action
// planned, done, with the municipality's feedback; the reporter's erasure code (from
// the link's fragment or this browser's storage) shows an unpublished report and
// erases one.
import { t } from './i18n.js';
import { Marker } from 'maplibre-gl';
import { api, ApiError, problemText, loadCategories, categoriesLabel } from './api.js';
import { createMap } from './map.js';
import { h, id, announce, errorBox, busy, shell, progress } from './ui.js';
import { formatDate, formatDay } from './i18n.js';
import { photoUploader, photoList } from './photos.js';
import { myReports, rememberReport, forgetReport } from './myreports.js';

/** statusPage renders the status of report reportId. */
export async function statusPage(rerender, reportId) {
	const frag = new URLSearchParams(location.hash.slice(1));
	let token = frag.get('t') || myReports().find((r) => r.id === reportId)?.token || '';
	// "Din rapport" only for the one who holds the report's erasure token.
	const title = () => t(token ? 'statusTitle' : 'statusTitlePublic');
	const main = shell(title(), rerender);
	main.classList.add('page');
	const body = h('div', { class: 'status-body' }, h('p', null, t('loading')));
	const h1 = h('h1', { tabindex: '-1', 'data-testid': 'status-title' }, title());
	main.append(h1, body, h('p', null, h('a', { href: '/' }, t('toMap'))));

	const show = async () => {
		progress(true);
		try {
			const [rep, cats] = await Promise.all([
				api('GET', `/api/v1/reports/${encodeURIComponent(reportId)}`, undefined, token ? { 'Erasure-Token': token } : {}),
				loadCategories().catch(() => []),
			]);
			if (token) rememberReport(reportId, token);
			h1.textContent = title();
			document.title = `${title()} – Trygg`;
			body.replaceChildren(...render(rep, cats, token, reportId, rerender));
		} catch (err) {
			if (err instanceof ApiError && err.status === 404 && !token) body.replaceChildren(tokenForm());
			else body.replaceChildren(h('p', { class: 'error', role: 'alert' }, problemText(err)), ...(token ? [tokenForm()] : []));
		} finally {
			progress(false);
		}
	};
	const tokenForm = () => {
		const tid = id('token');
		const input = h('input', { id: tid, name: 'token', autocomplete: 'off', required: true, spellcheck: 'false' });
		const f = h('form', { class: 'token-form' },
			h('p', null, t('needToken')),
			h('div', { class: 'field' }, h('label', { for: tid }, t('tokenInputLabel')), input),
			h('button', { type: 'submit', class: 'primary' }, t('showStatus')));
		f.addEventListener('submit', (e) => {
			e.preventDefault();
			token = input.value.trim();
			show();
		});
		return f;
	};
	await show();
}

function render(rep, cats, token, reportId, rerender) {
	// A published report is a GeoJSON Feature; an unpublished one, for its reporter, is
	// {id, status, created_at, …}.
	const p = rep.type === 'Feature' ? rep.properties : rep;
	const action = p.action;
	const published = p.status === 'published' || p.status === 'resolved';
	const planned = !!action && action.status !== 'rejected';
	const done = p.status === 'resolved' || action?.status === 'done';
	// The day of each step, from the API (ÅÅÅÅ-MM-DD, Swedish days).
	const day = Object.fromEntries((p.steps || []).map((s) => [s.step, s]));
	const steps = [
		[t('statusReceived'), true, day.received?.date],
		[t('statusPublished'), published, day.published?.date],
		[t('statusPlanned'), planned || done, day.planned?.date],
		[t('statusDone'), done, (day.done || day.resolved)?.date],
	];
	const currentIdx = steps.reduce((acc, [, ok], i) => (ok ? i : acc), 0);
	const out = [];
	if (p.category || p.categories?.length) out.push(h('p', { class: 'lead', 'data-testid': 'status-categories' }, categoriesLabel(cats, p)));
	if (p.place_label) out.push(h('p', { class: 'place-line', 'data-testid': 'status-place' }, t('placeLabel', { label: p.place_label })));
	// The public position (already coarsened), of a published report or the reporter's own.
	if (rep.geometry?.coordinates) out.push(placeMap(rep.geometry));
	if (p.description) out.push(h('blockquote', { class: 'published-text', 'data-testid': 'status-text' }, p.description));
	if (p.short_code) out.push(h('p', null, t('shortCodeLabel'), ' ', h('code', { class: 'short-code', 'data-testid': 'status-code' }, p.short_code)));
	out.push(h('p', { class: 'muted' }, t('createdAt', { d: formatDate(p.created_at) }),
		p.confirmations ? ` · ${t('confirmations', { n: p.confirmations })}` : ''));
	if (p.status === 'rejected') {
		out.push(h('p', { class: 'rejected', 'data-status': 'rejected' }, t('statusRejected'),
			day.rejected?.date ? ` (${formatDay(day.rejected.date)})` : ''));
		if (day.rejected?.reason) out.push(h('p', { 'data-testid': 'reject-reason' }, t('rejectReasonLabel'), ' ', day.rejected.reason));
	} else {
		out.push(h('ol', { class: 'steps', 'data-status': p.status }, steps.map(([label, ok, date], i) =>
			h('li', { class: ok ? 'ok' : '', 'aria-current': i === currentIdx ? 'step' : false },
				h('span', { class: 'mark', 'aria-hidden': 'true' }, ok ? '✓' : String(i + 1)),
				h('span', null, label),
				ok && date ? h('span', { class: 'step-date', 'data-testid': 'step-date' }, ` ${formatDay(date)}`) : null,
				h('span', { class: 'sr-only' }, ok ? ` (${t('statusDoneStep')})` : '')))));
	}
	if (action) {
		out.push(h('div', { class: 'feedback', 'data-testid': 'status-action' },
			h('p', null, h('strong', null, t('actionStatusLabel')), ' ', t(`action_${action.status}`)),
			action.feedback ? h('p', null, h('strong', null, t('feedbackLabel'))) : null,
			action.feedback ? h('p', { 'data-testid': 'status-feedback' }, action.feedback) : null));
	}
	// Photos: the reporter adds them until the report is moderated; once published everyone sees them.
	if (token && p.status === 'received') out.push(photoUploader(reportId, token, p.photos || []));
	else if (p.photos?.length) {
		out.push(h('section', { class: 'photos', 'data-testid': 'status-photos' }, h('h2', null, t('photosTitle')),
			photoList(p.photos, { token: published ? '' : token })));
	}
	if (token) {
		const err = errorBox();
		const b = h('button', { type: 'button', class: 'danger' }, t('erase'));
		b.addEventListener('click', async () => {
			if (!window.confirm(t('eraseConfirm'))) return;
			try {
				await busy(b, t('working'), () => api('DELETE', `/api/v1/reports/${encodeURIComponent(reportId)}`, undefined, { 'Erasure-Token': token }));
				forgetReport(reportId);
				announce(t('erased'));
				history.replaceState(null, '', '/');
				rerender();
			} catch (ex) {
				err.show(problemText(ex));
			}
		});
		out.push(h('div', { class: 'row' }, b), err);
	}
	return out;
}

/**
 * placeMap is a small map of the report's public place (the point the public sees,
 * already coarsened to its grid cell; an area as it is), drawn once the page holds it.
 */
function placeMap(geometry) {
	const el = h('div', { class: 'status-map', 'data-testid': 'status-map' });
	const box = (geometry.type === 'Point' ? [geometry.coordinates] : geometry.coordinates.flat())
		.reduce((b, [x, y]) => [Math.min(b[0], x), Math.min(b[1], y), Math.max(b[2], x), Math.max(b[3], y)], [180, 90, -180, -90]);
	const centre = [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2];
	setTimeout(async () => {
		try {
			const map = await createMap(el);
			if (geometry.type === 'Point') map.jumpTo({ center: centre, zoom: 15 });
			else map.fitBounds(box, { padding: 30, duration: 0, maxZoom: 16 });
			const m = new Marker({ color: '#b3261e' }).setLngLat(centre).addTo(map);
			m.getElement().setAttribute('aria-label', t('statusMapMarker'));
		} catch {
			el.replaceChildren(h('p', { class: 'error' }, t('mapError')));
		}
	}, 0);
	return el;
}
