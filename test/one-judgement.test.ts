import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {describe, it} from 'node:test';
import {leakingSites} from '../source/cli/agent.js';
import {siteKey} from '../source/model/identity.js';
import {judgementOf} from '../source/model/judged.js';
import {mergedSites, suspectCount} from '../source/model/merged.js';
import {heldTriggers} from '../source/model/triggers.js';
import {createModel} from '../source/model/target.js';
import {registryFor} from '../source/sinks/metrics.js';
import {decodeRecording} from '../source/sinks/recording-format.js';
import {buildReport} from '../source/sinks/report.js';
import {deriveData} from '../source/ui/derive.js';
import {initialView} from '../source/ui/view-state.js';

describe('one judgement, read by every view and sink', () => {
	// A real 40 s run (Node 20) of a timer callback that V8 inlined into listOnTimeout at ~12 s, replayed poll by poll.
	const recording = decodeRecording(readFileSync(new URL('fixtures/moved-leak.ltrec', import.meta.url)));

	it('gives each site the same verdict and ▲ in the table, target bar, all-targets view, metrics, agent, triggers and report, at every poll', async () => {
		const model = createModel();
		let polls = 0;
		let named = 0;
		for (const event of recording.events) {
			model.apply(event);
			if (event.type !== 'snapshot') {
				continue;
			}

			polls++;
			const target = model.targets[0]!;
			const judged = judgementOf(target).sites;
			const suspects = [...judged].filter(([, judgement]) => judgement.suspect).map(([key]) => key).sort();
			const table = deriveData(target, {...initialView, windowIndex: 0}).allRows;
			assert.deepEqual(table.filter(row => row.suspect).map(row => row.key).sort(), suspects, 'table');
			for (const row of table) {
				assert.equal(row.verdict, judged.get(row.key)?.verdict ?? 'unknown', `table verdict of ${row.functionName}`);
			}

			assert.equal(suspectCount(target), suspects.length, 'target bar');
			assert.deepEqual(mergedSites([target]).filter(site => site.suspect).map(site => site.lead.key).sort(), suspects, 'all-targets view');
			assert.deepEqual([...leakingSites(target, '/').keys()].sort(), suspects, 'agent');
			const held = heldTriggers({onHeap: undefined, onSuspect: true, heapSnapshot: false}, target);
			assert.equal(held.length, suspects.length > 0 ? 1 : 0, 'triggers');
			const report = buildReport(target, event.time, 90);
			assert.deepEqual(report.sites.filter(site => site.suspect).map(site => siteKey(site)).sort(), suspects, 'report');
			for (const site of report.sites) {
				const key = siteKey(site);
				assert.equal(site.verdict, judged.get(key)?.verdict ?? 'unknown', `report verdict of ${site.functionName}`);
			}

			const registry = registryFor(() => model.targets, {host: '127.0.0.1', port: 0, topSites: 1000, cwd: '/'});
			const flagged = (await registry.getSingleMetric('leaktop_site_suspect')!.get()).values.filter(value => value.value === 1).map(value => String(value.labels.function)).sort();
			assert.deepEqual(flagged, suspects.map(key => judged.get(key) && key.split('\u0000')[0]!).sort(), 'metrics');
			if (suspects.some(key => key.startsWith('rememberJobs\u0000'))) {
				named++;
				assert.match(held[0]!.reason, /^leaking: rememberJobs \(/);
			}
		}

		assert.ok(polls >= 5, `${polls} polls`);
		assert.equal(named, polls - 1, 'the leak is named by the callback at every poll but the first (nothing to judge yet)');
	});
});
