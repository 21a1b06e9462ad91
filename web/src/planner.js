// planner.js: the planner view (/planner). A PLACEHOLDER, to be extended (issue 9,
// part 3) once the hotspot endpoints exist: for now the map with Trygg's layers as the
// signed-in staff member sees them, and the sign-in.
import { t } from './i18n.js';
import { problemText } from './api.js';
import { h, shell, progress } from './ui.js';
import { createMap } from './map.js';
import { currentUser, signInForm, signOutButton, whoText } from './signin.js';

/** planner renders the planner placeholder. */
export async function planner(rerender) {
	let main = shell(t('plannerTitle'), rerender);
	let me;
	try {
		me = await currentUser();
	} catch (err) {
		main.append(h('p', { class: 'error', role: 'alert' }, problemText(err)));
		return;
	}
	if (!me) {
		main.classList.add('page');
		main.append(signInForm(() => rerender()));
		main.querySelector('input')?.focus();
		return;
	}
	main = shell(t('plannerTitle'), rerender, [h('span', { class: 'who' }, whoText(me)), signOutButton(rerender)]);
	main.classList.add('staff', 'planner');
	const mapEl = h('div', { class: 'map' });
	main.append(
		h('aside', { class: 'queue' },
			h('h1', { tabindex: '-1' }, t('plannerTitle')),
			h('p', { class: 'todo', 'data-todo': 'planner' }, t('plannerTodo')),
			h('p', { class: 'muted' }, t('plannerSignedIn'))),
		h('div', { class: 'work' }, mapEl));
	progress(true);
	try {
		await createMap(mapEl, { hash: true });
	} catch {
		mapEl.append(h('p', { class: 'error map-error', role: 'alert' }, t('mapError')));
	} finally {
		progress(false);
	}
}
