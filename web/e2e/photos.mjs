// photos.mjs BASE OUT: photos on a report (issue 19.2). A resident on a phone reports
// a place and, on the receipt, adds a photo with EXIF ($E2E_PHOTO: GPS, maker note,
// orientation 6) through "Lägg till foto", then a second ($E2E_PHOTO2) and a third
// ($E2E_PHOTO3), which fills the report and which the resident removes; the served
// bytes of the first have no Exif marker and none of its EXIF texts; the status page
// shows both thumbnails; the moderator ($E2E_MODERATOR_EMAIL, …_PASSWORD) sees them,
// removes the second and publishes; a stranger's status page shows the first.
import { launch } from './browser.mjs';
import { mkdirSync } from 'node:fs';

const [base, out] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, locale: 'sv-SE' };
const desktop = { viewport: { width: 1366, height: 860 }, locale: 'sv-SE' };
const timeout = 60000;
const step = (s) => console.log(`photos: ${s}`);
const browser = await launch();

// thumbsShown waits until n photo thumbnails have loaded and returns their sizes.
async function thumbsShown(page, n, scope = page) {
	await page.waitForFunction(({ n, sel }) => {
		const imgs = [...document.querySelectorAll(`${sel} [data-testid=photo-thumb]`)];
		return imgs.length === n && imgs.every((i) => i.complete && i.naturalWidth > 0);
	}, { n, sel: scope === page ? 'body' : scope }, { timeout });
	return page.evaluate((sel) => [...document.querySelectorAll(`${sel} [data-testid=photo-thumb]`)].map((i) => `${i.naturalWidth}×${i.naturalHeight}`),
		scope === page ? 'body' : scope);
}

// noExif fails unless b is a JPEG without an APP1 segment or any of the EXIF's texts.
function noExif(what, b) {
	if (b[0] !== 0xff || b[1] !== 0xd8) throw new Error(`${what} is not a JPEG`);
	for (const s of ['Exif', 'TryggKamera', 'HEMLIG-MAKERNOTE-4711']) {
		if (b.includes(Buffer.from(s))) throw new Error(`${what} still holds "${s}"`);
	}
	for (let i = 0; i + 1 < b.length; i++) if (b[i] === 0xff && b[i + 1] === 0xe1) throw new Error(`${what} has an APP1 marker at ${i}`);
}

try {
	const ctx = await browser.newContext(phone);
	const page = await ctx.newPage();
	page.setDefaultTimeout(timeout);
	const errors = [];
	page.on('pageerror', (e) => errors.push(String(e)));

	// Report a place in Vara's centre.
	await page.goto(`${base}/?kommun=1470#15/58.2612/12.9556`);
	await page.waitForFunction(() => window.trygg?.map?.loaded(), null, { timeout });
	await page.getByRole('button', { name: 'Markera en plats' }).click();
	const box = await page.locator('.map canvas').boundingBox();
	await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
	await page.getByRole('group', { name: 'Vad gäller det?' }).waitFor();
	await page.locator('.cat label', { hasText: 'Dålig belysning' }).click();
	await page.locator('.feelings label', { hasText: /^Otryggt$/ }).click();
	await page.getByRole('button', { name: 'Skicka rapporten' }).click();
	const token = (await page.getByTestId('erasure-token').textContent()).trim();
	const id = (await page.getByTestId('follow-up').getAttribute('href')).match(/\/rapport\/([0-9a-f-]{36})/)[1];
	step(`report ${id} sent`);

	// "Lägg till foto" on the receipt: the phone's photo with EXIF, then a second one.
	const uploader = page.getByTestId('photo-uploader');
	await uploader.getByText('Lägg till foto').waitFor();
	await page.getByTestId('photo-input').setInputFiles(process.env.E2E_PHOTO);
	await page.getByTestId('photo-count').filter({ hasText: '1 av 3 foton' }).waitFor();
	await page.getByTestId('photo-input').setInputFiles(process.env.E2E_PHOTO2);
	await page.getByTestId('photo-count').filter({ hasText: '2 av 3 foton' }).waitFor();
	// A third fills the report (no more "Lägg till foto"); the resident removes it again.
	await page.getByTestId('photo-input').setInputFiles(process.env.E2E_PHOTO3);
	await page.getByTestId('photo-count').filter({ hasText: '3 av 3 foton' }).waitFor();
	if (await uploader.getByText('Lägg till foto').isVisible()) throw new Error('"Lägg till foto" is still offered with 3 photos');
	page.once('dialog', (d) => d.accept());
	await uploader.getByRole('button', { name: 'Ta bort foto 3' }).click();
	await page.getByTestId('photo-count').filter({ hasText: '2 av 3 foton' }).waitFor();
	await uploader.getByText('Lägg till foto').waitFor();
	step('a third photo filled the report and the resident removed it again');
	const receiptThumbs = await thumbsShown(page, 2);
	await page.getByTestId('photo-uploader').scrollIntoViewIfNeeded();
	await page.screenshot({ path: `${out}/photos-01-receipt.png` });
	step(`receipt: two photos added, thumbnails ${receiptThumbs.join(', ')}`);

	// The served bytes: no EXIF; turned upright (1200×900 with orientation 6 is 900×1200).
	const rep = await (await fetch(`${base}/api/v1/reports/${id}`, { headers: { 'Erasure-Token': token } })).json();
	if (rep.photos?.length !== 2) throw new Error(`the reporter's report lists ${JSON.stringify(rep.photos)}`);
	const [first, second] = rep.photos;
	const served = Buffer.from(await (await fetch(base + first.url, { headers: { 'Erasure-Token': token } })).arrayBuffer());
	noExif('the served photo', served);
	const thumb = Buffer.from(await (await fetch(base + first.thumbnail_url, { headers: { 'Erasure-Token': token } })).arrayBuffer());
	noExif('the served thumbnail', thumb);
	if (first.width !== 900 || first.height !== 1200) throw new Error(`the photo is ${first.width}×${first.height}, want 900×1200 (upright)`);
	const before = await fetch(base + first.url);
	if (before.status !== 404) throw new Error(`before moderation the public gets ${before.status} for the photo`);
	step(`served photo ${served.length} bytes and thumbnail ${thumb.length} bytes: no APP1, no "Exif", ${first.width}×${first.height}; public before moderation: 404`);

	// The status page (the reporter's): both thumbnails.
	await page.getByTestId('follow-up').click();
	await page.locator('.steps[data-status=received]').waitFor();
	const statusThumbs = await thumbsShown(page, 2);
	await page.getByTestId('photo-uploader').scrollIntoViewIfNeeded();
	await page.screenshot({ path: `${out}/photos-02-status.png`, fullPage: true });
	step(`status page: thumbnails ${statusThumbs.join(', ')}`);

	// The moderator sees both, removes the second and publishes.
	const staff = await browser.newContext(desktop);
	const mod = await staff.newPage();
	mod.setDefaultTimeout(timeout);
	await mod.goto(`${base}/moderation`);
	await mod.getByLabel('E-postadress').fill(process.env.E2E_MODERATOR_EMAIL);
	await mod.getByLabel('Lösenord').fill(process.env.E2E_MODERATOR_PASSWORD);
	await mod.getByRole('button', { name: 'Logga in' }).click();
	const item = mod.locator(`.queue-item[data-id="${id}"]`);
	await item.waitFor();
	await item.click();
	await thumbsShown(mod, 2, '[data-testid=moderation-photos]');
	await mod.screenshot({ path: `${out}/photos-03-moderation.png` });
	mod.once('dialog', (d) => d.accept());
	await mod.getByRole('button', { name: 'Ta bort foto 2' }).click();
	await mod.getByText('Fotot är borttaget.').waitFor();
	await thumbsShown(mod, 1, '[data-testid=moderation-photos]');
	const gone = await fetch(base + second.url, { headers: { 'Erasure-Token': token } });
	if (gone.status !== 404) throw new Error(`a removed photo answers ${gone.status}`);
	await item.focus();
	await mod.keyboard.press('p');
	await mod.getByText('Rapporten är publicerad.').waitFor();
	step('moderator: saw both, removed the second (404 since), published');

	// A stranger's status page: the photo, public now, with immutable caching.
	const stranger = await (await browser.newContext(phone)).newPage();
	stranger.setDefaultTimeout(timeout);
	await stranger.goto(`${base}/rapport/${id}`);
	await stranger.locator('.steps[data-status=published]').waitFor();
	await stranger.getByTestId('status-photos').waitFor();
	const strangerThumbs = await thumbsShown(stranger, 1);
	await stranger.getByTestId('status-photos').scrollIntoViewIfNeeded();
	await stranger.screenshot({ path: `${out}/photos-04-stranger.png` });
	const pub = await fetch(base + first.url);
	const pubBytes = Buffer.from(await pub.arrayBuffer());
	noExif('the public photo', pubBytes);
	if (!/immutable/.test(pub.headers.get('cache-control') || '')) throw new Error(`public Cache-Control ${pub.headers.get('cache-control')}`);
	step(`stranger's status page: ${strangerThumbs.join(', ')}; public photo ${pubBytes.length} bytes, ${pub.headers.get('cache-control')}`);
	if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
} finally {
	await browser.close();
}
