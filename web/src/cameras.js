// cameras.js: the camera surveillance register (/cameras), for signed-in staff. A side
// panel with what needs attention (GET /api/v1/cameras/attention) and the cameras
// grouped by lifecycle state with whether each may film today and why (the law in force
// today, whatever the day of the decision: from 2025-04-01 a documented weighing and a
// DPIA), beside a map of the cameras and their
// view sectors. The editor creates (POST) or changes (PATCH) a camera: a click on the
// map sets its position, and the view sector is previewed live in the browser as the
// bearing, angle and range sliders move (the saved sector is the server's). Lifecycle
// buttons move a camera to its allowed next states; a refusal (409) says why inline.
import { t, lang, formatDay } from './i18n.js';
import { api, ApiError, problemText } from './api.js';
import { h, id, announce, errorBox, busy, progress, dateInput } from './ui.js';
import { createMap } from './map.js';
import { staffPage } from './signin.js';

const states = ['proposed', 'assessed', 'approved', 'installed', 'active', 'decommissioned'];
const operators = ['municipality', 'public-authority', 'police', 'private-public-task', 'property-owner', 'shop', 'other'];
const placeTypes = ['school', 'travel-centre', 'square', 'street', 'park', 'parking', 'public-transport',
	'shop', 'sports', 'residential', 'other'];
const stateColors = { proposed: '#6b7280', assessed: '#a16207', approved: '#1d4ed8', installed: '#0f766e',
	active: '#15803d', decommissioned: '#9ca3af' };
const empty = () => ({ type: 'FeatureCollection', features: [] });

/** nextStates are the states a camera in state s may move to, in lifecycle order. */
export function nextStates(s) {
	const i = states.indexOf(s);
	if (i < 0 || s === 'decommissioned') return [];
	const out = [];
	if (i + 1 < states.length - 1) out.push(states[i + 1]);
	if (s === 'active') out.push('installed');
	out.push('decommissioned');
	return out;
}

/**
 * sectorPolygon is a preview of a camera's view sector as a GeoJSON Polygon in lon/lat:
 * the arc of radius rangeM metres from bearing − fov/2 to bearing + fov/2 (degrees
 * clockwise from north) around [lon, lat], with metres per degree taken locally.
 */
export function sectorPolygon([lon, lat], bearing, fov, rangeM) {
	const mLat = 111132.92 - 559.82 * Math.cos(2 * lat * Math.PI / 180);
	const mLon = 111412.84 * Math.cos(lat * Math.PI / 180);
	const at = (deg) => {
		const a = deg * Math.PI / 180;
		return [lon + (rangeM * Math.sin(a)) / mLon, lat + (rangeM * Math.cos(a)) / mLat];
	};
	const full = fov >= 360;
	const from = full ? 0 : bearing - fov / 2;
	const span = full ? 360 : fov;
	const n = Math.max(4, Math.ceil(span / 3));
	const ring = full ? [] : [[lon, lat]];
	for (let k = 0; k <= n; k++) ring.push(at(from + (span * k) / n));
	ring.push(ring[0]);
	return { type: 'Polygon', coordinates: [ring] };
}

/** cameras renders the camera register view. */
export async function cameras(rerender) {
	const page = await staffPage('camerasTitle', rerender);
	if (!page) return;
	const { main, me } = page;
	main.classList.add('staff', 'cameras');
	const canWrite = ['admin', 'planner'].includes(me.user.role);
	const side = h('aside', { class: 'queue cameras-side', 'aria-labelledby': 'cameras-title' });
	const mapEl = h('div', { class: 'map' });
	main.append(side, h('div', { class: 'work' }, mapEl));

	const st = { items: [], attention: [], map: null, editing: null, sel: null, loadErr: '' };

	const load = async () => {
		progress(true);
		try {
			const [fc, att] = await Promise.all([api('GET', '/api/v1/cameras'), api('GET', '/api/v1/cameras/attention')]);
			st.items = fc.features || [];
			st.attention = att.cameras || [];
			st.loadErr = '';
		} catch (err) {
			st.loadErr = problemText(err);
		} finally {
			progress(false);
		}
	};

	// The map's data: the cameras and their saved views, and the editor's preview.
	const updateMap = () => {
		const src = st.map?.getSource('cam-list');
		if (!src) return;
		const feats = [];
		for (const f of st.items) {
			const p = f.properties;
			const props = { id: p.id, name: p.name, state: p.state, selected: p.id === st.sel };
			if (p.view) feats.push({ type: 'Feature', geometry: p.view, properties: { ...props, kind: 'view' } });
			feats.push({ type: 'Feature', geometry: f.geometry, properties: { ...props, kind: 'camera' } });
		}
		src.setData({ type: 'FeatureCollection', features: feats });
		st.map.getSource('cam-preview')?.setData(st.editing?.preview() || empty());
	};

	// Whether the camera may film today (the server judges it by today's law), or that
	// there is no decision yet.
	const operateBadge = (p) => {
		if (!p.decision_on) return h('span', { class: 'badge regime-none', title: t('camRegimeHelp') }, t('camRegime_none'));
		const yes = !!p.may_operate_today;
		return h('span', { class: `badge ${yes ? 'operate-yes' : 'operate-no warn'}`, title: operateText(p.operate_reason),
			'data-testid': 'camera-operate-badge' }, t(yes ? 'camMayOperate_yes' : 'camMayOperate_no'));
	};

	const drawList = () => {
		st.editing = null;
		const title = h('h1', { id: 'cameras-title', tabindex: '-1' }, t('camerasTitle'));
		const parts = [title];
		if (st.loadErr) parts.push(h('p', { class: 'error', role: 'alert' }, st.loadErr));
		if (canWrite) parts.push(h('div', { class: 'row' }, h('button', { type: 'button', class: 'primary', onclick: () => edit(null) }, t('camNew'))));
		else parts.push(h('p', { class: 'muted' }, t('camReadOnly')));
		// What needs attention.
		const att = h('section', { class: 'cam-attention', 'aria-labelledby': 'cam-att-title', 'data-testid': 'camera-attention' },
			h('h2', { id: 'cam-att-title' }, t('camAttention')));
		if (!st.attention.length) att.append(h('p', { class: 'muted' }, t('camAttentionNone')));
		else {
			att.append(h('ul', { class: 'cam-att-list' }, st.attention.map((a) => h('li', null,
				h('button', { type: 'button', class: 'link', onclick: () => open(a.id) }, a.name),
				h('ul', null, a.reasons.map((r) => h('li', null, attentionText(r))))))));
		}
		parts.push(att);
		// The cameras by state.
		const count = h('p', { class: 'muted', 'aria-live': 'polite' },
			st.items.length ? t(st.items.length === 1 ? 'camCount1' : 'camCount', { n: st.items.length }) : t('camNone'));
		parts.push(h('h2', null, t('camList')), count);
		for (const s of states) {
			const group = st.items.filter((f) => f.properties.state === s);
			if (!group.length) continue;
			parts.push(h('section', { class: 'cam-group', 'data-state': s },
				h('h3', null, h('span', { class: 'state-dot', style: `background:${stateColors[s]}` }), `${t(`camState_${s}`)} (${group.length})`),
				h('ol', { class: 'queue-list' }, group.map((f) => {
					const p = f.properties;
					return h('li', null, h('button', {
						type: 'button', class: 'queue-item cam-item', 'data-id': p.id, 'aria-current': p.id === st.sel ? 'true' : false,
						onclick: () => open(p.id),
					}, h('span', { class: 'grow' }, h('strong', null, p.name), h('br'),
						h('small', null, `${t(`camOperator_${p.operator_kind}`)} · ${t(`camPlace_${p.place_type}`)}`)),
					operateBadge(p), p.attention?.length ? h('span', { class: 'badge warn', title: t('camAttention') }, '!') : null));
				}))));
		}
		side.replaceChildren(...parts);
		updateMap();
	};

	const open = (cid) => {
		const f = st.items.find((x) => x.properties.id === cid);
		if (!f) return;
		st.sel = cid;
		if (st.map) st.map.easeTo({ center: f.geometry.coordinates, zoom: Math.max(st.map.getZoom(), 16) });
		edit(f);
	};

	// The editor: a new camera (f null) or a stored one.
	const edit = (f) => {
		const p = f?.properties || { bearing: 0, fov: 60, range_m: 50, public_access: true, retention_days: 30,
			operator_kind: 'municipality', place_type: 'street', state: 'proposed' };
		const ro = !canWrite;
		let pos = f ? f.geometry.coordinates.slice() : null;
		let touched = false;
		const err = errorBox();
		const posLine = h('p', { class: 'place-line', 'data-testid': 'camera-position', 'aria-live': 'polite' });
		const showPos = () => {
			posLine.textContent = pos ? t('camPositionChosen', { lat: pos[1].toFixed(5), lon: pos[0].toFixed(5) }) : t('camPositionHelp');
		};
		showPos();
		const field = (key, input, help) => {
			input.id ||= id(key);
			input.name ||= key;
			if (ro) input.disabled = true;
			// A required field says so beside its label (the input's required attribute tells assistive technology).
			return h('div', { class: 'field' }, h('label', { for: input.id }, t(`camF_${key}`)),
				input.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, `* ${t('required')}`) : null, input,
				help ? h('small', null, help) : null);
		};
		const check = (key, on) => {
			const cid = id(key);
			const input = h('input', { id: cid, name: key, type: 'checkbox', checked: !!on, disabled: ro });
			return [h('div', { class: 'check' }, input, h('label', { for: cid }, t(`camF_${key}`))), input];
		};
		const text = (key, v, attrs = {}) => h('input', { type: 'text', value: v || '', autocomplete: 'off', ...attrs });
		const date = (key, v) => dateInput({ value: v || '' });
		const num = (v, attrs) => h('input', { type: 'number', value: v ?? '', ...attrs });
		const slider = (key, v, min, max, stepV, unit) => {
			const sid = id(key);
			const out = h('output', { for: sid, class: 'slider-value' }, `${v} ${unit}`);
			const input = h('input', { id: sid, name: key, type: 'range', min, max, step: stepV, value: v, disabled: ro,
				'aria-valuetext': `${v} ${unit}` });
			input.addEventListener('input', () => {
				out.textContent = `${input.value} ${unit}`;
				input.setAttribute('aria-valuetext', `${input.value} ${unit}`);
				touched = true;
				updateMap();
			});
			return [h('div', { class: 'field slider' }, h('label', { for: sid }, t(`camF_${key}`)), h('div', { class: 'row' }, input, out)), input];
		};
		const name = text('name', p.name, { maxlength: 200, required: true });
		const opKind = h('select', null, operators.map((o) => h('option', { value: o, selected: o === p.operator_kind }, t(`camOperator_${o}`))));
		// Who runs the camera: required, and for a new camera the user's own organisation.
		const opName = text('operator_name', f ? p.operator_name : me.user.organisation?.name, { maxlength: 200, required: true });
		const purpose = h('textarea', { rows: 2 }, p.purpose || '');
		const place = h('select', null, placeTypes.map((o) => h('option', { value: o, selected: o === p.place_type }, t(`camPlace_${o}`))));
		const height = num(p.height_m, { min: 0, max: 100, step: 0.1 });
		const [bearingF, bearing] = slider('bearing', Math.round(p.bearing ?? 0), 0, 360, 5, '°');
		const [fovF, fov] = slider('fov', Math.round(p.fov ?? 60), 5, 360, 5, '°');
		const [rangeF, range] = slider('range_m', Math.round(p.range_m ?? 50), 5, 300, 5, 'm');
		const [accessF, access] = check('public_access', p.public_access);
		const [indoorF, indoor] = check('indoor', p.indoor);
		const [audioF, audio] = check('audio', p.audio);
		const [pubViewF, pubView] = check('public_view', p.public_view);
		const retention = num(p.retention_days ?? 30, { min: 0, max: 3650, step: 1 });
		const signage = date('signage_checked_on', p.signage_checked_on);
		const review = date('review_on', p.review_on);
		const decision = date('decision_on', p.decision_on);
		const permitRef = text('permit_ref', p.permit_ref);
		const permitCond = h('textarea', { rows: 2 }, p.permit_conditions || '');
		const permitExp = date('permit_expires_on', p.permit_expires_on);
		const weighing = text('weighing_ref', p.weighing_ref);
		const dpia = text('dpia_ref', p.dpia_ref);
		const operatedFrom = date('operated_from', p.operated_from);
		const operatedUntil = date('operated_until', p.operated_until);
		const regimeNote = h('p', { class: 'help', 'aria-live': 'polite' });
		const permitBox = h('fieldset', { class: 'regime' }, h('legend', null, t('camRegime_permit')),
			h('p', { class: 'help' }, t('camPermitHelp')),
			field('permit_ref', permitRef), field('permit_conditions', permitCond), field('permit_expires_on', permitExp));
		const weighBox = h('fieldset', { class: 'regime' }, h('legend', null, t('camRegime_weighing')),
			h('p', { class: 'help' }, t('camWeighingHelp')),
			field('weighing_ref', weighing), field('dpia_ref', dpia));
		// The rules are those of the day of operation: the note says what today's rules
		// ask; the decision's day changes nothing.
		const showRegime = () => {
			regimeNote.textContent = t(decision.value ? 'camRegimeNote_today' : 'camRegimeNote_none');
		};
		decision.addEventListener('input', showRegime);
		showRegime();

		st.editing = {
			setPosition: (lngLat) => {
				if (ro) return;
				pos = [Number(lngLat.lng.toFixed(6)), Number(lngLat.lat.toFixed(6))];
				showPos();
				updateMap();
			},
			preview: () => {
				if (!pos) return empty();
				const feats = [{ type: 'Feature', geometry: { type: 'Point', coordinates: pos }, properties: { kind: 'camera' } }];
				const drawn = f && p.view_drawn && !touched;
				const view = drawn ? p.view : sectorPolygon(pos, Number(bearing.value), Number(fov.value), Number(range.value));
				if (view) feats.push({ type: 'Feature', geometry: view, properties: { kind: 'view' } });
				const fc = { type: 'FeatureCollection', features: feats };
				window.trygg = Object.assign(window.trygg || {}, { cameraPreview: view });
				return fc;
			},
		};

		const save = h('button', { type: 'submit', class: 'primary' }, f ? t('camSave') : t('camCreate'));
		const form = h('form', { class: 'cam-form', novalidate: true },
			field('name', name),
			h('div', { class: 'field' }, h('span', { class: 'label' }, t('camF_position')), posLine),
			bearingF, fovF, rangeF,
			field('height_m', height),
			field('operator_kind', opKind), field('operator_name', opName), field('purpose', purpose), field('place_type', place),
			accessF, indoorF, audioF, pubViewF,
			field('retention_days', retention), field('signage_checked_on', signage), field('review_on', review),
			h('fieldset', { class: 'regime' }, h('legend', null, t('camDecision')),
				field('decision_on', decision), regimeNote),
			weighBox, permitBox,
			h('fieldset', { class: 'regime' }, h('legend', null, t('camOperated')),
				h('p', { class: 'help' }, t('camOperatedHelp')),
				field('operated_from', operatedFrom), field('operated_until', operatedUntil)),
			err,
			ro ? null : h('div', { class: 'row' }, save, h('button', { type: 'button', onclick: () => { st.sel = null; drawList(); } }, t('cancel'))));
		form.addEventListener('submit', async (e) => {
			e.preventDefault();
			err.show('');
			if (!pos) {
				err.show(t('camNoPosition'));
				return;
			}
			const n = (el) => (el.value === '' ? null : Number(el.value));
			const d = (el) => el.value || null;
			const body = {
				name: name.value.trim(), position: { type: 'Point', coordinates: pos }, height_m: n(height),
				operator_kind: opKind.value, operator_name: opName.value.trim(), purpose: purpose.value.trim(),
				place_type: place.value, public_access: access.checked, indoor: indoor.checked, audio: audio.checked,
				public_view: pubView.checked, retention_days: n(retention) ?? 30, signage_checked_on: d(signage),
				review_on: d(review), decision_on: d(decision), permit_ref: permitRef.value.trim(),
				permit_conditions: permitCond.value.trim(), permit_expires_on: d(permitExp),
				weighing_ref: weighing.value.trim(), dpia_ref: dpia.value.trim(),
				operated_from: d(operatedFrom), operated_until: d(operatedUntil),
			};
			if (!f || !p.view_drawn || touched) Object.assign(body, { bearing: Number(bearing.value), fov: Number(fov.value), range_m: Number(range.value) });
			try {
				const out = await busy(save, t('working'), () => (f
					? api('PATCH', `/api/v1/cameras/${p.id}`, body)
					: api('POST', '/api/v1/cameras', body)));
				announce(f ? t('camSaved', { name: out.properties.name }) : t('camCreated', { name: out.properties.name }));
				await reopen(out.properties.id);
			} catch (ex) {
				err.show(problemText(ex));
			}
		});

		// Lifecycle: buttons for the allowed next states; a 409 says why.
		let life = null;
		if (f) {
			const lifeErr = h('p', { class: 'error', role: 'alert', hidden: true, 'data-testid': 'transition-error' });
			const buttons = ro ? [] : nextStates(p.state).map((to) => {
				const b = h('button', { type: 'button', class: to === 'decommissioned' ? 'danger' : '', 'data-to': to },
					t(p.state === 'active' && to === 'installed' ? 'camPause' : `camTo_${to}`));
				b.addEventListener('click', async () => {
					lifeErr.hidden = true;
					if (to === 'decommissioned' && !window.confirm(t('camConfirmDecommission', { name: p.name }))) return;
					try {
						await busy(b, t('working'), () => api('POST', `/api/v1/cameras/${p.id}/transition`, { to }));
						announce(t('camMoved', { name: p.name, state: t(`camState_${to}`) }));
						await reopen(p.id);
					} catch (ex) {
						lifeErr.textContent = transitionText(ex, to);
						lifeErr.hidden = false;
					}
				});
				return b;
			});
			life = h('section', { class: 'cam-life', 'aria-labelledby': 'cam-life-title' },
				h('h3', { id: 'cam-life-title' }, t('camLifecycle')),
				h('ol', { class: 'lifeline' }, states.map((s) => h('li', {
					class: s === p.state ? 'current' : states.indexOf(s) < states.indexOf(p.state) ? 'done' : '',
					'aria-current': s === p.state ? 'step' : false,
				}, t(`camState_${s}`)))),
				buttons.length ? h('div', { class: 'row' }, buttons) : null,
				lifeErr,
				p.attention?.length ? h('ul', { class: 'cam-att-list' }, p.attention.map((r) => h('li', null, attentionText(r)))) : null);
		}

		side.replaceChildren(...[
			h('div', { class: 'row' }, h('button', { type: 'button', class: 'small', onclick: () => { st.sel = null; drawList(); } }, `← ${t('camBackToList')}`)),
			h('h1', { id: 'cameras-title', tabindex: '-1', 'data-testid': 'camera-title' }, f ? p.name : t('camNew')),
			f ? h('p', null, h('span', { class: 'badge', 'data-testid': 'camera-state' }, t(`camState_${p.state}`)), ' ', operateBadge(p)) : null,
			f ? h('p', { class: p.may_operate_today ? 'cam-operate' : 'cam-operate warn', 'data-testid': 'camera-operate' },
				h('strong', null, t(p.may_operate_today ? 'camMayOperateToday_yes' : 'camMayOperateToday_no')), ' ',
				operateText(p.operate_reason)) : null,
			life,
			h('p', { class: 'help' }, t(ro ? 'camReadOnly' : 'camEditHelp')),
			form].filter(Boolean));
		side.scrollTop = 0;
		side.querySelector('h1')?.focus();
		updateMap();
	};

	const reopen = async (cid) => {
		await load();
		st.sel = cid;
		const f = st.items.find((x) => x.properties.id === cid);
		if (f) edit(f);
		else drawList();
	};

	await load();
	drawList();
	side.querySelector('h1')?.focus();

	try {
		st.map = await createMap(mapEl);
		addLayers(st.map);
		st.map.on('click', (e) => {
			if (st.editing) {
				st.editing.setPosition(e.lngLat);
				return;
			}
			const hit = st.map.queryRenderedFeatures(e.point, { layers: ['cam-points'] })[0];
			if (hit) open(hit.properties.id);
		});
		st.map.on('mouseenter', 'cam-points', () => { if (!st.editing) st.map.getCanvas().style.cursor = 'pointer'; });
		st.map.on('mouseleave', 'cam-points', () => { st.map.getCanvas().style.cursor = ''; });
		updateMap();
		const pts = st.items.map((f) => f.geometry.coordinates);
		if (pts.length) {
			const lons = pts.map((c) => c[0]);
			const lats = pts.map((c) => c[1]);
			st.map.fitBounds([[Math.min(...lons), Math.min(...lats)], [Math.max(...lons), Math.max(...lats)]],
				{ padding: 60, maxZoom: 16, duration: 0 });
		}
	} catch {
		mapEl.append(h('p', { class: 'error map-error', role: 'alert' }, t('mapError')));
	}
}

function addLayers(map) {
	map.addSource('cam-list', { type: 'geojson', data: empty() });
	map.addSource('cam-preview', { type: 'geojson', data: empty() });
	const stateColor = ['match', ['get', 'state'], ...Object.entries(stateColors).flat(), '#6b7280'];
	map.addLayer({ id: 'cam-views', type: 'fill', source: 'cam-list', filter: ['==', ['get', 'kind'], 'view'],
		paint: { 'fill-color': stateColor, 'fill-opacity': ['case', ['get', 'selected'], 0.1, 0.22] } });
	map.addLayer({ id: 'cam-views-line', type: 'line', source: 'cam-list', filter: ['==', ['get', 'kind'], 'view'],
		paint: { 'line-color': stateColor, 'line-width': 1.5 } });
	map.addLayer({ id: 'cam-preview-fill', type: 'fill', source: 'cam-preview', filter: ['==', ['get', 'kind'], 'view'],
		paint: { 'fill-color': '#e8590c', 'fill-opacity': 0.3 } });
	map.addLayer({ id: 'cam-preview-line', type: 'line', source: 'cam-preview', filter: ['==', ['get', 'kind'], 'view'],
		paint: { 'line-color': '#c2410c', 'line-width': 2, 'line-dasharray': [2, 1] } });
	map.addLayer({ id: 'cam-points', type: 'circle', source: 'cam-list', filter: ['==', ['get', 'kind'], 'camera'],
		paint: { 'circle-radius': ['case', ['get', 'selected'], 9, 6], 'circle-color': stateColor,
			'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2 } });
	map.addLayer({ id: 'cam-preview-point', type: 'circle', source: 'cam-preview', filter: ['==', ['get', 'kind'], 'camera'],
		paint: { 'circle-radius': 8, 'circle-color': '#e8590c', 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2 } });
}

function attentionText(r) {
	const key = `camAtt_${r.reason}`;
	const txt = t(key, { due: r.due ? formatDay(r.due) : '', why: r.code ? t(`camOp_${r.code}`) : '' });
	return txt === key ? r.detail : txt;
}

/** operateText is why a camera may or may not film today: the server's reason, Swedish first. */
export function operateText(r) {
	if (!r) return '';
	if (lang() === 'en' && r.detail) return `${r.detail.charAt(0).toUpperCase()}${r.detail.slice(1)}.`;
	return r.text || t(`camOp_${r.code}`);
}

// transitionText says why a transition failed: a 409 in plain language by the field at
// fault (in English with the server's own reason), anything else as problemText.
function transitionText(err, to) {
	if (!(err instanceof ApiError) || err.status !== 409) return problemText(err);
	const p = err.problem || {};
	const head = t('camRefused', { state: t(`camState_${to}`) });
	if (lang() === 'en' && p.detail) return `${head} ${p.detail.charAt(0).toUpperCase()}${p.detail.slice(1).replace(/\.$/, '')}.`;
	const key = `camWhy_${p.field}`;
	const why = t(key);
	return `${head} ${why === key ? t('camWhy_to') : why}`;
}
