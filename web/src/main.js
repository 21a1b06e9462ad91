// main.js: the app's entry: picks the view from the path.
import './style.css';
import { lang, setLang } from './i18n.js';
import { resident } from './resident.js';
import { statusPage } from './status.js';
import { moderation } from './moderation.js';
import { planner } from './planner.js';
import { followup } from './followup.js';
import { cameras } from './cameras.js';
import { startOutbox } from './outbox.js';
import { myReports, rememberReport } from './status.js';

function route() {
	setLang(lang());
	const p = location.pathname;
	const m = p.match(/^\/rapport\/([^/]+)$/);
	if (m) return statusPage(route, decodeURIComponent(m[1]));
	if (p === '/moderation') return moderation(route);
	if (p === '/planner') return planner(route);
	if (p === '/followup') return followup(route);
	if (p === '/cameras') return cameras(route);
	return resident(route);
}

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
