// outbox.js: requests kept in IndexedDB until they reach the server: a resident's
// report made offline (or whose POST failed on the network, a 5xx or a timeout) and a
// walk leader's observations. Each entry carries its Idempotency-Key, so sending it
// again after the first request did reach the server gives the same answer and stores
// nothing twice. Entries are sent on app start (also after the tab was closed), when
// the browser says it is online, every RETRY_MS while any wait, and by the service
// worker's Background Sync (public entries only: staff entries need the session's
// CSRF token, which only a page has). The database and store are also read by
// static/sw.js: keep the two in step.
//
// An entry: { key, kind ('report' | 'observation'), url, method, body, staff, meta,
// state ('waiting' | 'sent' | 'failed'), created, tries, sentAt, result, status,
// problem }. A sent entry keeps the answer (result) and drops the body (contact data).
import { api, ApiError, hasCSRF } from './api.js';

const DB = 'trygg-offline';
const STORE = 'outbox';
const RETRY_MS = 30000;
const SEND_TIMEOUT_MS = 30000;
const KEEP_SENT_MS = 7 * 24 * 3600 * 1000;

let dbp;
function db() {
	dbp ??= new Promise((resolve, reject) => {
		const r = indexedDB.open(DB, 1);
		r.onupgradeneeded = () => {
			if (!r.result.objectStoreNames.contains(STORE)) r.result.createObjectStore(STORE, { keyPath: 'key' });
		};
		r.onsuccess = () => resolve(r.result);
		r.onerror = () => reject(r.error);
	});
	dbp.catch(() => { dbp = undefined; });
	return dbp;
}

async function run(mode, fn) {
	const d = await db();
	return new Promise((resolve, reject) => {
		const t = d.transaction(STORE, mode);
		const req = fn(t.objectStore(STORE));
		t.oncomplete = () => resolve(req?.result);
		t.onerror = () => reject(t.error);
		t.onabort = () => reject(t.error);
	});
}

const listeners = new Set();
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('trygg-outbox') : null;
channel?.addEventListener('message', () => changed(false));

function changed(broadcast = true) {
	if (broadcast) channel?.postMessage('changed');
	for (const fn of listeners) {
		try { fn(); } catch { /* one view's failure is not the outbox's */ }
	}
}

/** onChange calls fn whenever an entry is added, sent or fails (in any tab, or the
 * service worker); it returns a function that stops it. */
export function onChange(fn) {
	listeners.add(fn);
	return () => listeners.delete(fn);
}

/** entries lists the outbox's entries of kind (all kinds when omitted), oldest first. */
export async function entries(kind) {
	try {
		const all = await run('readonly', (s) => s.getAll());
		return all.filter((e) => !kind || e.kind === kind).sort((a, b) => a.created.localeCompare(b.created));
	} catch {
		return []; // no IndexedDB (private mode in some browsers): nothing was kept
	}
}

/** enqueue keeps a request to send later and tries to send it; it resolves to the
 * entry once it is stored. */
export async function enqueue(kind, { url, body, key, method = 'POST', staff = false, meta = {} }) {
	const entry = { key, kind, url, method, body, staff, meta, state: 'waiting', created: new Date().toISOString(), tries: 0 };
	await run('readwrite', (s) => s.put(entry));
	changed();
	registerSync();
	flush();
	return entry;
}

/** remove forgets an entry (a sent one the resident has seen, or a refused one). */
export async function remove(key) {
	await run('readwrite', (s) => s.delete(key));
	changed();
}

/** retryable is whether err (from api) means the request may not have arrived or
 * the server could not take it now: no answer, a timeout, 408, 429, a 5xx or any
 * answer with Retry-After. */
export function retryable(err) {
	if (err?.name === 'AbortError' || err?.name === 'TimeoutError') return true;
	if (!(err instanceof ApiError)) return false;
	return err.status === 0 || err.status === 408 || err.status === 429 || err.status >= 500 || err.retryAfter > 0;
}

// signedOut is whether a staff entry was refused for want of a session (401) or of its
// CSRF token (403 naming X-CSRF-Token): it waits for the next sign-in.
function signedOut(err) {
	return err instanceof ApiError && (err.status === 401 || (err.status === 403 && err.problem?.field === 'X-CSRF-Token'));
}

/** shouldQueue is whether a request that failed with err should wait in the outbox
 * rather than be shown as an error: no answer, a timeout, 408 or a 5xx (a 429 or a
 * refusal is for the person to see). */
export function shouldQueue(err) {
	if (err?.name === 'AbortError' || err?.name === 'TimeoutError') return true;
	return err instanceof ApiError && (err.status === 0 || err.status === 408 || err.status >= 500);
}

async function registerSync() {
	try {
		const reg = await navigator.serviceWorker?.ready;
		await reg?.sync?.register('trygg-outbox');
	} catch { /* no Background Sync: the page sends when it can */ }
}

let flushing = null;

/** flush sends every waiting entry this page can send (staff entries once signed in)
 * and resolves when done; calls during a flush share it. */
export function flush() {
	flushing ??= withLock(sendAll).finally(() => { flushing = null; });
	return flushing;
}

function withLock(fn) {
	return navigator.locks ? navigator.locks.request('trygg-outbox', fn) : fn();
}

async function sendAll() {
	let any = false;
	for (const e of await entries()) {
		if (e.state === 'sent' && Date.now() - Date.parse(e.sentAt) > KEEP_SENT_MS) {
			await run('readwrite', (s) => s.delete(e.key));
			continue;
		}
		if (e.state !== 'waiting' || (e.staff && !hasCSRF())) continue;
		if (typeof navigator.onLine === 'boolean' && !navigator.onLine) break;
		// Read again: another tab or the service worker may have sent it meanwhile.
		const now = await run('readonly', (s) => s.get(e.key));
		if (!now || now.state !== 'waiting') continue;
		try {
			const result = await api(e.method, e.url, e.body, { 'Idempotency-Key': e.key }, AbortSignal.timeout(SEND_TIMEOUT_MS));
			Object.assign(now, { state: 'sent', result, body: null, sentAt: new Date().toISOString() });
		} catch (err) {
			if (retryable(err) || (e.staff && signedOut(err))) {
				now.tries = (now.tries || 0) + 1;
			} else {
				Object.assign(now, { state: 'failed', status: err?.status || 0, problem: err?.problem || null });
			}
		}
		await run('readwrite', (s) => s.put(now));
		any = true;
	}
	if (any) changed();
}

let started = false;

/** startOutbox sends what waits now, when the browser comes online, and every
 * RETRY_MS while anything waits; onSent(entry) is called for every sent entry at
 * start and after every change (so it must not mind being called again). */
export function startOutbox({ onSent } = {}) {
	if (started || typeof indexedDB === 'undefined') return;
	started = true;
	if (onSent) {
		const sent = async () => {
			for (const e of await entries()) if (e.state === 'sent') onSent(e);
		};
		onChange(sent);
		sent();
	}
	window.addEventListener('online', () => flush());
	setInterval(async () => {
		if ((await entries()).some((e) => e.state === 'waiting')) flush();
	}, RETRY_MS);
	flush();
}
