// planner.js: the planner view (/planner), for signed-in staff. Two panels beside one
// map: Hotspots (an ad hoc analysis from GET /api/v1/hotspots with cells=significant, with
// filters, a ranked list kept in sync with the map, and for the chosen hotspot its
// hour × weekday profile and trend; saving the analysis and a hotspot as a place) and
// Safety walks (create a walk, draw or import its route, add observations on the map,
// actions with owners and deadlines, and the printable protocol) and Patrol (patrol.js:
// plan a shift's stops and record their visits).
import { t, formatNumber, dir } from './i18n.js';
import { api, problemText, loadCategories, categoryLabel } from './api.js';
import { h, id, announce, errorBox, busy, shell, progress, dateInput } from './ui.js';
import { basemapHint, bbox, createMap } from './map.js';
import { staffPage } from './signin.js';
import { walksPanel } from './walks.js';
import { patrolPanel } from './patrol.js';

// The Gi* classes' colours, as tiles/style.go's hexcells layer draws them.
export const classColors = { 3: '#b2182b', 2: '#e34a33', 1: '#fdae91', '-1': '#a6c8e0', '-2': '#4a90c2', '-3': '#2166ac' };
const classFill = ['match', ['to-number', ['get', 'class']],
	3, classColors[3], 2, classColors[2], 1, classColors[1],
	-1, classColors[-1], -2, classColors[-2], -3, classColors[-3], '#f0f0f0'];
const sources = ['resident', 'walk', 'dialogue', 'est', 'police', 'survey'];
const cellSizes = [100, 200, 300, 500];
const empty = () => ({ type: 'FeatureCollection', features: [] });

/** planner renders the planner view. */
export async function planner(rerender) {
	const page = await staffPage('plannerTitle', rerender);
	if (!page) return;
	const { main, me } = page;
	main.classList.add('staff', 'planner');
	const mapEl = h('div', { class: 'map' });
	const munis = me.user.municipalities || [];
	const ctx = { me, munis, map: null, mode: null, cats: [], linked: location.hash.length > 1 };

	// The panels, as tabs.
	const hotPanel = h('section', { class: 'panel', id: 'panel-hotspots', role: 'tabpanel', 'aria-labelledby': 'tab-hotspots' });
	const walkPanel = h('section', { class: 'panel', id: 'panel-walks', role: 'tabpanel', 'aria-labelledby': 'tab-walks', hidden: true });
	const patrolEl = h('section', { class: 'panel', id: 'panel-patrol', role: 'tabpanel', 'aria-labelledby': 'tab-patrol', hidden: true });
	const tabs = [
		h('button', { type: 'button', role: 'tab', id: 'tab-hotspots', 'aria-controls': 'panel-hotspots', 'aria-selected': 'true' }, t('tabHotspots')),
		h('button', { type: 'button', role: 'tab', id: 'tab-walks', 'aria-controls': 'panel-walks', 'aria-selected': 'false', tabindex: '-1' }, t('tabWalks')),
		h('button', { type: 'button', role: 'tab', id: 'tab-patrol', 'aria-controls': 'panel-patrol', 'aria-selected': 'false', tabindex: '-1' }, t('tabPatrol')),
	];
	const panels = [hotPanel, walkPanel, patrolEl];
	const showTab = (i, focus) => {
		tabs.forEach((tb, k) => {
			tb.setAttribute('aria-selected', String(k === i));
			tb.tabIndex = k === i ? 0 : -1;
			panels[k].hidden = k !== i;
		});
		if (focus) tabs[i].focus();
		ctx.onTab?.(i);
	};
	tabs.forEach((tb, i) => {
		tb.addEventListener('click', () => showTab(i));
		tb.addEventListener('keydown', (e) => {
			if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
				e.preventDefault();
				// The next tab is to the right, or to the left in a right-to-left language.
				const next = (e.key === 'ArrowRight') !== (dir() === 'rtl');
				showTab((i + (next ? 1 : tabs.length - 1)) % tabs.length, true);
			}
		});
	});
	const legend = legendBox(ctx);
	ctx.closeLegend = () => { legend.open = false; };
	main.append(
		h('aside', { class: 'queue planner-side', 'aria-labelledby': 'planner-title' },
			h('h1', { id: 'planner-title', class: 'sr-only', tabindex: '-1' }, t('plannerTitle')),
			h('div', { class: 'tabs', role: 'tablist', 'aria-label': t('panelTabs') }, tabs),
			hotPanel, walkPanel, patrolEl, documentsBox(ctx)),
		h('div', { class: 'work' }, h('div', { class: 'map-wrap' }, mapEl, legend)));

	ctx.cats = await loadCategories().catch(() => []);
	const hot = hotspotsPanel(hotPanel, ctx);
	const walks = walksPanel(walkPanel, ctx);
	const patrols = patrolPanel(patrolEl, ctx);
	ctx.onTab = (i) => {
		walks.active(i === 1);
		patrols.active(i === 2);
		hot.active(i === 0);
	};
	// A tab chosen while the categories loaded (before onTab was set) is shown now.
	const chosen = tabs.findIndex((tb) => tb.getAttribute('aria-selected') === 'true');
	if (chosen > 0) ctx.onTab(chosen);

	progress(true);
	try {
		ctx.map = await createMap(mapEl, { hash: true });
		const hint = basemapHint();
		if (hint) mapEl.append(hint);
		addLayers(ctx.map);
		legend.sync();
		ctx.map.on('click', (e) => {
			if (ctx.mode) return ctx.mode(e);
			const f = ctx.map.queryRenderedFeatures(e.point, { layers: ['pl-hotspots-fill'] })[0];
			if (f) hot.select(Number(f.properties.rank), { fly: false, focus: true });
		});
		ctx.map.on('mouseenter', 'pl-hotspots-fill', () => { if (!ctx.mode) ctx.map.getCanvas().style.cursor = 'pointer'; });
		ctx.map.on('mouseleave', 'pl-hotspots-fill', () => { if (!ctx.mode) ctx.map.getCanvas().style.cursor = ''; });
	} catch (err) {
		console.error(err);
		mapEl.append(h('p', { class: 'error map-error', role: 'alert' }, t('mapError')));
	} finally {
		progress(false);
	}
	hot.mapReady();
	walks.mapReady();
	patrols.mapReady();
}

// documentsBox links the lägesbild and the åtgärdsplan (Lag (2023:196)) of one of the
// user's municipalities: HTML in a new tab, PDF and CSV as downloads. The planner signs
// in with a session cookie, which a plain link carries (GET needs no CSRF token), so the
// links are ordinary anchors.
function documentsBox(ctx) {
	const base = (code, doc) => `/api/v1/municipalities/${encodeURIComponent(code)}/${doc}`;
	const links = h('div', { class: 'doc-links' });
	const docs = [
		{ doc: 'lagesbild', label: t('docLagesbild'), formats: ['pdf'] },
		{ doc: 'atgardsplan', label: t('docAtgardsplan'), formats: ['pdf', 'csv'] },
	];
	const draw = (code) => {
		links.replaceChildren(...docs.map((d) => h('p', { class: 'doc-row' },
			h('a', { href: `${base(code, d.doc)}?format=html`, target: '_blank', rel: 'noopener', class: 'doc-open',
				'data-doc': d.doc, title: t('docOpen', { doc: d.label }) }, d.label),
			...d.formats.map((f) => [' · ', h('a', {
				href: `${base(code, d.doc)}?format=${f}`, download: `${d.doc}-${code}.${f}`, 'data-doc': `${d.doc}-${f}`,
				title: t('docDownload', { doc: d.label, format: f.toUpperCase() }),
			}, t(f === 'pdf' ? 'docPDF' : 'docCSV'))]).flat())));
	};
	const box = h('details', { class: 'documents' }, h('summary', {}, t('docsTitle')),
		h('p', { class: 'hint' }, t('docsHint')));
	if (ctx.munis.length > 1) {
		const sel = h('select', { id: id('doc-muni') }, ctx.munis.map((m) => h('option', { value: m }, m)));
		sel.addEventListener('change', () => draw(sel.value));
		box.append(h('label', { for: sel.id }, t('docsMunicipality'), ' ', sel));
	}
	box.append(links);
	if (ctx.munis.length) draw(ctx.munis[0]);
	return box;
}

// addLayers adds the planner's own sources and layers: the analysis' cells and
// hotspots, and the chosen walk's route, draft and observations. They go under the
// reports, which stay on top.
function addLayers(map) {
	for (const s of ['pl-cells', 'pl-hotspots', 'pl-walk', 'pl-draft', 'pl-obs']) map.addSource(s, { type: 'geojson', data: empty() });
	const before = map.getLayer('report-clusters') ? 'report-clusters' : undefined;
	map.addLayer({ id: 'pl-cells', type: 'fill', source: 'pl-cells',
		paint: { 'fill-color': classFill, 'fill-opacity': 0.6, 'fill-outline-color': 'rgba(0, 0, 0, 0)' } }, before);
	map.addLayer({ id: 'pl-hotspots-fill', type: 'fill', source: 'pl-hotspots',
		paint: { 'fill-color': '#7f0000', 'fill-opacity': ['case', ['boolean', ['get', 'selected'], false], 0.18, 0.02] } }, before);
	map.addLayer({ id: 'pl-hotspots', type: 'line', source: 'pl-hotspots',
		paint: { 'line-color': '#7f0000', 'line-width': 2 } }, before);
	map.addLayer({ id: 'pl-hotspot-sel', type: 'line', source: 'pl-hotspots', filter: ['==', ['get', 'selected'], true],
		paint: { 'line-color': '#111111', 'line-width': 4 } }, before);
	map.addLayer({ id: 'pl-walk', type: 'line', source: 'pl-walk', layout: { 'line-cap': 'round', 'line-join': 'round' },
		paint: { 'line-color': '#0b5cad', 'line-width': 5 } });
	map.addLayer({ id: 'pl-draft', type: 'line', source: 'pl-draft', filter: ['==', ['geometry-type'], 'LineString'],
		paint: { 'line-color': '#5f3dc4', 'line-width': 3, 'line-dasharray': [2, 1] } });
	map.addLayer({ id: 'pl-draft-points', type: 'circle', source: 'pl-draft', filter: ['==', ['geometry-type'], 'Point'],
		paint: { 'circle-color': '#5f3dc4', 'circle-radius': 5, 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } });
	map.addLayer({ id: 'pl-obs', type: 'circle', source: 'pl-obs',
		paint: { 'circle-color': '#1b6e2c', 'circle-radius': 7, 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } });
	// The tiles' hexcells and hotspots are the latest saved run: hidden under the ad hoc
	// analysis, shown from the legend.
	for (const l of ['hexcells', 'hotspots']) if (map.getLayer(l)) map.setLayoutProperty(l, 'visibility', 'none');
}

// The legend: the classes' colours and a switch per layer.
const layerGroups = [
	['layerCells', ['pl-cells'], true],
	['layerHotspots', ['pl-hotspots', 'pl-hotspots-fill', 'pl-hotspot-sel'], true],
	['layerReports', ['reports', 'report-clusters', 'report-cluster-count'], true],
	['layerWalks', ['walks', 'pl-walk'], true],
	['layerPolice', ['police-events'], true],
	['layerPlaces', ['places'], true],
	['layerSaved', ['hexcells', 'hotspots'], false],
];

function legendBox(ctx) {
	const swatch = (c, label) => h('li', null, h('span', { class: 'swatch', style: `background:${c}` }), label);
	const boxes = layerGroups.map(([key, layers, on]) => {
		const cid = id('layer');
		const box = h('input', { type: 'checkbox', id: cid, checked: on, 'data-layer': key });
		box.addEventListener('change', () => setVisible(ctx.map, layers, box.checked));
		return h('li', null, box, h('label', { for: cid }, t(key)));
	});
	// Closed at first: open, it would cover the map (and a patrol's route) on a phone.
	const el = h('details', { class: 'legend map-legend' },
		h('summary', null, t('legendTitle')),
		h('ul', null,
			[3, 2, 1].map((c) => swatch(classColors[c], t('legendHot', { c: { 3: 99, 2: 95, 1: 90 }[c] }))),
			[-1, -2, -3].map((c) => swatch(classColors[c], t('legendCold', { c: { 1: 90, 2: 95, 3: 99 }[-c] }))),
			h('li', null, h('span', { class: 'swatch outline' }), t('legendHotspot')),
			h('li', null, h('span', { class: 'swatch outline sel' }), t('legendSelected')),
			h('li', null, h('span', { class: 'dot report' }), t('legendReport')),
			h('li', null, h('span', { class: 'swatch line' }), t('layerWalks'))),
		h('fieldset', { class: 'layers' }, h('legend', null, t('legendHotspots')), h('ul', null, boxes)));
	el.sync = () => {
		for (const [i, [, layers]] of layerGroups.entries()) setVisible(ctx.map, layers, boxes[i].querySelector('input').checked);
	};
	return el;
}

function setVisible(map, layers, on) {
	if (!map) return;
	for (const l of layers) if (map.getLayer(l)) map.setLayoutProperty(l, 'visibility', on ? 'visible' : 'none');
}

// fmt formats a number for people in the current language.
export function fmt(n, digits = 1) {
	if (n === undefined || n === null || Number.isNaN(n)) return '–';
	return formatNumber(n, digits);
}

function fmtP(p) {
	if (p === undefined || p === null) return '–';
	if (p < 0.001) return `< ${formatNumber(0.001, 3)}`;
	return fmt(p, 3);
}

function patternText(p) {
	if (!p) return '–';
	if (p.startsWith('cold-')) return t('patternCold', { p: t(`pattern_${p.slice(5)}`) });
	return t(`pattern_${p}`);
}

const hh = (n) => String(n).padStart(2, '0');

function defaultFilters(munis) {
	return { municipality: munis[0] || '', method: 'gi', cell: '200', from: '', to: '', category: [], source: [], when: [], dark: '' };
}

// hotspotsPanel draws the filters, the ranked list and the chosen hotspot's detail into
// panel, and keeps the map's cells and hotspots in sync.
function hotspotsPanel(panel, ctx) {
	const st = { f: defaultFilters(ctx.munis), fc: null, cells: null, sel: 0, run: null, seq: 0, abort: null, fitted: false };
	const err = errorBox();
	const summary = h('p', { class: 'muted summary', 'aria-live': 'polite', 'data-testid': 'hotspot-summary' }, t('analysing'));
	const list = h('ol', { class: 'hotspot-list', 'aria-labelledby': 'hotspots-title', 'data-testid': 'hotspot-list' });
	const detail = h('section', { class: 'hotspot-detail', 'aria-live': 'polite', 'data-testid': 'hotspot-detail' });
	const form = filterForm(ctx, st, () => schedule());
	const saveBox = h('div', { class: 'save-run' });
	panel.append(form, err, summary,
		h('h2', { id: 'hotspots-title' }, t('hotspotsTitle')), list, detail, saveBox);

	let timer;
	const schedule = () => {
		clearTimeout(timer);
		timer = setTimeout(run, 250);
	};
	const query = () => {
		const q = new URLSearchParams();
		const f = st.f;
		if (f.municipality) q.set('municipality', f.municipality);
		q.set('method', f.method);
		if (f.method === 'gi') q.set('cell', f.cell);
		if (f.from) q.set('from', f.from);
		if (f.to) q.set('to', f.to);
		for (const k of ['category', 'source', 'when']) if (f[k].length) q.set(k, f[k].join(','));
		if (f.dark) q.set('dark', f.dark);
		return q;
	};
	const run = async () => {
		clearTimeout(timer);
		st.abort?.abort();
		const abort = new AbortController();
		st.abort = abort;
		const seq = ++st.seq;
		st.run = null;
		err.show('');
		summary.textContent = t('analysing');
		list.setAttribute('aria-busy', 'true');
		panel.setAttribute('aria-busy', 'true');
		progress(true);
		try {
			const q = query().toString();
			// One analysis gives the ranked hotspots and the cells with a class (the only
			// ones drawn: class 0 is transparent anyway).
			const cellsParam = st.f.method === 'gi' ? '&cells=significant' : '';
			const fc = await api('GET', `/api/v1/hotspots?${q}${cellsParam}`, undefined, {}, abort.signal);
			if (seq !== st.seq) return;
			st.fc = fc;
			st.cells = fc.cells ? { type: 'FeatureCollection', features: fc.cells.features.filter((c) => c.geometry) } : null;
			const s = fc.summary || {};
			summary.textContent = st.f.method === 'gi'
				? t('summaryGi', { h: fc.features.length, r: s.reports ?? 0, hot: s.hot_cells ?? 0, ms: s.took_ms ?? 0 })
				: t('summaryDbscan', { h: fc.features.length, r: s.reports ?? 0, ms: s.took_ms ?? 0 });
			st.sel = fc.features.length ? 1 : 0;
			draw();
			updateMap();
			fit();
		} catch (ex) {
			if (ex?.name === 'AbortError' || seq !== st.seq) return;
			summary.textContent = '';
			err.show(problemText(ex));
		} finally {
			progress(false);
			if (seq === st.seq) {
				list.removeAttribute('aria-busy');
				panel.removeAttribute('aria-busy');
			}
		}
	};

	const features = () => st.fc?.features || [];
	const current = () => features().find((f) => f.properties.rank === st.sel);

	const draw = () => {
		const fs = features();
		list.replaceChildren(...(fs.length ? fs.map((f) => listItem(f)) : [h('li', { class: 'muted' }, t('hotspotsNone'))]));
		drawDetail();
		drawSave();
	};
	const listItem = (f) => {
		const p = f.properties;
		const stat = p.kind === 'cell' ? t('zScore', { z: fmt(p.z) }) : t('scoreN', { s: fmt(p.score) });
		const bits = [stat, p.count === 1 ? t('reports1') : t('reportsN', { n: p.count })];
		if (p.confidence) bits.push(`${p.confidence} %`);
		const second = [];
		if (p.pattern) second.push(patternText(p.pattern));
		if (p.peak_hours?.length) second.push(`${t('peakHours')} ${p.peak_hours.map(hh).join(', ')}`);
		const swatch = p.class ? classColors[p.class] : '#7f0000';
		return h('li', null, h('button', {
			type: 'button', class: 'queue-item hotspot-item', 'data-rank': p.rank,
			'aria-current': p.rank === st.sel ? 'true' : false,
			onclick: () => select(p.rank, { fly: true }),
		}, h('span', { class: 'rank', style: `border-color:${swatch}` }, p.rank),
		h('span', { class: 'grow' }, h('strong', null, bits.join(' · ')), second.length ? [h('br'), h('small', null, second.join(' · '))] : null)));
	};

	const select = (rank, { fly = false, focus = false } = {}) => {
		if (!features().some((f) => f.properties.rank === rank)) return;
		st.sel = rank;
		for (const b of list.querySelectorAll('.hotspot-item')) {
			if (Number(b.dataset.rank) === rank) b.setAttribute('aria-current', 'true');
			else b.removeAttribute('aria-current');
		}
		const b = list.querySelector(`.hotspot-item[data-rank="${rank}"]`);
		b?.scrollIntoView({ block: 'nearest' });
		if (focus) b?.focus();
		drawDetail();
		updateMap();
		const f = current();
		if (fly && ctx.map && f?.geometry) {
			const [w, s, e, n] = bbox(f.geometry);
			ctx.map.fitBounds([[w, s], [e, n]], { padding: 80, maxZoom: 15, duration: 600 });
		}
	};
	list.addEventListener('keydown', (e) => {
		const fs = features();
		const i = fs.findIndex((f) => f.properties.rank === st.sel);
		let j;
		if (e.key === 'ArrowDown') j = Math.min(fs.length - 1, i + 1);
		else if (e.key === 'ArrowUp') j = Math.max(0, i - 1);
		else if (e.key === 'Home') j = 0;
		else if (e.key === 'End') j = fs.length - 1;
		else return;
		e.preventDefault();
		if (fs[j]) select(fs[j].properties.rank, { fly: true, focus: true });
	});

	const drawDetail = () => {
		const f = current();
		if (!f) {
			detail.replaceChildren();
			return;
		}
		const p = f.properties;
		const facts = [
			[t('score'), fmt(p.score, 2)],
			p.z ? ['z', fmt(p.z, 2)] : null,
			p.p ? [t('pValue'), fmtP(p.p)] : null,
			p.confidence ? [t('confidence'), `${p.confidence} %`] : null,
			[t('weighted'), fmt(p.value, 2)],
			[t('reportsN', { n: '' }).trim().replace(/^\w/, (c) => c.toUpperCase()), String(p.count)],
			p.pattern ? [t('pattern'), patternText(p.pattern)] : null,
			p.peak_hours?.length ? [t('peakHours'), p.peak_hours.map(hh).join(', ')] : null,
			p.peak_weekdays?.length ? [t('peakDays'), p.peak_weekdays.map((d) => t('weekdaysLong').split(',')[d - 1]).join(', ')] : null,
		].filter(Boolean);
		const cats = (p.profile?.categories || []).slice(0, 3);
		detail.replaceChildren(...[
			h('h2', { id: 'hotspot-detail-title' }, t('hotspotN', { n: p.rank })),
			h('dl', { class: 'facts' }, facts.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v)])),
			trendBlock(p),
			h('h3', null, t('profileTitle')),
			profileGrid(p),
			cats.length ? [h('h3', null, t('topCategories')),
				h('ul', { class: 'plain' }, cats.map((c) => h('li', null, `${categoryLabel(ctx.cats, c.name)}: ${c.count}`)))] : null,
			placeBox(p)].flat().filter(Boolean));
	};

	// Saving: the analysis as a run, then a hotspot of it as a named place.
	const drawSave = () => {
		const nid = id('run-name');
		const pid = id('run-public');
		const e = errorBox();
		const muniName = st.f.municipality;
		const name = h('input', { id: nid, name: 'name', required: true, autocomplete: 'off',
			value: `${t('tabHotspots')} ${muniName} ${new Date().toISOString().slice(0, 10)}` });
		const pub = h('input', { id: pid, type: 'checkbox', name: 'public' });
		const btn = h('button', { type: 'submit', class: 'primary' }, t('saveRun'));
		const f = h('form', { class: 'save-form', 'aria-labelledby': 'save-run-title' },
			h('h2', { id: 'save-run-title' }, t('saveRunTitle')),
			h('div', { class: 'field' }, h('label', { for: nid }, t('runName')), name),
			h('div', { class: 'check' }, pub, h('label', { for: pid }, t('runPublic'))),
			e, btn,
			st.run ? h('p', { class: 'ok', 'data-testid': 'run-saved' }, t('runSavedNote', { name: st.run.name })) : null);
		f.addEventListener('submit', async (ev) => {
			ev.preventDefault();
			e.show('');
			const q = Object.fromEntries(query());
			try {
				const out = await busy(btn, t('working'), () => api('POST', '/api/v1/hotspot-runs',
					{ name: name.value.trim(), public: pub.checked, query: q }));
				st.run = out;
				announce(t('runSaved', { name: out.name }));
				drawSave();
				drawDetail();
			} catch (ex) {
				e.show(problemText(ex));
			}
		});
		saveBox.replaceChildren(f);
	};
	// runHotspot finds hotspot p in the saved run: by its cell (Gi*), else by rank.
	const runHotspot = (p) => {
		const hs = st.run?.hotspots || [];
		if (p.cell) {
			return hs.find((x) => x.stats?.cell && x.stats.cell.I === p.cell.I && x.stats.cell.J === p.cell.J);
		}
		return st.run?.public ? null : hs.find((x) => x.rank === p.rank);
	};
	const placeBox = (p) => {
		if (!st.run) return h('p', { class: 'muted' }, t('placeNeedsRun'));
		const rh = runHotspot(p);
		if (!rh) return h('p', { class: 'muted' }, t('placeNotInRun'));
		const nid = id('place');
		const e = errorBox();
		const name = h('input', { id: nid, name: 'place', required: true, autocomplete: 'off' });
		const btn = h('button', { type: 'submit' }, t('savePlace'));
		const f = h('form', { class: 'place-form' },
			h('div', { class: 'field' }, h('label', { for: nid }, t('placeName')), name), e, btn);
		f.addEventListener('submit', async (ev) => {
			ev.preventDefault();
			e.show('');
			try {
				const out = await busy(btn, t('working'), () => api('POST', '/api/v1/places', { name: name.value.trim(), hotspot_id: rh.id }));
				announce(t('placeSaved', { name: out.properties?.name || name.value.trim() }));
				name.value = '';
			} catch (ex) {
				e.show(problemText(ex));
			}
		});
		return f;
	};

	const updateMap = () => {
		const map = ctx.map;
		if (!map?.getSource('pl-hotspots')) return;
		map.getSource('pl-cells').setData(st.cells || empty());
		map.getSource('pl-hotspots').setData({ type: 'FeatureCollection', features: features().filter((f) => f.geometry).map((f) => ({
			type: 'Feature', geometry: f.geometry,
			properties: { rank: f.properties.rank, class: f.properties.class || 0, selected: f.properties.rank === st.sel } })) });
	};
	// fit shows the analysed area once: the hotspots', else the cells' extent.
	const fit = () => {
		if (st.fitted || !ctx.map || ctx.linked) return;
		const fs = [...features(), ...(st.cells?.features || [])].filter((f) => f.geometry);
		if (!fs.length) return;
		st.fitted = true;
		const b = fs.map((f) => bbox(f.geometry)).reduce((a, c) => [Math.min(a[0], c[0]), Math.min(a[1], c[1]), Math.max(a[2], c[2]), Math.max(a[3], c[3])]);
		const go = () => {
			ctx.map.resize();
			ctx.map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 60, maxZoom: 14, duration: 0 });
		};
		// After the map's first idle, so that nothing of its start moves it back.
		if (window.trygg?.idleMs) go();
		else ctx.map.once('idle', go);
	};

	run();
	return {
		select,
		mapReady: () => { updateMap(); fit(); },
		active: (on) => setVisible(ctx.map, ['pl-hotspot-sel'], on),
	};
}

// filterForm is the analysis' filters; every change calls changed.
function filterForm(ctx, st, changed) {
	const f = st.f;
	const field = (label, control) => {
		control.id ||= id('f');
		return h('div', { class: 'field' }, h('label', { for: control.id }, label), control);
	};
	const select = (name, options, value) => h('select', { name }, options.map(([v, label]) =>
		h('option', { value: v, selected: v === value ? true : false }, label)));
	const checks = (name, options, chosen) => h('div', { class: 'checks' }, options.map(([v, label]) => {
		const cid = id(name);
		return h('span', { class: 'check' },
			h('input', { type: 'checkbox', id: cid, name, value: v, checked: chosen.includes(v) }),
			h('label', { for: cid }, label));
	}));
	const muni = select('municipality', ctx.munis.map((m) => [m, m]), f.municipality);
	const method = select('method', [['gi', t('method_gi')], ['dbscan', t('method_dbscan')]], f.method);
	method.title = `${t('method_gi')} / ${t('method_dbscan')}`;
	const cell = select('cell', cellSizes.map((c) => [String(c), `${c} m`]), f.cell);
	const cellField = field(t('cellSize'), cell);
	const from = dateInput({ name: 'from', value: f.from });
	const to = dateInput({ name: 'to', value: f.to });
	const dark = select('dark', [['', t('dark_any')], ['true', t('dark_true')], ['false', t('dark_false')]], f.dark);
	const summaries = {};
	const group = (name, label, options, chosen) => {
		summaries[name] = h('span', { class: 'muted' });
		return h('details', { class: `group ${name}` }, h('summary', null, `${label} `, summaries[name]), checks(name, options, chosen));
	};
	const form = h('form', { class: 'filters', 'aria-labelledby': 'filters-title' },
		h('h2', { id: 'filters-title' }, t('filtersTitle')),
		ctx.munis.length > 1 ? field(t('municipality'), muni) : null,
		h('div', { class: 'two' }, field(t('method'), method), cellField),
		h('div', { class: 'two' }, field(t('dateFrom'), from), field(t('dateTo'), to)),
		group('category', t('categories'), ctx.cats.map((c) => [c.code, categoryLabel(ctx.cats, c.code)]), f.category),
		group('source', t('sources'), sources.map((x) => [x, t(`source_${x}`)]), f.source),
		group('when', t('timeOfDay'), ['day', 'evening', 'night'].map((w) => [w, t(`when_${w}`)]), f.when),
		field(t('darkness'), dark),
		h('div', { class: 'row' },
			h('button', { type: 'submit', class: 'primary small' }, t('applyFilters')),
			h('button', { type: 'reset', class: 'small' }, t('resetFilters'))));
	const read = () => {
		const fd = new FormData(form);
		f.municipality = ctx.munis.length > 1 ? String(fd.get('municipality')) : f.municipality;
		f.method = String(fd.get('method'));
		f.cell = String(fd.get('cell'));
		f.from = String(fd.get('from') || '');
		f.to = String(fd.get('to') || '');
		f.category = fd.getAll('category').map(String);
		f.source = fd.getAll('source').map(String);
		f.when = fd.getAll('when').map(String);
		f.dark = String(fd.get('dark') || '');
		cellField.hidden = f.method !== 'gi';
		for (const k of ['category', 'source', 'when']) summaries[k].textContent = f[k].length ? `(${t('categoriesN', { n: f[k].length })})` : `(${t('all')})`;
	};
	read();
	form.addEventListener('change', () => {
		read();
		changed();
	});
	form.addEventListener('submit', (e) => {
		e.preventDefault();
		read();
		changed();
	});
	form.addEventListener('reset', () => setTimeout(() => {
		read();
		changed();
	}));
	return form;
}

// trendBlock says the hotspot's Mann–Kendall trend, with a sparkline of its series
// when the API gives one (properties.series: [{start, value, count}]).
function trendBlock(p) {
	const out = [h('h3', null, t('trend'))];
	if (!p.trend) out.push(h('p', { class: 'muted' }, t('trendNone')));
	else {
		out.push(h('p', { 'data-testid': 'trend' }, t('trendText', {
			dir: t(`trend_${p.trend.direction}`), tau: fmt(p.trend.tau, 2), z: fmt(p.trend.z, 2), p: fmtP(p.trend.p) })));
	}
	if (Array.isArray(p.series) && p.series.length > 1) out.push(sparkline(p.series));
	return out;
}

const svgNS = 'http://www.w3.org/2000/svg';
function s(tag, attrs, ...children) {
	const el = document.createElementNS(svgNS, tag);
	for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
	for (const c of children.flat()) if (c) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
	return el;
}

// sparkline draws the per-period weighted values as a small line chart.
export function sparkline(series) {
	const w = 260;
	const ht = 60;
	const pad = 4;
	const max = Math.max(...series.map((x) => x.value), 1e-9);
	const x = (i) => pad + (i * (w - 2 * pad)) / (series.length - 1);
	const y = (v) => ht - pad - (v / max) * (ht - 2 * pad);
	const pts = series.map((d, i) => `${x(i).toFixed(1)},${y(d.value).toFixed(1)}`).join(' ');
	const label = `${t('trendChart')}: ${series.map((d) => `${String(d.start).slice(0, 10)} ${fmt(d.value)}`).join(', ')}`;
	return s('svg', { class: 'sparkline', viewBox: `0 0 ${w} ${ht}`, width: w, height: ht, role: 'img', 'aria-label': label },
		s('title', null, label),
		s('polyline', { points: pts, fill: 'none', stroke: '#7f0000', 'stroke-width': 2 }),
		series.map((d, i) => s('circle', { cx: x(i), cy: y(d.value), r: 2.5, fill: '#7f0000' },
			s('title', null, `${String(d.start).slice(0, 10)}: ${fmt(d.value)} (${d.count ?? ''})`))));
}

// profileGrid draws the hotspot's reports per hour (columns, Swedish time) and weekday
// (rows, Monday first) as a 7 × 24 heat grid.
export function profileGrid(p) {
	const grid = p.profile?.hour_weekday || [];
	const total = grid.flat().reduce((a, b) => a + b, 0);
	if (!total) return h('p', { class: 'muted', 'data-testid': 'profile-empty' }, t('profileEmpty'));
	const days = t('weekdays').split(',');
	const max = Math.max(...grid.flat());
	const c = 13;
	const left = 34;
	const top = 14;
	const peak = (p.peak_hours || []).map((x) => t('atHour', { h: hh(x) })).join(', ');
	const label = t('profileLabel', { n: p.rank, peak: [peak, (p.peak_weekdays || []).map((d) => t('weekdaysLong').split(',')[d - 1]).join(', ')].filter(Boolean).join('; ') });
	const cells = [];
	for (let d = 0; d < 7; d++) {
		for (let hr = 0; hr < 24; hr++) {
			const n = grid[d]?.[hr] || 0;
			const a = n ? 0.15 + 0.85 * (n / max) : 0;
			cells.push(s('rect', { x: left + hr * c, y: top + d * c, width: c - 1, height: c - 1, rx: 2,
				fill: n ? `rgba(127, 0, 0, ${a.toFixed(2)})` : '#eef1f4', 'data-n': n },
			s('title', null, t('profileCell', { d: days[d], h: `${hh(hr)}–${hh((hr + 1) % 24)}`, n }))));
		}
	}
	const w = left + 24 * c + 2;
	const ht = top + 7 * c + 2;
	return h('figure', { class: 'profile' },
		s('svg', { class: 'profile-grid', viewBox: `0 0 ${w} ${ht}`, width: w, height: ht, role: 'img', 'aria-label': label, 'data-testid': 'profile-grid' },
			[0, 6, 12, 18].map((hr) => s('text', { x: left + hr * c, y: 10, 'font-size': 10, fill: '#4a5763' }, hh(hr))),
			days.map((d, i) => s('text', { x: 0, y: top + i * c + 10, 'font-size': 10, fill: '#4a5763' }, d)),
			cells),
		h('figcaption', { class: 'sr-only' }, label));
}
