// Installs the Node binaries that end-to-end tests run targets on (see package.json here), once: `npm test` calls
// this first, so a fresh clone needs nothing else. They live in a folder of their own because each package puts a
// `node` on npm's PATH, which in the project itself would change the Node that runs leaktop and its tests.
import {execFileSync} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';

const folder = fileURLToPath(new URL('.', import.meta.url));
const wanted = JSON.parse(readFileSync(new URL('package.json', import.meta.url), 'utf8')).devDependencies;
const installed = Object.entries(wanted).every(([name, spec]) => {
	const manifest = new URL(`node_modules/${name}/package.json`, import.meta.url);
	return existsSync(new URL(`node_modules/${name}/bin/node`, import.meta.url)) && existsSync(manifest)
		&& spec.endsWith(`@${JSON.parse(readFileSync(manifest, 'utf8')).version}`);
});
if (!installed) {
	execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {cwd: folder, stdio: 'inherit'});
}
