// map.js: the MapLibre map with Trygg's style (/styles/trygg.json, drawing /tiles/all),
// on the server's own basemap (TRYGG_BASEMAP: in the style, with its glyphs), on an
// external style (TRYGG_BASEMAP_STYLE, which replaces it) or, with none, on a plain
// background that works offline.
import { Map as MapLibre, NavigationControl, ScaleControl, AttributionControl, prewarm, setWorkerUrl } from 'maplibre-gl';
import { t, dir } from './i18n.js';

// MapLibre's worker is dist/maplibre-gl-worker-HASH.mjs, next to the chunk holding this
// module (build.mjs names it by its content's hash, for immutable caching, and defines
// MAPLIBRE_WORKER; without it, MapLibre looks for maplibre-gl-worker.mjs there). It is
// started now, while the style is fetched, not after.
if (typeof MAPLIBRE_WORKER === 'string') setWorkerUrl(new URL(`./${MAPLIBRE_WORKER}`, import.meta.url).href); // eslint-disable-line no-undef
prewarm();

/** config is the server's configuration from <meta name="trygg-config">. */
export function config() {
	try {
		return JSON.parse(document.querySelector('meta[name=trygg-config]')?.content || '{}');
	} catch {
		return {};
	}
}

async function getJSON(url) {
	const r = await fetch(url, { credentials: 'same-origin' });
	if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
	return r.json();
}

/**
 * tryggStyle returns the style to draw: Trygg's layers, on the basemap when one is
 * configured. The TileJSONs are inlined (one request less before the first tile), and
 * text layers are dropped when the style has no glyphs (nothing to draw text with
 * offline).
 */
async function tryggStyle(basemapURL) {
	const [style, tj, base] = await Promise.all([
		getJSON('/styles/trygg.json'),
		getJSON('/tiles/all.json'),
		basemapURL ? getJSON(basemapURL).catch(() => null) : null,
	]);
	for (const src of Object.values(style.sources)) {
		if (src.type === 'vector' && src.url && src.url.endsWith('/tiles/all.json')) {
			delete src.url;
			Object.assign(src, {
				tiles: tj.tiles, minzoom: tj.minzoom, maxzoom: Math.min(tj.maxzoom ?? 14, 16),
				bounds: tj.bounds, attribution: tj.attribution,
			});
		}
	}
	// The self-hosted basemap's TileJSON inlined too (the resident page preloads it).
	const bm = style.sources.basemap;
	if (!base && bm?.type === 'vector' && bm.url) {
		const bj = await getJSON(bm.url).catch(() => null);
		if (bj?.tiles) {
			delete bm.url;
			Object.assign(bm, { tiles: bj.tiles, minzoom: bj.minzoom, maxzoom: bj.maxzoom, bounds: bj.bounds, attribution: bj.attribution });
		}
	}
	let out = style;
	if (base) {
		// TRYGG_BASEMAP_STYLE replaces the self-hosted basemap (TRYGG_BASEMAP) and its glyphs.
		const { basemap, ...own } = style.sources;
		out = { ...base, sources: { ...base.sources, ...own },
			layers: [...base.layers, ...style.layers.filter((l) => l.type !== 'background' && l.source !== 'basemap')] };
	}
	if (!out.glyphs) out.layers = out.layers.filter((l) => !(l.type === 'symbol' && l.layout?.['text-field']));
	return { style: out, bounds: tj.bounds, offline: !base && !style.sources.basemap };
}

/**
 * basemapHint returns, for staff pages, a short note on how to add a basemap when the
 * map has none (window.trygg.offline), else null.
 */
export function basemapHint() {
	if (!window.trygg?.offline) return null;
	const p = document.createElement('p');
	p.className = 'map-hint';
	p.setAttribute('role', 'note');
	p.textContent = t('basemapHint');
	return p;
}

/**
 * createMap draws the map into container and resolves when its style is loaded. The
 * map is also window.trygg.map (the browser test reads rendered features), and
 * window.trygg.idleMs is the time from navigation start to the map's first idle.
 */
export async function createMap(container, { hash = false } = {}) {
	container.setAttribute('role', 'region');
	container.setAttribute('aria-label', t('mapLabel'));
	const { style, bounds, offline } = await tryggStyle(config().basemap_style);
	const map = new MapLibre({
		container, style, hash,
		bounds: hash && location.hash.length > 1 ? undefined : bounds,
		fitBoundsOptions: { padding: 20 },
		attributionControl: false,
		// The style is the server's own (tested there): validating its hundred basemap
		// layers would hold the first tile back on a slow phone.
		validateStyle: false,
		maxPitch: 0,
		dragRotate: false,
		cooperativeGestures: false,
		locale: {
			'NavigationControl.ZoomIn': t('zoomIn'), 'NavigationControl.ZoomOut': t('zoomOut'),
			'AttributionControl.ToggleAttribution': t('toggleAttribution'), 'AttributionControl.MapFeedback': t('mapFeedback'),
		},
	});
	map.touchZoomRotate.disableRotation();
	// Controls at the end of the reading direction (mirrored in Arabic), the legend
	// (CSS, inset-inline-start) at its start.
	const [start, end] = dir() === 'rtl' ? ['right', 'left'] : ['left', 'right'];
	map.addControl(new NavigationControl({ showCompass: false }), `top-${end}`);
	map.addControl(new ScaleControl({ unit: 'metric' }), `bottom-${start}`);
	map.addControl(new AttributionControl({ compact: true }), `bottom-${end}`);
	map.getCanvas().setAttribute('aria-label', t('mapLabel'));
	window.trygg = Object.assign(window.trygg || {}, { map, offline });
	map.once('idle', () => { window.trygg.idleMs = Math.round(performance.now()); });
	// window.trygg.firstTile[source] is the time from navigation start to the end of the
	// first frame drawn after the first tile of that vector source was loaded (the Slow 4G
	// figure of the browser test); firstTileMs the earliest of them.
	window.trygg.firstTile = {};
	const onTile = (e) => {
		if (e.dataType !== 'source' || !e.tile || !e.sourceId || e.sourceId in window.trygg.firstTile) return;
		if (map.getSource(e.sourceId)?.type !== 'vector') return;
		window.trygg.firstTile[e.sourceId] = 0;
		map.once('render', () => {
			const ms = Math.round(performance.now());
			window.trygg.firstTile[e.sourceId] = ms;
			window.trygg.firstTileMs = Math.min(window.trygg.firstTileMs ?? ms, ms);
		});
	};
	map.on('data', onTile);
	await new Promise((resolve, reject) => {
		map.once('load', resolve);
		map.once('error', (e) => reject(e.error || new Error('map error')));
	});
	return map;
}

// bbox is a GeoJSON geometry's [west, south, east, north].
export function bbox(g) {
	const b = [Infinity, Infinity, -Infinity, -Infinity];
	const walk = (c) => {
		if (typeof c[0] === 'number') {
			b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1]);
			b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1]);
		} else c.forEach(walk);
	};
	walk(g.coordinates);
	return b;
}
