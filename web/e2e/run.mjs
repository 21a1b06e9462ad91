// run.mjs: Trygg's browser test. Drives Debian's chromium (/usr/bin/chromium, or
// $CHROMIUM) with playwright-core, never a downloaded browser:
//
//	node web/e2e/run.mjs BASEURL OUTDIR
//
// with the moderator's account in $E2E_MODERATOR_EMAIL and $E2E_MODERATOR_PASSWORD and
// the planner's in $E2E_PLANNER_EMAIL and $E2E_PLANNER_PASSWORD, the police officer's
// in $E2E_POLICE_EMAIL and $E2E_POLICE_PASSWORD.
// A resident marks a place on the map and sends a report, sees the confirmation with
// the follow-up link and the erasure code, and opens the status page; a moderator signs
// in at /moderation and publishes it with the keyboard; a planner signs in at /planner,
// sees the hotspot map, filters it, opens the top hotspot's profile, saves the analysis
// and a place, and records a safety walk; a police officer reads the public follow-up of
// Vara's promise, plans a patrol at /planner, records a visit and sees the commitment's
// count rise in the staff follow-up; a new visitor's map shows the report, with no
// restart. Every view is saved as a screenshot in OUTDIR; any console error or
// uncaught exception fails the run. It prints the resident page's transfer size (the
// bytes on the wire, gzipped where the server compresses) and the time until the map's
// first idle. web/e2e/e2e_test.go runs it against a real server.
import { launch } from './browser.mjs';
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
const policeEmail = process.env.E2E_POLICE_EMAIL;
const policePassword = process.env.E2E_POLICE_PASSWORD;
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
// Console errors a step expects (the browser logs every 4xx answer), as [page, RegExp on text and URL].
const expected = [];
const step = (msg) => console.log(`e2e: ${msg}`);

function watch(page, name) {
	page.setDefaultTimeout(timeout);
	page.on('console', (m) => {
		if (m.type() === 'error' && expected.some(([n, re]) => n === name && re.test(`${m.text()} ${m.location()?.url || ''}`))) return;
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

const browser = await launch();
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

	// 2a. Search for a place by keyboard (words in any order, a typo): the hit moves the map.
	const search = page.getByRole('combobox', { name: 'Sök plats, gata, adress eller hållplats' });
	await search.fill('resesentrum vara');
	await page.getByRole('option', { name: /Vara resecentrum/ }).first().waitFor();
	await search.press('ArrowDown');
	await search.press('Enter');
	await page.waitForFunction(() => {
		const c = window.trygg.map.getCenter();
		return Math.abs(c.lng - 12.9518) < 0.002 && Math.abs(c.lat - 58.2612) < 0.002;
	});
	step('search "resesentrum vara" flew the map to Vara resecentrum');

	// 2. Mark a place: "Markera en plats", then a tap on the map.
	await page.evaluate(({ lon, lat }) => window.trygg.map.jumpTo({ center: [lon, lat], zoom: 15 }), place);
	await mapIdle(page);
	await page.getByRole('button', { name: 'Markera en plats' }).click();
	await shot(page, '02-resident-place');
	const box = await page.locator('.map canvas').boundingBox();
	await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
	await page.getByRole('group', { name: 'Vad gäller det?' }).waitFor();
	// The form names the place from the gazetteer instead of coordinates.
	await page.getByTestId('place-line').filter({ hasText: 'Plats vald: vid Stora torget' }).waitFor();
	await page.locator('.cat label', { hasText: 'Dålig belysning' }).click();
	await page.locator('.feelings label', { hasText: /^Otryggt$/ }).click();
	await page.locator('.when label', { hasText: 'Kväll (18–22)' }).click();
	if (!(await page.getByRole('checkbox', { name: 'Dålig belysning' }).isChecked())) throw new Error('the category checkbox is not checked by its label');
	await page.getByLabel('Beskriv gärna platsen (valfritt)').fill('Mörk gångtunnel under järnvägen, lamporna är trasiga.');
	await shot(page, '03-resident-form');
	await page.getByRole('button', { name: 'Skicka rapporten' }).click();
	const token = (await page.getByTestId('erasure-token').textContent()).trim();
	const followUp = await page.getByTestId('follow-up').getAttribute('href');
	const id = followUp.match(/\/rapport\/([0-9a-f-]{36})/)[1];
	if (!token) throw new Error('no erasure token shown');
	const shortCode = (await page.getByTestId('short-code').textContent()).trim();
	if (!/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/.test(shortCode)) throw new Error(`short code "${shortCode}" is not XXXX-XXXX`);
	step(`report ${id} sent; follow-up ${followUp.replace(/#.*/, '#…')}`);
	await shot(page, '04-resident-confirmation');

	// 3. The status page: received.
	await page.getByTestId('follow-up').click();
	await page.locator('.steps[data-status=received]').waitFor();
	await shot(page, '05-status-received');

	// 4. The language menu: English and back.
	await page.getByRole('combobox', { name: 'Språk' }).selectOption('en');
	await page.getByRole('heading', { name: 'Your report' }).waitFor();
	await shot(page, '06-status-english');
	await page.getByRole('combobox', { name: 'Language' }).selectOption('sv');
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
	// The source is named in Swedish ("Invånare"), not by its code.
	await mod.locator('dd', { hasText: 'Invånare' }).first().waitFor();
	await item.focus();
	await mod.keyboard.press('p');
	await mod.getByText('Rapporten är publicerad.').waitFor();
	await mod.locator(`.queue-item[data-id="${id}"]`).waitFor({ state: 'detached' });
	await shot(mod, '09-moderation-published');

	// The published report's status page for someone else (no erasure token): "Rapport",
	// not "Din rapport", with the published text and the place.
	const stranger = await (await browser.newContext(phone)).newPage();
	await stranger.goto(`${base}/rapport/${id}`);
	await stranger.locator('.steps[data-status=published]').waitFor();
	const strangerTitle = (await stranger.getByTestId('status-title').textContent()).trim();
	const publishedText = (await stranger.getByTestId('status-text').textContent()).trim();
	await shot(stranger, '09b-status-stranger');
	if (strangerTitle !== 'Rapport') problems.push(`status page without the token is titled "${strangerTitle}", want "Rapport"`);
	else if (!publishedText.includes('gångtunnel')) problems.push(`status page shows the published text "${publishedText}"`);
	else step(`status page for someone else: "${strangerTitle}", published text "${publishedText.slice(0, 30)}…"`);
	const stepDates = await stranger.getByTestId('step-date').allTextContents();
	if (stepDates.length !== 2 || !stepDates.every((d) => /^\s?\d{4}-\d{2}-\d{2}$/.test(d))) problems.push(`status page step dates ${JSON.stringify(stepDates)}, want received and published as ÅÅÅÅ-MM-DD`);
	else step(`status page: received and published on ${stepDates.map((d) => d.trim()).join(', ')}`);
	// The short code written down leads to the same status page, with the code on it.
	await stranger.goto(`${base}/r/${shortCode.toLowerCase()}`);
	await stranger.locator('.steps[data-status=published]').waitFor();
	const codeShown = (await stranger.getByTestId('status-code').textContent()).trim();
	if (!stranger.url().endsWith(`/rapport/${id}`) || codeShown !== shortCode) problems.push(`/r/${shortCode} led to ${stranger.url()} showing code "${codeShown}"`);
	else step(`short code ${shortCode}: /r/… opens the status page, which shows the code`);
	await stranger.context().close();

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
	// Touch targets: every visible checkbox (the legend's layer switches) is at least 24 × 24 px.
	const [boxes, small] = await pl.evaluate(() => {
		const closed = [...document.querySelectorAll('details.legend:not([open])')];
		for (const d of closed) d.open = true;
		const bs = [...document.querySelectorAll('details.legend input[type=checkbox]')].map((e) => e.getBoundingClientRect());
		for (const d of closed) d.open = false;
		return [bs.length, bs.filter((b) => b.width < 24 || b.height < 24).length];
	});
	if (!boxes || small) problems.push(`planner: ${small} of ${boxes} legend checkboxes smaller than 24 × 24 px`);
	else step(`planner: the legend's ${boxes} layer checkboxes are at least 24 × 24 px`);

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
	// The planner's documents: the åtgärdsplan (HTML, new tab) lists the walk's action;
	// the lägesbild's PDF link answers a PDF. The links carry the session cookie.
	await pl.locator('details.documents summary').click();
	const planHref = await pl.getByRole('link', { name: 'Åtgärdsplan', exact: true }).getAttribute('href');
	const planResp = await pl.request.get(`${base}${planHref}`);
	const planText = await planResp.text();
	if (!planResp.ok() || !planText.includes('Åtgärdsplan – Vara') || !planText.includes('Byt armaturen')) {
		problems.push(`planner: the åtgärdsplan ${planHref} lacks Vara or the action (HTTP ${planResp.status()})`);
	}
	const pdfHref = await pl.locator('a[data-doc="lagesbild-pdf"]').getAttribute('href');
	const pdfResp = await pl.request.get(`${base}${pdfHref}`);
	if (!pdfResp.ok() || pdfResp.headers()['content-type'] !== 'application/pdf') {
		problems.push(`planner: the lägesbild PDF ${pdfHref} is not a PDF (HTTP ${pdfResp.status()})`);
	}
	step(`planner: documents ${planHref} and ${pdfHref}`);
	await mapIdle(pl);
	await shot(pl, '13-planner-walk');


	// 6b. The planner's camera register at /cameras: a new camera in Vara placed by a
	// click on the map, its view sector previewed live as the bearing slider moves,
	// saved; then the lifecycle refuses approval without a decision (409, said inline).
	const cam = watch(await plannerCtx.newPage(), 'cameras');
	await cam.goto(`${base}/cameras`);
	await cam.getByRole('heading', { name: 'Kamerabevakning', level: 1 }).waitFor();
	await cam.getByTestId('camera-attention').waitFor();
	await mapIdle(cam);
	await shot(cam, '14a-cameras-list');
	await cam.getByRole('button', { name: 'Ny kamera' }).click();
	await cam.evaluate(() => window.trygg.map.jumpTo({ center: [12.952, 58.2625], zoom: 17 }));
	await mapIdle(cam);
	const cbox = await cam.locator('.map canvas').boundingBox();
	await cam.mouse.click(cbox.x + cbox.width / 2, cbox.y + cbox.height / 2);
	await cam.getByTestId('camera-position').filter({ hasText: /Position: 58\.26/ }).waitFor();
	const sectorBefore = await cam.evaluate(() => JSON.stringify(window.trygg.cameraPreview || null));
	await cam.getByLabel('Namn', { exact: true }).fill('Torget öst');
	// The organisation is required, marked so, and prefilled with the planner's own.
	const org = cam.getByLabel('Ansvarig organisation');
	const orgValue = await org.inputValue();
	const orgMarked = await cam.locator('.field', { has: cam.locator('.req') }).filter({ hasText: 'Ansvarig organisation' }).count();
	if (!orgValue || !(await org.evaluate((e) => e.required)) || !orgMarked) problems.push(`cameras: the organisation field is not required, marked and prefilled ("${orgValue}", marked ${orgMarked})`);
	else step(`cameras: the organisation is required, marked and prefilled ("${orgValue}")`);
	await org.fill('Vara kommun');
	await cam.getByLabel('Syfte').fill('Förebygga skadegörelse på torget');
	await mapIdle(cam);
	await shot(cam, '14b-cameras-placed');
	const bearing = cam.getByLabel('Riktning (grader från norr)');
	await bearing.focus();
	for (let i = 0; i < 18; i++) await cam.keyboard.press('ArrowRight');
	await cam.locator('output.slider-value', { hasText: '90 °' }).waitFor();
	const sectorAfter = await cam.evaluate(() => JSON.stringify(window.trygg.cameraPreview || null));
	if (sectorBefore === 'null' || sectorBefore === sectorAfter) problems.push(`cameras: the preview sector did not change with the bearing (${sectorBefore.slice(0, 80)})`);
	else step('cameras: the preview sector turned with the bearing slider');
	await mapIdle(cam);
	await shot(cam, '14c-cameras-bearing');
	await cam.getByRole('button', { name: 'Spara kameran' }).click();
	await cam.getByTestId('camera-state').filter({ hasText: 'Föreslagen' }).waitFor();
	await mapIdle(cam);
	await shot(cam, '14d-cameras-saved');
	await cam.getByRole('button', { name: 'Markera som bedömd' }).click();
	await cam.getByTestId('camera-state').filter({ hasText: 'Bedömd' }).waitFor();
	expected.push(['cameras', /status of 409 .*\/api\/v1\/cameras\/[0-9a-f-]+\/transition$/]);
	await cam.getByRole('button', { name: 'Godkänn' }).click();
	const refusal = cam.getByTestId('transition-error');
	await refusal.filter({ hasText: 'beslutsdatum saknas' }).waitFor();
	step(`cameras: approval without a decision refused: ${(await refusal.textContent()).trim()}`);
	await cam.getByTestId('camera-operate').filter({ hasText: 'Får inte filma i dag' }).waitFor();
	step('cameras: the editor says the camera may not film today, and why');
	await shot(cam, '14e-cameras-refused');
	await cam.getByRole('button', { name: '← Alla kameror' }).click();
	await cam.locator('.cam-group[data-state=assessed] .cam-item', { hasText: 'Torget öst' }).filter({ hasText: 'Inget beslut' }).waitFor();
	await mapIdle(cam);
	await shot(cam, '14f-cameras-list-grouped');

	// The planner sets Vara's own skolavslutning in the follow-up's risk calendar.
	{
		const rc = watch(await plannerCtx.newPage(), 'risk-calendar');
		await rc.goto(`${base}/followup`);
		await rc.getByTestId('promise-title').waitFor();
		await rc.locator('.risk-calendar > summary').click();
		await rc.locator('[data-testid=risk-calendar] li[data-risk-key="skolavslutning"]').waitFor();
		const year = (await rc.locator('.risk-calendar > summary').textContent()).match(/\d{4}/)[0];
		await rc.locator('input[name="skolavslutning-from"]').fill(`${year}-06-10`);
		await rc.locator('input[name="skolavslutning-to"]').fill(`${year}-06-10`);
		await rc.getByRole('button', { name: 'Spara datumen' }).click();
		const own = rc.locator('[data-testid=risk-calendar] li[data-risk-key="skolavslutning"]', { hasText: 'kommunens datum' });
		await own.waitFor();
		step(`risk calendar: the planner set skolavslutning: ${(await own.textContent()).trim()}`);
		if (!(await own.textContent()).startsWith(`${year}-06-10`)) problems.push(`risk calendar: ${await own.textContent()}`);
		await shot(rc, '14g-risk-calendar-own-date');
		await rc.close();
	}

	// 6b. The police: the public follow-up of Vara's promise of this year (no sign-in),
	// a patrol planned in Vara at /planner (the shift of the last hours, over the seeded
	// cluster) linked to the promise's foot-patrol commitment, a visit recorded at stop
	// 1, and the staff follow-up with that commitment's achieved count one higher.
	const promiseTitle = `Medborgarlöfte Vara ${new Date().getFullYear()}`;
	const policeCtx = await browser.newContext(desktop);
	const po = watch(await policeCtx.newPage(), 'police');
	const openPromise = async () => {
		const opt = po.getByTestId('promise-picker').locator('option', { hasText: promiseTitle }).first();
		await opt.waitFor({ state: 'attached' });
		await po.getByTestId('promise-picker').selectOption(await opt.getAttribute('value'));
		await po.getByTestId('promise-title').filter({ hasText: promiseTitle }).waitFor();
		await po.waitForFunction(() => !document.querySelector('[data-testid=commitments][aria-busy]'));
		return Number(await po.locator('.commitment[data-kind="foot-patrol"] [data-testid=achieved]').first().textContent());
	};
	await po.goto(`${base}/followup`);
	const achievedBefore = await openPromise();
	if (await po.locator('.who').count()) problems.push('followup: the public view shows a signed-in user');
	const bars = await po.locator('.commitment .progress-bar').count();
	if (!bars) problems.push('followup: no progress bar');
	await mapIdle(po);
	await shot(po, '17a-followup-public-before');
	step(`followup (public): foot-patrol commitment achieved ${achievedBefore}, ${bars} progress bars`);
	// Vetlanda 2020–2021: the campaign commitment lists its risk dates, each with or without an activity.
	{
		const vt = po.getByTestId('promise-picker').locator('option', { hasText: 'Vetlanda kommun 2020–2021' }).first();
		await po.getByTestId('promise-picker').selectOption(await vt.getAttribute('value'));
		const rd = po.locator('.commitment[data-kind="information-campaign"] [data-testid=risk-dates]');
		await rd.locator('summary').click();
		const covered = await rd.locator('li[data-risk-status="covered"]').count();
		const valborg = await rd.locator('li[data-risk-key="valborg"][data-risk-status="covered"]').count();
		step(`followup (public): Vetlanda's campaign covers ${covered} of ${await rd.locator('li').count()} risk dates`);
		if (covered < 12 || valborg !== 2) problems.push(`followup: Vetlanda's risk dates: ${covered} covered, valborg ${valborg}`);
		await shot(po, '17a2-followup-risk-dates');
		// The year's risk calendar of the promise's municipality, opened (2021: the period's last year).
		await po.locator('.risk-calendar > summary').click();
		await po.locator('[data-testid=risk-calendar] li[data-risk-key="valborg"]').waitFor();
		const cal = await po.locator('[data-testid=risk-calendar] li').allTextContents();
		step(`followup (public): risk calendar ${cal.length} risk dates, ${cal.find((x) => x.includes('Midsommar'))}`);
		if (!cal.some((x) => x.startsWith('2021-06-25 · Midsommar'))) problems.push(`followup: risk calendar 2021: ${cal.join(' | ')}`);
		if (await po.locator('.risk-calendar form button').count()) problems.push('followup: the public may edit the risk calendar');
	}

	await po.goto(`${base}/planner`);
	await po.getByLabel('E-postadress').fill(policeEmail);
	await po.getByLabel('Lösenord').fill(policePassword);
	await po.getByRole('button', { name: 'Logga in' }).click();
	await po.getByRole('tab', { name: 'Patrull' }).click();
	const pp = po.locator('#panel-patrol');
	await pp.getByLabel('Kommun').selectOption('1470');
	const shift = await po.evaluate(() => {
		const p = (n) => String(n).padStart(2, '0');
		const f = (d) => `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
		const n = Date.now();
		return [f(new Date(n - 5 * 3600e3)), f(new Date(n - 3600e3))];
	});
	await pp.getByLabel('Passet börjar').fill(shift[0]);
	await pp.getByLabel('Passet slutar').fill(shift[1]);
	const commitSel = pp.getByLabel('Åtagande (fotpatrull) som besöken räknas mot');
	const copt = commitSel.locator('option', { hasText: promiseTitle }).first();
	await copt.waitFor({ state: 'attached' });
	await commitSel.selectOption(await copt.getAttribute('value'));
	await po.waitForFunction(() => window.trygg?.map);
	await po.evaluate(() => window.trygg.map.jumpTo({ center: [12.952, 58.2615], zoom: 15 }));
	await mapIdle(po);
	await pp.getByRole('button', { name: 'Välj på kartan' }).click();
	const pbox = await po.locator('.map canvas').boundingBox();
	await po.mouse.click(pbox.x + pbox.width / 2, pbox.y + pbox.height / 2);
	await pp.getByTestId('patrol-start').filter({ hasNotText: 'Ingen vald' }).waitFor();
	await shot(po, '17b-patrol-form');
	await pp.getByRole('button', { name: 'Planera patrullen' }).click();
	await pp.getByTestId('patrol-plan').waitFor();
	const nStops = await pp.locator('.patrol-stops > li').count();
	step(`patrol: ${await pp.getByTestId('patrol-plan').textContent()}, ${nStops} stops listed`);
	if (!nStops) throw new Error('patrol: the plan has no stops');
	const markers = await po.locator('.stop-marker').count();
	if (markers !== nStops) problems.push(`patrol: ${markers} numbered markers for ${nStops} stops`);
	const gpx = await pp.getByRole('link', { name: 'Ladda ner GPX' }).getAttribute('href');
	const gpxResp = await po.request.get(`${base}${gpx}`);
	if (!gpxResp.ok() || !(await gpxResp.text()).includes('<gpx')) problems.push(`patrol: ${gpx} is not GPX (HTTP ${gpxResp.status()})`);
	const print = await pp.getByRole('link', { name: 'Skriv ut planen' }).getAttribute('href');
	const printResp = await po.request.get(`${base}${print}`);
	if (!printResp.ok() || !(printResp.headers()['content-type'] || '').includes('text/html')) problems.push(`patrol: ${print} is not a page (HTTP ${printResp.status()})`);
	await mapIdle(po);
	await shot(po, '17c-patrol-plan');
	const stop1 = pp.locator('.patrol-stops > li[data-seq="1"]');
	await stop1.getByRole('button', { name: 'Registrera besök' }).click();
	await stop1.getByTestId('visit-recorded').waitFor();
	await po.getByText('Besöket vid stopp 1 är registrerat.').waitFor();
	await shot(po, '17d-patrol-visit');

	await po.goto(`${base}/followup`);
	await po.locator('.who').waitFor();
	const achievedAfter = await openPromise();
	step(`followup (staff): foot-patrol commitment achieved ${achievedBefore} → ${achievedAfter}`);
	if (achievedAfter !== achievedBefore + 1) problems.push(`followup: achieved went from ${achievedBefore} to ${achievedAfter}, not one higher`);
	await po.locator('.commitment[data-kind="foot-patrol"] .commitment-item').first().click();
	await mapIdle(po);
	const acts = await po.evaluate(() => window.trygg.map.querySourceFeatures('fu-activities').length);
	if (!acts) problems.push('followup: no activity on the map');
	await shot(po, '17e-followup-staff-after');

	// Staff correct an activity (the visit counts three) and delete it.
	const fp = po.locator('.commitment[data-kind="foot-patrol"]').first();
	const achievedNow = async (want) => {
		await po.waitForFunction((w) => Number(document.querySelector('.commitment[data-kind="foot-patrol"] [data-testid=achieved]')?.textContent) === w,
			want, { timeout }).catch(() => {});
		return Number(await fp.getByTestId('achieved').textContent());
	};
	await fp.locator('.activity-edit-list > summary').click();
	await fp.getByTestId('activity-edit').first().click();
	await fp.getByTestId('activity-form').getByLabel('Antal').fill('3');
	await fp.getByRole('button', { name: 'Spara aktiviteten' }).click();
	const achievedEdited = await achievedNow(achievedAfter + 2);
	step(`followup (staff): the visit edited to count 3, achieved ${achievedAfter} → ${achievedEdited}`);
	if (achievedEdited !== achievedAfter + 2) problems.push(`followup: after the edit achieved is ${achievedEdited}, want ${achievedAfter + 2}`);
	po.once('dialog', (d) => d.accept());
	await po.locator('.commitment[data-kind="foot-patrol"]').first().locator('.activity-edit-list > summary').click();
	await po.locator('.commitment[data-kind="foot-patrol"]').first().getByTestId('activity-delete').first().click();
	const achievedDeleted = await achievedNow(achievedAfter - 1);
	step(`followup (staff): the visit deleted, achieved ${achievedEdited} → ${achievedDeleted}`);
	if (achievedDeleted !== achievedAfter - 1) problems.push(`followup: after the delete achieved is ${achievedDeleted}, want ${achievedAfter - 1}`);
	await shot(po, '17f-followup-staff-corrected');

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
