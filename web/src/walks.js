// walks.js: the planner's safety walks panel: list and create walks, draw a route on
// the map (or import a GPX or GeoJSON file), add observations by clicking the map,
// add actions with owners and deadlines, and open the printable protocol.
import { t, formatDate, formatDay } from './i18n.js';
import { api, ApiError, problemText, categoryLabel } from './api.js';
import { h, id, announce, errorBox, busy, progress, dateInput, dateTimeInput, parseLocal } from './ui.js';
import { enqueue, entries, flush, onChange, remove, shouldQueue } from './outbox.js';

const empty = () => ({ type: 'FeatureCollection', features: [] });

/** walksPanel draws the walks into panel; ctx holds the map and its click mode. */
export function walksPanel(panel, ctx) {
	const st = { walks: null, walk: null, obs: [], actions: [], draft: null, loaded: false, visible: false };
	const err = errorBox();
	const body = h('div', { class: 'walks-body' });
	panel.append(h('h2', { id: 'walks-title', tabindex: '-1' }, t('walksTitle')), err, body);

	const setMode = (fn, cursor = 'crosshair') => {
		ctx.mode = fn;
		if (ctx.map) ctx.map.getCanvas().style.cursor = fn ? cursor : '';
	};

	const load = async () => {
		err.show('');
		body.replaceChildren(h('p', { class: 'muted' }, t('walksLoading')));
		progress(true);
		try {
			const fc = await api('GET', '/api/v1/walks');
			st.walks = fc.features;
			st.loaded = true;
			drawList();
			flush(); // observations kept while offline, now that the session's token is known
		} catch (ex) {
			body.replaceChildren();
			err.show(problemText(ex));
		} finally {
			progress(false);
		}
	};

	const drawList = () => {
		st.walk = null;
		setMode(null);
		updateMap();
		const tid = id('walk-title');
		const sid = id('walk-start');
		const did = id('walk-dark');
		const e = errorBox();
		const title = h('input', { id: tid, name: 'title', required: true, autocomplete: 'off', maxlength: 200 });
		const starts = dateTimeInput({ id: sid, name: 'starts_at' });
		const dark = h('input', { id: did, name: 'dark', type: 'checkbox' });
		const btn = h('button', { type: 'submit', class: 'primary' }, t('createWalk'));
		const form = h('form', { class: 'new-walk', 'aria-labelledby': 'new-walk-title' },
			h('h3', { id: 'new-walk-title' }, t('newWalk')),
			h('div', { class: 'field' }, h('label', { for: tid }, t('walkTitle')), title),
			h('div', { class: 'field' }, h('label', { for: sid }, t('walkStarts')), starts),
			h('div', { class: 'check' }, dark, h('label', { for: did }, t('walkDark'))),
			e, btn);
		form.addEventListener('submit', async (ev) => {
			ev.preventDefault();
			e.show('');
			const walk = { title: title.value.trim(), dark: dark.checked };
			if (ctx.munis.length > 1) walk.municipality = ctx.munis[0];
			if (starts.value) walk.starts_at = parseLocal(starts.value).toISOString().replace(/\.\d{3}Z$/, 'Z');
			try {
				const out = await busy(btn, t('working'), () => api('POST', '/api/v1/walks', walk));
				announce(t('walkCreated'));
				st.walks.unshift(out);
				open(out);
			} catch (ex) {
				e.show(problemText(ex));
			}
		});
		body.replaceChildren(
			st.walks.length
				? h('ul', { class: 'walk-list' }, st.walks.map((w) => h('li', null, h('button', {
					type: 'button', class: 'queue-item', 'data-id': w.properties.id, onclick: () => open(w),
				}, h('span', { class: 'grow' }, h('strong', null, w.properties.title), h('br'),
					h('small', null, [t(`walk_${w.properties.status}`), w.properties.starts_at ? formatDate(w.properties.starts_at) : null].filter(Boolean).join(' · ')))))))
				: h('p', { class: 'muted' }, t('walksNone')),
			form);
	};

	const open = async (w) => {
		st.walk = w;
		st.draft = null;
		setMode(null);
		progress(true);
		try {
			const [obs, acts] = await Promise.all([
				api('GET', `/api/v1/walks/${w.properties.id}/observations`),
				api('GET', `/api/v1/actions?walk=${w.properties.id}`),
			]);
			st.obs = obs.features || [];
			st.actions = acts.actions || [];
		} catch (ex) {
			err.show(problemText(ex));
			st.obs = [];
			st.actions = [];
		} finally {
			progress(false);
		}
		drawWalk();
		updateMap();
		if (w.geometry && ctx.map) {
			const cs = w.geometry.coordinates;
			const b = cs.reduce((a, c) => [Math.min(a[0], c[0]), Math.min(a[1], c[1]), Math.max(a[2], c[0]), Math.max(a[3], c[1])], [180, 90, -180, -90]);
			ctx.map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 80, maxZoom: 17, duration: 500 });
		}
	};

	const reloadWalk = async () => {
		const out = await api('GET', `/api/v1/walks/${st.walk.properties.id}`);
		const i = st.walks.findIndex((w) => w.properties.id === out.properties.id);
		if (i >= 0) st.walks[i] = out;
		await open(out);
	};

	const drawWalk = () => {
		const w = st.walk;
		const p = w.properties;
		const wid = p.id;
		const route = w.geometry?.coordinates || [];

		// Route: draw by clicking, or import a file.
		const routeErr = errorBox();
		const routeInfo = h('p', { 'aria-live': 'polite' }, route.length ? t('routePoints', { n: route.length }) : t('routeNone'));
		const drawBtn = h('button', { type: 'button', 'aria-pressed': 'false' }, t('drawRoute'));
		const undoBtn = h('button', { type: 'button', class: 'small', hidden: true }, t('undoPoint'));
		const saveBtn = h('button', { type: 'button', class: 'primary small', hidden: true }, t('saveRoute'));
		const fid = id('gpx');
		const file = h('input', { type: 'file', id: fid, accept: '.gpx,.geojson,.json,application/gpx+xml,application/geo+json' });
		const drawing = (on) => {
			drawBtn.setAttribute('aria-pressed', String(on));
			drawBtn.textContent = on ? t('modeCancel') : t('drawRoute');
			undoBtn.hidden = saveBtn.hidden = !on;
			if (on) {
				st.draft = [];
				routeInfo.textContent = t('drawHelp');
				setMode((e) => {
					st.draft.push([round6(e.lngLat.lng), round6(e.lngLat.lat)]);
					routeInfo.textContent = t('draftPoints', { n: st.draft.length });
					updateMap();
				});
			} else {
				st.draft = null;
				setMode(null);
				routeInfo.textContent = route.length ? t('routePoints', { n: route.length }) : t('routeNone');
				updateMap();
			}
		};
		drawBtn.addEventListener('click', () => drawing(!st.draft));
		undoBtn.addEventListener('click', () => {
			st.draft?.pop();
			routeInfo.textContent = t('draftPoints', { n: st.draft?.length || 0 });
			updateMap();
		});
		saveBtn.addEventListener('click', async () => {
			routeErr.show('');
			try {
				const out = await busy(saveBtn, t('working'), () => api('PUT', `/api/v1/walks/${wid}/route`,
					{ type: 'LineString', coordinates: st.draft }));
				announce(t('routeSaved', { n: out.points }));
				await reloadWalk();
			} catch (ex) {
				routeErr.show(problemText(ex));
			}
		});
		file.addEventListener('change', async () => {
			const f = file.files?.[0];
			if (!f) return;
			routeErr.show('');
			const gpx = /\.gpx$/i.test(f.name) || f.type.includes('gpx') || f.type.includes('xml');
			progress(true);
			try {
				const out = await api('PUT', `/api/v1/walks/${wid}/route`, f,
					{ 'Content-Type': gpx ? 'application/gpx+xml' : 'application/geo+json' });
				announce(t('routeSaved', { n: out.points }));
				await reloadWalk();
			} catch (ex) {
				routeErr.show(problemText(ex));
			} finally {
				progress(false);
				file.value = '';
			}
		});

		// Observations: click the map, then the form.
		const obsBox = h('div', { class: 'obs-form' });
		const obsBtn = h('button', { type: 'button', 'aria-pressed': 'false' }, t('addObservation'));
		obsBtn.addEventListener('click', () => {
			if (ctx.mode === obsMode) {
				setMode(null);
				obsBtn.setAttribute('aria-pressed', 'false');
				obsBox.replaceChildren();
				return;
			}
			obsBtn.setAttribute('aria-pressed', 'true');
			obsBox.replaceChildren(h('p', { class: 'help' }, t('obsHelp')));
			setMode(obsMode);
		});
		const obsMode = (e) => obsAt([round6(e.lngLat.lng), round6(e.lngLat.lat)]);
		// Where the walk leader stands (the phone's position works without coverage).
		const hereBtn = h('button', { type: 'button', 'data-testid': 'obs-here' }, t('obsHere'));
		hereBtn.addEventListener('click', () => {
			const failed = () => {
				hereBtn.disabled = false;
				obsBox.replaceChildren(h('p', { class: 'error', role: 'alert' }, t('locationFailed')));
			};
			if (!navigator.geolocation) return failed();
			hereBtn.disabled = true;
			navigator.geolocation.getCurrentPosition((pos) => {
				hereBtn.disabled = false;
				const at = [round6(pos.coords.longitude), round6(pos.coords.latitude)];
				ctx.map?.easeTo({ center: at, duration: 0 });
				obsAt(at);
			}, failed, { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
		});
		const obsAt = (at) => {
			st.draft = null;
			updateMap(at);
			obsBox.replaceChildren(observationForm(at, async (obs, btn, oe) => {
				// With a key, so that a resend from the outbox stores it once.
				const url = `/api/v1/walks/${wid}/observations`;
				const key = crypto.randomUUID();
				try {
					await busy(btn, t('working'), () => api('POST', url, obs, { 'Idempotency-Key': key }, AbortSignal.timeout(20000)));
					announce(t('obsSaved'));
					setMode(null);
					await open(st.walk);
				} catch (ex) {
					// No coverage: kept on the device with its place and time, sent later.
					if (shouldQueue(ex)) {
						try {
							await enqueue('observation', { url, body: obs, key, staff: true, meta: { walk: wid } });
							announce(t('obsQueued'));
							setMode(null);
							drawWalk();
							updateMap();
							return;
						} catch { /* no IndexedDB: say what went wrong */ }
					}
					oe.show(problemText(ex));
				}
			}));
			obsBox.querySelector('select')?.focus();
		};

		body.replaceChildren(
			h('button', { type: 'button', class: 'link', onclick: () => drawList() }, `← ${t('backToWalks')}`),
			h('h3', { 'data-testid': 'walk-title' }, p.title),
			h('p', { class: 'muted' }, [t(`walk_${p.status}`), p.starts_at ? formatDate(p.starts_at) : null].filter(Boolean).join(' · ')),
			h('p', { class: 'row' },
				h('a', { class: 'button', href: `/api/v1/walks/${wid}/protocol`, target: '_blank', rel: 'noopener' }, t('protocol')),
				h('a', { href: `/api/v1/walks/${wid}/protocol?format=csv` }, t('protocolCsv'))),
			h('h4', null, t('routeTitle')), routeInfo,
			h('div', { class: 'row' }, drawBtn, undoBtn, saveBtn),
			h('div', { class: 'field' }, h('label', { for: fid }, t('importGpx')), file),
			routeErr,
			h('h4', null, t('observationsTitle')),
			st.obs.length
				? h('ol', { class: 'plain obs-list' }, st.obs.map((o) => h('li', null,
					h('strong', null, categoryLabel(ctx.cats, o.properties.category)), ` · ${t(`feeling${o.properties.feeling}`)}`,
					o.properties.place_label ? ` · ${o.properties.place_label}` : '',
					o.properties.description ? [h('br'), h('small', null, o.properties.description)] : null)))
				: h('p', { class: 'muted' }, t('observationsNone')),
			pendingObservations(wid),
			h('div', { class: 'row' }, obsBtn, hereBtn), obsBox,
			h('h4', null, t('actionsTitle')),
			st.actions.length
				? h('ul', { class: 'plain action-list' }, st.actions.map((a) => h('li', null,
					h('strong', null, a.description), h('br'),
					h('small', null, [a.owner_text || a.owner_org, a.due_on ? t('dueOn', { d: formatDay(a.due_on) }) : null, t(`action_${a.status}`)].filter(Boolean).join(' · ')))))
				: h('p', { class: 'muted' }, t('actionsNone')),
			actionForm(wid));
	};

	// Observations of walk wid waiting in the outbox (recorded without coverage).
	const pendingObservations = (wid) => {
		const box = h('div', { class: 'obs-pending', 'data-testid': 'obs-pending', hidden: true });
		entries('observation').then((es) => {
			const mine = es.filter((e) => e.meta?.walk === wid && e.state !== 'sent');
			if (!mine.length) return;
			box.hidden = false;
			box.replaceChildren(h('h5', null, t('obsWaitingTitle')), h('ol', { class: 'plain' }, mine.map((e) => h('li', { 'data-testid': `obs-${e.state}` },
				h('strong', null, categoryLabel(ctx.cats, e.body?.category)), ' · ',
				e.state === 'failed'
					? [h('span', { class: 'error' }, t('outboxFailed', { reason: problemText(new ApiError(e.status, e.problem)) })), ' ',
						h('button', { type: 'button', class: 'small', onclick: () => remove(e.key) }, t('outboxRemove'))]
					: h('span', { class: 'outbox-state waiting' }, t('outboxWaiting'))))));
		});
		return box;
	};

	// Sent observations leave the outbox; the open walk shows them from the server.
	const stop = onChange(async () => {
		if (!panel.isConnected) return stop();
		const sent = (await entries('observation')).filter((e) => e.state === 'sent');
		for (const e of sent) await remove(e.key);
		if (!st.walk) return;
		const wid = st.walk.properties.id;
		if (sent.some((e) => e.meta?.walk === wid)) {
			announce(t('obsSynced'));
			await open(st.walk);
		} else {
			body.querySelector('.obs-pending')?.replaceWith(pendingObservations(wid));
		}
	});

	const observationForm = (at, save) => {
		const cid = id('obs-cat');
		const fid = id('obs-feel');
		const did = id('obs-desc');
		const e = errorBox();
		const cat = h('select', { id: cid, name: 'category', required: true }, ctx.cats.map((c) => h('option', { value: c.code }, categoryLabel(ctx.cats, c.code))));
		const feel = h('select', { id: fid, name: 'feeling' }, [1, 2, 3, 4].map((n) => h('option', { value: n, selected: n === 2 ? true : false }, t(`feeling${n}`))));
		const desc = h('textarea', { id: did, name: 'description', rows: 2 });
		const btn = h('button', { type: 'submit', class: 'primary small' }, t('saveObservation'));
		const f = h('form', null,
			h('p', { class: 'place-line' }, t('placeChosen', { lat: at[1].toFixed(5), lon: at[0].toFixed(5) })),
			h('div', { class: 'field' }, h('label', { for: cid }, t('category')), cat),
			h('div', { class: 'field' }, h('label', { for: fid }, t('feeling')), feel),
			h('div', { class: 'field' }, h('label', { for: did }, t('descriptionLabel')), desc),
			e, btn);
		f.addEventListener('submit', (ev) => {
			ev.preventDefault();
			e.show('');
			// The time it was seen, which a sync hours later keeps.
			const obs = { location: { type: 'Point', coordinates: at }, category: cat.value, feeling: Number(feel.value),
				observed_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') };
			if (desc.value.trim()) obs.description = desc.value.trim();
			save(obs, btn, e);
		});
		return f;
	};

	const actionForm = (wid) => {
		const did = id('act-desc');
		const oid = id('act-owner');
		const uid = id('act-due');
		const fid = id('act-for');
		const e = errorBox();
		const desc = h('input', { id: did, name: 'description', required: true, autocomplete: 'off' });
		const owner = h('input', { id: oid, name: 'owner_text', required: true, autocomplete: 'organization' });
		const due = dateInput({ id: uid, name: 'due_on' });
		const about = h('select', { id: fid, name: 'for' }, h('option', { value: '' }, t('actionForWalk')),
			st.obs.map((o, i) => h('option', { value: o.properties.id }, `${i + 1}. ${categoryLabel(ctx.cats, o.properties.category)}`)));
		const btn = h('button', { type: 'submit', class: 'small' }, t('addAction'));
		const f = h('form', { class: 'action-form' },
			h('div', { class: 'field' }, h('label', { for: did }, t('actionDescription')), desc),
			h('div', { class: 'two' },
				h('div', { class: 'field' }, h('label', { for: oid }, t('actionOwner')), owner),
				h('div', { class: 'field' }, h('label', { for: uid }, t('actionDue')), due)),
			h('div', { class: 'field' }, h('label', { for: fid }, t('actionFor')), about),
			e, btn);
		f.addEventListener('submit', async (ev) => {
			ev.preventDefault();
			e.show('');
			const a = { description: desc.value.trim(), owner_text: owner.value.trim() };
			if (about.value) a.report_id = about.value;
			else a.walk_id = wid;
			if (due.value) a.due_on = due.value;
			try {
				await busy(btn, t('working'), () => api('POST', '/api/v1/actions', a));
				announce(t('actionSaved'));
				await open(st.walk);
			} catch (ex) {
				e.show(problemText(ex));
			}
		});
		return f;
	};

	const updateMap = (obsAt) => {
		const map = ctx.map;
		if (!map?.getSource('pl-walk')) return;
		const show = st.visible && st.walk;
		map.getSource('pl-walk').setData(show && st.walk.geometry ? { type: 'Feature', geometry: st.walk.geometry, properties: {} } : empty());
		const draft = show && st.draft ? st.draft : [];
		map.getSource('pl-draft').setData({ type: 'FeatureCollection', features: [
			...(draft.length > 1 ? [{ type: 'Feature', geometry: { type: 'LineString', coordinates: draft }, properties: {} }] : []),
			...draft.map((c) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: c }, properties: {} })),
			...(show && obsAt ? [{ type: 'Feature', geometry: { type: 'Point', coordinates: obsAt }, properties: {} }] : []),
		] });
		map.getSource('pl-obs').setData(show ? { type: 'FeatureCollection', features: st.obs.filter((o) => o.geometry?.type === 'Point') } : empty());
	};

	return {
		mapReady: () => updateMap(),
		active: (on) => {
			st.visible = on;
			if (on && !st.loaded) load();
			if (!on && ctx.mode) {
				setMode(null);
				st.draft = null;
				if (st.walk) drawWalk();
			}
			updateMap();
		},
	};
}

function round6(x) {
	return Math.round(x * 1e6) / 1e6;
}
