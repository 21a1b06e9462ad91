// riskcalendar.js: the year's risk dates (risktillfällen) and public holidays of a
// municipality (GET /api/v1/calendar), folded, loaded when opened; admins and planners
// set the municipality's own skolavslutning, studentdagar and påsklov for the year
// (PUT /api/v1/municipalities/{code}/risk-dates/{year}).
import { t, formatDay } from './i18n.js';
import { api, problemText } from './api.js';
import { h, id, announce, errorBox, busy, dateInput, validDay } from './ui.js';

const localKeys = ['skolavslutning', 'student', 'pasklov'];

/** riskCalendar is a folded list of the municipality's risk dates in year; canEdit adds the form for its own dates. */
export function riskCalendar(municipality, year, canEdit) {
	const err = errorBox();
	const list = h('ul', { class: 'plain risk-calendar-list', 'data-testid': 'risk-calendar' });
	const form = h('form', { class: 'risk-calendar-form' });
	const el = h('details', { class: 'risk-calendar' },
		h('summary', null, t('riskCalTitle', { year })),
		h('p', { class: 'muted' }, h('small', null, t('riskCalHelp'))), err, list, canEdit ? form : null);
	let loaded = false;

	const show = (out) => {
		const dates = out.dates || [];
		list.replaceChildren(...dates.filter((d) => d.kind === 'risk').map((d) =>
			h('li', { 'data-risk-key': d.key },
				h('small', null, `${formatDay(d.date)}${d.end ? ` – ${formatDay(d.end)}` : ''} · ${d.name}`,
					d.source ? h('span', { class: 'muted' }, ` (${t(d.source === 'municipality' ? 'riskCalOwn' : 'riskCalDefault')})`) : null))));
		if (canEdit) drawForm(dates);
	};

	const drawForm = (dates) => {
		const rows = localKeys.map((k) => {
			const d = dates.find((x) => x.key === k) || {};
			const fid = id('rc-from');
			const tid = id('rc-to');
			const from = dateInput({ id: fid, name: `${k}-from`, value: d.date || '', required: true });
			const to = dateInput({ id: tid, name: `${k}-to`, value: d.end || d.date || '', required: true });
			return { k, from, to, el: h('fieldset', { class: 'row' }, h('legend', null, d.name || k),
				h('label', { for: fid }, t('riskCalFrom')), from, h('label', { for: tid }, t('riskCalTo')), to) };
		});
		const save = h('button', { type: 'submit', class: 'primary' }, t('riskCalSave'));
		const reset = h('button', { type: 'button' }, t('riskCalReset'));
		const put = (button, body) => busy(button, t('working'), async () => {
			err.show('');
			try {
				show(await api('PUT', `/api/v1/municipalities/${encodeURIComponent(municipality)}/risk-dates/${year}`, body));
				announce(t('riskCalSaved'));
			} catch (ex) {
				err.show(problemText(ex));
			}
		});
		form.onsubmit = (e) => {
			e.preventDefault();
			const bad = rows.flatMap((r) => [r.from, r.to]).find((x) => !validDay(x.value));
			if (bad) {
				err.show(t('dateInvalid'));
				bad.focus();
				return;
			}
			put(save, { dates: rows.map((r) => ({ key: r.k, from: r.from.value.trim(), to: r.to.value.trim() })) });
		};
		reset.onclick = () => put(reset, { dates: [] });
		form.replaceChildren(h('h4', null, t('riskCalEdit')), ...rows.map((r) => r.el), h('p', { class: 'row' }, save, ' ', reset));
	};

	el.addEventListener('toggle', async () => {
		if (!el.open || loaded) return;
		loaded = true;
		try {
			show(await api('GET', `/api/v1/calendar?municipality=${encodeURIComponent(municipality)}&year=${year}`));
		} catch (ex) {
			loaded = false;
			err.show(problemText(ex));
		}
	});
	return el;
}
