// myreports.js: the reports made in this browser (id, erasure token, time), kept in
// localStorage, so "Mina rapporter" and the status pages find them again. No imports:
// the app's entry uses it on every page (the outbox remembers what it sent).
const key = 'trygg-reports';

/** myReports lists the reports made in this browser, newest first. */
export function myReports() {
	try {
		return JSON.parse(localStorage.getItem(key) || '[]');
	} catch {
		return [];
	}
}

/** rememberReport keeps a report's id and erasure token in this browser. */
export function rememberReport(reportId, token, created) {
	const list = myReports().filter((r) => r.id !== reportId);
	list.unshift({ id: reportId, token, created: created || new Date().toISOString() });
	try {
		localStorage.setItem(key, JSON.stringify(list.slice(0, 50)));
	} catch { /* storage may be off */ }
}

/** forgetReport drops a report from this browser's list (after its erasure). */
export function forgetReport(reportId) {
	try {
		localStorage.setItem(key, JSON.stringify(myReports().filter((r) => r.id !== reportId)));
	} catch { /* storage may be off */ }
}
