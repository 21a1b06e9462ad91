// icons.js: the category icons, drawn for Trygg as simple 24×24 strokes (the names are
// the category table's icon column).

const paths = {
	lightbulb: '<path d="M9 18h6M10 21h4"/><path d="M12 3a6 6 0 0 0-4 10.5c.7.7 1 1.5 1 2.5h6c0-1 .3-1.8 1-2.5A6 6 0 0 0 12 3z"/>',
	tree: '<path d="M12 21v-6"/><path d="M12 3 6 11h3l-4 5h14l-4-5h3z"/>',
	'eye-off': '<path d="M3 3l18 18"/><path d="M10.6 6.1A9.8 9.8 0 0 1 12 6c5 0 9 6 9 6a17 17 0 0 1-2.6 3.2M6.3 7.6C4.2 9.1 3 12 3 12s4 6 9 6c1.5 0 2.9-.5 4.1-1.2"/>',
	'user-x': '<circle cx="9" cy="8" r="4"/><path d="M3 21c0-3.3 2.7-6 6-6s6 2.7 6 6"/><path d="m17 8 4 4m0-4-4 4"/>',
	trash: '<path d="M4 7h16M9 7V4h6v3"/><path d="M6 7l1 14h10l1-14"/>',
	'spray-can': '<rect x="7" y="9" width="8" height="12" rx="1"/><path d="M9 9V6h4v3M17 4h1M19 6h1M17 7h1"/>',
	hammer: '<path d="M14 6 4 16l3 3 10-10"/><path d="m12 4 4-1 5 5-3 3-6-6z"/>',
	wrench: '<path d="M14.5 4a5 5 0 0 0-4.3 7.3L3 18.5 5.5 21l7.2-7.2A5 5 0 0 0 20 9.5l-3 3-3-.5-.5-3 3-3a5 5 0 0 0-2-1z"/>',
	footprints: '<ellipse cx="8" cy="7" rx="2.5" ry="4"/><ellipse cx="16" cy="12" rx="2.5" ry="4"/><path d="M6.5 14h3M14.5 19h3"/>',
	bus: '<rect x="5" y="3" width="14" height="15" rx="2"/><path d="M5 11h14M8 18v3M16 18v3"/><circle cx="8.5" cy="14.5" r=".8"/><circle cx="15.5" cy="14.5" r=".8"/>',
	users: '<circle cx="8" cy="8" r="3"/><circle cx="16" cy="8" r="3"/><path d="M2 20c0-3 2.7-5 6-5s6 2 6 5M14 15.2c.6-.1 1.3-.2 2-.2 3.3 0 6 2 6 5"/>',
	pill: '<rect x="3" y="9" width="18" height="7" rx="3.5" transform="rotate(-40 12 12.5)"/><path d="m9.5 9.8 5 4.6"/>',
	beer: '<path d="M6 6h10v14H6z"/><path d="M16 9h2a2 2 0 0 1 2 2v3a2 2 0 0 1-2 2h-2M9 10v7M13 10v7"/>',
	'alert-triangle': '<path d="M12 3 2 20h20z"/><path d="M12 10v4M12 17v.5"/>',
	fist: '<path d="M6 10V7a2 2 0 0 1 4 0v3M10 9V6a2 2 0 0 1 4 0v4M14 9a2 2 0 0 1 4 0v5a7 7 0 0 1-7 7H9a3 3 0 0 1-3-3v-5a2 2 0 0 1 4 0"/>',
	'lock-open': '<rect x="5" y="11" width="14" height="10" rx="2"/><path d="M8 11V7a4 4 0 0 1 7.5-2"/>',
	gauge: '<path d="M4 17a8 8 0 1 1 16 0"/><path d="m12 17 4-5"/>',
	car: '<path d="M3 16v-4l2-5h14l2 5v4z"/><circle cx="7.5" cy="17.5" r="1.8"/><circle cx="16.5" cy="17.5" r="1.8"/><path d="M3 12h18"/>',
	crossing: '<path d="M3 12h18M12 3v18"/><path d="M6 9v6M9 9v6M15 9v6M18 9v6"/>',
	'help-circle': '<circle cx="12" cy="12" r="9"/><path d="M9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .9-1 1.5V14M12 17v.5"/>',
	'shield-check': '<path d="M12 3 4 6v6c0 5 3.5 8 8 9 4.5-1 8-4 8-9V6z"/><path d="m8.5 12 2.5 2.5 4.5-5"/>',
};

/** icon returns the SVG markup of an icon (a circle for an unknown name). */
export function icon(name) {
	const p = paths[name] || '<circle cx="12" cy="12" r="6"/>';
	return `<svg class="icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">${p}</svg>`;
}
