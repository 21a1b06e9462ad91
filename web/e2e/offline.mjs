// offline.mjs BASE OUT: the app on a bad connection (playwright's context.setOffline).
// (a) after one online visit the resident page reloads offline from the service
//     worker (the shell, the map and the form's categories, not Chromium's error page);
// (b) a report made offline shows "waiting", and once online it is sent, and its
//     receipt with the short code appears;
// (b2) a POST that reached the server but whose answer was lost is sent again from the
//     outbox with its Idempotency-Key and answered as a replay;
// (c) a report queued offline, the tab closed, then a new tab online: it is sent;
// (d) a walk leader's observation made offline is synced when the network returns;
// (e) the service worker sends a queued report by Background Sync with no page open.
// The descriptions are $E2E_DESC_B, $E2E_DESC_B2, $E2E_DESC_C, $E2E_DESC_D, $E2E_DESC_D2 and $E2E_DESC_E: the Go
// test (offline_test.go) counts the reports with each in the database (exactly one).
// The planner is $E2E_PLANNER_EMAIL / $E2E_PLANNER_PASSWORD.
import { launch } from './browser.mjs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [base, out] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const env = process.env;
const timeout = 30_000;
const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, locale: 'sv-SE', serviceWorkers: 'allow' };
const desktop = { viewport: { width: 1366, height: 860 }, locale: 'sv-SE', serviceWorkers: 'allow',
	geolocation: { latitude: 58.2605, longitude: 12.951, accuracy: 10 }, permissions: ['geolocation'] };
const waiting = 'Väntar på nätverk – skickas automatiskt';
const step = (msg) => console.log(`offline: ${msg}`);
const problems = [];

function watch(page, name) {
	page.setDefaultTimeout(timeout);
	page.on('pageerror', (e) => problems.push(`${name}: uncaught ${e.message}`));
	return page;
}

async function shot(page, name) {
	await page.screenshot({ path: join(out, `offline-${name}.png`) });
}

async function mapReady(page) {
	await page.waitForFunction(() => window.trygg?.map?.loaded(), null, { timeout });
}

// workerReady waits until the service worker is active and controls the page, and its
// activation (the warmed data cache) is done.
async function workerReady(page) {
	const until = Date.now() + timeout;
	for (;;) {
		const ok = await page.evaluate(async () => {
			const reg = await navigator.serviceWorker.getRegistration();
			return reg?.active?.state === 'activated' && !!navigator.serviceWorker.controller;
		});
		if (ok) return;
		if (Date.now() > until) throw new Error('the service worker did not activate');
		await page.waitForTimeout(250);
	}
}

// report marks the map's centre and sends a report with desc.
async function report(page, desc) {
	await page.getByRole('button', { name: 'Markera en plats' }).click();
	const box = await page.locator('.map canvas').boundingBox();
	await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
	await page.getByRole('group', { name: 'Vad gäller det?' }).waitFor();
	await page.locator('.cat label', { hasText: 'Dålig belysning' }).click();
	await page.locator('.feelings label', { hasText: /^Otryggt$/ }).click();
	await page.getByLabel('Beskriv gärna platsen (valfritt)').fill(desc);
	await page.getByRole('button', { name: 'Skicka rapporten' }).click();
}

const browser = await launch();
try {
	// (a) One online visit, then a reload offline.
	const ctx = await browser.newContext(phone);
	let page = watch(await ctx.newPage(), 'resident');
	await page.goto(`${base}/?kommun=1470#15/58.2612/12.9556`);
	await mapReady(page);
	await workerReady(page);
	const cacheNames = await page.evaluate(() => caches.keys());
	step(`service worker active; caches ${cacheNames.join(', ')}`);
	// Installable: Chromium parses the manifest without errors and finds nothing that
	// stops installing (a playwright context is off the record, which it also says).
	const devtools = await ctx.newCDPSession(page);
	const manifest = await devtools.send('Page.getAppManifest');
	const { installabilityErrors } = await devtools.send('Page.getInstallabilityErrors');
	const blocking = installabilityErrors.filter((e) => e.errorId !== 'in-incognito');
	if (manifest.errors.length || blocking.length) {
		problems.push(`(a) manifest errors ${JSON.stringify(manifest.errors)}, installability ${JSON.stringify(blocking)}`);
	}
	step(`manifest ${manifest.url.replace(base, '')}: ${manifest.errors.length} errors; installability: ${installabilityErrors.map((e) => e.errorId).join(', ') || 'none'}`);
	await devtools.detach();
	await ctx.setOffline(true);
	const resp = await page.reload();
	await page.locator('main.resident .sheet h2').waitFor();
	const heading = (await page.locator('main.resident .sheet h2').textContent()).trim();
	if (!resp?.fromServiceWorker()) problems.push('(a) the offline reload was not answered by the service worker');
	if (heading !== 'Markera platser där du känner dig otrygg') problems.push(`(a) offline reload shows "${heading}"`);
	await mapReady(page);
	const mapError = await page.locator('.map-error').count();
	if (mapError) problems.push(`(a) offline the map failed: ${await page.locator('.map-error').textContent()}`);
	await shot(page, 'a-reloaded');
	step(`(a) reloaded offline: "${heading}", map ${mapError ? 'failed' : 'drawn'}, from the service worker ${resp?.fromServiceWorker()}`);

	// (b) A report made offline waits, then is sent once the network is back.
	await report(page, env.E2E_DESC_B);
	await page.getByTestId('outbox-state').filter({ hasText: waiting }).waitFor();
	await shot(page, 'b-waiting');
	step(`(b) offline report: "${waiting}"`);
	await page.waitForTimeout(1000);
	if (!(await page.getByTestId('outbox-state').isVisible())) problems.push('(b) the waiting report was sent while offline?');
	await ctx.setOffline(false);
	const code = (await page.getByTestId('short-code').textContent({ timeout: 45_000 })).trim();
	if (!/^[0-9A-Z]{4}-[0-9A-Z]{4}$/.test(code)) problems.push(`(b) receipt code "${code}"`);
	await shot(page, 'b-sent');
	step(`(b) back online: sent, receipt with code ${code}`);

	// (c) Queued offline, the tab closed; a new tab online sends it.
	await page.getByRole('button', { name: 'Klar' }).click();
	await ctx.setOffline(true);
	await report(page, env.E2E_DESC_C);
	await page.getByTestId('outbox-state').filter({ hasText: waiting }).waitFor();
	await page.close();
	step('(c) queued offline, tab closed');
	await ctx.setOffline(false);
	page = watch(await ctx.newPage(), 'resident-2');
	await page.goto(`${base}/?kommun=1470`);
	const sent = page.getByTestId('outbox-sent');
	await sent.first().waitFor({ timeout: 45_000 });
	const sentText = (await sent.first().textContent()).trim();
	if (!/Skickad – kod [0-9A-Z]{4}-[0-9A-Z]{4}/.test(sentText)) problems.push(`(c) the new tab says "${sentText}"`);
	const mine = await page.locator('details.mine li').count();
	await shot(page, 'c-sent');
	step(`(c) new tab: "${sentText.slice(0, 40)}", ${mine} in Mina rapporter`);
	if (mine < 2) problems.push(`(c) "Mina rapporter" lists ${mine} reports, want both sent ones`);
	// (e) The service worker sends by itself (Background Sync), with no page of the app
	// open: queued offline, the tab closed, then a sync event (dispatched through the
	// DevTools protocol, as the browser would on reconnecting) while only /healthz is open.
	await page.evaluate(() => window.trygg.map.jumpTo({ center: [12.9556, 58.2612], zoom: 15 }));
	await mapReady(page);
	await ctx.setOffline(true);
	await report(page, env.E2E_DESC_E);
	await page.getByTestId('outbox-state').filter({ hasText: waiting }).waitFor();
	await page.close();
	await ctx.setOffline(false);
	const bare = await ctx.newPage();
	await bare.goto(`${base}/healthz`);
	const cdp = await ctx.newCDPSession(bare);
	const registration = new Promise((resolve) => cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
		const r = registrations.find((x) => x.scopeURL === `${base}/` && !x.isDeleted);
		if (r) resolve(r.registrationId);
	}));
	await cdp.send('ServiceWorker.enable');
	const registrationId = await registration;
	await cdp.send('ServiceWorker.dispatchSyncEvent', { origin: base, registrationId, tag: 'trygg-outbox', lastChance: false });
	const [sw] = ctx.serviceWorkers();
	let state = '';
	for (let i = 0; i < 60 && state !== 'sent'; i++) {
		await bare.waitForTimeout(500);
		state = await sw.evaluate(async () => {
			const db = await new Promise((resolve, reject) => {
				const r = indexedDB.open('trygg-offline', 1);
				r.onsuccess = () => resolve(r.result);
				r.onerror = () => reject(r.error);
			});
			const all = await new Promise((resolve) => {
				const q = db.transaction('outbox').objectStore('outbox').getAll();
				q.onsuccess = () => resolve(q.result);
			});
			db.close();
			return all.filter((e) => e.kind === 'report' && e.state !== 'sent').length ? 'waiting' : 'sent';
		});
	}
	if (state !== 'sent') problems.push(`(e) after a sync event the service worker's outbox is ${state}`);
	step(`(e) Background Sync with no app page open: the worker sent the report (${state})`);
	await ctx.close();

	// (b2) The first POST reached the server but its answer was lost: the outbox sends
	// it again with its key, and the server answers with the same report.
	const lost = await browser.newContext({ ...phone, serviceWorkers: 'block' });
	const lp = watch(await lost.newPage(), 'lost-answer');
	const posts = [];
	await lp.route('**/api/v1/reports', async (route) => {
		const req = route.request();
		if (req.method() !== 'POST') return route.continue();
		const key = req.headers()['idempotency-key'];
		const r = await route.fetch();
		posts.push({ key, status: r.status(), replayed: r.headers()['idempotent-replayed'] || '' });
		if (posts.length === 1) return route.abort('connectionreset');
		return route.fulfill({ response: r });
	});
	await lp.goto(`${base}/?kommun=1470#15/58.2612/12.9556`);
	await mapReady(lp);
	await report(lp, env.E2E_DESC_B2);
	const code2 = (await lp.getByTestId('short-code').textContent({ timeout: 45_000 })).trim();
	step(`(b2) answer lost, resent: ${JSON.stringify(posts)}; receipt ${code2}`);
	if (posts.length !== 2 || posts[0].key !== posts[1].key || posts[1].replayed !== 'true' || posts[0].status !== 201) {
		problems.push(`(b2) requests ${JSON.stringify(posts)}, want two with one key, the second a replay`);
	}
	await lost.close();

	// (d) A walk leader without coverage: an observation waits and syncs.
	const pctx = await browser.newContext(desktop);
	const pl = watch(await pctx.newPage(), 'planner');
	await pl.goto(`${base}/planner`);
	await pl.getByLabel('E-postadress').fill(env.E2E_PLANNER_EMAIL);
	await pl.getByLabel('Lösenord').fill(env.E2E_PLANNER_PASSWORD);
	await pl.getByRole('button', { name: 'Logga in' }).click();
	await mapReady(pl);
	await pl.getByRole('tab', { name: 'Trygghetsvandringar' }).click();
	await pl.getByLabel('Rubrik').fill('Vandring utan täckning');
	await pl.getByRole('button', { name: 'Skapa vandringen' }).click();
	await pl.getByTestId('walk-title').waitFor();
	await pl.evaluate(() => window.trygg.map.jumpTo({ center: [12.95, 58.262], zoom: 16 }));
	await pctx.setOffline(true);
	await pl.getByRole('button', { name: 'Lägg till observation' }).click();
	const mbox = await pl.locator('.map canvas').boundingBox();
	await pl.mouse.click(mbox.x + mbox.width / 2 + 10, mbox.y + mbox.height / 2 + 10);
	await pl.getByLabel('Beskriv gärna platsen (valfritt)').fill(env.E2E_DESC_D);
	await pl.getByRole('button', { name: 'Spara observationen' }).click();
	await pl.getByTestId('obs-waiting').filter({ hasText: waiting }).waitFor();
	// A second one where the leader stands: the phone's position, no network needed.
	await pl.getByTestId('obs-here').click();
	await pl.getByLabel('Beskriv gärna platsen (valfritt)').fill(env.E2E_DESC_D2);
	await pl.getByRole('button', { name: 'Spara observationen' }).click();
	await pl.waitForFunction(() => document.querySelectorAll('[data-testid=obs-waiting]').length === 2);
	await shot(pl, 'd-waiting');
	step('(d) two observations offline (a tap on the map, the phone\'s position): waiting');
	await pctx.setOffline(false);
	await pl.locator('.obs-list li', { hasText: env.E2E_DESC_D }).waitFor({ timeout: 45_000 });
	await pl.locator('.obs-list li', { hasText: env.E2E_DESC_D2 }).waitFor();
	if (await pl.getByTestId('obs-waiting').count()) problems.push('(d) the observation still shows as waiting after sync');
	await shot(pl, 'd-synced');
	step('(d) back online: both observations are in the walk\'s list');

	// No staff answer is cached: with the planner signed in, the worker's caches hold
	// only public data (allow-listed paths, not private), whatever the planner fetched.
	await workerReady(pl);
	await pl.evaluate(() => window.trygg.map.jumpTo({ center: [12.96, 58.265], zoom: 15 }));
	await mapReady(pl);
	await pl.waitForTimeout(1500);
	const cached = await pl.evaluate(async () => {
		const out = [];
		for (const name of await caches.keys()) {
			const c = await caches.open(name);
			for (const req of await c.keys()) {
				const r = await c.match(req);
				out.push({ name, url: new URL(req.url).pathname, cc: r.headers.get('Cache-Control') || '' });
			}
		}
		return out;
	});
	const allowed = /^\/(|dist\/.*|icons\/.*|manifest\.webmanifest|api\/v1\/(categories|municipalities)|styles\/trygg\.json|tiles\/[^/]+(\.json|\/\d+\/\d+\/\d+\.mvt)|basemap.*|fonts\/.*)$/;
	const bad = cached.filter((c) => !allowed.test(c.url) || /private|no-store/.test(c.cc));
	if (bad.length) problems.push(`(d) staff answers cached: ${JSON.stringify(bad.slice(0, 5))}`);
	step(`planner: ${cached.length} cached answers, none private (${cached.filter((c) => c.name.startsWith('trygg-data')).map((c) => c.url).slice(0, 6).join(', ')})`);
	await pctx.close();
} catch (e) {
	problems.push(`${e.stack || e}`);
} finally {
	await browser.close();
}
if (problems.length) {
	for (const p of problems) console.error(`offline: FAIL ${p}`);
	process.exit(1);
}
step('all passed');
