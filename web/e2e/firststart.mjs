// firststart.mjs BASE OUT: the resident page on a first start with the living demo and a
// test basemap: the map over Vara shows demo reports, and basemap features under them;
// Vara's planner (E2E_PLANNER_EMAIL, E2E_PLANNER_PASSWORD) sees hot areas; the public
// follow-up shows, for each demo municipality, a promise whose period covers today
// (E2E_TODAY) with progress on its commitments.
import { launch } from './browser.mjs';
import { mkdirSync } from 'node:fs';

const [base, out] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const browser = await launch();
try {
	const page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'sv-SE' });
	const foreign = [];
	page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) foreign.push(r.url()); });
	// Vara's town centre at z14: inside the test archive (13.1–13.2 E is its extent; the
	// town lies at 12.95 E, so the map is placed on the archive's area).
	await page.goto(`${base}/?kommun=1470#14/58.25/13.15`, { waitUntil: 'networkidle' });
	await page.waitForFunction(() => window.trygg?.idleMs > 0, null, { timeout: 60000 });
	const basemapHere = await page.evaluate(() => window.trygg.map.queryRenderedFeatures().filter((f) => f.source === 'basemap').length);
	await page.screenshot({ path: `${out}/firststart-basemap.png` });
	// The town centre: demo reports (clusters or points) from the public tiles.
	await page.evaluate(() => window.trygg.map.jumpTo({ center: [12.952, 58.261], zoom: 13 }));
	await page.waitForTimeout(500);
	await page.evaluate(() => new Promise((r) => (window.trygg.map.loaded() ? r() : window.trygg.map.once('idle', r))));
	const reports = await page.evaluate(() => window.trygg.map.queryRenderedFeatures({
		layers: ['reports', 'report-clusters'].filter((l) => window.trygg.map.getLayer(l)) }).length);
	await page.screenshot({ path: `${out}/firststart-reports.png` });
	console.log(`first start: ${basemapHere} basemap features, ${reports} report features in Vara's centre, ${foreign.length} third-party requests`);
	if (basemapHere === 0) throw new Error('no basemap features rendered');
	if (reports === 0) throw new Error('no demo reports rendered in Vara');
	if (foreign.length) throw new Error(`third-party requests: ${foreign.join(', ')}`);

	// A report near the map's edge: its popup ("Jag också") is panned fully on screen.
	await page.evaluate(() => window.trygg.map.jumpTo({ center: [12.952, 58.261], zoom: 16 }));
	await page.evaluate(() => new Promise((r) => (window.trygg.map.loaded() ? r() : window.trygg.map.once('idle', r))));
	const edge = await page.evaluate(() => {
		const m = window.trygg.map;
		const canvas = m.getCanvas();
		let best = null;
		for (const f of m.queryRenderedFeatures({ layers: ['reports'].filter((l) => m.getLayer(l)) })) {
			if (f.geometry.type !== 'Point') continue;
			const p = m.project(f.geometry.coordinates);
			const r = canvas.getBoundingClientRect();
			const x = r.left + p.x;
			const y = r.top + p.y;
			if (document.elementFromPoint(x, y) !== canvas) continue;
			const d = Math.min(x, window.innerWidth - x, y - r.top);
			if (!best || d < best.d) best = { x, y, d };
		}
		return best;
	});
	if (!edge) throw new Error('no clickable report point on the resident map at z16');
	await page.mouse.click(edge.x, edge.y);
	const popup = page.locator('.maplibregl-popup');
	await popup.waitFor({ timeout: 10000 });
	await page.waitForTimeout(300);
	const pb = await popup.boundingBox();
	const meToo = await popup.getByRole('button', { name: 'Jag också' }).count();
	await page.screenshot({ path: `${out}/firststart-popup.png` });
	console.log(`first start: popup of the report ${edge.d.toFixed(0)} px from the map's edge at ${pb.x.toFixed(0)},${pb.y.toFixed(0)} ${pb.width.toFixed(0)}×${pb.height.toFixed(0)} in 390×844`);
	if (!meToo) throw new Error('the report popup has no "Jag också" button');
	if (pb.x < 0 || pb.y < 0 || pb.x + pb.width > 390 || pb.y + pb.height > 844) {
		throw new Error(`the report popup leaves the screen: ${JSON.stringify(pb)}`);
	}
	// The legend names every layer the resident sees, the promise places too.
	await page.locator('details.legend summary').click();
	if (!(await page.getByText('Plats där kommunen och polisen lovat insatser').isVisible())) {
		throw new Error('the resident legend has no entry for the promise places');
	}
	await page.keyboard.press('Escape');

	// The planner signs in: the hotspot map of Vara shows hot areas from the demo.
	const desktop = { viewport: { width: 1280, height: 860 }, locale: 'sv-SE' };
	const pl = await (await browser.newContext(desktop)).newPage();
	await pl.goto(`${base}/planner`);
	await pl.getByLabel('E-postadress').fill(process.env.E2E_PLANNER_EMAIL);
	await pl.getByLabel('Lösenord').fill(process.env.E2E_PLANNER_PASSWORD);
	await pl.getByRole('button', { name: 'Logga in' }).click();
	await pl.locator('.hotspot-item').first().waitFor({ timeout: 60000 });
	await pl.waitForFunction(() => !document.querySelector('#panel-hotspots[aria-busy]'));
	await pl.waitForFunction(() => window.trygg?.idleMs > 0, null, { timeout: 60000 });
	await pl.evaluate(() => new Promise((r) => (window.trygg.map.loaded() ? r() : window.trygg.map.once('idle', r))));
	const hot = await pl.evaluate(() => window.trygg.map.queryRenderedFeatures({ layers: ['pl-hotspots'] }).length);
	const listed = await pl.locator('.hotspot-item').count();
	const summary = await pl.getByTestId('hotspot-summary').textContent();
	await pl.screenshot({ path: `${out}/firststart-planner.png` });
	console.log(`planner: ${summary.trim()}; ${listed} hot areas listed, ${hot} drawn`);
	if (!listed || !hot) throw new Error(`planner: no hot areas on first start (${listed} listed, ${hot} drawn)`);

	// The public follow-up: each municipality has a current promise with progress.
	const fu = await (await browser.newContext(desktop)).newPage();
	// ?municipality= opens on that municipality's current promise (a signed-in user's own by default).
	await fu.goto(`${base}/followup?municipality=1494`);
	await fu.getByTestId('promise-picker').locator('option').first().waitFor({ state: 'attached', timeout: 30000 });
	const opened = await fu.getByTestId('promise-picker').evaluate((s) => s.options[s.selectedIndex].textContent);
	console.log(`followup?municipality=1494 opens "${opened}"`);
	if (!opened.includes('Lidköping')) throw new Error(`followup?municipality=1494 opened "${opened}"`);
	await fu.goto(`${base}/followup`);
	const today = process.env.E2E_TODAY || new Date().toISOString().slice(0, 10);
	const promises = await fu.evaluate(async () => (await (await fetch('/api/v1/public/promises')).json()).promises);
	const current = promises.filter((p) => String(p.period_start).slice(0, 10) <= today && today <= String(p.period_end).slice(0, 10));
	const byKommun = new Map();
	for (const p of current) if (!byKommun.has(p.municipality)) byKommun.set(p.municipality, p);
	const want = ['1383', '1470', '1493', '1494', '0685'];
	for (const code of want) {
		const p = byKommun.get(code);
		if (!p) throw new Error(`followup: no current promise for ${code} (${current.length} current of ${promises.length})`);
		await fu.getByTestId('promise-picker').selectOption(p.id);
		await fu.getByTestId('promise-title').filter({ hasText: p.title }).waitFor();
		await fu.waitForFunction(() => !document.querySelector('[data-testid=commitments][aria-busy]'));
		const got = await fu.evaluate(() => ({
			commitments: document.querySelectorAll('.commitment').length,
			bars: document.querySelectorAll('.commitment .progress-bar').length,
			achieved: [...document.querySelectorAll('.commitment [data-testid=achieved]')].reduce((n, e) => n + Number(e.textContent), 0),
		}));
		await fu.screenshot({ path: `${out}/firststart-followup-${code}.png` });
		console.log(`followup ${code}: "${p.title}", ${got.commitments} commitments, ${got.bars} progress bars, ${got.achieved} activities achieved`);
		if (!got.bars || !got.achieved) throw new Error(`followup ${code}: no progress (${JSON.stringify(got)})`);
	}
} finally {
	await browser.close();
}
