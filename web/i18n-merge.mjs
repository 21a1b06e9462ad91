// i18n-merge.mjs: moves texts that other branches added into the per-language catalogues
// (src/i18n/*.js), for merges; web/i18n_test.go then checks the result.
//
//   node web/i18n-merge.mjs [--name NAME] [--old FILE] [NAME-i18n.json …]
//
// --old FILE: an i18n.js of the old shape (`const texts = { sv: { … }, en: { … } }`): its
//   Swedish and English entries whose keys sv.js and en.js lack are appended to them, as
//   written there.
// NAME-i18n.json: {"ar": {…}, "so": {…}, "fi": {…}}: the keys those catalogues lack are
//   appended. NAME (else the file's name before -i18n.json) heads them as a comment.
// Keys a catalogue has are left as they are. It prints what it added and, per language,
// the Swedish keys still missing. Retired keys (the old sv/en button's) are not moved.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'src', 'i18n');
const langs = ['sv', 'en', 'ar', 'so', 'fi'];
const file = (l) => join(dir, `${l}.js`);

async function keysOf(l) {
	const m = await import(`${pathToFileURL(file(l))}?t=${Date.now()}`);
	return new Set(Object.keys(m.default));
}

function append(l, name, lines) {
	if (!lines.length) return;
	const src = readFileSync(file(l), 'utf8');
	const end = src.lastIndexOf('};');
	if (end < 0) throw new Error(`${l}.js: no closing "};"`);
	writeFileSync(file(l), `${src.slice(0, end)}\t// ${name}\n${lines.map((x) => `\t${x}\n`).join('')}${src.slice(end)}`);
	console.log(`${l}.js: added ${lines.length} (${name})`);
}

// Keys the catalogues dropped on purpose (the sv/en button became the language menu).
const retired = new Set(['langToggle', 'langToggleLabel']);
const literalKey = (k) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k));
const entryKey = /^(?:'([^']+)'|"([^"]+)"|([A-Za-z_$][\w$]*))\s*:/;

const args = process.argv.slice(2);
let name = '';
let old = '';
const jsons = [];
for (let i = 0; i < args.length; i++) {
	if (args[i] === '--name') name = args[++i];
	else if (args[i] === '--old') old = args[++i];
	else jsons.push(args[i]);
}
if (!old && !jsons.length) {
	console.error('usage: node web/i18n-merge.mjs [--name NAME] [--old FILE] [NAME-i18n.json …]');
	process.exit(2);
}

if (old) {
	// The old file's sv and en blocks, one entry a line (as every i18n.js had them).
	const lines = readFileSync(old, 'utf8').split('\n');
	for (const l of ['sv', 'en']) {
		const have = await keysOf(l);
		const start = lines.findIndex((x) => x === `\t${l}: {`);
		if (start < 0) throw new Error(`${old}: no "\t${l}: {" block`);
		const add = [];
		for (let i = start + 1; i < lines.length && lines[i] !== '\t},'; i++) {
			const x = lines[i].replace(/^\t\t/, '');
			const m = entryKey.exec(x);
			const k = m && (m[1] ?? m[2] ?? m[3]);
			if (k && !have.has(k) && !retired.has(k)) add.push(x);
		}
		append(l, name || basename(old), add);
	}
}

for (const j of jsons) {
	const data = JSON.parse(readFileSync(j, 'utf8'));
	const who = name || basename(j).replace(/-i18n\.json$/, '');
	for (const l of ['ar', 'so', 'fi']) {
		const have = await keysOf(l);
		const add = Object.entries(data[l] || {}).filter(([k]) => !have.has(k))
			.map(([k, v]) => `${literalKey(k)}: ${JSON.stringify(v)},`);
		append(l, who, add);
	}
}

const sv = await keysOf('sv');
for (const l of langs.slice(1)) {
	const have = await keysOf(l);
	const missing = [...sv].filter((k) => !have.has(k));
	const extra = [...have].filter((k) => !sv.has(k));
	if (missing.length) console.log(`${l}.js lacks ${missing.length}: ${missing.join(', ')}`);
	if (extra.length) console.log(`${l}.js has ${extra.length} not in sv.js: ${extra.join(', ')}`);
}
