// mail.mjs BASE OUT INBOX: a resident reports in English with an e-mail address; the
// receipt mail (read from INBOX, the test's SMTP server as JSON) is in English and its
// follow-up link carries the erasure token shown on the page; that link opens the status
// page as the reporter's; the unsubscribe link asks first, then stops the mails.
import { launch } from './browser.mjs';
import { mkdirSync } from 'node:fs';

const [base, out, inbox] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const browser = await launch();
const step = (m) => console.log(`mail: ${m}`);
try {
	const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'en-GB' });
	await ctx.addInitScript(() => localStorage.setItem('trygg-lang', 'en'));
	const page = await ctx.newPage();
	page.setDefaultTimeout(30000);
	const errors = [];
	page.on('pageerror', (e) => errors.push(e.message));
	await page.goto(`${base}/`);
	await page.waitForFunction(() => window.trygg?.idleMs > 0, null, { timeout: 60000 });
	await page.evaluate(() => window.trygg.map.jumpTo({ center: [12.9556, 58.2612], zoom: 15 }));
	await page.getByRole('button', { name: 'Mark a place' }).click();
	const box = await page.locator('.map canvas').boundingBox();
	await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
	await page.getByRole('group', { name: 'What is it about?' }).waitFor();
	await page.locator('.cat label', { hasText: 'Poor lighting' }).click();
	await page.locator('.feelings label', { hasText: /^Unsafe$/ }).click();
	const email = page.getByLabel('E-mail address');
	await email.fill('anna@example.se');
	const help = await email.getAttribute('aria-describedby');
	const helpText = (await page.locator(`[id="${help}"]`).textContent()) || '';
	if (!/receipt/.test(helpText)) throw new Error(`the e-mail field's help is "${helpText}"`);
	await page.locator('.contact').scrollIntoViewIfNeeded();
	await page.screenshot({ path: `${out}/mail-01-form.png` });
	const sentAt = Date.now();
	await page.getByRole('button', { name: 'Send the report' }).click();
	const token = (await page.getByTestId('erasure-token').textContent()).trim();
	const code = (await page.getByTestId('short-code').textContent()).trim();
	const mailed = (await page.getByTestId('receipt-mailed').textContent()) || '';
	if (!/receipt/.test(mailed)) throw new Error(`the confirmation says "${mailed}" of the receipt`);
	await page.screenshot({ path: `${out}/mail-01b-confirmation.png` });
	step(`report sent, code ${code}`);

	// The receipt arrives (the sender polls every 200 ms).
	let msgs = [];
	for (let i = 0; i < 100 && msgs.length === 0; i++) {
		msgs = await (await fetch(inbox)).json() || [];
		if (!msgs.length) await new Promise((r) => setTimeout(r, 200));
	}
	if (msgs.length !== 1) throw new Error(`${msgs.length} mails arrived, want 1`);
	const m = msgs[0];
	step(`receipt "${m.subject}" to ${m.to.join(', ')} ${Date.now() - sentAt} ms after sending`);
	if (m.to[0] !== 'anna@example.se' || m.subject !== `Thank you for your report ${code}`) throw new Error(`receipt ${JSON.stringify(m)}`);
	const link = m.text.match(/Follow your report: (\S+)/)?.[1] || '';
	if (!link.startsWith(`${base}/rapport/`) || !link.endsWith(`#t=${encodeURIComponent(token)}`)) throw new Error(`follow-up link ${link}`);

	// The mail's follow-up link: the reporter's status page.
	const mailPage = await ctx.newPage();
	await mailPage.goto(link);
	await mailPage.getByTestId('status-title').filter({ hasText: 'Your report' }).waitFor();
	await mailPage.screenshot({ path: `${out}/mail-02-status.png` });
	step('the follow-up link opens "Your report"');

	// The unsubscribe link: a question first, then done.
	const unsub = m.list_unsubscribe.replace(/^<|>$/g, '');
	if (!m.text.includes(unsub)) throw new Error('the unsubscribe link is not in the text');
	await mailPage.goto(unsub);
	const lang = await mailPage.evaluate(() => document.documentElement.lang);
	if (lang !== 'en') throw new Error(`unsubscribe page in ${lang}`);
	await mailPage.screenshot({ path: `${out}/mail-03-unsubscribe.png` });
	await mailPage.getByRole('button', { name: 'Stop e-mails' }).click();
	await mailPage.getByTestId('unsubscribed').filter({ hasText: 'no more messages' }).waitFor();
	await mailPage.screenshot({ path: `${out}/mail-04-unsubscribed.png` });
	step('unsubscribed');
	if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
} finally {
	await browser.close();
}
