// patrol.js: the planner's patrol panel. The police and admins plan a shift's stops
// (POST /api/v1/patrol-plans: municipality, shift, stops, dwell, a start point clicked
// on the map, focus categories, a foot-patrol commitment of the municipality's
// promises), see them on the map numbered with their arrival times and the route, get
// the GPX and the printable page, and record each stop's visit (POST
// /api/v1/patrol-plans/{id}/stops/{seq}/visit), which counts toward the commitment.
// Made for an officer on a phone: municipalities by name (choosing one moves the map to
// it), the start from the device's position, a plan without stops says why, each stop
// its place's name and most active hours, and a visit recorded on the spot (departure
// now).
import { Marker } from 'maplibre-gl';
import { t, formatDate, dir } from './i18n.js';
import { api, problemText, categoryLabel } from './api.js';
import { h, id, announce, errorBox, busy, dateTimeInput, parseLocal, localInput } from './ui.js';

const empty = () => ({ type: 'FeatureCollection', features: [] });
const pad = (n) => String(n).padStart(2, '0');

const rfc3339 = (v) => (parseLocal(v) || new Date(NaN)).toISOString().replace(/\.\d{3}Z$/, 'Z');
const hourSpan = (hh) => `${pad(hh)}–${pad((hh + 1) % 24)}`;
const clock = (iso) => new Date(iso).toLocaleTimeString('sv-SE', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Stockholm' });

/** patrolPanel draws the patrol planning into panel; ctx holds the map and its click mode. */
export function patrolPanel(panel, ctx) {
	const st = { start: null, plan: null, markers: [], commitments: null, munis: {} };
	const canPlan = ['police', 'admin'].includes(ctx.me.user.role);
	const err = errorBox();
	const body = h('div', { class: 'patrol-body' });
	const result = h('div', { class: 'patrol-result', 'aria-live': 'polite' });
	panel.append(h('h2', { id: 'patrol-title', tabindex: '-1' }, t('patrolTitle')), err, body, result);

	const setMode = (fn) => {
		ctx.mode = fn;
		if (ctx.map) ctx.map.getCanvas().style.cursor = fn ? 'crosshair' : '';
	};

	const ids = { m: id('pt-muni'), s: id('pt-start'), e: id('pt-end'), n: id('pt-stops'), d: id('pt-dwell'), c: id('pt-commit'), src: id('pt-src') };
	// Municipalities by name (the code is the value); names and extents load once.
	const muni = h('select', { id: ids.m, name: 'municipality', 'data-testid': 'patrol-municipality' },
		ctx.munis.map((m) => h('option', { value: m }, m)));
	const source = h('select', { id: ids.src, name: 'source' },
		h('option', { value: 'hotspots' }, t('patrolSourceHotspots')), h('option', { value: 'places' }, t('patrolSourcePlaces')));
	const now = new Date();
	const s0 = new Date(now.getFullYear(), now.getMonth(), now.getDate(), 18, 0);
	const shiftStart = dateTimeInput({ id: ids.s, name: 'shift_start', required: true, value: localInput(s0) });
	const shiftEnd = dateTimeInput({ id: ids.e, name: 'shift_end', required: true, value: localInput(s0.getTime() + 4 * 3600e3) });
	const stops = h('input', { id: ids.n, name: 'stops', type: 'number', min: 1, max: 8, value: 3, required: true });
	const dwell = h('input', { id: ids.d, name: 'dwell_minutes', type: 'number', min: 5, max: 60, value: 15, required: true });
	const commit = h('select', { id: ids.c, name: 'commitment_id' }, h('option', { value: '' }, t('patrolNoCommitment')));
	const startText = h('span', { 'data-testid': 'patrol-start' }, t('patrolStartNone'));
	const pickBtn = h('button', { type: 'button', 'aria-pressed': 'false' }, t('patrolPickStart'));
	const hereBtn = h('button', { type: 'button', 'data-testid': 'patrol-here' }, t('patrolUseHere'));
	const catBoxes = ctx.cats.map((c) => {
		const cid = id('pt-cat');
		return h('li', null, h('input', { type: 'checkbox', id: cid, value: c.code, name: 'categories' }),
			h('label', { for: cid }, categoryLabel(ctx.cats, c.code)));
	});
	const submit = h('button', { type: 'submit', class: 'primary' }, t('patrolPlan'));
	const form = h('form', { class: 'patrol-form', 'aria-labelledby': 'patrol-form-title' },
		h('h3', { id: 'patrol-form-title' }, t('patrolNew')),
		h('div', { class: 'field' }, h('label', { for: ids.m }, t('municipality')), muni),
		h('div', { class: 'field' }, h('label', { for: ids.s }, t('patrolShiftStart')), shiftStart),
		h('div', { class: 'field' }, h('label', { for: ids.e }, t('patrolShiftEnd')), shiftEnd),
		h('div', { class: 'field two' }, h('label', { for: ids.n }, t('patrolStops')), stops),
		h('div', { class: 'field two' }, h('label', { for: ids.d }, t('patrolDwell')), dwell),
		h('div', { class: 'field start-field' }, h('span', { class: 'label' }, t('patrolStartPoint')), startText,
			h('div', { class: 'row start-buttons' }, hereBtn, pickBtn)),
		h('div', { class: 'field' }, h('label', { for: ids.src }, t('patrolSource')), source),
		h('details', { class: 'category' }, h('summary', null, t('patrolCategories')), h('ul', { class: 'plain' }, catBoxes)),
		h('div', { class: 'field' }, h('label', { for: ids.c }, t('patrolCommitment')), commit),
		submit);

	const setStart = (lon, lat, text) => {
		st.start = lon === null ? null : [Number(lon.toFixed(6)), Number(lat.toFixed(6))];
		startText.textContent = st.start ? text || t('patrolStartAt', { lat: st.start[1].toFixed(5), lon: st.start[0].toFixed(5) }) : t('patrolStartNone');
		startText.dataset.start = st.start ? st.start.join(',') : '';
		updateMap();
	};
	const pickMode = (e) => {
		setStart(e.lngLat.lng, e.lngLat.lat);
		pickBtn.setAttribute('aria-pressed', 'false');
		setMode(null);
		announce(t('patrolStartChosen'));
	};
	// The device's position as the start (the browser asks the officer first).
	hereBtn.addEventListener('click', () => {
		err.show('');
		if (!navigator.geolocation) return err.show(t('patrolHereUnavailable'));
		hereBtn.disabled = true;
		navigator.geolocation.getCurrentPosition((pos) => {
			hereBtn.disabled = false;
			const { longitude: lon, latitude: lat, accuracy } = pos.coords;
			setStart(lon, lat, t('patrolStartHere', { m: Math.round(accuracy || 0) }));
			ctx.map?.easeTo({ center: [lon, lat], zoom: Math.max(ctx.map.getZoom(), 14), duration: 0 });
			announce(t('patrolStartChosen'));
		}, (e) => {
			hereBtn.disabled = false;
			err.show(e.code === 1 ? t('patrolHereDenied') : t('patrolHereUnavailable'));
		}, { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 });
	});

	// The names and extents of the officer's municipalities, for the picker and the map.
	const loadMunis = async () => {
		const out = await Promise.all(ctx.munis.map((code) => api('GET', `/api/v1/municipalities/${encodeURIComponent(code)}`).catch(() => null)));
		for (const f of out) {
			if (!f) continue;
			const b = [Infinity, Infinity, -Infinity, -Infinity];
			const walk = (c) => (typeof c[0] === 'number' ? (b[0] = Math.min(b[0], c[0]), b[1] = Math.min(b[1], c[1]),
				b[2] = Math.max(b[2], c[0]), b[3] = Math.max(b[3], c[1])) : c.forEach(walk));
			if (f.geometry) walk(f.geometry.coordinates);
			st.munis[f.properties.code] = { name: f.properties.name, bbox: Number.isFinite(b[0]) ? b : null };
		}
		const chosen = muni.value;
		const opts = ctx.munis.map((code) => ({ code, name: st.munis[code]?.name || code }))
			.sort((a, b) => a.name.localeCompare(b.name, 'sv'));
		muni.replaceChildren(...opts.map((o) => h('option', { value: o.code }, o.name)));
		muni.value = chosen;
	};
	const inMuni = (code, p) => {
		const b = st.munis[code]?.bbox;
		return !b || (p[0] >= b[0] && p[0] <= b[2] && p[1] >= b[1] && p[1] <= b[3]);
	};
	// Choosing a municipality moves the map to it; a start outside it is cleared.
	const toMuni = () => {
		const b = st.munis[muni.value]?.bbox;
		if (b && ctx.map) ctx.map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 20, duration: 0 });
		if (st.start && !inMuni(muni.value, st.start)) setStart(null);
	};
	pickBtn.addEventListener('click', () => {
		const on = ctx.mode !== pickMode;
		setMode(on ? pickMode : null);
		pickBtn.setAttribute('aria-pressed', String(on));
		if (on) announce(t('patrolClickMap'));
	});

	// The commitments of kind foot-patrol of the municipality's promises, active first.
	const loadCommitments = async () => {
		const m = muni.value;
		commit.replaceChildren(h('option', { value: '' }, t('patrolNoCommitment')));
		try {
			const out = await api('GET', `/api/v1/promises?municipality=${encodeURIComponent(m)}`);
			const ps = (out.promises || []).slice().sort((a, b) =>
				(a.status === 'active' ? 0 : 1) - (b.status === 'active' ? 0 : 1) || String(b.period_start).localeCompare(String(a.period_start)));
			const full = await Promise.all(ps.map((p) => api('GET', `/api/v1/promises/${encodeURIComponent(p.id)}`)));
			if (m !== muni.value) return;
			let first = '';
			for (const p of full) {
				for (const c of p.commitments || []) {
					if (c.activity_kind !== 'foot-patrol') continue;
					const text = c.text.length > 70 ? `${c.text.slice(0, 68)}…` : c.text;
					commit.append(h('option', { value: c.id }, `${p.title}: ${text}`));
					if (!first && p.status === 'active') first = c.id;
				}
			}
			commit.value = first;
		} catch (ex) {
			err.show(problemText(ex));
		}
	};
	muni.addEventListener('change', () => {
		toMuni();
		loadCommitments();
	});

	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		err.show('');
		if (!st.start) {
			err.show(t('patrolStartMissing'));
			pickBtn.focus();
			return;
		}
		const body = {
			municipality: muni.value,
			shift_start: rfc3339(shiftStart.value), shift_end: rfc3339(shiftEnd.value),
			stops: Number(stops.value), dwell_minutes: Number(dwell.value),
			start: { type: 'Point', coordinates: st.start }, source: source.value,
			categories: [...form.querySelectorAll('input[name=categories]:checked')].map((b) => b.value),
		};
		if (commit.value) body.commitment_id = commit.value;
		try {
			const plan = await busy(submit, t('working'), () => api('POST', '/api/v1/patrol-plans', body));
			st.plan = plan;
			ctx.closeLegend?.();
			announce(stopsOf(plan).length ? t('patrolPlanned', { n: stopsOf(plan).length }) : (plan.no_stops?.message || t('patrolNoStops')));
			drawPlan();
			updateMap(true);
			// The plan, not the form, in view: on a phone the panel is a short scroller.
			result.scrollIntoView({ block: 'start' });
		} catch (ex) {
			err.show(problemText(ex));
		}
	});

	const stopsOf = (plan) => (plan?.features || []).filter((f) => f.properties.kind === 'stop');

	const drawPlan = () => {
		const plan = st.plan;
		if (!plan) return result.replaceChildren();
		const ss = stopsOf(plan);
		const pid = encodeURIComponent(plan.id);
		const why = plan.no_stops;
		// (replaceChildren would write a null as the text "null".)
		result.replaceChildren(...[
			h('h3', { 'data-testid': 'patrol-plan' }, t('patrolPlanTitle', { n: ss.length, km: ((plan.summary?.route_m || 0) / 1000).toFixed(1) })),
			riskDateNote(plan),
			ss.length ? null : h('p', { class: 'no-stops', role: 'status', 'data-testid': 'patrol-no-stops', 'data-code': why?.code || '' },
				h('strong', null, t('patrolNoStops')), ' ', why?.message || ''),
			ss.length ? h('ol', { class: 'patrol-stops', 'data-testid': 'patrol-stops' }, ss.map(stopItem)) : null,
			ss.length ? h('p', { class: 'links' },
				h('a', { class: 'button-link', href: `/api/v1/patrol-plans/${pid}?format=gpx`, download: `patrull-${plan.id}.gpx` }, t('patrolGPX')),
				h('a', { class: 'button-link', href: `/api/v1/patrol-plans/${pid}/print`, target: '_blank', rel: 'noopener' }, t('patrolPrint'))) : null,
			(plan.notes || []).length ? h('details', { class: 'notes' }, h('summary', null, t('patrolNotes', { n: plan.notes.length })),
				h('ul', { class: 'plain muted' }, plan.notes.map((n) => h('li', null, n)))) : null].filter(Boolean));
	};

	const stopItem = (f) => {
		const p = f.properties;
		const visited = !!p.arrived_at;
		const hs = p.hotspot || {};
		const peaks = (hs.peak_hours || []).map(hourSpan).join(', ');
		const kind = { commitment: t('patrolKindCommitment'), place: t('patrolKindPlace') }[hs.kind] || t('patrolKindArea');
		const head = h('div', null, h('strong', { class: 'stop-name' }, `${p.seq}. ${p.name || t('patrolStopN', { n: p.seq })}`), h('br'),
			h('small', null, t('patrolStopTimes', { a: clock(p.planned_arrival), d: clock(p.planned_departure) })), h('br'),
			h('small', { class: 'why', 'data-testid': 'stop-why' }, peaks
				? t('patrolStopWhy', { kind, n: hs.count ?? 0, h: peaks })
				: t('patrolStopWhyNoHours', { kind, n: hs.count ?? 0 })));
		if (visited) {
			return h('li', { 'data-seq': p.seq, class: 'visited' }, head,
				h('p', { class: 'ok', 'data-testid': 'visit-recorded' }, t('patrolVisited', { a: formatDate(p.arrived_at), d: clock(p.departed_at) })));
		}
		if (!canPlan) return h('li', { 'data-seq': p.seq }, head);
		const aid = id('pt-arr');
		const did = id('pt-dep');
		const e = errorBox();
		// On the spot: departure now, arrival the planned one if that was within the last
		// dwell (else a dwell ago, at most a minute ago). Untouched, both follow the clock
		// until the visit is sent.
		const dwellMs = (Date.parse(p.planned_departure) - Date.parse(p.planned_arrival)) || 15 * 60e3;
		const defaults = () => {
			const now = Date.now();
			return [Math.min(Math.max(Date.parse(p.planned_arrival), now - dwellMs), now - 60e3), now];
		};
		const [a0, d0] = defaults();
		const arr = dateTimeInput({ id: aid, required: true, value: localInput(a0) });
		const dep = dateTimeInput({ id: did, required: true, value: localInput(d0) });
		for (const inp of [arr, dep]) inp.addEventListener('input', () => { inp.dataset.touched = '1'; });
		const refresh = () => {
			const [a, d] = defaults();
			if (!arr.dataset.touched) arr.value = localInput(a);
			if (!dep.dataset.touched) dep.value = localInput(d);
		};
		const btn = h('button', { type: 'submit' }, t('patrolRecordVisit'));
		const vf = h('form', { class: 'visit-form', 'aria-label': t('patrolVisitFor', { n: p.seq }) },
			h('div', { class: 'field two' }, h('label', { for: aid }, t('patrolArrived')), arr),
			h('div', { class: 'field two' }, h('label', { for: did }, t('patrolDeparted')), dep), e, btn);
		vf.addEventListener('focusin', refresh);
		vf.addEventListener('submit', async (ev) => {
			ev.preventDefault();
			e.show('');
			refresh();
			try {
				const out = await busy(btn, t('working'), () => api('POST',
					`/api/v1/patrol-plans/${encodeURIComponent(st.plan.id)}/stops/${p.seq}/visit`,
					{ arrived_at: rfc3339(arr.value), departed_at: rfc3339(dep.value) }));
				Object.assign(p, { arrived_at: out.stop.arrived_at, departed_at: out.stop.departed_at, activity_id: out.stop.activity_id });
				announce(t('patrolVisitSaved', { n: p.seq }));
				drawPlan();
			} catch (ex) {
				e.show(problemText(ex));
			}
		});
		return h('li', { 'data-seq': p.seq }, head, vf);
	};

	const updateMap = (fit) => {
		const map = ctx.map;
		if (!map?.getSource('pt-plan')) return;
		for (const m of st.markers) m.remove();
		st.markers = [];
		const fs = [];
		if (st.start) fs.push({ type: 'Feature', geometry: { type: 'Point', coordinates: st.start }, properties: { kind: 'start' } });
		const visible = !panel.hidden;
		if (visible && st.plan) {
			for (const f of st.plan.features) {
				fs.push({ type: 'Feature', geometry: f.geometry, properties: { kind: f.properties.kind } });
				if (f.properties.area) fs.push({ type: 'Feature', geometry: f.properties.area, properties: { kind: 'area' } });
			}
			for (const f of stopsOf(st.plan)) {
				const p = f.properties;
				const el = h('div', { class: 'stop-marker', title: `${p.seq}. ${p.name || ''} ${clock(p.planned_arrival)}` },
					h('span', { class: 'num' }, String(p.seq)), h('span', { class: 'time' }, clock(p.planned_arrival)));
				st.markers.push(new Marker({ element: el, anchor: 'left', offset: [-12, 0] }).setLngLat(f.geometry.coordinates).addTo(map));
			}
		}
		map.getSource('pt-plan').setData(visible ? { type: 'FeatureCollection', features: fs } : empty());
		if (fit && st.plan) {
			const cs = fs.filter((f) => f.geometry.type === 'Point').map((f) => f.geometry.coordinates);
			if (cs.length) {
				const b = cs.reduce((a, c) => [Math.min(a[0], c[0]), Math.min(a[1], c[1]), Math.max(a[2], c[0]), Math.max(a[3], c[1])], [Infinity, Infinity, -Infinity, -Infinity]);
				const c = map.getContainer();
				const pad = Math.max(24, Math.min(80, Math.round(Math.min(c.clientWidth, c.clientHeight) / 8)));
				map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: { top: pad, bottom: pad, left: pad + (dir() === 'rtl' ? 48 : 0), right: pad + (dir() === 'rtl' ? 0 : 48) }, maxZoom: 16, duration: 0 });
			}
		}
	};

	if (canPlan) body.append(form);
	else body.append(h('p', { class: 'muted' }, t('patrolPoliceOnly')));

	return {
		mapReady: () => {
			const map = ctx.map;
			if (!map || map.getSource('pt-plan')) return;
			map.addSource('pt-plan', { type: 'geojson', data: empty() });
			map.addLayer({ id: 'pt-area', type: 'fill', source: 'pt-plan', filter: ['==', ['get', 'kind'], 'area'],
				paint: { 'fill-color': '#f08c00', 'fill-opacity': 0.15 } });
			map.addLayer({ id: 'pt-route', type: 'line', source: 'pt-plan', filter: ['==', ['get', 'kind'], 'route'],
				layout: { 'line-cap': 'round', 'line-join': 'round' }, paint: { 'line-color': '#f08c00', 'line-width': 4, 'line-dasharray': [2, 1] } });
			map.addLayer({ id: 'pt-stops', type: 'circle', source: 'pt-plan', filter: ['==', ['get', 'kind'], 'stop'],
				paint: { 'circle-color': '#f08c00', 'circle-radius': 8, 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } });
			map.addLayer({ id: 'pt-start', type: 'circle', source: 'pt-plan', filter: ['==', ['get', 'kind'], 'start'],
				paint: { 'circle-color': '#111', 'circle-radius': 6, 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } });
			updateMap();
		},
		active: (on) => {
			if (on && canPlan && st.commitments === null) {
				st.commitments = true;
				loadCommitments();
				loadMunis().catch(() => {});
			}
			if (on) ctx.closeLegend?.();
			if (!on && ctx.mode === pickMode) {
				setMode(null);
				pickBtn.setAttribute('aria-pressed', 'false');
			}
			updateMap();
		},
	};
}

/** riskDateNote says which risk dates (risktillfällen) the plan's shift falls on (plan.risk_dates), or null. */
function riskDateNote(plan) {
	const rds = plan.risk_dates || [];
	if (!rds.length) return null;
	return h('p', { class: 'risk-date', role: 'note', 'data-testid': 'patrol-risk-date', 'data-keys': rds.map((r) => r.key).join(',') },
		h('strong', null, t('patrolRiskDate', { names: rds.map((r) => r.name).join(', ') })));
}
