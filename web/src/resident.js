// resident.js: the resident page (/): the map of public reports and "Markera en plats",
// a place on the map or the device's location, similar reports nearby as "me too",
// category, feeling, when, optional text and contact, and the confirmation.
import { Marker, Popup } from 'maplibre-gl';
import { t, lang, formatDay } from './i18n.js';
import { api, ApiError, problemText, loadCategories, categoryLabel, categoriesLabel } from './api.js';
import { h, id, announce, errorBox, busy, shell, progress } from './ui.js';
import { createMap } from './map.js';
import { icon } from './icons.js';
import { myReports, rememberReport } from './myreports.js';
import { photoUploader } from './photos.js';
import { enqueue, entries, onChange, remove, shouldQueue } from './outbox.js';

const reportLayers = ['reports', 'report-clusters'];
const maxCategories = 5; // trygg.MaxCategories

/** resident renders the resident page. */
export async function resident(rerender) {
	const main = shell(t('tagline'), rerender);
	main.classList.add('resident');
	const mapEl = h('div', { class: 'map' });
	const sheet = h('section', { class: 'sheet', 'aria-labelledby': 'sheet-title' });
	main.append(mapEl, sheet);

	const state = { step: 'intro', place: null, marker: null, nearby: [], key: null, map: null, cats: [], munis: [] };
	const render = () => renderSheet(sheet, state, go);
	const go = (step) => {
		state.step = step;
		render();
		sheet.querySelector('h2')?.focus();
	};
	render();
	// The outbox: a report waiting on this page turns into its receipt once sent; the
	// intro's list of this device's reports follows every change.
	const stop = onChange(async () => {
		if (!sheet.isConnected) return stop();
		if (state.step === 'queued') {
			const e = (await entries('report')).find((x) => x.key === state.queued);
			if (e?.state === 'sent') {
				state.result = e.result;
				remove(e.key);
				announce(t('outboxSentNow'));
				go('done');
			} else if (e) render();
		} else if (state.step === 'intro') {
			sheet.querySelector('.outbox')?.replaceWith(outboxList());
		}
	});

	progress(true);
	const openedAt = location.hash.length > 1; // a shared map position wins over the municipality
	try {
		const [map, cats, munis] = await Promise.all([createMap(mapEl, { hash: true }), loadCategories().catch(() => []),
			loadMunicipalities().catch(() => [])]);
		state.map = map;
		state.cats = cats;
		state.munis = munis;
		// The map opens on the chosen municipality (?kommun=CODE, or the last one chosen)
		// unless the address already holds a map position.
		const chosen = munis.find((m) => m.code === chosenMunicipality());
		if (chosen && !openedAt) map.fitBounds(chosen.bbox, { padding: 20, duration: 0 });
		wireMap(map, state, go, render);
		render();
	} catch (err) {
		mapEl.append(h('p', { class: 'error map-error', role: 'alert' }, t('mapError'), ' ', problemText(err)));
	} finally {
		progress(false);
	}
}

function wireMap(map, state, go, render) {
	map.on('click', (e) => {
		if (state.step === 'place' || state.step === 'form') {
			setPlace(map, state, e.lngLat, go, render);
			return;
		}
		const f = map.queryRenderedFeatures(e.point, { layers: reportLayers.filter((l) => map.getLayer(l)) })[0];
		if (f) showReportPopup(map, f, e.lngLat, state.cats);
	});
	for (const l of reportLayers) {
		if (!map.getLayer(l)) continue;
		map.on('mouseenter', l, () => { if (state.step === 'intro') map.getCanvas().style.cursor = 'pointer'; });
		map.on('mouseleave', l, () => { map.getCanvas().style.cursor = ''; });
	}
}

/** placeText says which place is chosen: its name from the gazetteer, else its coordinates. */
function placeText(place) {
	if (!place) return t('noPlace');
	if (place.label) return t('placeChosenLabel', { label: place.label });
	return t('placeChosen', { lat: place.lat.toFixed(5), lon: place.lon.toFixed(5) });
}

/** nameThePlace asks the server what a report at the chosen place will be called
 * (the same place_label the stored report gets) and shows it once it answers. */
async function nameThePlace(state) {
	const place = state.place;
	try {
		const out = await api('GET', `/api/v1/search/reverse?lon=${place.lon}&lat=${place.lat}`);
		if (state.place !== place || !out?.label) return;
		place.label = out.label;
		const line = document.querySelector('.place-line');
		if (line) line.textContent = placeText(place);
		announce(placeText(place));
	} catch { /* no label: the coordinates stay */ }
}

function setPlace(map, state, lngLat, go, render) {
	state.place = { lon: +lngLat.lng.toFixed(6), lat: +lngLat.lat.toFixed(6) };
	nameThePlace(state);
	if (!state.marker) {
		state.marker = new Marker({ draggable: true, color: '#b3261e' }).setLngLat(lngLat).addTo(map);
		state.marker.getElement().setAttribute('aria-label', t('stepPlace'));
		state.marker.on('dragend', () => setPlace(map, state, state.marker.getLngLat(), go, render));
	} else {
		state.marker.setLngLat(lngLat);
	}
	announce(placeText(state.place));
	if (state.step === 'place') go('form');
	else render();
}

function clearPlace(state) {
	state.marker?.remove();
	state.marker = null;
	state.place = null;
	state.key = null;
}

function renderSheet(sheet, state, go) {
	const title = (text) => h('h2', { id: 'sheet-title', tabindex: '-1' }, text);
	switch (state.step) {
	case 'intro': {
		sheet.replaceChildren(...[
			title(t('tagline')),
			outboxList(),
			placeSearch(state),
			h('button', { class: 'primary big', type: 'button', onclick: () => go('place') },
				h('span', { 'aria-hidden': 'true', class: 'plus' }, '+'), t('markPlace')),
			municipalityPicker(state),
			legend(),
			mineList(),
			h('p', { class: 'staff-links' }, h('a', { href: '/moderation' }, t('moderationTitle')), ' · ', h('a', { href: '/planner' }, t('plannerTitle'))),
		].filter(Boolean));
		break;
	}
	case 'place': {
		const err = errorBox();
		const locBtn = h('button', { type: 'button', onclick: () => locate(state, go, locBtn, err) }, t('useLocation'));
		sheet.replaceChildren(
			title(t('stepPlace')),
			h('p', null, t('placeHelp')),
			placeSearch(state),
			h('div', { class: 'row' },
				locBtn,
				h('button', { type: 'button', onclick: () => state.map && setPlaceCentre(state, go) }, t('useCentre'))),
			err,
			h('div', { class: 'row end' }, h('button', { type: 'button', class: 'link', onclick: () => { clearPlace(state); go('intro'); } }, t('cancel'))),
		);
		break;
	}
	case 'form':
		sheet.replaceChildren(title(t('markPlace')), reportForm(state, go));
		break;
	case 'done':
		sheet.replaceChildren(title(t('thanksTitle')), confirmation(state, go));
		break;
	case 'queued':
		sheet.replaceChildren(title(t('outboxQueuedTitle')), queued(state, go));
		break;
	}
}

/** mineList is "Mina rapporter": the reports sent from this browser; null for none. */
function mineList() {
	const mine = myReports();
	return mine.length ? h('details', { class: 'mine' }, h('summary', null, t('myReports')),
		h('ul', null, mine.map((r) => h('li', null,
			h('a', { href: `/rapport/${r.id}#t=${encodeURIComponent(r.token)}` }, t('createdAt', { d: formatDay(r.created) })))))) : null;
}

function setPlaceCentre(state, go) {
	const c = state.map.getCenter();
	setPlace(state.map, state, c, go, () => renderSheet(document.querySelector('.sheet'), state, go));
}

function locate(state, go, btn, err) {
	if (!navigator.geolocation) {
		err.show(t('locationFailed'));
		return;
	}
	btn.disabled = true;
	btn.textContent = t('locating');
	progress(true);
	navigator.geolocation.getCurrentPosition((pos) => {
		progress(false);
		const ll = { lng: pos.coords.longitude, lat: pos.coords.latitude };
		state.map.jumpTo({ center: ll, zoom: Math.max(state.map.getZoom(), 15) });
		setPlace(state.map, state, ll, go, () => renderSheet(document.querySelector('.sheet'), state, go));
	}, () => {
		progress(false);
		btn.disabled = false;
		btn.textContent = t('useLocation');
		err.show(t('locationFailed'));
	}, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
}

const muniKey = 'trygg.municipality';

/** chosenMunicipality is ?kommun=CODE, else the municipality chosen last on this device. */
function chosenMunicipality() {
	const q = new URLSearchParams(location.search).get('kommun');
	if (q) return q;
	try { return localStorage.getItem(muniKey) || ''; } catch { return ''; }
}

/** loadMunicipalities lists the stored municipalities by name (Swedish order) with their extents. */
async function loadMunicipalities() {
	const fc = await api('GET', '/api/v1/municipalities');
	return fc.features.map((f) => ({ code: f.properties.code, name: f.properties.name, bbox: f.properties.bbox }))
		.filter((m) => Array.isArray(m.bbox))
		.sort((a, b) => a.name.localeCompare(b.name, 'sv'));
}

/** municipalityPicker chooses the municipality the map shows; the choice is remembered. */
function municipalityPicker(state) {
	if (state.munis.length < 2) return null;
	const sid = id('kommun');
	const sel = h('select', { id: sid, name: 'kommun', 'data-testid': 'resident-municipality' },
		h('option', { value: '' }, t('allMunicipalities')),
		state.munis.map((m) => h('option', { value: m.code }, m.name)));
	sel.value = state.munis.some((m) => m.code === chosenMunicipality()) ? chosenMunicipality() : '';
	sel.addEventListener('change', () => {
		try { localStorage.setItem(muniKey, sel.value); } catch { /* private mode: not remembered */ }
		const m = state.munis.find((x) => x.code === sel.value);
		const b = m ? m.bbox : state.munis.reduce((acc, x) => [Math.min(acc[0], x.bbox[0]), Math.min(acc[1], x.bbox[1]),
			Math.max(acc[2], x.bbox[2]), Math.max(acc[3], x.bbox[3])], [180, 90, -180, -90]);
		state.map?.fitBounds(b, { padding: 20, duration: 300 });
		if (m) announce(t('mapMovedTo', { name: m.name }));
	});
	return h('div', { class: 'field inline' }, h('label', { for: sid }, t('municipality')), sel);
}

function legend() {
	return h('details', { class: 'legend' }, h('summary', null, t('legendTitle')),
		h('ul', null,
			h('li', null, h('span', { class: 'dot report', 'aria-hidden': 'true' }), t('legendReport')),
			h('li', null, h('span', { class: 'dot cluster', 'aria-hidden': 'true' }), t('legendCluster')),
			h('li', null, h('span', { class: 'dot promise', 'aria-hidden': 'true' }), t('legendPromisePlace'))));
}

function reportForm(state, go) {
	const err = errorBox();
	const nearbyBox = h('section', { class: 'nearby', 'aria-live': 'polite' });
	loadNearby(state, nearbyBox);

	const placeLine = h('p', { class: 'place-line', 'aria-live': 'polite', 'data-testid': 'place-line' }, placeText(state.place));

	// One or more reasons, in the order chosen: the first is the main one (category).
	const chosen = [];
	const catHelp = id('cathelp');
	const catFS = h('fieldset', { class: 'categories', 'aria-describedby': catHelp, 'data-testid': 'categories' },
		h('legend', null, t('categoryLegend')),
		h('p', { class: 'help', id: catHelp }, t('categoriesHelp', { n: maxCategories })),
		h('div', { class: 'cat-grid' }, state.cats.map((c) => {
			const cid = id('cat');
			return h('div', { class: 'cat' },
				h('input', { type: 'checkbox', name: 'category', value: c.code, id: cid }),
				h('label', { for: cid }, h('span', { html: icon(c.icon) }),
					h('span', { class: 'grow' }, categoryLabel(state.cats, c.code)),
					h('span', { class: 'main-reason', hidden: true }, t('mainReason'))));
		})));
	catFS.addEventListener('change', (e) => {
		const box = e.target;
		if (box.name !== 'category') return;
		const at = chosen.indexOf(box.value);
		const main = chosen[0];
		if (box.checked && at < 0) chosen.push(box.value);
		if (!box.checked && at >= 0) chosen.splice(at, 1);
		for (const b of catFS.querySelectorAll('input[name=category]')) {
			b.disabled = !b.checked && chosen.length >= maxCategories;
			b.parentElement.querySelector('.main-reason').hidden = b.value !== chosen[0];
		}
		if (chosen[0] && chosen[0] !== main) announce(t('mainReasonChosen', { label: categoryLabel(state.cats, chosen[0]) }));
	});

	const feelFS = h('fieldset', { class: 'feelings' }, h('legend', null, t('feelingLegend')),
		h('div', { class: 'seg' }, [1, 2, 3, 4].map((n) => {
			const fid = id('feel');
			return h('span', { class: `feel f${n}` },
				h('input', { type: 'radio', name: 'feeling', value: n, id: fid, required: true }),
				h('label', { for: fid }, t(`feeling${n}`)));
		})));

	const whenFS = h('fieldset', { class: 'when' }, h('legend', null, t('whenLegend')),
		h('div', { class: 'seg' }, ['day', 'evening', 'night', 'weekday', 'weekend'].map((w) => {
			const wid = id('when');
			return h('span', null, h('input', { type: 'checkbox', name: 'when', value: w, id: wid }),
				h('label', { for: wid }, t(`when_${w}`)));
		})));

	// About you (optional): age band and gender, "Vill inte ange" unless changed; only
	// ever counted in aggregate, never shown with the report.
	const ageId = id('age');
	const genderId = id('gender');
	const unstated = () => h('option', { value: 'unstated', selected: true }, t('unstated'));
	const aboutYou = h('details', { class: 'about-you', 'data-testid': 'about-you' },
		h('summary', null, t('aboutYou')),
		h('p', { class: 'help' }, t('aboutYouHelp')),
		h('div', { class: 'field' }, h('label', { for: ageId }, t('ageBandLabel')),
			h('select', { id: ageId, name: 'age_band' }, unstated(),
				['under-18', '18-29', '30-49', '50-64', '65+'].map((v) => h('option', { value: v }, t(`age_${v}`))))),
		h('div', { class: 'field' }, h('label', { for: genderId }, t('genderLabel')),
			h('select', { id: genderId, name: 'gender' }, unstated(),
				['woman', 'man', 'other'].map((v) => h('option', { value: v }, t(`gender_${v}`))))));

	const descId = id('desc');
	const descHelp = id('deschelp');
	const emailId = id('email');
	const emailHelp = id('emailhelp');
	const phoneId = id('phone');
	const submit = h('button', { class: 'primary', type: 'submit' }, t('submit'));
	const form = h('form', { class: 'report-form', novalidate: true },
		placeLine, nearbyBox, catFS, feelFS, whenFS,
		h('div', { class: 'field' }, h('label', { for: descId }, t('descriptionLabel')),
			h('textarea', { id: descId, name: 'description', rows: 3, maxlength: 2000, 'aria-describedby': descHelp }),
			h('small', { id: descHelp }, t('descriptionHelp'))),
		h('fieldset', { class: 'contact' }, h('legend', null, t('contactLegend')),
			h('p', { class: 'help' }, t('contactHelp')),
			h('div', { class: 'field' }, h('label', { for: emailId }, t('emailLabel')),
				h('input', { id: emailId, name: 'email', type: 'email', autocomplete: 'email', 'aria-describedby': emailHelp }),
				h('small', { id: emailHelp }, t('emailHelp'))),
			h('div', { class: 'field' }, h('label', { for: phoneId }, t('phoneLabel')),
				h('input', { id: phoneId, name: 'phone', type: 'tel', autocomplete: 'tel' }))),
		aboutYou,
		h('div', { class: 'hp', 'aria-hidden': 'true' }, h('label', null, t('honeypotLabel'), h('input', { name: 'website', tabindex: '-1', autocomplete: 'off' }))),
		err,
		h('div', { class: 'row end' },
			h('button', { type: 'button', class: 'link', onclick: () => { clearPlace(state); go('intro'); } }, t('cancel')),
			submit));

	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		err.show('');
		const fd = new FormData(form);
		if (!state.place) return err.show(t('noPlace'));
		if (!chosen.length) return invalid(err, catFS, `${t('err400')} ${t('errField', { field: t('field_category') })}`);
		if (!fd.get('feeling')) return invalid(err, feelFS, `${t('err400')} ${t('errField', { field: t('field_feeling') })}`);
		const body = {
			location: { type: 'Point', coordinates: [state.place.lon, state.place.lat] },
			categories: [...chosen], feeling: Number(fd.get('feeling')), when: fd.getAll('when'),
			lang: lang(), // e-mails to the reporter come in the language the report was made in
		};
		for (const k of ['age_band', 'gender']) if (fd.get(k) && fd.get(k) !== 'unstated') body[k] = fd.get(k);
		const desc = String(fd.get('description') || '').trim();
		if (desc) body.description = desc;
		const email = String(fd.get('email') || '').trim();
		const phone = String(fd.get('phone') || '').trim();
		if (email || phone) body.contact = { ...(email && { email }), ...(phone && { phone }) };
		if (fd.get('website')) body.website = fd.get('website');
		state.key ??= crypto.randomUUID();
		try {
			const out = await busy(submit, t('submitting'), () => api('POST', '/api/v1/reports', body, { 'Idempotency-Key': state.key },
				AbortSignal.timeout(submitTimeout)));
			rememberReport(out.id, out.erasure_token, out.created_at);
			state.result = out;
			state.marker?.remove();
			state.marker = null;
			state.place = null;
			state.key = null;
			go('done');
		} catch (ex) {
			// No answer, a timeout or a server error: keep it with its key and send it
			// when the network is back (the key makes a resend of one that did arrive
			// harmless).
			if (shouldQueue(ex)) {
				try {
					const entry = await enqueue('report', { url: '/api/v1/reports', body, key: state.key, meta: { category: body.category } });
					state.queued = entry.key;
					state.marker?.remove();
					state.marker = null;
					state.place = null;
					state.key = null;
					announce(t('outboxWaiting'));
					go('queued');
					return;
				} catch { /* no IndexedDB: say what went wrong */ }
			}
			err.show(problemText(ex));
			const field = ex.problem?.field || '';
			const target = { category: catFS, categories: catFS, feeling: feelFS, when: whenFS, age_band: aboutYou, gender: aboutYou }[field.split('.')[0]];
			if (target === aboutYou) aboutYou.open = true;
			target?.querySelector('input, select')?.focus();
		}
	});
	return form;
}

// submitTimeout is how long a report's POST may take before it is kept for later.
const submitTimeout = 20000;

/** queued is the sheet of a report waiting in the outbox. */
function queued(state, go) {
	const box = h('div', { class: 'queued' },
		h('p', { class: 'outbox-state waiting', 'data-testid': 'outbox-state', role: 'status' }, t('outboxWaiting')),
		h('p', { class: 'help' }, t('outboxQueuedHelp')),
		h('div', { class: 'row end' }, h('button', { type: 'button', class: 'primary', onclick: () => go('intro') }, t('done'))));
	entries('report').then((es) => {
		const e = es.find((x) => x.key === state.queued);
		if (e?.state === 'failed') {
			box.querySelector('.outbox-state').textContent = t('outboxFailed', { reason: problemText(new ApiError(e.status, e.problem)) });
			box.querySelector('.outbox-state').className = 'outbox-state error';
		}
	});
	return box;
}

/** outboxList lists this device's reports that wait, were sent in the background (with
 * their code) or were refused; empty when there are none. */
function outboxList() {
	const box = h('section', { class: 'outbox', 'data-testid': 'outbox', 'aria-live': 'polite', hidden: true });
	entries('report').then((es) => {
		// A report sent meanwhile (by another tab or the service worker, perhaps before
		// this page) joins "Mina rapporter"; main.js remembers it too, for every page.
		let added = false;
		for (const e of es) {
			const r = e.state === 'sent' ? e.result : null;
			if (r?.id && !myReports().some((m) => m.id === r.id)) {
				rememberReport(r.id, r.erasure_token, r.created_at);
				added = true;
			}
		}
		const sheet = box.closest('.sheet');
		if (added && sheet) {
			const mine = mineList();
			const old = sheet.querySelector('details.mine');
			if (old) old.replaceWith(mine);
			else sheet.querySelector('.staff-links')?.before(mine);
		}
		if (!es.length) return;
		box.hidden = false;
		box.replaceChildren(h('h3', null, t('outboxTitle')), h('ul', { class: 'plain' }, es.map((e) => {
			const when = formatDay(e.created);
			if (e.state === 'waiting') {
				return h('li', { 'data-testid': 'outbox-waiting' }, h('span', { class: 'outbox-state waiting' }, t('outboxWaiting')), ` · ${when}`);
			}
			const rm = h('button', { type: 'button', class: 'small', onclick: () => remove(e.key) }, e.state === 'sent' ? t('outboxOk') : t('outboxRemove'));
			if (e.state === 'sent') {
				const r = e.result || {};
				return h('li', { 'data-testid': 'outbox-sent' }, h('span', { class: 'outbox-state ok' }, r.short_code ? t('outboxSentCode', { code: r.short_code }) : t('outboxSent')),
					` · ${when} · `, h('a', { href: `/rapport/${r.id}#t=${encodeURIComponent(r.erasure_token || '')}` }, t('showStatus')), ' ', rm);
			}
			return h('li', { 'data-testid': 'outbox-failed' }, h('span', { class: 'outbox-state error' },
				t('outboxFailed', { reason: problemText(new ApiError(e.status, e.problem)) })), ' ', rm);
		})));
	});
	return box;
}

function invalid(err, fieldset, msg) {
	err.show(msg);
	fieldset.querySelector('input:not(:disabled)')?.focus();
}

async function loadNearby(state, box) {
	if (!state.place) return;
	box.replaceChildren(h('p', { class: 'muted' }, t('nearbyChecking')));
	try {
		const fc = await api('GET', `/api/v1/reports/nearby?lon=${state.place.lon}&lat=${state.place.lat}&radius=150`);
		const fs = fc.features.slice(0, 5);
		if (!fs.length) {
			box.replaceChildren();
			return;
		}
		box.replaceChildren(
			h('h3', null, t('nearbyTitle')),
			h('p', { class: 'help' }, t('nearbyHelp')),
			h('ul', null, fs.map((f) => {
				const p = f.properties;
				const [lon, lat] = f.geometry.coordinates;
				const m = Math.round(distance(state.place, { lon, lat }) / 10) * 10;
				const b = h('button', { type: 'button' }, t('meToo'));
				b.addEventListener('click', () => meToo(p.id, b));
				return h('li', null, h('span', { html: icon(state.cats.find((c) => c.code === p.category)?.icon) }),
					h('span', { class: 'grow' }, h('strong', null, categoriesLabel(state.cats, p)), ' · ', t(`feeling${p.feeling}`), ' · ', t('distance', { m })),
					b);
			})));
	} catch (ex) {
		box.replaceChildren(h('p', { class: 'error' }, problemText(ex)));
	}
}

async function meToo(reportId, button) {
	try {
		const out = await busy(button, t('working'), () => api('POST', `/api/v1/reports/${reportId}/confirm`));
		const done = t(out.confirmations === 1 ? 'meTooDoneOne' : 'meTooDone', { n: out.confirmations });
		button.replaceWith(h('span', { class: 'ok' }, done));
		announce(done);
	} catch (ex) {
		announce(problemText(ex), 'error');
	}
}

function distance(a, b) {
	const r = 6371008.8;
	const rad = Math.PI / 180;
	const dLat = (b.lat - a.lat) * rad;
	const dLon = (b.lon - a.lon) * rad;
	const s = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
	return 2 * r * Math.asin(Math.sqrt(s));
}

/**
 * placeSearch is the search box for places, streets, addresses and stops
 * (GET /api/v1/search, nearest to the map's centre first): a combobox with a listbox
 * of hits (arrow keys, Enter, Escape); choosing one flies the map there.
 */
function placeSearch(state) {
	const inputId = id('search');
	const listId = id('hits');
	const input = h('input', {
		id: inputId, type: 'search', autocomplete: 'off', spellcheck: 'false', role: 'combobox',
		'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': listId,
		placeholder: t('searchPlaceholder'), 'data-testid': 'place-search', maxlength: 100,
	});
	const list = h('ul', { id: listId, role: 'listbox', class: 'search-hits', 'aria-label': t('searchLabel'), hidden: true });
	const note = h('p', { class: 'sr-only', 'aria-live': 'polite' });
	let hits = [];
	let active = -1;
	let timer = 0;
	let seq = 0;
	const close = () => {
		list.hidden = true;
		input.setAttribute('aria-expanded', 'false');
		input.removeAttribute('aria-activedescendant');
		active = -1;
	};
	const mark = (i) => {
		active = i;
		[...list.children].forEach((li, j) => li.setAttribute('aria-selected', String(j === i)));
		if (i >= 0) input.setAttribute('aria-activedescendant', list.children[i].id);
		else input.removeAttribute('aria-activedescendant');
	};
	const choose = (f) => {
		close();
		input.value = f.properties.label;
		const [lon, lat] = f.geometry.coordinates;
		const zoom = { municipality: 11, street: 16 }[f.properties.kind] ?? 17;
		state.map?.flyTo({ center: [lon, lat], zoom });
		announce(t('searchMoved', { label: f.properties.label }));
	};
	const run = async () => {
		const q = input.value.trim();
		const mine = ++seq;
		if (q.length < 2) {
			hits = [];
			list.replaceChildren();
			close();
			return;
		}
		const c = state.map?.getCenter();
		const near = c ? `&near=${c.lng.toFixed(5)},${c.lat.toFixed(5)}` : '';
		try {
			const fc = await api('GET', `/api/v1/search?q=${encodeURIComponent(q)}${near}&limit=8`);
			if (mine !== seq) return;
			hits = fc.features;
		} catch (ex) {
			if (mine !== seq) return;
			hits = [];
			note.textContent = problemText(ex);
			return;
		}
		list.replaceChildren(...hits.map((f, i) => {
			const li = h('li', { id: `${listId}-${i}`, role: 'option', 'aria-selected': 'false' },
				h('span', null, f.properties.label), ' ', h('small', { class: 'muted' }, t(`kind_${f.properties.kind}`)));
			li.addEventListener('mousedown', (e) => { e.preventDefault(); choose(f); });
			return li;
		}));
		list.hidden = hits.length === 0;
		input.setAttribute('aria-expanded', String(hits.length > 0));
		active = -1;
		note.textContent = hits.length ? t('searchHits', { n: hits.length }) : t('searchNoHits', { q });
	};
	input.addEventListener('input', () => {
		clearTimeout(timer);
		timer = setTimeout(run, 250);
	});
	input.addEventListener('keydown', (e) => {
		if (e.key === 'ArrowDown' && hits.length) {
			e.preventDefault();
			if (list.hidden) { list.hidden = false; input.setAttribute('aria-expanded', 'true'); }
			mark((active + 1) % hits.length);
		} else if (e.key === 'ArrowUp' && hits.length) {
			e.preventDefault();
			mark(active <= 0 ? hits.length - 1 : active - 1);
		} else if (e.key === 'Enter') {
			e.preventDefault();
			if (active >= 0) choose(hits[active]);
			else if (hits.length) choose(hits[0]);
			else run();
		} else if (e.key === 'Escape') {
			close();
		}
	});
	input.addEventListener('blur', () => setTimeout(close, 150));
	return h('div', { class: 'place-search', role: 'search' },
		h('label', { for: inputId }, t('searchLabel')), input, list, note);
}

function confirmation(state, go) {
	const out = state.result;
	const link = `${location.origin}/rapport/${out.id}#t=${encodeURIComponent(out.erasure_token)}`;
	const copy = (text) => {
		const b = h('button', { type: 'button', class: 'small' }, t('copy'));
		b.addEventListener('click', async () => {
			try {
				await navigator.clipboard.writeText(text);
				b.textContent = t('copied');
			} catch { /* clipboard may be refused; the text is selectable */ }
		});
		return b;
	};
	return h('div', { class: 'confirmation' },
		h('p', null, t('thanksText')),
		out.receipt_mailed ? h('p', { 'data-testid': 'receipt-mailed' }, t('receiptMailed')) : null,
		out.place_label ? h('p', { class: 'place-line', 'data-testid': 'confirmed-place' }, t('placeLabel', { label: out.place_label })) : null,
		h('p', null, t('followUpLabel')),
		h('p', { class: 'copyline' }, h('a', { href: link, class: 'follow-up', 'data-testid': 'follow-up' }, link), copy(link)),
		out.short_code ? h('p', { class: 'copyline' }, t('shortCodeLabel'), ' ',
			h('code', { class: 'short-code', 'data-testid': 'short-code' }, out.short_code), copy(out.short_code)) : null,
		out.short_code ? h('p', { class: 'help' }, t('shortCodeHelp', { url: `${location.origin}/r/${out.short_code}` })) : null,
		h('p', null, t('tokenLabel')),
		h('p', { class: 'copyline' }, h('code', { class: 'token', 'data-testid': 'erasure-token' }, out.erasure_token), copy(out.erasure_token)),
		h('p', { class: 'help' }, t('tokenHelp')),
		photoUploader(out.id, out.erasure_token),
		h('div', { class: 'row end' }, h('button', { type: 'button', class: 'primary', onclick: () => go('intro') }, t('done'))));
}

function showReportPopup(map, f, lngLat, cats) {
	const p = f.properties;
	const content = h('div', { class: 'popup' });
	if (p.cluster) {
		content.append(h('p', null, h('strong', null, String(p.count)), ' ', t('clusterReportsHere')),
			p.category ? h('p', null, categoryLabel(cats, p.category)) : null);
		keepOnScreen(map, new Popup({ closeButton: true, maxWidth: '260px' }).setLngLat(lngLat).setDOMContent(content).addTo(map));
		map.easeTo({ center: lngLat, zoom: Math.min(map.getZoom() + 2, 15) });
		return;
	}
	const b = h('button', { type: 'button' }, t('meToo'));
	b.addEventListener('click', () => meToo(p.id, b));
	content.append(
		h('p', null, h('span', { html: icon(cats.find((c) => c.code === p.category)?.icon) }), ' ', h('strong', { 'data-testid': 'popup-categories' }, categoriesLabel(cats, p))),
		h('p', null, t(`feeling${p.feeling}`)),
		h('p', null, b, ' ', h('a', { href: `/rapport/${p.id}` }, t('showStatus'))));
	keepOnScreen(map, new Popup({ closeButton: true, maxWidth: '280px' }).setLngLat(lngLat).setDOMContent(content).addTo(map));
}

/**
 * keepOnScreen pans the map so that the whole popup is inside the map, with a margin:
 * on a phone a popup near the edge was cut off.
 */
function keepOnScreen(map, popup) {
	const el = popup.getElement();
	if (!el) return;
	const box = el.getBoundingClientRect();
	const m = map.getContainer().getBoundingClientRect();
	const pad = 8;
	let dx = 0;
	let dy = 0;
	if (box.width > m.width - 2 * pad || box.left < m.left + pad) dx = box.left - m.left - pad;
	else if (box.right > m.right - pad) dx = box.right - m.right + pad;
	if (box.top < m.top + pad) dy = box.top - m.top - pad;
	else if (box.bottom > m.bottom - pad) dy = box.bottom - m.bottom + pad;
	if (dx || dy) map.panBy([dx, dy], { duration: 0 });
}
