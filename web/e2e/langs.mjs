// langs.mjs BASE OUT: the app in its five languages. For each language, picked by the
// browser's language (Norwegian → Swedish), at 390×844 and 1280×800: the resident page
// and its report form, the reporter's own status page (E2E_OWN_REPORT, E2E_OWN_TOKEN), a
// published report's status page (E2E_PUBLISHED_REPORT) and the sign-in page. On each:
// <html lang dir>, no visible text or label that is a catalogue key, no key the language
// lacks (window.__missingKeys), no sideways scrolling, no text running out of its box;
// in Arabic the layout mirrored (the header starts at the right, the map's zoom buttons
// at the left, the wide sheet at the left). The same for a planner's views (planner,
// follow-up, cameras; E2E_PLANNER_EMAIL, E2E_PLANNER_PASSWORD) and a moderator's queue
// with the reporter's report open (E2E_MODERATOR_EMAIL, E2E_MODERATOR_PASSWORD), desktop.
// The menu changes the language and the choice outlives a reload. Screenshots: OUT/langs-<lang>-<page>-<size>.png.
import { launch } from './browser.mjs';
import { mkdirSync } from 'node:fs';
import sv from '../src/i18n/sv.js';
import en from '../src/i18n/en.js';
import ar from '../src/i18n/ar.js';
import so from '../src/i18n/so.js';
import fi from '../src/i18n/fi.js';

const [base, out] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const own = process.env.E2E_OWN_REPORT;
const token = process.env.E2E_OWN_TOKEN;
const published = process.env.E2E_PUBLISHED_REPORT;
const catalogues = { sv, en, ar, so, fi };
const keys = Object.keys(sv);

// Each language with a browser locale that should pick it (Somali has no ICU data in
// Chromium, so the locale is only what navigator.languages says).
const cases = [
	{ lang: 'sv', locale: 'nb-NO', heading: sv.tagline },
	{ lang: 'en', locale: 'en-US', heading: en.tagline },
	{ lang: 'ar', locale: 'ar-SA', heading: ar.tagline },
	{ lang: 'so', locale: 'so-SO', heading: so.tagline },
	{ lang: 'fi', locale: 'fi-FI', heading: fi.tagline },
];
const sizes = [
	{ name: 'phone', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
	{ name: 'desktop', viewport: { width: 1280, height: 800 } },
];
const pages = [
	{ name: 'resident', path: '/', ready: (p) => p.waitForFunction(() => window.trygg?.map?.loaded?.(), null, { timeout: 60000 }) },
	{ name: 'status-own', path: `/rapport/${own}#t=${encodeURIComponent(token)}`, ready: (p) => p.locator('.steps').waitFor() },
	{ name: 'status-published', path: `/rapport/${published}`, ready: (p) => p.locator('.steps[data-status=published]').waitFor() },
	{ name: 'signin', path: '/moderation', ready: (p) => p.locator('input[type=password]').waitFor() },
];

const problems = [];
const step = (s) => console.log(`ok: ${s}`);

const browser = await launch();

// rawKeys lists visible texts, labels and the title that are a catalogue key (or hold
// one that looks like an identifier), leaving out keys whose text in the language is
// the key itself (English "all").
function rawKeys(page, lang) {
	const legit = keys.filter((k) => catalogues[lang][k] === k);
	return page.evaluate(({ keys, legit }) => {
		const whole = new Set(keys.filter((k) => !legit.includes(k)));
		const ident = new Set([...whole].filter((k) => /[A-Z_.\d-]/.test(k)));
		const texts = [document.title, ...document.body.innerText.split('\n')];
		const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
		for (let n = walker.nextNode(); n; n = walker.nextNode()) {
			const el = n.parentElement;
			if (el && !el.closest('script, style') && el.checkVisibility()) texts.push(n.nodeValue);
		}
		for (const el of document.querySelectorAll('[aria-label], [placeholder], [title], [alt]')) {
			for (const a of ['aria-label', 'placeholder', 'title', 'alt']) if (el.hasAttribute(a)) texts.push(el.getAttribute(a));
		}
		const found = new Set();
		for (const s of texts) {
			const v = (s || '').trim();
			if (whole.has(v)) found.add(v);
			for (const w of v.split(/[\s,;:()"'«»“”…]+/)) if (ident.has(w)) found.add(w);
		}
		return [...found];
	}, { keys, legit });
}

async function check(page, c, what) {
	const st = await page.evaluate(() => ({
		lang: document.documentElement.lang, dir: document.documentElement.dir,
		missing: window.__missingKeys || [],
		overflow: document.documentElement.scrollWidth - window.innerWidth,
		// Boxes whose text runs out of them (a long Finnish or Somali word); not the
		// visually hidden ones (1 px wide).
		spill: [...document.querySelectorAll('button, label, h1, h2, summary, select, .cat label span')]
			.filter((el) => el.checkVisibility() && el.clientWidth > 2 && el.scrollWidth > el.clientWidth + 1)
			.map((el) => `${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 40)}" (${el.scrollWidth} > ${el.clientWidth})`),
	}));
	if (st.lang !== c.lang) problems.push(`${what}: <html lang="${st.lang}">, want ${c.lang}`);
	const wantDir = c.lang === 'ar' ? 'rtl' : 'ltr';
	if (st.dir !== wantDir) problems.push(`${what}: <html dir="${st.dir}">, want ${wantDir}`);
	if (st.missing.length) problems.push(`${what}: keys missing in the language: ${st.missing.join(', ')}`);
	if (st.overflow > 1) problems.push(`${what}: the page scrolls sideways by ${st.overflow} px`);
	if (st.spill.length) problems.push(`${what}: text runs out of its box: ${st.spill.join('; ')}`);
	const raw = await rawKeys(page, c.lang);
	if (raw.length) problems.push(`${what}: raw keys shown: ${raw.join(', ')}`);
	if (c.lang === 'ar') {
		// Mirrored: the header's first element (the brand) sits at the right.
		const vw = page.viewportSize().width;
		const brand = await page.locator('header.top .brand').boundingBox();
		const menu = await page.getByTestId('lang-menu').boundingBox();
		if (!(brand.x > vw / 2)) problems.push(`${what}: the brand is at x=${brand.x} of ${vw}, want the right half`);
		if (!(menu.x < brand.x)) problems.push(`${what}: the language menu (x=${menu.x}) is not left of the brand (x=${brand.x})`);
	}
	return st;
}

try {
	for (const c of cases) {
		for (const size of sizes) {
			const ctx = await browser.newContext({ ...size, locale: c.locale, name: undefined });
			const page = await ctx.newPage();
			page.on('pageerror', (e) => problems.push(`${c.lang} ${size.name}: page error ${e.message}`));
			for (const pg of pages) {
				const what = `${c.lang} ${pg.name} ${size.name}`;
				await page.goto(base + pg.path);
				await pg.ready(page);
				if (pg.name === 'resident') {
					await page.getByRole('heading', { name: c.heading }).waitFor().catch(() => problems.push(`${what}: no heading "${c.heading}"`));
					await page.evaluate(() => new Promise((r) => (window.trygg.map.loaded() && !window.trygg.map.isMoving() ? r() : window.trygg.map.once('idle', r))));
					if (c.lang === 'ar') {
						const zoomLeft = await page.locator('.maplibregl-ctrl-top-left .maplibregl-ctrl-zoom-in').count();
						if (zoomLeft !== 1) problems.push(`${what}: the zoom buttons are not at the top left`);
						else step(`${what}: zoom buttons at the top left`);
						// On a wide screen the sheet sits at the inline end: the right in
						// Swedish, the left in Arabic.
						const sheet = await page.locator('.sheet').boundingBox();
						if (size.name === 'desktop' && !(sheet.x < page.viewportSize().width / 2)) problems.push(`${what}: the sheet is at x=${sheet.x}, want the left`);
					}
				}
				const st = await check(page, c, what);
				await page.screenshot({ path: `${out}/langs-${c.lang}-${pg.name}-${size.name}.png` });
				step(`${what}: lang=${st.lang} dir=${st.dir}, no raw or missing keys`);
				if (pg.name === 'resident') {
					// The report form, with the categories' labels in the language.
					const L = catalogues[c.lang];
					await page.getByRole('button', { name: L.markPlace }).click();
					await page.getByRole('heading', { name: L.stepPlace }).waitFor();
					await page.getByRole('button', { name: L.useCentre }).click();
					await page.getByRole('group', { name: L.categoryLegend }).waitFor();
					const label = (await page.locator('.cat label .grow').first().textContent()).trim();
					if (label !== L.cat_belysning) problems.push(`${what} form: the first category is "${label}", want "${L.cat_belysning}"`);
					await check(page, c, `${what} form`);
					await page.screenshot({ path: `${out}/langs-${c.lang}-form-${size.name}.png`, fullPage: true });
					step(`${what} form: first category "${label}"`);
				}
			}
			await ctx.close();
		}
	}

	// Staff views in each language (a planner of Vara, desktop): the planner's hotspot
	// map, the follow-up and the camera register; then a moderator's queue.
	const staffPages = [
		{ name: 'planner', path: '/planner', ready: (p) => p.locator('.hotspot-item').first().waitFor({ timeout: 60000 }) },
		{ name: 'followup', path: '/followup', ready: (p) => p.locator('.followup').waitFor() },
		{ name: 'cameras', path: '/cameras', ready: (p) => p.locator('.cameras').waitFor() },
	];
	for (const c of cases) {
		const L = catalogues[c.lang];
		const ctx = await browser.newContext({ ...sizes[1], locale: c.locale });
		const page = await ctx.newPage();
		page.on('pageerror', (e) => problems.push(`${c.lang} staff: page error ${e.message}`));
		await page.goto(`${base}/planner`);
		await page.getByLabel(L.emailLabel).fill(process.env.E2E_PLANNER_EMAIL);
		await page.getByLabel(L.password).fill(process.env.E2E_PLANNER_PASSWORD);
		await page.getByRole('button', { name: L.signIn, exact: true }).click();
		for (const pg of staffPages) {
			const what = `${c.lang} ${pg.name} desktop`;
			if (pg.name !== 'planner') await page.goto(base + pg.path);
			await pg.ready(page);
			await page.waitForLoadState('networkidle');
			const st = await check(page, c, what);
			await page.screenshot({ path: `${out}/langs-${c.lang}-${pg.name}-desktop.png` });
			step(`${what}: lang=${st.lang} dir=${st.dir}, no raw or missing keys`);
		}
		await ctx.close();
		// The moderation queue, for a moderator of Vara (the reporter's report waits there).
		const mctx = await browser.newContext({ ...sizes[1], locale: c.locale });
		const mp = await mctx.newPage();
		mp.on('pageerror', (e) => problems.push(`${c.lang} moderation: page error ${e.message}`));
		await mp.goto(`${base}/moderation`);
		await mp.getByLabel(L.emailLabel).fill(process.env.E2E_MODERATOR_EMAIL);
		await mp.getByLabel(L.password).fill(process.env.E2E_MODERATOR_PASSWORD);
		await mp.getByRole('button', { name: L.signIn, exact: true }).click();
		await mp.locator(`.queue-item[data-id="${own}"]`).click();
		await mp.waitForLoadState('networkidle');
		const mst = await check(mp, c, `${c.lang} moderation desktop`);
		await mp.screenshot({ path: `${out}/langs-${c.lang}-moderation-desktop.png` });
		step(`${c.lang} moderation desktop: lang=${mst.lang} dir=${mst.dir}, no raw or missing keys`);
		await mctx.close();
	}

	// The menu: Swedish → Suomi re-renders in Finnish; the choice outlives a reload and
	// wins over the browser's language; back to Svenska.
	const ctx = await browser.newContext({ ...sizes[0], locale: 'sv-SE' });
	const page = await ctx.newPage();
	await page.goto(`${base}/rapport/${own}#t=${encodeURIComponent(token)}`);
	await page.getByRole('heading', { name: sv.statusTitle }).waitFor();
	const names = await page.getByTestId('lang-menu').locator('option').allTextContents();
	if (names.join('|') !== 'Svenska|English|العربية|Soomaali|Suomi') problems.push(`menu options ${names.join('|')}`);
	await page.getByRole('combobox', { name: sv.langMenuLabel }).selectOption('fi');
	await page.getByRole('heading', { name: fi.statusTitle }).waitFor();
	await page.reload();
	await page.getByRole('heading', { name: fi.statusTitle }).waitFor();
	const after = await page.evaluate(() => document.documentElement.lang);
	if (after !== 'fi') problems.push(`after the menu and a reload <html lang="${after}">, want fi`);
	else step('menu: Suomi re-renders in Finnish and stays after a reload');
	await page.getByRole('combobox', { name: fi.langMenuLabel }).selectOption('ar');
	await page.getByRole('heading', { name: ar.statusTitle }).waitFor();
	if (await page.evaluate(() => document.documentElement.dir) !== 'rtl') problems.push('menu → العربية: dir is not rtl');
	await page.getByRole('combobox', { name: ar.langMenuLabel }).selectOption('sv');
	await page.getByRole('heading', { name: sv.statusTitle }).waitFor();
	if (await page.evaluate(() => document.documentElement.dir) !== 'ltr') problems.push('menu → Svenska: dir is not ltr');
	else step('menu: العربية sets dir=rtl, Svenska ltr again');
	await ctx.close();

	// A browser in a language the app lacks (German) gets Swedish.
	const de = await browser.newContext({ ...sizes[0], locale: 'de-DE' });
	const dp = await de.newPage();
	await dp.goto(`${base}/moderation`);
	await dp.locator('input[type=password]').waitFor();
	const deLang = await dp.evaluate(() => [document.documentElement.lang, navigator.languages.join(',')]);
	if (deLang[0] !== 'sv') problems.push(`a ${deLang[1]} browser got <html lang="${deLang[0]}">, want sv`);
	else step(`a ${deLang[1]} browser gets Swedish`);
	await de.close();
} finally {
	await browser.close();
}

if (problems.length) {
	console.log(`${problems.length} problems:\n${problems.join('\n')}`);
	process.exit(1);
}
console.log('langs: all checks passed');
