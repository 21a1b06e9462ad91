// main.js: the app's entry: picks the view from the path and loads only that view's
// code. Each view is its own chunk (build.mjs: esbuild's code splitting), imported on
// demand, so the resident page never downloads the staff views (moderation, planner with
// walks and patrols, follow-up, cameras). web.go names the chunks of the page's view in
// <link rel="modulepreload"> (from dist/assets.json), so they arrive in parallel with
// this file.
// All CSS is imported here, into app.css: esbuild does not load a lazy chunk's own CSS.
import './style.css';
import { loadLang, t } from './i18n.js';
import { startOutbox } from './outbox.js';
import { myReports, rememberReport } from './myreports.js';

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

// Works on a bad connection: the outbox sends what waits (reports sent meanwhile join
// "Mina rapporter"), and the service worker (static/sw.js) caches the app shell. It is
// registered once the page has loaded and its map is drawn (or after 8 s), so that its
// precaching does not compete with the first map's tiles on a slow connection.
startOutbox({
	onSent: (e) => {
		const r = e.kind === 'report' ? e.result : null;
		if (r?.id && !myReports().some((m) => m.id === r.id)) rememberReport(r.id, r.erasure_token, r.created_at);
	},
});
if ('serviceWorker' in navigator) {
	const register = () => navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => { /* no worker: online only */ });
	const later = () => {
		const start = Date.now();
		const poll = setInterval(() => {
			if (!window.trygg?.idleMs && Date.now() - start < 8000) return;
			clearInterval(poll);
			register();
		}, 250);
	};
	if (document.readyState === 'complete') later();
	else window.addEventListener('load', later, { once: true });
}
