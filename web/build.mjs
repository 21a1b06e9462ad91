// build.mjs: bundles the browser app with esbuild into static/dist/ (app.js, app.css and
// MapLibre's worker), which web.go embeds. Run by `make build` and scripts/test.sh
// through `npm run build`; `node build.mjs --watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
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
