// slow4g.mjs PROXY DIRECT OUT: the resident page's first map on Slow 4G (slow4g_test.go).
// PROXY is the server behind the test's throttling proxy, DIRECT the same server
// unthrottled. A first visit over DIRECT warms the server's tile cache (the measure is
// of the network and the browser, not of building tiles); then, in a new browser context
// (a cold cache), a phone (390×844) opens PROXY/. Measured, from navigation start
// (performance.now()):
//   firstTileMs: the end of the first frame MapLibre drew after the first tile of a
//     vector source (Trygg's "trygg" or the basemap) was loaded: map.js records, for each
//     vector source, the first 'render' after its first 'data' event with a tile;
//   idleMs: the map's first 'idle' (every tile of the view loaded and drawn);
//   documentMs: the page's HTML received (responseEnd);
//   scriptsMs: the last script received (Resource Timing's responseEnd).
// The same cold visit unthrottled (DIRECT, after the warming one) gives what this
// machine's CPU alone takes, for comparison.
// It prints the scripts' timeline from Resource Timing and one line "SLOW4G {json}" for
// the Go test, saves slow4g-resident.png, and fails on any console error or uncaught
// exception, or when the map shows no Trygg feature.
import { launch } from './browser.mjs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [proxy, direct, out] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, locale: 'sv-SE',
	// The service worker registers once the first map is drawn and then precaches every
	// chunk: not part of the first visit's first map, which is what is measured.
	serviceWorkers: 'block' };
const browser = await launch();
const problems = [];
try {
	// Warm the server: the same page, unthrottled, in a context of its own.
	const warm = await browser.newContext(phone);
	const wp = await warm.newPage();
	await wp.goto(`${direct}/`);
	await wp.waitForFunction(() => window.trygg?.idleMs > 0, null, { timeout: 60000 });
	await warm.close();
	// The same cold visit unthrottled: what this machine's CPU alone takes.
	const base = await browser.newContext(phone);
	const bp = await base.newPage();
	await bp.goto(`${direct}/`);
	await bp.waitForFunction(() => window.trygg?.firstTileMs > 0 && window.trygg?.idleMs > 0, null, { timeout: 60000, polling: 100 });
	const unthrottled = await bp.evaluate(() => ({ firstTileMs: window.trygg.firstTileMs, idleMs: window.trygg.idleMs }));
	await base.close();

	const ctx = await browser.newContext(phone);
	const page = await ctx.newPage();
	page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()} (${m.location()?.url || ''})`); });
	page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
	await page.goto(`${proxy}/`, { waitUntil: 'commit' });
	await page.waitForFunction(() => window.trygg?.firstTileMs > 0 && window.trygg?.idleMs > 0, null, { timeout: 120000, polling: 100 });
	const m = await page.evaluate(() => {
		const map = window.trygg.map;
		const nav = performance.getEntriesByType('navigation')[0];
		return {
			firstTileMs: window.trygg.firstTileMs,
			firstTile: window.trygg.firstTile,
			idleMs: window.trygg.idleMs,
			documentMs: Math.round(nav.responseEnd),
			rendered: map.queryRenderedFeatures().filter((f) => f.source === 'trygg').length,
			resources: performance.getEntriesByType('resource').map((r) => ({
				name: new URL(r.name).pathname, type: r.initiatorType, start: Math.round(r.startTime),
				end: Math.round(r.responseEnd), encoded: r.encodedBodySize,
			})),
		};
	});
	await page.screenshot({ path: join(out, 'slow4g-resident.png') });
	console.log(`slow4g: document ${m.documentMs} ms, first tile ${m.firstTileMs} ms (${JSON.stringify(m.firstTile)}), idle ${m.idleMs} ms, ${m.rendered} Trygg features drawn`);
	for (const r of m.resources) console.log(`slow4g:   ${String(r.start).padStart(5)}–${String(r.end).padStart(5)} ms ${String(r.encoded).padStart(7)} B ${r.type} ${r.name}`);
	// When the last script (MapLibre, its worker, the app's chunks) had arrived: what the
	// network alone decides; the rest to the first tile is mostly this machine's CPU.
	m.scriptsMs = Math.max(...m.resources.filter((r) => /\.m?js$/.test(r.name) && r.end >= r.start).map((r) => r.end));
	delete m.resources;
	m.unthrottled = unthrottled;
	console.log(`slow4g: unthrottled, cold cache: first tile ${unthrottled.firstTileMs} ms, idle ${unthrottled.idleMs} ms`);
	console.log(`SLOW4G ${JSON.stringify(m)}`);
	if (!m.rendered) problems.push('the resident map drew no Trygg features');
} finally {
	await browser.close();
}
if (problems.length) {
	for (const p of problems) console.error(`slow4g: ${p}`);
	process.exit(1);
}
