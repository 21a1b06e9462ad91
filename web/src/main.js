// main.js: the app's entry: picks the view from the path and loads only that view's
// code. Each view is its own chunk (build.mjs: esbuild's code splitting), imported on
// demand, so the resident page never downloads the staff views (moderation, planner with
// walks and patrols, follow-up, cameras). web.go names the chunks of the page's view in
// <link rel="modulepreload"> (from dist/assets.json), so they arrive in parallel with
// this file.
// All CSS is imported here, into app.css: esbuild does not load a lazy chunk's own CSS.
import './style.css';
import { loadLang, t } from './i18n.js';

/** views maps a view's name (as in dist/assets.json) to its module, loaded on demand. */
const views = {
	resident: () => import('./resident.js').then((m) => m.resident),
	status: () => import('./status.js').then((m) => m.statusPage),
	moderation: () => import('./moderation.js').then((m) => m.moderation),
	planner: () => import('./planner.js').then((m) => m.planner),
	followup: () => import('./followup.js').then((m) => m.followup),
	cameras: () => import('./cameras.js').then((m) => m.cameras),
};

/** viewOf is the view of a path and the view's arguments after rerender. */
function viewOf(p) {
	const m = p.match(/^\/rapport\/([^/]+)$/);
	if (m) return ['status', decodeURIComponent(m[1])];
	if (p === '/moderation' || p === '/planner' || p === '/followup' || p === '/cameras') return [p.slice(1)];
	return ['resident'];
}

let loads = 0;

/** route renders the view of the current path; it is also the views' rerender. */
async function route() {
	const [name, ...args] = viewOf(location.pathname);
	const n = ++loads;
	let view;
	try {
		view = await views[name]();
	} catch (err) {
		// A chunk that did not arrive (the connection dropped, or a new version replaced
		// it since this page was loaded): say so, with a way to try again.
		console.error(err);
		const app = document.getElementById('app');
		const again = document.createElement('button');
		again.type = 'button';
		again.textContent = t('viewRetry');
		again.addEventListener('click', () => location.reload());
		const p = document.createElement('p');
		p.setAttribute('role', 'alert');
		p.textContent = t('viewLoadFailed');
		const main = document.createElement('main');
		main.className = 'page';
		main.append(p, again);
		app.replaceChildren(main);
		return undefined;
	}
	if (n !== loads) return undefined; // a later route() won the race
	return view(route, ...args);
}

// The chosen language's catalogue is loaded before the first render.
await loadLang();
route();
