// build.mjs: bundles the browser app with esbuild into static/dist/, which web.go embeds,
// split per view: app.js (the entry: the router, i18n, the CSS as app.css) imports each
// view (resident, status, moderation, planner, followup, cameras) on demand as
// VIEW-HASH.js; code that views share goes into chunk-HASH.js, MapLibre into
// maplibre-HASH.js, and MapLibre's worker is maplibre-gl-worker-HASH.mjs. Every text file
// is precompressed (FILE.br, brotli quality 11, and FILE.gz, gzip level 9, when they pay),
// and dist/assets.json lists the files for web.go: which are immutable (hashed), and the
// chunks each view loads (web.go names them in <link rel="modulepreload"> on the view's
// pages). Run by `make build` and scripts/test.sh through `npm run build`;
// `node build.mjs --watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { layers, namedFlavor } from '@protomaps/basemaps';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'static', 'dist');
mkdirSync(out, { recursive: true });
for (const f of readdirSync(out)) {
	if (f !== 'README.md') rmSync(join(out, f), { recursive: true, force: true });
}

/** hash is a file name's content hash: 8 characters of base32 of SHA-256, like esbuild's. */
const hash = (b) => {
	const d = createHash('sha256').update(b).digest();
	const a = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
	let s = '';
	for (let i = 0; i < 8; i++) s += a[d[i] & 31];
	return s;
};

// MapLibre's worker, named by its hash so that it can be cached as immutable; map.js
// hands its URL to MapLibre (setWorkerUrl), relative to the chunk that holds map.js.
const workerSource = readFileSync(join(here, 'node_modules', 'maplibre-gl', 'dist', 'maplibre-gl-worker.mjs'));
const worker = `maplibre-gl-worker-${hash(workerSource)}.mjs`;
writeFileSync(join(out, worker), workerSource);

// Compression: FILE.br and FILE.gz beside each text file, when smaller than 90 % of it.
// Results are kept by content, so a --watch rebuild compresses only what changed.
const compressible = new Set(['.js', '.mjs', '.css', '.json', '.svg', '.pbf']);
const compressed = new Map();
function compress(path) {
	if (!compressible.has(extname(path))) return;
	const b = readFileSync(path);
	const key = createHash('sha256').update(b).digest('hex');
	let c = compressed.get(key);
	if (!c) {
		c = {
			br: brotliCompressSync(b, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: b.length,
				[zlib.BROTLI_PARAM_MODE]: extname(path) === '.pbf' ? zlib.BROTLI_MODE_GENERIC : zlib.BROTLI_MODE_TEXT } }),
			gz: gzipSync(b, { level: 9 }),
		};
		compressed.set(key, c);
	}
	const sizes = { raw: b.length };
	for (const [enc, z] of Object.entries(c)) {
		rmSync(`${path}.${enc}`, { force: true });
		if (z.length < b.length * 0.9) {
			writeFileSync(`${path}.${enc}`, z);
			sizes[enc] = z.length;
		}
	}
	return sizes;
}

// The self-hosted basemap's layers (served in /styles/trygg.json when TRYGG_BASEMAP is
// set): Protomaps' light flavour for its schema, labelled in Swedish. Every font is the
// one we ship (Noto Sans Regular); icons are dropped, as there is no sprite (a layer that
// is only an icon, or road shields, goes).
const font = 'Noto Sans Regular';
const fonts = (v) => (typeof v === 'string' && v.startsWith('Noto Sans') ? font
	: Array.isArray(v) ? v.map(fonts)
		: v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fonts(x)])) : v);
const baseLayers = [];
for (const l of layers('basemap', namedFlavor('light'), { lang: 'sv' })) {
	const layout = Object.fromEntries(Object.entries(l.layout ?? {}).filter(([k]) => !k.startsWith('icon-')));
	// Road shields are text on an icon: without the icon, the number floats alone.
	if (l.type === 'symbol' && (!layout['text-field'] || l.id === 'roads_shields')) continue;
	const paint = Object.fromEntries(Object.entries(l.paint ?? {}).filter(([k]) => !k.startsWith('icon-')));
	baseLayers.push(fonts({ ...l, layout, paint }));
}
writeFileSync(join(out, 'basemap-layers.json'), JSON.stringify(baseLayers));

// Glyphs for the basemap's labels, served at /fonts/{fontstack}/{range}.pbf: Noto Sans
// Regular (SIL Open Font License 1.1) from tileserver-gl-styles, only the ranges of
// Latin, Greek, Cyrillic and punctuation (the server answers others empty).
const glyphRanges = [0, 256, 512, 768, 1024, 1280, 7680, 7936, 8192, 8448, 8704, 8960, 9472, 65280];
const fontDir = join(out, 'fonts', font);
mkdirSync(fontDir, { recursive: true });
for (const start of glyphRanges) {
	const name = `${start}-${start + 255}.pbf`;
	copyFileSync(join(here, 'node_modules', 'tileserver-gl-styles', 'fonts', font, name), join(fontDir, name));
	compress(join(fontDir, name));
}
writeFileSync(join(out, 'fonts', 'LICENSE.txt'), 'Noto Sans: Copyright 2012 Google Inc. All Rights Reserved. ' +
	'Licensed under the SIL Open Font License, Version 1.1 (https://openfontlicense.org). ' +
	'Glyph PBFs from the npm package tileserver-gl-styles 2.0.0.\n');

// The fixed files, compressed once.
const fixedSizes = { [worker]: compress(join(out, worker)), 'basemap-layers.json': compress(join(out, 'basemap-layers.json')) };

// finish writes a build's output: esbuild's shared chunk holding MapLibre is renamed
// maplibre-HASH.js (its importers rewritten), each file is written and compressed, files
// of an earlier --watch build are removed, and assets.json is written.
let previous = new Set();
const finish = {
	name: 'trygg-finish',
	setup(build) {
		build.onEnd((result) => {
			if (result.errors.length) return;
			const meta = result.metafile.outputs;
			const rel = (p) => relative(out, p).split('\\').join('/');
			const name = (p) => rel(join(here, p));
			// Rename the chunk with most of MapLibre in it.
			const renames = new Map();
			let best = null;
			for (const [p, o] of Object.entries(meta)) {
				if (o.entryPoint || !p.endsWith('.js')) continue;
				const ml = Object.entries(o.inputs).filter(([i]) => i.includes('node_modules/maplibre-gl/'))
					.reduce((a, [, v]) => a + v.bytesInOutput, 0);
				if (ml > 0 && (!best || ml > best.ml)) best = { p, ml };
			}
			if (best) renames.set(name(best.p), name(best.p).replace(/^chunk-/, 'maplibre-'));
			const renamed = (n) => renames.get(n) ?? n;
			const files = new Map();
			for (const f of result.outputFiles) {
				let text = f.text;
				for (const [from, to] of renames) text = text.split(`"./${from}"`).join(`"./${to}"`);
				files.set(renamed(rel(f.path)), text);
			}
			// Each view's chunks: its own and what it imports statically, transitively.
			const closure = (p, seen = new Set()) => {
				if (seen.has(p)) return seen;
				seen.add(p);
				for (const i of meta[p]?.imports ?? []) if (i.kind === 'import-statement') closure(i.path, seen);
				return seen;
			};
			// The build's own entry points (app, and any added later, like a service worker)
			// keep their names; views (import()ed) and shared chunks carry their hash.
			const entryFiles = new Set(Object.values(options.entryPoints).map((e) => relative(here, e).split('\\').join('/')));
			const views = {};
			const entries = {};
			const fixed = new Set();
			for (const [p, o] of Object.entries(meta)) {
				if (o.entryPoint && entryFiles.has(o.entryPoint)) {
					fixed.add(renamed(name(p)));
					if (o.cssBundle) fixed.add(name(o.cssBundle));
				}
				if (!o.entryPoint || !p.endsWith('.js')) continue;
				const chunks = [...closure(p)].map((c) => renamed(name(c)));
				if (entryFiles.has(o.entryPoint)) entries[basename(name(p), '.js')] = chunks;
				else views[basename(o.entryPoint, '.js')] = chunks;
			}
			const entry = entries.app;
			for (const v of Object.keys(views)) views[v] = views[v].filter((c) => !entry.includes(c));
			const now = new Set(files.keys());
			for (const f of previous) {
				if (!now.has(f)) for (const x of [f, `${f}.br`, `${f}.gz`]) rmSync(join(out, x), { force: true });
			}
			previous = now;
			const sizes = { ...fixedSizes };
			for (const [f, text] of files) {
				writeFileSync(join(out, f), text);
				sizes[f] = compress(join(out, f));
			}
			const hashed = (f) => f === worker || (files.has(f) && !fixed.has(f));
			const assets = {
				entry: entry[0], css: [...files.keys()].filter((f) => f.endsWith('.css')), worker,
				maplibre: best ? renamed(name(best.p)) : null,
				// The entry's own static imports, then each view's further chunks.
				entryChunks: entry.slice(1), views,
				// Each entry point's files: itself and its static imports.
				entries,
				immutable: Object.keys(sizes).filter(hashed).sort(),
				sizes,
			};
			writeFileSync(join(out, 'assets.json'), JSON.stringify(assets, null, '\t'));
			compress(join(out, 'assets.json'));
		});
	},
};

const options = {
	entryPoints: { app: join(here, 'src', 'main.js') },
	outdir: out,
	absWorkingDir: here,
	bundle: true,
	format: 'esm',
	splitting: true,
	entryNames: '[name]',
	chunkNames: '[name]-[hash]',
	assetNames: '[name]-[hash]',
	minify: true,
	charset: 'utf8', // the catalogues' Arabic as UTF-8, not \u escapes (module scripts are always UTF-8)
	sourcemap: false,
	target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
	legalComments: 'eof',
	logLevel: 'warning',
	metafile: true,
	write: false,
	define: { MAPLIBRE_WORKER: JSON.stringify(worker) },
	plugins: [finish],
};

if (process.argv.includes('--watch')) {
	const ctx = await esbuild.context(options);
	await ctx.watch();
	console.log('web: watching src/');
} else {
	const result = await esbuild.build(options);
	if (result.errors.length) process.exit(1);
	const { sizes } = JSON.parse(readFileSync(join(out, 'assets.json'), 'utf8'));
	const kib = (n) => (n === undefined ? '-' : `${(n / 1024).toFixed(0)} KiB`);
	for (const f of readdirSync(out).sort()) {
		if (f.endsWith('.br') || f.endsWith('.gz')) continue;
		const s = sizes[f];
		const st = statSync(join(out, f));
		console.log(`web: dist/${f} ${st.isDirectory() ? '' : kib(st.size)}${s ? ` (br ${kib(s.br)}, gzip ${kib(s.gz)})` : ''}`);
	}
}
