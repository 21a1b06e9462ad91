// followup.js: the follow-up of medborgarlöften (/followup). A promise picker, then
// each commitment with its progress (achieved against the target, the status and a
// marker for the pace the elapsed part of the period asks for) and its activities on
// the map. Signed-in staff read their municipalities' promises (GET /api/v1/promises,
// …/{id}/followup, planned activities and notes too); anyone else reads the published
// ones (GET /api/v1/public/promises, /public/promises/{id}/followup), without sign-in.
// Each commitment lists the work that counts toward it (activities, walks marked done,
// dialogues held, cameras in service, actions done; links for staff); after the
// period the status is met or not met. Staff who write promises correct (PATCH) and
// delete (DELETE /api/v1/activities/{id}) activities here.
import { t, formatDate, formatDay, isoDay } from './i18n.js';
import { api, problemText } from './api.js';
import { h, errorBox, progress, shell, announce, dateInput, validDay } from './ui.js';
import { bbox, createMap } from './map.js';
import { currentUser, signOutButton, whoText } from './signin.js';
import { riskCalendar } from './riskcalendar.js';

const empty = () => ({ type: 'FeatureCollection', features: [] });
const statusColors = {
	'on-track': '#1b6e2c', behind: '#b2182b', done: '#0b5cad', 'not-started': '#6b7785', met: '#0b5cad', 'not-met': '#8a1c1c',
};

// The activity kinds (trygg.ActivityKinds), for correcting an activity.
const activityKinds = ['foot-patrol', 'traffic-control', 'vehicle-inspection', 'drug-intervention', 'school-visit',
	'youth-centre-visit', 'safety-walk', 'dialogue-meeting', 'camera-surveillance', 'lighting', 'information-campaign',
	'concern-talk', 'meeting', 'neighbourhood-watch', 'other'];

/** workPage is where staff read a piece of work: a walk's protocol, the camera register, else its API resource. */
function workPage(w) {
	if (!w.link) return '';
	if (w.kind === 'walk') return `${w.link}/protocol`;
	if (w.kind === 'camera') return '/cameras';
	return w.link;
}

/** workLine is one piece of work: its kind, day (a camera's days in service), title and link. */
function workLine(w) {
	let when = formatDay(w.date);
	if (w.kind === 'camera') {
		when = w.until ? t('workInService', { from: formatDay(w.date), to: formatDay(w.until) }) : t('workStillInService', { from: formatDay(w.date) });
	}
	const title = w.kind === 'activity' ? t(`kind_${w.title}`) : w.title;
	const page = workPage(w);
	return h('li', { 'data-work-kind': w.kind, 'data-work-id': w.id },
		h('small', null, `${when} · ${t(`work_${w.kind}`)}`, title ? ' · ' : '',
			page ? h('a', { href: page, 'data-testid': 'work-link' }, title || t('workOpen')) : title,
			w.count > 1 ? ` · ${t('workCount', { n: w.count })}` : ''));
}

/** followup renders the follow-up view, for staff or, without a session, the public. */
export async function followup(rerender) {
	let me = null;
	let main = shell(t('followupTitle'), rerender);
	try {
		me = await currentUser();
	} catch (err) {
		main.append(h('p', { class: 'error', role: 'alert' }, problemText(err)));
		return;
	}
	if (me) main = shell(t('followupTitle'), rerender, [h('span', { class: 'who' }, whoText(me)), signOutButton(rerender)]);
	const staff = !!me;
	const mayEdit = staff && ['admin', 'planner', 'police'].includes(me.user?.role);
	main.classList.add('staff', 'planner', 'followup');
	const err = errorBox();
	const pid = 'promise-picker';
	const picker = h('select', { id: pid, name: 'promise', 'data-testid': 'promise-picker' });
	const head = h('div', { class: 'promise-head', 'aria-live': 'polite' });
	const list = h('ol', { class: 'commitment-list', 'data-testid': 'commitments', 'aria-labelledby': 'commitments-title' });
	const mapEl = h('div', { class: 'map' });
	main.append(
		h('aside', { class: 'queue planner-side', 'aria-labelledby': 'followup-title' },
			h('h1', { id: 'followup-title', tabindex: '-1' }, t('followupTitle')),
			h('p', { class: 'muted' }, staff ? t('followupStaffHelp') : t('followupPublicHelp')),
			h('div', { class: 'field' }, h('label', { for: pid }, t('promisePick')), picker),
			err, head,
			h('h2', { id: 'commitments-title' }, t('commitmentsTitle')), list),
		h('div', { class: 'work' }, h('div', { class: 'map-wrap' }, mapEl,
			h('details', { class: 'legend map-legend', open: true }, h('summary', null, t('legendTitle')),
				h('ul', null,
					h('li', null, h('span', { class: 'dot', style: 'background:#0b5cad' }), t('legendActivity')),
					h('li', null, h('span', { class: 'dot', style: 'background:#f08c00' }), t('legendSelectedActivity')),
					h('li', null, h('span', { class: 'swatch outline' }), t('legendCommitmentPlace')))))));

	const st = { promises: [], data: null, sel: null, map: null, seq: 0 };

	const load = async () => {
		progress(true);
		try {
			const out = await api('GET', staff ? '/api/v1/promises' : '/api/v1/public/promises');
			st.promises = (out.promises || []).slice().sort((a, b) =>
				(a.status === 'active' ? 0 : 1) - (b.status === 'active' ? 0 : 1) || String(b.period_start).localeCompare(String(a.period_start)));
		} catch (ex) {
			err.show(problemText(ex));
			return;
		} finally {
			progress(false);
		}
		if (!st.promises.length) {
			picker.disabled = true;
			head.replaceChildren(h('p', { class: 'muted' }, t('promisesNone')));
			return;
		}
		picker.replaceChildren(...st.promises.map((p) => h('option', { value: p.id },
			`${p.title} (${formatDay(String(p.period_start).slice(0, 10))} – ${formatDay(String(p.period_end).slice(0, 10))})`)));
		// Opens on ?promise=, else the current promise of ?municipality= or the user's own
		// (first) municipality, else the first listed.
		const q = new URLSearchParams(location.search);
		const want = q.get('promise');
		const home = q.get('municipality') || (me?.user?.municipalities || [])[0];
		const own = st.promises.find((p) => p.municipality === home);
		picker.value = st.promises.some((p) => p.id === want) ? want : (own || st.promises[0]).id;
		await open(picker.value);
	};
	picker.addEventListener('change', () => open(picker.value));

	const open = async (promiseID) => {
		const seq = ++st.seq;
		err.show('');
		const q = new URLSearchParams(location.search);
		q.set('promise', promiseID);
		history.replaceState(null, '', `${location.pathname}?${q}${location.hash}`);
		list.setAttribute('aria-busy', 'true');
		progress(true);
		try {
			const path = staff ? `/api/v1/promises/${encodeURIComponent(promiseID)}/followup`
				: `/api/v1/public/promises/${encodeURIComponent(promiseID)}/followup`;
			const data = await api('GET', path);
			if (seq !== st.seq) return;
			st.data = data;
			st.sel = null;
			draw();
			updateMap(true);
		} catch (ex) {
			if (seq === st.seq) err.show(problemText(ex));
		} finally {
			progress(false);
			if (seq === st.seq) list.removeAttribute('aria-busy');
		}
	};

	const draw = () => {
		const { promise: p, commitments, today } = st.data;
		head.replaceChildren(
			h('h2', { 'data-testid': 'promise-title' }, p.title),
			h('p', null, [t(`promise_${p.status}`), `${t('period')} ${formatDay(String(p.period_start).slice(0, 10))} – ${formatDay(String(p.period_end).slice(0, 10))}`,
				`${t('today')} ${formatDay(String(today).slice(0, 10))}`].join(' · ')),
			p.summary ? h('p', { class: 'summary-text' }, p.summary) : null,
			riskCalendar(p.municipality, calendarYear(p, today), ['admin', 'planner'].includes(me?.user?.role)));
		list.replaceChildren(...(commitments.length ? commitments.map(item) : [h('li', { class: 'muted' }, t('commitmentsNone'))]));
	};

	const item = (c) => {
		const pr = c.progress;
		const status = pr.status;
		const kind = t(`kind_${c.activity_kind}`);
		const party = c.party === 'other' ? c.party_name : t(`party_${c.party}`);
		let bar;
		if (pr.target) {
			const pct = Math.min(100, (pr.achieved / pr.target) * 100);
			const pace = Math.min(100, (pr.expected / pr.target) * 100);
			const label = t('progressLabel', { a: pr.achieved, n: pr.target, e: pr.expected_by_now, s: t(`status_${status}`) });
			bar = h('div', { class: 'progress-bar', role: 'img', 'aria-label': label, title: label },
				h('span', { class: 'fill', style: `width:${pct.toFixed(1)}%;background:${statusColors[status]}` }),
				h('span', { class: 'pace', style: `inset-inline-start:${pace.toFixed(1)}%`, title: t('paceMarker', { e: pr.expected_by_now }) }));
		}
		const count = pr.target
			? h('span', null, h('strong', { 'data-testid': 'achieved' }, String(pr.achieved)), ` / ${pr.target} `, t('activitiesWord'),
				h('small', { class: 'muted' }, ` · ${t('paceMarker', { e: pr.expected_by_now })}`))
			: h('span', null, h('strong', { 'data-testid': 'achieved' }, String(pr.achieved)), ` ${t('activitiesWord')} · `,
				pr.done ? t('markedDone') : t('notMarkedDone'));
		const recent = c.activities.slice(-3).reverse();
		const work = c.work || [];
		const over = String(st.data.today).slice(0, 10) > String(st.data.promise.period_end).slice(0, 10);
		return h('li', { class: 'commitment', 'data-commitment-id': c.id, 'data-kind': c.activity_kind, 'data-status': status },
			h('button', { type: 'button', class: 'queue-item commitment-item', 'aria-pressed': st.sel === c.id ? 'true' : 'false',
				onclick: () => select(c.id) },
			h('span', { class: 'grow' },
				h('span', { class: `badge status-${status}`, style: `background:${statusColors[status]}` }, t(`status_${status}`)),
				' ', h('small', null, `${party} · ${kind}`), h('br'),
				h('span', { class: 'commitment-text' }, c.text), h('br'),
				count, bar,
				c.done_reason ? h('small', { class: 'muted done-reason' }, h('br'), t('doneReason', { r: c.done_reason })) : null,
				over ? h('small', { class: 'muted' }, h('br'), t('periodOver')) : null)),
			riskDateList(c),
			work.some((w) => w.kind !== 'activity')
				? h('details', { class: 'work-list', 'data-testid': 'work' }, h('summary', null, `${t('workTitle')} (${work.length})`),
					h('ul', { class: 'plain activity-list' }, work.map(workLine)))
				: null,
			mayEdit && c.activities.length
				? h('details', { class: 'activity-edit-list' }, h('summary', null, `${t('activitiesTitle')} (${c.activities.length})`),
					h('ul', { class: 'plain activity-list' }, c.activities.slice().reverse().map((a) => editableActivity(a))))
				: recent.length ? h('ul', { class: 'plain activity-list' }, recent.map((a) =>
					h('li', null, h('small', null, `${formatDate(a.starts_at)} · ${t(`kind_${a.kind}`)}${a.planned ? ` · ${t('planned')}` : ''}`)))) : null);
	};

	// editableActivity is an activity with Edit and Delete (staff who write promises).
	const editableActivity = (a) => {
		const li = h('li', { 'data-activity-id': a.id });
		const show = () => {
			li.replaceChildren(h('small', null, `${formatDate(a.starts_at)} · ${t(`kind_${a.kind}`)}`,
				a.count > 1 ? ` · ${t('workCount', { n: a.count })}` : '', a.planned ? ` · ${t('planned')}` : '',
				a.notes ? ` · ${a.notes}` : ''), ' ',
			h('button', { type: 'button', class: 'small', 'data-testid': 'activity-edit', onclick: edit }, t('activityEdit')), ' ',
			h('button', { type: 'button', class: 'small danger', 'data-testid': 'activity-delete', onclick: remove }, t('activityDelete')));
		};
		const edit = () => {
			const kind = h('select', { name: 'kind' }, activityKinds.map((k) => h('option', { value: k, selected: k === a.kind }, t(`kind_${k}`))));
			const date = dateInput({ name: 'date', value: isoDay(a.starts_at), required: true });
			const count = h('input', { type: 'number', name: 'count', min: 1, max: 10000, value: a.count || 1, required: true });
			const notes = h('textarea', { name: 'notes', rows: 2, maxlength: 10000 }, a.notes || '');
			const field = (label, el) => h('label', { class: 'field' }, h('span', null, label), el);
			const form = h('form', { class: 'activity-form', 'data-testid': 'activity-form' },
				field(t('activityFieldKind'), kind), field(t('activityFieldDate'), date), field(t('activityFieldCount'), count),
				field(t('activityFieldNotes'), notes),
				h('button', { type: 'submit', class: 'small primary' }, t('activitySave')), ' ',
				h('button', { type: 'button', class: 'small', onclick: show }, t('cancel')));
			form.addEventListener('submit', async (ev) => {
				ev.preventDefault();
				if (!validDay(date.value)) {
					date.setCustomValidity(t('dateInvalid'));
					date.reportValidity();
					return;
				}
				try {
					await api('PATCH', `/api/v1/activities/${encodeURIComponent(a.id)}`,
						{ kind: kind.value, date: date.value, count: Number(count.value), notes: notes.value });
					announce(t('activitySaved'));
					await open(st.data.promise.id);
				} catch (ex) {
					err.show(problemText(ex));
				}
			});
			li.replaceChildren(form);
			kind.focus();
		};
		const remove = async () => {
			if (!window.confirm(t('activityDeleteConfirm', { d: formatDate(a.starts_at) }))) return;
			try {
				await api('DELETE', `/api/v1/activities/${encodeURIComponent(a.id)}`);
				announce(t('activityDeleted'));
				await open(st.data.promise.id);
			} catch (ex) {
				err.show(problemText(ex));
			}
		};
		show();
		return li;
	};

	const select = (cid) => {
		st.sel = st.sel === cid ? null : cid;
		for (const b of list.querySelectorAll('.commitment')) {
			b.querySelector('.commitment-item').setAttribute('aria-pressed', String(b.dataset.commitmentId === st.sel));
		}
		updateMap(true);
	};

	const features = () => {
		const acts = [];
		const places = [];
		for (const c of st.data?.commitments || []) {
			for (const a of c.activities) {
				if (a.geometry) acts.push({ type: 'Feature', geometry: a.geometry, properties: { id: a.id, commitment: c.id, kind: a.kind, selected: c.id === st.sel } });
			}
			for (const p of c.places) {
				if (p.geometry) places.push({ type: 'Feature', geometry: p.geometry, properties: { name: p.name, commitment: c.id } });
			}
		}
		return { acts, places };
	};

	const updateMap = (fit) => {
		const map = st.map;
		if (!map?.getSource('fu-activities')) return;
		const { acts, places } = features();
		map.getSource('fu-activities').setData({ type: 'FeatureCollection', features: acts });
		map.getSource('fu-places').setData({ type: 'FeatureCollection', features: places });
		if (!fit) return;
		const shown = st.sel ? acts.filter((f) => f.properties.commitment === st.sel) : acts.concat(places);
		if (!shown.length) return;
		const b = [Infinity, Infinity, -Infinity, -Infinity];
		for (const f of shown) {
			const [w, s, e, n] = bbox(f.geometry);
			b[0] = Math.min(b[0], w); b[1] = Math.min(b[1], s); b[2] = Math.max(b[2], e); b[3] = Math.max(b[3], n);
		}
		map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 60, maxZoom: 15, duration: 0 });
	};

	progress(true);
	try {
		st.map = await createMap(mapEl);
		const map = st.map;
		map.addSource('fu-activities', { type: 'geojson', data: empty() });
		map.addSource('fu-places', { type: 'geojson', data: empty() });
		const color = ['case', ['boolean', ['get', 'selected'], false], '#f08c00', '#0b5cad'];
		map.addLayer({ id: 'fu-places', type: 'line', source: 'fu-places', filter: ['!=', ['geometry-type'], 'Point'],
			paint: { 'line-color': '#5f3dc4', 'line-width': 2, 'line-dasharray': [2, 1] } });
		map.addLayer({ id: 'fu-places-points', type: 'circle', source: 'fu-places', filter: ['==', ['geometry-type'], 'Point'],
			paint: { 'circle-color': 'rgba(0,0,0,0)', 'circle-radius': 11, 'circle-stroke-color': '#5f3dc4', 'circle-stroke-width': 2 } });
		map.addLayer({ id: 'fu-activities-fill', type: 'fill', source: 'fu-activities', filter: ['==', ['geometry-type'], 'Polygon'],
			paint: { 'fill-color': color, 'fill-opacity': 0.25 } });
		map.addLayer({ id: 'fu-activities-line', type: 'line', source: 'fu-activities', filter: ['!=', ['geometry-type'], 'Point'],
			paint: { 'line-color': color, 'line-width': 3 } });
		map.addLayer({ id: 'fu-activities', type: 'circle', source: 'fu-activities', filter: ['==', ['geometry-type'], 'Point'],
			paint: { 'circle-color': color, 'circle-radius': 6, 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } });
		// The tiles' saved hotspot analysis is the planner's, not the follow-up's.
		for (const l of ['hexcells', 'hotspots']) if (map.getLayer(l)) map.setLayoutProperty(l, 'visibility', 'none');
		map.on('click', 'fu-activities', (e) => { const f = e.features?.[0]; if (f) select(f.properties.commitment); });
	} catch {
		mapEl.append(h('p', { class: 'error map-error', role: 'alert' }, t('mapError')));
	} finally {
		progress(false);
	}
	await load();
	updateMap(true);
}

const riskColors = { covered: '#1b6e2c', missed: '#b2182b', upcoming: '#6b7785' };

/**
 * riskDateList is a campaign commitment's risk dates (risktillfällen) in the period,
 * each with whether an activity fell on it or in the days before (c.risk_dates; none
 * for other commitments).
 */
function riskDateList(c) {
	const rds = c.risk_dates;
	if (!rds?.length) return null;
	const id = `risk-${c.id}`;
	return h('details', { class: 'risk-dates', 'data-testid': 'risk-dates' },
		h('summary', { id }, `${t('riskDatesTitle')} (${rds.filter((r) => r.covered).length}/${rds.length})`),
		h('p', { class: 'muted' }, h('small', null, t('riskDatesHelp', { n: 14 }))),
		h('ul', { class: 'plain', 'aria-labelledby': id }, rds.map((r) =>
			h('li', { 'data-risk-key': r.key, 'data-risk-status': r.status },
				h('small', null,
					h('span', { class: 'badge', style: `background:${riskColors[r.status] || '#6b7785'}` }, t(`risk_${r.status}`)),
					` ${r.name} · ${formatDay(r.date)}${r.end ? ` – ${formatDay(r.end)}` : ''}`)))));
}

/** calendarYear is the year of the risk calendar a promise shows: today's, within its period. */
function calendarYear(p, today) {
	const y = Number(String(today).slice(0, 4));
	return Math.min(Math.max(y, Number(String(p.period_start).slice(0, 4))), Number(String(p.period_end).slice(0, 4)));
}
