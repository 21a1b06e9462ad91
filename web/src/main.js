// main.js: the app's entry: picks the view from the path.
import './style.css';
import { loadLang } from './i18n.js';
import { resident } from './resident.js';
import { statusPage } from './status.js';
import { moderation } from './moderation.js';
import { planner } from './planner.js';
import { followup } from './followup.js';
import { cameras } from './cameras.js';

function route() {
	const p = location.pathname;
	const m = p.match(/^\/rapport\/([^/]+)$/);
	if (m) return statusPage(route, decodeURIComponent(m[1]));
	if (p === '/moderation') return moderation(route);
	if (p === '/planner') return planner(route);
	if (p === '/followup') return followup(route);
	if (p === '/cameras') return cameras(route);
	return resident(route);
}

// The chosen language's catalogue is loaded before the first render.
await loadLang();
route();
