// sw.js: Trygg's service worker (scope /), so that the app works on a bad connection.
// The server (web/pwa.go) fills in VERSION (a hash of this file and of the files it
// lists) and PRECACHE (the shell: /, the bundle's JS and CSS in /dist/, the manifest
// and an icon) when it serves this file, so a new build is a new worker with a new
// cache; old caches are deleted when it activates.
//
// - Pages of the app (/, /rapport/{id}, …) are one HTML shell: network first (at most
//   NAV_WAIT ms when a copy is cached), else the cached shell, so they reload offline.
// - /dist/ files with a content hash in their name never change: cache first. Other
//   shell files: network first with a time limit, else the cache.
// - Public data the map needs (categories, municipalities, the style and TileJSON,
//   public tiles, the basemap and its glyphs): network first, else the last copy, but
//   only when the network fails, never after a wait (staff get their own style and
//   tiles at the same URLs). Only answers that are not private or no-store are kept,
//   so staff answers never are.
// - Nothing else (every other API call, every POST) is touched.
// - Background Sync ('trygg-outbox'): sends the residents' reports waiting in the
//   outbox (IndexedDB, web/src/outbox.js) even when no tab is open. Walk observations
//   need a staff session's CSRF token and are sent by a page.
'use strict';

const VERSION = '__TRYGG_VERSION__';
const PRECACHE = ['__TRYGG_PRECACHE__'];
const SHELL = `trygg-shell-${VERSION}`;
const DATA = `trygg-data-${VERSION}`;
const NAV_WAIT = 4000;
const MAX_DATA = 800; // cached tiles and data answers
const WARM = ['/api/v1/categories', '/api/v1/municipalities', '/styles/trygg.json', '/tiles/all.json'];

const pages = /^\/(|rapport\/[^/]+|moderation|planner|followup|cameras)$/;
const hashed = /-[A-Z0-9]{8}\.(m?js|css)$/; // esbuild's [name]-[hash]
const shellFiles = (p) => p.startsWith('/dist/') || p.startsWith('/icons/') || p === '/manifest.webmanifest';
const publicData = (p) => p === '/api/v1/categories' || p === '/api/v1/municipalities' ||
	p === '/styles/trygg.json' || /^\/tiles\/[^/]+(\.json|\/\d+\/\d+\/\d+\.mvt)$/.test(p) ||
	p.startsWith('/basemap') || p.startsWith('/fonts/');

self.addEventListener('install', (event) => {
	event.waitUntil((async () => {
		const cache = await caches.open(SHELL);
		const urls = new Set(PRECACHE);
		// What the shell itself names, in case the server's list misses a file.
		try {
			const resp = await fetch('/', { cache: 'no-cache' });
			if (resp.ok) {
				const html = await resp.clone().text();
				await cache.put('/', resp);
				urls.delete('/');
				// Only the shell's own files: the page also preloads the map's style and
				// TileJSON, which a signed-in member of staff gets privately (and which
				// the fetch handler keeps, when public, in the data cache).
				for (const m of html.matchAll(/<(?:script|link)\b[^>]*?\b(?:src|href)="(\/[^"/][^"]*)"/g)) {
					if (shellFiles(new URL(m[1], self.location.origin).pathname)) urls.add(m[1]);
				}
			}
		} catch { /* cache.addAll below fetches / again */ }
		await cache.addAll([...urls].map((u) => new Request(u, { cache: 'no-cache' })));
		await self.skipWaiting();
	})());
});

self.addEventListener('activate', (event) => {
	event.waitUntil((async () => {
		for (const name of await caches.keys()) {
			if (name.startsWith('trygg-') && name !== SHELL && name !== DATA) await caches.delete(name);
		}
		await self.clients.claim();
		// The public data the resident page needs, so that it also works when the
		// first visit's own requests came before this worker.
		const cache = await caches.open(DATA);
		await Promise.all(WARM.map(async (u) => {
			try {
				const resp = await fetch(u, { credentials: 'same-origin' });
				if (keepable(resp)) await cache.put(u, resp);
			} catch { /* offline already: nothing to keep */ }
		}));
	})());
});

self.addEventListener('fetch', (event) => {
	const req = event.request;
	if (req.method !== 'GET') return;
	const url = new URL(req.url);
	if (url.origin !== self.location.origin) return;
	const p = url.pathname;
	if (req.mode === 'navigate') {
		if (pages.test(p)) event.respondWith(networkFirst(event, req, SHELL, NAV_WAIT, '/'));
		return;
	}
	if (p === '/sw.js') return;
	if (shellFiles(p)) {
		event.respondWith(hashed.test(p) ? cacheFirst(req) : networkFirst(event, req, SHELL, NAV_WAIT));
	} else if (publicData(p)) {
		// A tile or glyph range neither the network nor the cache has is drawn empty
		// (204, as MapLibre takes it), so an offline map still loads.
		const empty = /\.(mvt|pbf)$/.test(p);
		// Never after a wait, only when the network fails: the same URL answers staff with
		// their own style and tiles (private, so never cached), and a slow answer must not
		// be replaced by the public copy (the planner's style lacks its layers' sources).
		event.respondWith(networkFirst(event, req, DATA, 0).catch((err) => {
			if (empty) return new Response(null, { status: 204 });
			throw err;
		}));
	}
});

// keepable is whether a response may be cached: a whole 200 that is not private.
function keepable(resp) {
	if (!resp || resp.status !== 200 || resp.type === 'opaque' || resp.redirected) return false;
	const cc = resp.headers.get('Cache-Control') || '';
	return !/private|no-store/i.test(cc);
}

async function cacheFirst(req) {
	const hit = await caches.match(req, { ignoreVary: true, ignoreSearch: true });
	if (hit) return hit;
	const resp = await fetch(req);
	if (keepable(resp)) {
		const cache = await caches.open(SHELL);
		await cache.put(req, resp.clone());
	}
	return resp;
}

// networkFirst answers from the network; on a network error or a server error, or
// after wait ms, from the cache when it holds a copy. The network's answer still refreshes the cache.
// key is the cache key ('/' for every page of the shell).
async function networkFirst(event, req, cacheName, wait, key = req) {
	const cache = await caches.open(cacheName);
	// Shell files are matched without their query (MapLibre asks for its worker with
	// ?v=VERSION); data answers with it.
	const cached = await cache.match(key, { ignoreVary: true, ignoreSearch: cacheName === SHELL });
	const fromNet = fetch(req).then(async (resp) => {
		const html = key !== '/' || (resp.headers.get('Content-Type') || '').startsWith('text/html');
		// The same version (ETag) is not written again: the bundle is megabytes.
		const etag = resp.headers.get('ETag');
		const same = etag && cached && cached.headers.get('ETag') === etag;
		if (keepable(resp) && html && !same) {
			await cache.put(key, resp.clone());
			if (cacheName === DATA) trim(cache);
		}
		return resp;
	});
	event.waitUntil(fromNet.catch(() => {}));
	if (!cached) return fromNet;
	// A server error (a proxy with the server gone) is no better than no network.
	const usable = fromNet.then((resp) => (resp.status >= 500 ? cached : resp), () => cached);
	if (!wait) return usable;
	let timer;
	const late = new Promise((resolve) => { timer = setTimeout(() => resolve(cached), wait); });
	try {
		return await Promise.race([usable, late]);
	} finally {
		clearTimeout(timer);
	}
}

let trimming = false;
async function trim(cache) {
	if (trimming) return;
	trimming = true;
	try {
		const keys = await cache.keys();
		for (const k of keys.slice(0, Math.max(0, keys.length - MAX_DATA))) await cache.delete(k);
	} finally {
		trimming = false;
	}
}

// The outbox: the same database and store as web/src/outbox.js.
const DB = 'trygg-offline';
const STORE = 'outbox';

function openDB() {
	return new Promise((resolve, reject) => {
		const r = indexedDB.open(DB, 1);
		r.onupgradeneeded = () => {
			if (!r.result.objectStoreNames.contains(STORE)) r.result.createObjectStore(STORE, { keyPath: 'key' });
		};
		r.onsuccess = () => resolve(r.result);
		r.onerror = () => reject(r.error);
	});
}

function tx(db, mode, fn) {
	return new Promise((resolve, reject) => {
		const t = db.transaction(STORE, mode);
		const out = fn(t.objectStore(STORE));
		t.oncomplete = () => resolve(out?.result);
		t.onerror = () => reject(t.error);
	});
}

self.addEventListener('sync', (event) => {
	if (event.tag === 'trygg-outbox') event.waitUntil(withLock(sendWaiting));
});

function withLock(fn) {
	return self.navigator.locks ? self.navigator.locks.request('trygg-outbox', fn) : fn();
}

// sendWaiting sends every waiting public entry (the residents' reports) once; it
// throws when one is still waiting, so that the browser tries again later.
async function sendWaiting() {
	const db = await openDB();
	const entries = await tx(db, 'readonly', (s) => s.getAll());
	let left = 0;
	let changed = false;
	for (const e of entries) {
		if (e.state !== 'waiting' || e.staff) continue;
		let resp;
		try {
			resp = await fetch(e.url, {
				method: e.method || 'POST', credentials: 'same-origin', signal: AbortSignal.timeout(30000),
				headers: { 'Content-Type': 'application/json', Accept: 'application/json, application/problem+json', 'Idempotency-Key': e.key },
				body: JSON.stringify(e.body),
			});
		} catch {
			left++;
			continue;
		}
		const data = await resp.json().catch(() => null);
		if (resp.ok) {
			Object.assign(e, { state: 'sent', result: data, body: null, sentAt: new Date().toISOString() });
		} else if (resp.status >= 500 || resp.status === 408 || resp.status === 429 || resp.headers.has('Retry-After')) {
			e.tries = (e.tries || 0) + 1;
			left++;
		} else {
			Object.assign(e, { state: 'failed', problem: data, status: resp.status });
		}
		await tx(db, 'readwrite', (s) => s.put(e));
		changed = true;
	}
	db.close();
	if (changed) new BroadcastChannel('trygg-outbox').postMessage('changed');
	if (left) throw new Error(`${left} reports still waiting`);
}
