// run.mjs: Trygg's browser test. Drives Debian's chromium (/usr/bin/chromium, or
// $CHROMIUM) with playwright-core, never a downloaded browser:
//
//	node web/e2e/run.mjs BASEURL OUTDIR
//
// with the moderator's account in $E2E_MODERATOR_EMAIL and $E2E_MODERATOR_PASSWORD and
// the planner's in $E2E_PLANNER_EMAIL and $E2E_PLANNER_PASSWORD.
// A resident marks a place on the map and sends a report, sees the confirmation with
// the follow-up link and the erasure code, and opens the status page; a moderator signs
// in at /moderation and publishes it with the keyboard; a planner signs in at /planner,
// sees the hotspot map, filters it, opens the top hotspot's profile, saves the analysis
// and a place, and records a safety walk; a new visitor's map shows the report, with no
// restart. Every view is saved as a screenshot in OUTDIR; any console error or
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
const plannerEmail = process.env.E2E_PLANNER_EMAIL;
const plannerPassword = process.env.E2E_PLANNER_PASSWORD;
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

	// 6. A planner signs in at /planner: the hotspot map of Vara (seeded reports), a
	// filter that changes the ranked list, the top hotspot's hour × weekday profile, and
	// a safety walk with a drawn route, an observation and an action.
	const plannerCtx = await browser.newContext(desktop);
	const pl = watch(await plannerCtx.newPage(), 'planner');
	await pl.goto(`${base}/planner`);
	await pl.getByLabel('E-postadress').fill(plannerEmail);
	await pl.getByLabel('Lösenord').fill(plannerPassword);
	await pl.getByRole('button', { name: 'Logga in' }).click();
	const summary = pl.getByTestId('hotspot-summary');
	await pl.locator('.hotspot-item').first().waitFor();
	await pl.waitForFunction(() => !document.querySelector('#panel-hotspots[aria-busy]'));
	await mapIdle(pl);
	const before = await summary.textContent();
	const drawn = await pl.evaluate(() => ({
		cells: window.trygg.map.querySourceFeatures('pl-cells').length,
		hotspots: window.trygg.map.queryRenderedFeatures({ layers: ['pl-hotspots'] }).length,
	}));
	const listed = await pl.locator('.hotspot-item').count();
	step(`planner: ${before}; ${listed} listed, ${drawn.hotspots} hotspot outlines and ${drawn.cells} cell features on the map`);
	if (!drawn.cells || !drawn.hotspots) problems.push(`planner: the map shows no cells or hotspots (${JSON.stringify(drawn)})`);
	await shot(pl, '10-planner-hotspots');

	// A filter: only poor lighting. The list and the summary change.
	await pl.locator('details.category summary').click();
	await pl.getByRole('checkbox', { name: 'Dålig belysning' }).check();
	await pl.waitForFunction((b) => {
		const s = document.querySelector('[data-testid=hotspot-summary]')?.textContent;
		return s && s !== b && !document.querySelector('#panel-hotspots[aria-busy]');
	}, before);
	const after = await summary.textContent();
	step(`planner, poor lighting only: ${after}`);
	await mapIdle(pl);
	await shot(pl, '11-planner-filtered');

	// The top hotspot: its profile grid.
	await pl.locator('.hotspot-item[data-rank="1"]').click();
	await pl.getByTestId('profile-grid').waitFor();
	await pl.getByTestId('profile-grid').scrollIntoViewIfNeeded();
	if ((await pl.getByTestId('hotspot-detail').textContent()).includes('[object')) problems.push('planner: the hotspot detail shows "[object …]"');
	const filled = await pl.locator('[data-testid=profile-grid] rect:not([data-n="0"])').count();
	if (!filled) problems.push('planner: the top hotspot\'s profile grid has no filled cell');
	await mapIdle(pl);
	await shot(pl, '12-planner-hotspot-profile');

	// Save the analysis, then the hotspot as a place.
	await pl.getByRole('button', { name: 'Spara analys' }).click();
	await pl.getByTestId('run-saved').waitFor();
	await pl.getByLabel('Platsens namn').fill('Stationsområdet');
	await pl.getByRole('button', { name: 'Spara som plats' }).click();
	await pl.getByText('Platsen "Stationsområdet" är sparad.').waitFor();

	// A safety walk: create it, draw its route with three clicks, add an observation
	// and an action, and see the protocol link.
	await pl.getByRole('tab', { name: 'Trygghetsvandringar' }).click();
	await pl.getByLabel('Rubrik').fill('Kvällsvandring centrum');
	await pl.getByRole('button', { name: 'Skapa vandringen' }).click();
	await pl.getByTestId('walk-title').waitFor();
	await pl.evaluate(() => window.trygg.map.jumpTo({ center: [12.95, 58.262], zoom: 16 }));
	await mapIdle(pl);
	const mbox = await pl.locator('.map canvas').boundingBox();
	const at = (dx, dy) => pl.mouse.click(mbox.x + mbox.width / 2 + dx, mbox.y + mbox.height / 2 + dy);
	await pl.getByRole('button', { name: 'Rita rutten' }).click();
	await at(-120, 40);
	await at(0, 0);
	await at(140, -30);
	await pl.getByText('3 punkter ritade').waitFor();
	await pl.getByRole('button', { name: 'Spara rutten' }).click();
	await pl.getByText('Rutten har 3 punkter.').waitFor();
	await pl.getByRole('button', { name: 'Lägg till observation' }).click();
	await at(10, 10);
	await pl.getByLabel('Beskriv gärna platsen (valfritt)').fill('Trasig gatlykta vid gångvägen.');
	await pl.getByRole('button', { name: 'Spara observationen' }).click();
	await pl.locator('.obs-list li').first().waitFor();
	await pl.getByLabel('Åtgärd', { exact: true }).fill('Byt armaturen');
	await pl.getByLabel('Ansvarig').fill('Gatuavdelningen');
	await pl.getByLabel('Klart senast').fill('2030-06-30');
	await pl.getByLabel('Gäller').selectOption({ index: 1 });
	await pl.getByRole('button', { name: 'Lägg till åtgärd' }).click();
	await pl.locator('.action-list li', { hasText: 'Byt armaturen' }).waitFor();
	const protocol = await pl.getByRole('link', { name: 'Skriv ut protokollet' }).getAttribute('href');
	const resp = await pl.request.get(`${base}${protocol}`);
	if (!resp.ok() || !(await resp.text()).includes('Byt armaturen')) problems.push(`planner: the protocol ${protocol} lacks the action (HTTP ${resp.status()})`);
	await mapIdle(pl);
	await shot(pl, '13-planner-walk');


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
	await shot(pub, '15-public-map-published');
	if (!found) problems.push(`report ${id} is not on the public map after publishing`);
	else step('the published report is on the public map');

	// 8. The resident's status page now says published.
	await page.reload();
	await page.locator('.steps[data-status=published]').waitFor();
	await shot(page, '16-status-published');
} catch (err) {
	failed = true;
	console.error(`e2e: FAILED: ${err.stack || err}`);
} finally {
	await browser.close();
}
for (const p of problems) console.error(`e2e: ${p}`);
if (failed || problems.length) process.exit(1);
step('ok');
