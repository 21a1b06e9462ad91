// browser.mjs: Debian's chromium as every browser test starts it (playwright-core, never
// a downloaded browser). The flags keep it off this machine's closed network:
// background networking, component updates and sync would try, and fail, at every start.
// playwright-core gives every launch a fresh, temporary --user-data-dir.
import { chromium } from 'playwright-core';

/** launch starts headless chromium: CHROMIUM, else /usr/bin/chromium. */
export function launch() {
	return chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync',
			'--enable-unsafe-swiftshader'],
	});
}
