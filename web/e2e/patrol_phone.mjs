// patrol_phone.mjs: the patrol tab for an officer on a phone (390×844, touch), in
// Debian's chromium with playwright-core:
//
//	node web/e2e/patrol_phone.mjs BASEURL OUTDIR
//
// with the police officer's account in $E2E_POLICE_EMAIL and $E2E_POLICE_PASSWORD.
// The officer opens /planner's patrol tab: the legend is closed and below the map, the
// panel fits the screen's width, municipalities are listed by name and choosing one
// moves the map to it; "Använd min position" (the browser's geolocation, granted)
// sets the start; the plan's stops are named by their places with their most active
// hours, the GPX and print links are at least 44×44 CSS px, and "Registrera besök"
// records the visit with departure now. A start outside the municipality gives a plan
// without stops that says why. Screenshots go to OUTDIR (20*-phone-patrol-*.png); a
// console error or uncaught exception fails the run. web/e2e/phone_test.go runs it.
import { launch } from './browser.mjs';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [base, outDir] = process.argv.slice(2);
if (!base || !outDir) {
	console.error('usage: node patrol_phone.mjs BASEURL OUTDIR');
	process.exit(2);
}
const policeEmail = process.env.E2E_POLICE_EMAIL;
const policePassword = process.env.E2E_POLICE_PASSWORD;
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
if (!existsSync(executablePath)) {
	console.error(`e2e: ${executablePath} is missing: apt-get install -y --no-install-recommends chromium`);
	process.exit(3);
}
mkdirSync(outDir, { recursive: true });

// The officer stands in Vara's town centre, by the seeded cluster.
const here = { latitude: 58.2615, longitude: 12.952, accuracy: 10 };
const gothenburg = { latitude: 57.7089, longitude: 11.9746, accuracy: 10 };
const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, locale: 'sv-SE',
	geolocation: here, permissions: ['geolocation'] };
const timeout = 30_000;
const problems = [];
const step = (msg) => console.log(`e2e: ${msg}`);

function watch(page, name) {
	page.setDefaultTimeout(timeout);
	page.on('console', (m) => { if (m.type() === 'error') problems.push(`${name}: console error: ${m.text()} (${m.location()?.url || ''})`); });
	page.on('pageerror', (e) => problems.push(`${name}: uncaught: ${e.message}`));
	page.on('requestfailed', (r) => {
		if (!/ERR_ABORTED/.test(r.failure()?.errorText || '')) problems.push(`${name}: request failed: ${r.url()} ${r.failure()?.errorText}`);
	});
	return page;
}

async function shot(page, name) {
	await page.screenshot({ path: join(outDir, `${name}.png`), fullPage: false });
	step(`screenshot ${name}.png`);
}

async function mapIdle(page) {
	await page.waitForFunction(() => window.trygg?.map && window.trygg.map.loaded() && window.trygg.map.areTilesLoaded(), null, { timeout });
	await page.evaluate(() => new Promise((resolve) => {
		const m = window.trygg.map;
		m.once('idle', resolve);
		m.triggerRepaint();
	}));
}

const overlaps = (a, b) => a && b && a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

const browser = await launch();
let failed = false;
try {
	const ctx = await browser.newContext(phone);
	const po = watch(await ctx.newPage(), 'police-phone');
	await po.goto(`${base}/planner`);
	await po.getByLabel('E-postadress').fill(policeEmail);
	await po.getByLabel('Lösenord').fill(policePassword);
	await po.getByRole('button', { name: 'Logga in' }).click();
	await po.getByRole('tab', { name: 'Patrull' }).click();
	const pp = po.locator('#panel-patrol');
	await pp.getByRole('button', { name: 'Använd min position' }).waitFor();
	await po.waitForFunction(() => window.trygg?.map);
	await mapIdle(po);

	// The legend: closed, and not over the map.
	const legend = po.locator('details.map-legend');
	if (await legend.evaluate((d) => d.open)) problems.push('phone: the legend starts open');
	const mapBox = await po.locator('.map canvas').boundingBox();
	if (overlaps(await legend.boundingBox(), mapBox)) problems.push('phone: the legend lies over the map');
	// The panel fits the screen: no sideways scrolling, the form within 390 px.
	const widths = await po.evaluate(() => ({ doc: document.documentElement.scrollWidth,
		side: document.querySelector('.planner-side').scrollWidth - document.querySelector('.planner-side').clientWidth,
		panel: document.querySelector('#panel-patrol').getBoundingClientRect().right,
		form: Math.max(...[...document.querySelectorAll('#panel-patrol input, #panel-patrol select, #panel-patrol button')]
			.map((e) => e.getBoundingClientRect().right)) }));
	step(`phone: document ${widths.doc} px wide, side panel overflows by ${widths.side} px, panel right edge ${Math.round(widths.panel)} px, widest control ${Math.round(widths.form)} px`);
	if (widths.doc > 390 || widths.side > 0 || widths.panel > 390.5 || widths.form > 390.5) problems.push(`phone: the patrol panel does not fit 390 px: ${JSON.stringify(widths)}`);

	// Municipalities by name; choosing one moves the map to it.
	const muni = pp.getByLabel('Kommun');
	await muni.locator('option', { hasText: 'Vara' }).first().waitFor({ state: 'attached' });
	const names = await muni.locator('option').allTextContents();
	step(`phone: municipalities ${names.join(', ')}`);
	if (names.some((n) => /^\d{4}$/.test(n))) problems.push(`phone: municipalities by code: ${names.join(', ')}`);
	const centre = () => po.evaluate(() => window.trygg.map.getCenter().toArray());
	await muni.selectOption({ label: 'Lidköping' });
	const inLidkoping = await centre();
	await muni.selectOption({ label: 'Vara' });
	const inVara = await centre();
	step(`phone: map centre Lidköping ${inLidkoping.map((v) => v.toFixed(3))}, Vara ${inVara.map((v) => v.toFixed(3))}`);
	if (!(inLidkoping[1] > 58.35) || !(inVara[1] < 58.35 && inVara[0] > 12.7 && inVara[0] < 13.3)) {
		problems.push(`phone: the map did not move with the municipality: ${inLidkoping} then ${inVara}`);
	}
	await shot(po, '20a-phone-patrol-tab');

	// The start from the phone's position.
	await pp.getByRole('button', { name: 'Använd min position' }).click();
	await pp.getByTestId('patrol-start').filter({ hasText: 'Din position' }).waitFor();
	const shift = await po.evaluate(() => {
		const p = (n) => String(n).padStart(2, '0');
		const f = (d) => `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
		const n = Date.now();
		return [f(new Date(n - 5 * 3600e3)), f(new Date(n - 3600e3))];
	});
	await pp.getByLabel('Passet börjar').fill(shift[0]);
	await pp.getByLabel('Passet slutar').fill(shift[1]);
	await pp.getByLabel('Antal stopp (1–8)').fill('3');
	await pp.getByTestId('patrol-start').scrollIntoViewIfNeeded();
	await shot(po, '20b-phone-patrol-form');
	await pp.getByRole('button', { name: 'Planera patrullen' }).click();
	await pp.getByTestId('patrol-plan').waitFor();
	const nStops = await pp.locator('.patrol-stops > li').count();
	step(`phone: ${await pp.getByTestId('patrol-plan').textContent()}`);
	if (!nStops) throw new Error(`phone: no stops: ${await pp.locator('.patrol-result').textContent()}`);
	const stopNames = await pp.locator('.patrol-stops .stop-name').allTextContents();
	const whys = await pp.getByTestId('stop-why').allTextContents();
	step(`phone: stops ${stopNames.join(' | ')}; ${whys.join(' | ')}`);
	if (stopNames.some((n) => /Hotspot/.test(n))) problems.push(`phone: stops named Hotspot: ${stopNames}`);
	const bare = stopNames.map((n) => n.replace(/^\d+\. /, ''));
	if (new Set(bare).size !== bare.length) problems.push(`phone: two stops at one place: ${stopNames}`);
	if (!whys.every((w) => /rapporter/.test(w))) problems.push(`phone: a stop without why: ${whys}`);
	if (await legend.evaluate((d) => d.open)) problems.push('phone: the legend is open over the plan');
	if (/\bnull\b|undefined/.test(await pp.locator('.patrol-result').textContent())) problems.push('phone: the plan shows null or undefined');
	// GPX and print are touch-sized.
	for (const name of ['Ladda ner GPX', 'Skriv ut planen']) {
		const b = await pp.getByRole('link', { name }).boundingBox();
		step(`phone: "${name}" ${Math.round(b.width)}×${Math.round(b.height)} px`);
		if (b.width < 44 || b.height < 44) problems.push(`phone: "${name}" is ${b.width}×${b.height} px, under 44×44`);
	}
	await pp.getByTestId('patrol-plan').scrollIntoViewIfNeeded();
	await shot(po, '20c-phone-patrol-plan');
	// The map with the route: the stops' markers within the map, the legend not over it.
	await po.locator('.map').scrollIntoViewIfNeeded();
	await mapIdle(po);
	const mapNow = await po.locator('.map canvas').boundingBox();
	const legendNow = await legend.boundingBox();
	if (overlaps(legendNow, mapNow)) problems.push('phone: the legend covers the route');
	const inside = await po.evaluate(() => {
		const c = document.querySelector('.map canvas').getBoundingClientRect();
		return [...document.querySelectorAll('.stop-marker .num')].every((e) => {
			const r = e.getBoundingClientRect();
			return r.left >= c.left && r.right <= c.right && r.top >= c.top && r.bottom <= c.bottom;
		});
	});
	if (!inside) problems.push('phone: a stop lies outside the map after fitting the plan');
	await shot(po, '20d-phone-patrol-map');

	// "Registrera besök" on the spot: departure now.
	const stop1 = pp.locator('.patrol-stops > li[data-seq="1"]');
	await stop1.scrollIntoViewIfNeeded();
	const visitResp = po.waitForResponse((r) => r.url().includes('/stops/1/visit') && r.request().method() === 'POST');
	await stop1.getByRole('button', { name: 'Registrera besök' }).click();
	const resp = await visitResp;
	const out = await resp.json();
	const lag = Math.abs(Date.parse(out.stop?.departed_at) - Date.now());
	step(`phone: visit recorded HTTP ${resp.status()}, departure ${out.stop?.departed_at} (${Math.round(lag / 1000)} s from now)`);
	if (resp.status() !== 201 || !(lag < 3 * 60e3)) problems.push(`phone: the visit's departure is not now: ${JSON.stringify(out.stop)}`);
	await stop1.getByTestId('visit-recorded').waitFor();
	await shot(po, '20e-phone-patrol-visit');

	// A start in Gothenburg: no stops, and the plan says why.
	await ctx.setGeolocation(gothenburg);
	await pp.getByRole('button', { name: 'Använd min position' }).click();
	await po.waitForFunction(() => (document.querySelector('[data-testid=patrol-start]')?.dataset.start || '').startsWith('11.97'));
	await pp.getByRole('button', { name: 'Planera patrullen' }).click();
	const why = pp.getByTestId('patrol-no-stops');
	await why.waitFor();
	const code = await why.getAttribute('data-code');
	const text = (await why.textContent()).trim();
	step(`phone: no stops (${code}): ${text}`);
	if (code !== 'start_outside' || !/utanför Vara kommun/.test(text)) problems.push(`phone: no reason for a plan without stops: ${code} ${text}`);
	await why.scrollIntoViewIfNeeded();
	await shot(po, '20f-phone-patrol-no-stops');
} catch (err) {
	failed = true;
	console.error(`e2e: FAILED: ${err.stack || err}`);
} finally {
	await browser.close();
}
for (const p of problems) console.error(`e2e: ${p}`);
if (failed || problems.length) process.exit(1);
step('ok');
