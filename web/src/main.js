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
// registered after the page has loaded, so its precaching does not slow the first map.
startOutbox({
	onSent: (e) => {
		const r = e.kind === 'report' ? e.result : null;
		if (r?.id && !myReports().some((m) => m.id === r.id)) rememberReport(r.id, r.erasure_token, r.created_at);
	},
});
if ('serviceWorker' in navigator) {
	const register = () => navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => { /* no worker: online only */ });
	if (document.readyState === 'complete') setTimeout(register, 2000);
	else window.addEventListener('load', () => setTimeout(register, 2000), { once: true });
}
