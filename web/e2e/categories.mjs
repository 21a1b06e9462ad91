// categories.mjs BASE OUT: several reasons per report in the resident form, and the
// status page's place, map and action (TestCategoriesBrowser). E2E_REPORT is a published
// report with the reasons belysning and vegetation and a done action whose feedback is
// E2E_FEEDBACK.
import { launch } from './browser.mjs';
import { mkdirSync } from 'node:fs';

const [base, out] = process.argv.slice(2);
const seeded = process.env.E2E_REPORT;
const feedback = process.env.E2E_FEEDBACK;
mkdirSync(out, { recursive: true });
const browser = await launch();
const idle = (page) => page.evaluate(() => new Promise((r) => (window.trygg.map.loaded() ? r() : window.trygg.map.once('idle', r))));
try {
	const page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'sv-SE' });
	page.on('pageerror', (e) => console.log(`page error: ${e.message}`));

	// The resident form: two reasons, the first chosen is the main one.
	await page.goto(`${base}/?kommun=1470#16/58.2598/12.9540`, { waitUntil: 'networkidle' });
	await page.waitForFunction(() => window.trygg?.idleMs > 0, null, { timeout: 60000 });
	await page.getByRole('button', { name: 'Markera en plats' }).click();
	await page.getByRole('button', { name: 'Använd kartans mittpunkt' }).click();
	const group = page.getByRole('group', { name: 'Vad gäller det?' });
	await group.waitFor();
	await page.locator('.cat label', { hasText: 'Igenvuxen vegetation' }).click();
	await page.locator('.cat label', { hasText: 'Dålig belysning' }).click();
	// Chosen first: vegetation is the main reason; unticked and ticked again, it goes last.
	const mainOf = () => page.locator('.cat:has(.main-reason:not([hidden])) label').innerText();
	if (!(await mainOf()).includes('Igenvuxen vegetation')) throw new Error(`main reason: ${await mainOf()}`);
	await page.locator('.cat label', { hasText: 'Igenvuxen vegetation' }).click();
	await page.locator('.cat label', { hasText: 'Igenvuxen vegetation' }).click();
	if (!(await mainOf()).includes('Dålig belysning')) throw new Error(`main reason after re-choosing: ${await mainOf()}`);
	for (const name of ['Dålig belysning', 'Igenvuxen vegetation']) {
		if (!(await page.getByRole('checkbox', { name }).isChecked())) throw new Error(`${name} is not ticked`);
	}
	// Targets of at least 24 px: every reason's label.
	const small = await page.locator('.cat label').evaluateAll((ls) => ls.filter((l) => {
		const r = l.getBoundingClientRect();
		return r.width < 24 || r.height < 24;
	}).length);
	if (small) throw new Error(`${small} reason labels are smaller than 24 px`);
	await page.locator('.feelings label', { hasText: /^Otryggt$/ }).click();
	// About you: folded, "Vill inte ange" preselected.
	const about = page.getByTestId('about-you');
	if (await about.evaluate((d) => d.open)) throw new Error('"Om dig" is open from the start');
	await about.locator('summary').click();
	for (const label of ['Ålder', 'Kön']) {
		const v = await page.getByLabel(label, { exact: true }).inputValue();
		if (v !== 'unstated') throw new Error(`${label} preselects ${v}, want unstated`);
	}
	await page.getByLabel('Ålder', { exact: true }).selectOption('30-49');
	await page.locator('.cat').first().scrollIntoViewIfNeeded();
	await page.screenshot({ path: `${out}/categories-reasons.png` });
	await about.screenshot({ path: `${out}/categories-about-you.png` });
	await page.screenshot({ path: `${out}/categories-form.png`, fullPage: true });
	await page.getByRole('button', { name: 'Skicka rapporten' }).click();
	await page.getByTestId('follow-up').waitFor();
	await page.getByTestId('follow-up').click();
	const cats = page.getByTestId('status-categories');
	await cats.waitFor();
	const mine = await cats.innerText();
	if (mine !== 'Dålig belysning, Igenvuxen vegetation') throw new Error(`the receipt's status page shows "${mine}"`);
	await page.locator('[data-testid=status-map] canvas').waitFor({ timeout: 30000 });
	const shown = await page.locator('body').innerText();
	if (/30–49|30-49/.test(shown)) throw new Error('the status page shows the age band');
	await page.screenshot({ path: `${out}/categories-receipt.png`, fullPage: true });
	console.log(`receipt: ${mine}`);

	// A published report with an action: reasons, place label, map and feedback.
	await page.goto(`${base}/rapport/${seeded}`, { waitUntil: 'networkidle' });
	await page.getByTestId('status-categories').waitFor();
	const cats2 = await page.getByTestId('status-categories').innerText();
	if (cats2 !== 'Dålig belysning, Igenvuxen vegetation') throw new Error(`status page reasons "${cats2}"`);
	const place = await page.getByTestId('status-place').innerText();
	if (!/^Plats: vid /.test(place)) throw new Error(`place label "${place}"`);
	await page.locator('[data-testid=status-map] canvas').waitFor({ timeout: 30000 });
	await page.waitForFunction(() => window.trygg?.map?.loaded(), null, { timeout: 30000 });
	const box = await page.locator('[data-testid=status-map] canvas').boundingBox();
	if (!box || box.width < 200 || box.height < 150) throw new Error(`map canvas ${JSON.stringify(box)}`);
	const action = await page.getByTestId('status-action').innerText();
	if (!action.includes('Kommunens åtgärd: klar')) throw new Error(`action "${action}"`);
	const fb = await page.getByTestId('status-feedback').innerText();
	if (fb !== feedback) throw new Error(`feedback "${fb}"`);
	await page.screenshot({ path: `${out}/categories-status.png`, fullPage: true });
	console.log(`status page: ${cats2}; ${place}; map ${Math.round(box.width)}×${Math.round(box.height)}; ${action.replace(/\n+/g, ' / ')}`);

	// The resident map's popup of that report names both reasons.
	await page.goto(`${base}/#17/58.2609/12.9519`, { waitUntil: 'networkidle' });
	await page.waitForFunction(() => window.trygg?.idleMs > 0, null, { timeout: 60000 });
	await idle(page);
	const pt = await page.evaluate((id) => {
		const m = window.trygg.map;
		const f = m.queryRenderedFeatures({ layers: ['reports'].filter((l) => m.getLayer(l)) }).find((x) => x.properties.id === id);
		if (!f) return null;
		const p = m.project(f.geometry.coordinates);
		const r = m.getCanvas().getBoundingClientRect();
		return { x: r.left + p.x, y: r.top + p.y, categories: f.properties.categories };
	}, seeded);
	if (!pt) throw new Error('the seeded report is not drawn on the resident map');
	if (pt.categories !== 'belysning,vegetation') throw new Error(`tile categories "${pt.categories}"`);
	await page.mouse.click(pt.x, pt.y);
	const popup = await page.getByTestId('popup-categories').innerText();
	if (popup !== 'Dålig belysning, Igenvuxen vegetation') throw new Error(`popup "${popup}"`);
	await page.screenshot({ path: `${out}/categories-popup.png` });
	console.log(`popup: ${popup}`);
} finally {
	await browser.close();
}
