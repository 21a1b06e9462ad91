// build.mjs: bundles the browser app with esbuild into static/dist/ (app.js, app.css and
// MapLibre's worker), which web.go embeds. Run by `make build` and scripts/test.sh
// through `npm run build`; `node build.mjs --watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { layers, namedFlavor } from '@protomaps/basemaps';
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'static', 'dist');
mkdirSync(out, { recursive: true });
for (const f of readdirSync(out)) {
	if (f !== 'README.md') rmSync(join(out, f), { recursive: true, force: true });
}

const options = {
	entryPoints: { app: join(here, 'src', 'main.js') },
	outdir: out,
	bundle: true,
	format: 'esm',
	minify: true,
	sourcemap: false,
	target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
	legalComments: 'eof',
	logLevel: 'warning',
};

// MapLibre starts its worker from maplibre-gl-worker.mjs next to the script that loads
// it (import.meta.url), so the worker goes next to app.js.
copyFileSync(join(here, 'node_modules', 'maplibre-gl', 'dist', 'maplibre-gl-worker.mjs'), join(out, 'maplibre-gl-worker.mjs'));

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
}
writeFileSync(join(out, 'fonts', 'LICENSE.txt'), 'Noto Sans: Copyright 2012 Google Inc. All Rights Reserved. ' +
	'Licensed under the SIL Open Font License, Version 1.1 (https://openfontlicense.org). ' +
	'Glyph PBFs from the npm package tileserver-gl-styles 2.0.0.\n');

if (process.argv.includes('--watch')) {
	const ctx = await esbuild.context(options);
	await ctx.watch();
	console.log('web: watching src/');
} else {
	await esbuild.build(options);
	for (const f of readdirSync(out).sort()) {
		console.log(`web: dist/${f} ${(statSync(join(out, f)).size / 1024).toFixed(0)} KiB`);
	}
}
