// run.mjs: Trygg's browser test. Drives Debian's chromium (/usr/bin/chromium, or
// $CHROMIUM) with playwright-core, never a downloaded browser:
//
//	node web/e2e/run.mjs BASEURL OUTDIR
//
// with the moderator's account in $E2E_MODERATOR_EMAIL and $E2E_MODERATOR_PASSWORD.
// A resident marks a place on the map and sends a report, sees the confirmation with
// the follow-up link and the erasure code, and opens the status page; a moderator signs
// in at /moderation and publishes it with the keyboard; a new visitor's map shows it,
// with no restart. Every view is saved as a screenshot in OUTDIR; any console error or
// uncaught exception fails the run. It prints the resident page's transfer size (the
// bytes on the wire, gzipped where the server compresses) and the time until the map's
// first idle. web/e2e/e2e_test.go runs it against a real server.
import { chromium } from 'playwright-core';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [base, outDir] = process.argv.slice(2);
if (!base || !outDir) {
	console.error('usage: node run.mjs BASEURL OUTDIR');
	process.exit(2);
}
const email = process.env.E2E_MODERATOR_EMAIL;
const password = process.env.E2E_MODERATOR_PASSWORD;
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
if (!existsSync(executablePath)) {
	console.error(`e2e: ${executablePath} is missing: apt-get install -y --no-install-recommends chromium`);
	process.exit(3);
}
mkdirSync(outDir, { recursive: true });

// A place in Vara's town centre (kommun 1470).
const place = { lon: 12.9556, lat: 58.2612 };
const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, locale: 'sv-SE' };
const desktop = { viewport: { width: 1366, height: 860 }, locale: 'sv-SE' };
const timeout = 30_000;

const problems = [];
const step = (msg) => console.log(`e2e: ${msg}`);

function watch(page, name) {
	page.setDefaultTimeout(timeout);
	page.on('console', (m) => {
		if (m.type() === 'error') problems.push(`${name}: console error: ${m.text()} (${m.location()?.url || ''})`);
	});
	page.on('pageerror', (e) => problems.push(`${name}: uncaught: ${e.message}`));
	page.on('requestfailed', (r) => {
		// Requests a navigation cancels are not failures of the app.
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
		if (!m.isMoving() && m.loaded()) {
			m.once('idle', resolve);
			m.triggerRepaint();
		} else m.once('idle', resolve);
	}));
}

const browser = await chromium.launch({
	executablePath,
	headless: true,
	// playwright-core gives every launch a fresh, temporary --user-data-dir.
	args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
		'--disable-background-networking', '--disable-component-update', '--disable-sync',
		'--enable-unsafe-swiftshader'],
});
let failed = false;
try {
	// 1. The resident page: transfer size and time until the map is idle.
	const resident = await browser.newContext(phone);
	const page = watch(await resident.newPage(), 'resident');
	// Every response of the page and of MapLibre's worker (its tiles): body bytes as
	// received (encoded) plus headers.
	const sizes = [];
	// (Chromium reports no body size for the worker's own script: its Content-Length,
	// which is the gzipped length when gzipped, stands in.)
	const count = (r) => sizes.push((async () => {
		const s = await r.sizes().catch(() => ({ responseBodySize: 0, responseHeadersSize: 0 }));
		const length = Number((await r.response())?.headers()['content-length'] || 0);
		return { url: r.url(), n: Math.max(s.responseBodySize, length) + s.responseHeadersSize };
	})());
	page.on('requestfinished', count);
	await page.goto(`${base}/`);
	await page.waitForFunction(() => window.trygg?.idleMs > 0, null, { timeout });
	await mapIdle(page);
	page.off('requestfinished', count);
	const idleMs = await page.evaluate(() => window.trygg.idleMs);
	const got = await Promise.all(sizes);
	const bytes = got.reduce((a, b) => a + b.n, 0);
	const tiles = got.filter((g) => g.url.includes('.mvt')).length;
	const figures = `resident page transfer ${(bytes / 1024).toFixed(0)} KiB in ${got.length} responses (${tiles} tiles; target ≤ 2048 KiB gzipped); map idle after ${idleMs} ms`;
	console.log(`e2e: ${figures}`);
	writeFileSync(join(outDir, 'figures.txt'), `${figures}\n`);
	if (process.env.E2E_VERBOSE) for (const g of got) console.log(`e2e:   ${g.n}\t${g.url}`);
	if (bytes > 2 * 1024 * 1024) problems.push(`resident page transfer ${bytes} bytes is above 2 MiB`);
	await shot(page, '01-resident-map');

	// 2. Mark a place: "Markera en plats", then a tap on the map.
	await page.evaluate(({ lon, lat }) => window.trygg.map.jumpTo({ center: [lon, lat], zoom: 15 }), place);
	await mapIdle(page);
	await page.getByRole('button', { name: 'Markera en plats' }).click();
	await shot(page, '02-resident-place');
	const box = await page.locator('.map canvas').boundingBox();
	await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
	await page.getByRole('group', { name: 'Vad gäller det?' }).waitFor();
	await page.locator('.cat label', { hasText: 'Dålig belysning' }).click();
	await page.locator('.feelings label', { hasText: /^Otryggt$/ }).click();
	await page.locator('.when label', { hasText: 'Kväll (18–22)' }).click();
	if (!(await page.getByRole('radio', { name: 'Dålig belysning' }).isChecked())) throw new Error('the category radio is not checked by its label');
	await page.getByLabel('Beskriv gärna platsen (valfritt)').fill('Mörk gångtunnel under järnvägen, lamporna är trasiga.');
	await shot(page, '03-resident-form');
	await page.getByRole('button', { name: 'Skicka rapporten' }).click();
	const token = (await page.getByTestId('erasure-token').textContent()).trim();
	const followUp = await page.getByTestId('follow-up').getAttribute('href');
	const id = followUp.match(/\/rapport\/([0-9a-f-]{36})/)[1];
	if (!token) throw new Error('no erasure token shown');
	step(`report ${id} sent; follow-up ${followUp.replace(/#.*/, '#…')}`);
	await shot(page, '04-resident-confirmation');

	// 3. The status page: received.
	await page.getByTestId('follow-up').click();
	await page.locator('.steps[data-status=received]').waitFor();
	await shot(page, '05-status-received');

	// 4. English toggle.
	await page.getByRole('button', { name: 'Switch to English' }).click();
	await page.getByRole('heading', { name: 'Your report' }).waitFor();
	await shot(page, '06-status-english');
	await page.getByRole('button', { name: 'Byt till svenska' }).click();
	await page.getByRole('heading', { name: 'Din rapport' }).waitFor();

	// 5. The moderator signs in and publishes it with the keyboard (P).
	const staff = await browser.newContext(desktop);
	const mod = watch(await staff.newPage(), 'moderation');
	await mod.goto(`${base}/moderation`);
	await mod.getByLabel('E-postadress').fill(email);
	await mod.getByLabel('Lösenord').fill(password);
	await shot(mod, '07-moderation-signin');
	await mod.getByRole('button', { name: 'Logga in' }).click();
	const item = mod.locator(`.queue-item[data-id="${id}"]`);
	await item.waitFor();
	await item.click();
	await mapIdle(mod);
	await shot(mod, '08-moderation-queue');
	await item.focus();
	await mod.keyboard.press('p');
	await mod.getByText('Rapporten är publicerad.').waitFor();
	await mod.locator(`.queue-item[data-id="${id}"]`).waitFor({ state: 'detached' });
	await shot(mod, '09-moderation-published');

	// 6. The planner placeholder (signed in as staff).
	await mod.goto(`${base}/planner`);
	await mod.locator('[data-todo=planner]').waitFor();
	await mapIdle(mod);
	await shot(mod, '10-planner-placeholder');

	// 7. A new visitor (no cache) sees the published report on the map, same server.
	const visitor = await browser.newContext(phone);
	const pub = watch(await visitor.newPage(), 'public');
	await pub.goto(`${base}/#16/${place.lat}/${place.lon}`);
	await pub.waitForFunction(() => window.trygg?.idleMs > 0, null, { timeout });
	await mapIdle(pub);
	const found = await pub.waitForFunction((rid) => {
		const fs = window.trygg.map.queryRenderedFeatures({ layers: ['reports'] });
		return fs.some((f) => f.properties.id === rid);
	}, id, { timeout: 15_000 }).then(() => true, () => false);
	await shot(pub, '11-public-map-published');
	if (!found) problems.push(`report ${id} is not on the public map after publishing`);
	else step('the published report is on the public map');

	// 8. The resident's status page now says published.
	await page.reload();
	await page.locator('.steps[data-status=published]').waitFor();
	await shot(page, '12-status-published');
} catch (err) {
	failed = true;
	console.error(`e2e: FAILED: ${err.stack || err}`);
} finally {
	await browser.close();
}
for (const p of problems) console.error(`e2e: ${p}`);
if (failed || problems.length) process.exit(1);
step('ok');
