import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import {describe, it} from 'node:test';
import {promisify} from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const cruiser = fileURLToPath(new URL('../node_modules/dependency-cruiser/bin/dependency-cruise.mjs', import.meta.url));

/** Runs dependency-cruiser with the project's rules over `path`; the exit code counts the violations. */
async function cruise(path: string): Promise<{code: number; output: string}> {
	try {
		const {stdout} = await promisify(execFile)(process.execPath, [cruiser, path, '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], {cwd: root});
		return {code: 0, output: stdout};
	} catch (error) {
		const failed = error as {code: number; stdout: string; stderr: string};
		return {code: failed.code, output: failed.stdout + failed.stderr};
	}
}

describe('the import rules (.dependency-cruiser.cjs)', () => {
	it('hold for source/', async () => {
		const {code, output} = await cruise('source');
		assert.equal(code, 0, output);
		assert.match(output, /no dependency violations found/);
	});

	it('catch violations planted on purpose: an impure model, a model importing a view, a view calling a door', async () => {
		const {code, output} = await cruise('test/fixtures/import-rules');
		assert.notEqual(code, 0, output);
		assert.match(output, /model-is-pure: test\/fixtures\/import-rules\/source\/model\/impure\.ts → (node:)?fs\n/);
		assert.match(output, /model-imports-nothing-upward: test\/fixtures\/import-rules\/source\/model\/impure\.ts → test\/fixtures\/import-rules\/source\/ui\/view\.ts/);
		assert.match(output, /ui-imports-nothing-upward: test\/fixtures\/import-rules\/source\/ui\/view\.ts → test\/fixtures\/import-rules\/source\/attach\/door\.ts/);
	});
});
