// moderation.js: the moderation view (/moderation): the queue of received reports
// with map context; publish, reject (with a reason) and edit, with keyboard shortcuts;
// many at once: tick reports (or all matching a source and category filter), then
// publish or reject them in one call to /api/v1/moderation/bulk after a confirm.
import { t, has, formatDate } from './i18n.js';
import { api, problemText, loadCategories, categoryLabel, categoriesLabel } from './api.js';
import { h, id, announce, errorBox, busy, shell, progress } from './ui.js';
import { basemapHint, createMap } from './map.js';
import { icon } from './icons.js';
import { staffPage } from './signin.js';
import { moderatorPhotos } from './photos.js';

/** moderation renders the moderation view. */
export async function moderation(rerender) {
	const page = await staffPage('moderationTitle', rerender);
	if (!page) return;
	const { main } = page;
	main.classList.add('staff');
	const list = h('ol', { class: 'queue-list' });
	const count = h('p', { class: 'muted', 'aria-live': 'polite' }, t('queueLoading'));
	const detail = h('section', { class: 'detail', 'aria-label': t('moderationTitle') });
	const mapEl = h('div', { class: 'map' });
	const help = h('p', { class: 'shortcuts', id: 'shortcuts' }, h('strong', null, `${t('shortcutsTitle')}: `), t('shortcuts'));
	const bulk = h('fieldset', { class: 'bulk' });
	main.append(
		h('aside', { class: 'queue', 'aria-labelledby': 'queue-title' },
			h('h1', { id: 'queue-title', tabindex: '-1' }, t('queueTitle')), count, bulk, list, help),
		h('div', { class: 'work' }, detail, mapEl));

	const st = { items: [], sel: -1, cats: [], map: null, checked: new Set() };
	progress(true);
	try {
		const [fc, cats] = await Promise.all([api('GET', '/api/v1/moderation/queue?limit=200'), loadCategories()]);
		st.items = fc.features;
		st.cats = cats;
	} catch (err) {
		count.textContent = problemText(err);
		count.className = 'error';
		progress(false);
		return;
	}
	progress(false);

	const draw = () => {
		count.textContent = st.items.length ? t(st.items.length === 1 ? 'queueCount1' : 'queueCount', { n: st.items.length }) : t('queueEmpty');
		list.replaceChildren(...st.items.map((f, i) => {
			const p = f.properties;
			return h('li', { class: 'queue-row' }, h('input', {
				type: 'checkbox', class: 'bulk-check', 'data-id': p.id, checked: st.checked.has(p.id),
				'aria-label': t('bulkSelectOne', { what: `${categoryLabel(st.cats, p.category)} ${formatDate(p.created_at)}` }),
				onchange: (e) => { if (e.target.checked) st.checked.add(p.id); else st.checked.delete(p.id); drawBulk(); },
			}), h('button', {
				type: 'button', class: 'queue-item', 'aria-current': i === st.sel ? 'true' : false, 'data-id': p.id,
				onclick: () => select(i),
			}, h('span', { html: icon(st.cats.find((c) => c.code === p.category)?.icon) }),
			h('span', { class: 'grow' }, h('strong', null, categoriesLabel(st.cats, p)), h('br'),
				p.place_label ? h('small', { class: 'place-label' }, p.place_label) : null, p.place_label ? h('br') : null,
				h('small', null, `${t(`feeling${p.feeling}`)} · ${formatDate(p.created_at)}`))));
		}));
		drawDetail();
		drawBulk();
		updateMap();
	};
	// The bulk panel: filters, select all matching, one decision for the ticked reports.
	const bulkSource = h('select', { id: id('bulk-source'), name: 'bulk-source' });
	const bulkCat = h('select', { id: id('bulk-cat'), name: 'bulk-category' });
	const bulkReasonHint = id('bulk-reason-hint');
	const bulkReason = h('input', { id: id('bulk-reason'), name: 'bulk-reason', autocomplete: 'off', 'aria-describedby': bulkReasonHint });
	const bulkCount = h('p', { class: 'muted', 'aria-live': 'polite' });
	const bulkErr = errorBox();
	const matching = () => st.items.filter((f) => (!bulkSource.value || f.properties.source === bulkSource.value) &&
		(!bulkCat.value || (f.properties.categories || [f.properties.category]).includes(bulkCat.value)));
	const bulkAct = async (action, btn) => {
		bulkErr.show('');
		const ids = st.items.map((f) => f.properties.id).filter((x) => st.checked.has(x));
		if (!ids.length) { bulkErr.show(t('bulkNone')); return; }
		const body = { action, ids };
		if (action === 'reject') {
			body.reason = bulkReason.value.trim();
			if (!body.reason) {
				bulkErr.show(`${t('err400')} ${t('errField', { field: t('field_reason') })}`);
				bulkReason.focus();
				return;
			}
		}
		if (!window.confirm(t(action === 'publish' ? 'bulkConfirmPublish' : 'bulkConfirmReject', { n: ids.length }))) return;
		try {
			const out = await busy(btn, t('working'), () => api('POST', '/api/v1/moderation/bulk', body));
			const done = new Set(ids);
			st.items = st.items.filter((f) => !done.has(f.properties.id));
			st.checked.clear();
			announce(t('bulkDone', { n: out.published ?? out.rejected ?? 0, skipped: out.skipped ?? 0 }));
			select(0, false);
		} catch (ex) {
			bulkErr.show(problemText(ex));
		}
	};
	const bulkPub = h('button', { type: 'button', class: 'primary', onclick: () => bulkAct('publish', bulkPub) }, t('bulkPublish'));
	const bulkRej = h('button', { type: 'button', class: 'danger', onclick: () => bulkAct('reject', bulkRej) }, t('bulkReject'));
	const drawBulk = () => {
		const n = st.items.filter((f) => st.checked.has(f.properties.id)).length;
		bulkCount.textContent = t('bulkCount', { n, m: matching().length });
	};
	const fillBulk = () => {
		const sources = [...new Set(st.items.map((f) => f.properties.source))].sort();
		bulkSource.replaceChildren(h('option', { value: '' }, t('bulkAll')), ...sources.map((x) => h('option', { value: x }, x)));
		bulkCat.replaceChildren(h('option', { value: '' }, t('bulkAll')), ...st.cats.map((c) => h('option', { value: c.code }, categoryLabel(st.cats, c.code))));
		bulkSource.onchange = drawBulk;
		bulkCat.onchange = drawBulk;
		bulk.replaceChildren(
			h('legend', null, t('bulkTitle')),
			h('div', { class: 'field' }, h('label', { for: bulkSource.id }, t('source')), bulkSource),
			h('div', { class: 'field' }, h('label', { for: bulkCat.id }, t('category')), bulkCat),
			h('div', { class: 'row' },
				h('button', { type: 'button', onclick: () => { matching().forEach((f) => st.checked.add(f.properties.id)); draw(); } }, t('bulkSelectMatching')),
				h('button', { type: 'button', onclick: () => { st.checked.clear(); draw(); } }, t('bulkClear'))),
			bulkCount,
			h('div', { class: 'field' }, h('label', { for: bulkReason.id }, t('rejectReason')), bulkReason,
				h('small', { id: bulkReasonHint }, t('rejectReasonHint'))),
			h('div', { class: 'row' }, bulkPub, bulkRej),
			bulkErr);
	};
	const select = (i, focus = true) => {
		if (!st.items.length) { st.sel = -1; draw(); return; }
		st.sel = Math.max(0, Math.min(i, st.items.length - 1));
		draw();
		if (focus) list.querySelector('[aria-current=true]')?.focus();
		const f = st.items[st.sel];
		if (st.map && f?.geometry) st.map.easeTo({ center: center(f.geometry), zoom: Math.max(st.map.getZoom(), 14) });
	};
	const drawDetail = () => {
		const f = st.items[st.sel];
		if (!f) {
			detail.replaceChildren(h('p', { class: 'muted' }, st.items.length ? '' : t('queueEmpty')));
			return;
		}
		const p = f.properties;
		const catId = id('cat');
		const textId = id('text');
		const reasonId = id('reason');
		const err = errorBox();
		const catSel = h('select', { id: catId, name: 'category' }, st.cats.map((c) =>
			h('option', { value: c.code, selected: c.code === p.category ? true : false }, categoryLabel(st.cats, c.code))));
		const text = h('textarea', { id: textId, name: 'description', rows: 3, 'data-key': 'e' }, p.public_description || '');
		const reasonHint = id('reason-hint');
		const reason = h('input', { id: reasonId, name: 'reason', autocomplete: 'off', 'aria-describedby': reasonHint });
		const pub = h('button', { type: 'button', class: 'primary', 'aria-keyshortcuts': 'P', onclick: () => act('publish') }, t('publish'), h('kbd', null, 'P'));
		const rej = h('button', { type: 'button', class: 'danger', 'aria-keyshortcuts': 'R', onclick: () => act('reject') }, t('reject'), h('kbd', null, 'R'));
		const edit = h('button', { type: 'button', 'aria-keyshortcuts': 'E', onclick: () => act('edit') }, t('saveEdit'));
		const act = async (action) => {
			err.show('');
			const body = { action };
			const btn = { publish: pub, reject: rej, edit }[action];
			if (action === 'reject') {
				body.reason = reason.value.trim();
				if (!body.reason) {
					err.show(`${t('err400')} ${t('errField', { field: t('field_reason') })}`);
					reason.focus();
					return;
				}
			}
			if (action === 'edit' || action === 'publish') {
				if (text.value.trim() !== (p.public_description || '').trim()) body.description = text.value;
				if (catSel.value !== p.category) body.category = catSel.value;
				if (action === 'edit' && !body.description && !body.category) body.description = text.value;
			}
			try {
				if (action === 'publish' && (body.description !== undefined || body.category)) {
					await busy(btn, t('working'), () => api('POST', `/api/v1/reports/${p.id}/moderation`, { action: 'edit', description: body.description, category: body.category }));
				}
				const out = await busy(btn, t('working'), () => api('POST', `/api/v1/reports/${p.id}/moderation`,
					action === 'publish' ? { action } : body));
				if (action === 'edit') {
					st.items[st.sel] = out;
					announce(t('edited'));
					draw();
					return;
				}
				announce(action === 'publish' ? t('published') : t('rejected'));
				st.items.splice(st.sel, 1);
				select(st.sel);
			} catch (ex) {
				err.show(problemText(ex));
			}
		};
		detail.act = act;
		detail.focusReason = () => reason.focus();
		detail.focusText = () => text.focus();
		detail.replaceChildren(
			h('h2', null, categoriesLabel(st.cats, p)),
			h('div', { class: 'row' }, pub, rej, edit),
			err,
			h('div', { class: 'field' }, h('label', { for: reasonId }, t('rejectReason')), reason,
				h('small', { id: reasonHint }, t('rejectReasonHint'))),
			h('div', { class: 'cols' },
				h('div', null,
					h('dl', { class: 'facts' },
						p.place_label ? h('dt', null, t('placeLabel', { label: '' }).replace(/:\s*$/, '')) : null,
						p.place_label ? h('dd', null, p.place_label) : null,
						h('dt', null, t('feeling')), h('dd', null, t(`feeling${p.feeling}`)),
						h('dt', null, t('when')), h('dd', null, (p.when || []).map((w) => t(`when_${w}`)).join(', ') || '–'),
						h('dt', null, t('source')), h('dd', null, has(`source_${p.source}`) ? t(`source_${p.source}`) : p.source),
						h('dt', null, t('received', { d: '' }).trim()), h('dd', null, formatDate(p.created_at)),
						p.contact ? [h('dt', null, t('contactGiven', { c: '' }).replace(/:\s*$/, '')), h('dd', null, [p.contact.email, p.contact.phone].filter(Boolean).join(', '))] : null),
					p.description ? h('blockquote', null, p.description) : h('p', { class: 'muted' }, t('noDescription')),
					p.photos?.length ? moderatorPhotos(p.photos, (gone) => {
						p.photos = p.photos.filter((x) => x.url !== gone.url);
						drawDetail();
					}) : null),
				h('div', null,
					h('div', { class: 'field' }, h('label', { for: catId }, t('category')), catSel),
					h('div', { class: 'field' }, h('label', { for: textId }, t('publicText')), text))));
	};

	const updateMap = () => {
		const src = st.map?.getSource('queue');
		if (!src) return;
		src.setData({ type: 'FeatureCollection', features: st.items.map((f, i) => ({ ...f, properties: { ...f.properties, selected: i === st.sel } })) });
	};

	document.addEventListener('keydown', (e) => {
		if (!document.body.contains(list)) return;
		if (e.ctrlKey || e.metaKey || e.altKey) return;
		const tag = e.target.tagName;
		if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || e.target.classList?.contains('maplibregl-canvas')) return;
		const k = e.key;
		if (k === 'j' || k === 'ArrowDown') select(st.sel + 1);
		else if (k === 'k' || k === 'ArrowUp') select(st.sel - 1);
		else if (k === 'p' || k === 'P') detail.act?.('publish');
		else if (k === 'r' || k === 'R') detail.focusReason?.();
		else if (k === 'e' || k === 'E') detail.focusText?.();
		else if (k === '?') help.classList.toggle('open');
		else return;
		e.preventDefault();
	});
	// In the reason field, Enter rejects.
	detail.addEventListener('keydown', (e) => {
		if (e.key === 'Enter' && e.target.name === 'reason') {
			e.preventDefault();
			detail.act?.('reject');
		}
	});

	fillBulk();
	select(0, false);
	main.querySelector('#queue-title')?.focus();
	try {
		st.map = await createMap(mapEl);
		const hint = basemapHint();
		if (hint) mapEl.append(hint);
		st.map.addSource('queue', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
		st.map.addLayer({ id: 'queue', type: 'circle', source: 'queue', paint: {
			'circle-radius': ['case', ['get', 'selected'], 10, 6],
			'circle-color': ['case', ['get', 'selected'], '#b3261e', '#1d4ed8'],
			'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2 } });
		st.map.addLayer({ id: 'queue-areas', type: 'line', source: 'queue', filter: ['==', ['geometry-type'], 'Polygon'],
			paint: { 'line-color': '#1d4ed8', 'line-width': 2 } });
		st.map.on('click', 'queue', (e) => {
			const i = st.items.findIndex((f) => f.properties.id === e.features[0].properties.id);
			if (i >= 0) select(i);
		});
		updateMap();
		const f = st.items[st.sel];
		if (f) st.map.jumpTo({ center: center(f.geometry), zoom: 14 });
	} catch (err) {
		mapEl.append(h('p', { class: 'error map-error', role: 'alert' }, t('mapError')));
	}
}

function center(g) {
	if (g.type === 'Point') return g.coordinates;
	const ring = g.coordinates[0];
	const s = ring.reduce((a, c) => [a[0] + c[0], a[1] + c[1]], [0, 0]);
	return [s[0] / ring.length, s[1] / ring.length];
}
