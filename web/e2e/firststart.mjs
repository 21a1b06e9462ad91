// firststart.mjs BASE OUT: the resident page on a first start with the living demo and a
// test basemap: the map over Vara shows demo reports, and basemap features under them.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

const [base, out] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	headless: true,
	args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
		'--disable-background-networking', '--disable-component-update', '--disable-sync',
		'--enable-unsafe-swiftshader'],
});
try {
	const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
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
} finally {
	await browser.close();
}
