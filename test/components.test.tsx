import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {render} from 'ink-testing-library';
import {App} from '../source/ui/app.js';
import {ComparePane} from '../source/ui/components/compare-pane.js';
import {HeapChart} from '../source/ui/components/heap-chart.js';
import {HelpScreen} from '../source/ui/components/help-screen.js';
import {SitesTable} from '../source/ui/components/sites-table.js';
import {keymap} from '../source/ui/keymap.js';
import {sparkline} from '../source/format.js';
import {createStore, type Store} from '../source/ui/store.js';
import type {ViewState} from '../source/ui/view-state.js';
import {loadTrace, rawSnapshots, sessionEvents} from './helpers.js';
import {renderAt} from './render-at.js';

const cwd = '/work';

function storeWith(trace: string, view: Partial<ViewState> = {}, count?: number): Store {
	const store = createStore({view});
	const snapshots = rawSnapshots(loadTrace(trace)).slice(0, count);
	for (const event of sessionEvents({id: 't', title: '/work/app/server.js', url: 'file:///work/app/server.js', pid: 4242, logPath: '/tmp/leaktop-1.log', otherTargets: 0}, snapshots)) {
		store.apply(event);
	}

	return store;
}

/** Waits until the frame satisfies `check`, one tick at a time (Ink draws a frame per tick). */
async function waitForFrame(lastFrame: () => string | undefined, check: (frame: string) => boolean): Promise<string> {
	for (let attempt = 0; attempt < 50; attempt++) {
		const frame = lastFrame() ?? '';
		if (check(frame)) {
			return frame;
		}

		await new Promise(resolve => {
			setTimeout(resolve, 5);
		});
	}

	assert.fail(`the frame never matched:\n${lastFrame()}`);
}

const selectedLine = (frame: string) => frame.split('\n').find(line => line.startsWith('›'));

describe('App', () => {
	it('shows the target, memory figures and the leak first', async () => {
		const {lastFrame, unmount} = render(<App store={storeWith('trace-memo')} cwd={cwd} color={false} onQuit={() => undefined} />);
		const frame = await waitForFrame(lastFrame, text => text.includes('FUNCTION'));
		assert.match(frame, /pid 4242 app\/server\.js/);
		assert.match(frame, /heap \d.* \/ .*sampled .* of heap/);
		assert.match(frame, /sort suspects {2}window 5m {2}pause 12 ms every 1\.0 s = 1\.2% {2}20 profiles, next in \d+ s {2}own cpu 0\.4%/);
		const firstRow = frame.split('\n').find(line => /^›\s+1 /.test(line))!;
		assert.match(firstRow, /▲ \(anonymous\)/);
		assert.match(firstRow, /memo-beside-cache|\+\d/);
		assert.match(frame, /fillCache .* one-time [█·]+ /, 'a cache built once is a step, not growth');
		assert.match(frame, /── heap used {2}── sampled/);
		unmount();
	});

	it('moves the selection, cycles the sort, pauses, shows help and quits by keys', async () => {
		const store = storeWith('trace-memo');
		let quits = 0;
		const {lastFrame, stdin, unmount} = render(<App store={store} cwd={cwd} color={false} onQuit={() => quits++} />);
		await waitForFrame(lastFrame, text => text.includes('FUNCTION'));
		stdin.write('j');
		stdin.write('j');
		await waitForFrame(lastFrame, text => /^›\s+3 /.test(selectedLine(text) ?? ''));
		stdin.write('k');
		await waitForFrame(lastFrame, text => /^›\s+2 /.test(selectedLine(text) ?? ''));
		stdin.write('s');
		await waitForFrame(lastFrame, text => text.includes('sort live bytes') && /^›\s+1 /.test(selectedLine(text) ?? ''));
		stdin.write(']');
		await waitForFrame(lastFrame, text => text.includes('window 15m'));
		stdin.write('p');
		await waitForFrame(lastFrame, text => text.includes('PAUSED'));
		stdin.write('?');
		const help = await waitForFrame(lastFrame, text => text.includes('Keys'));
		assert.match(help, /s\s+cycle the sort/);
		stdin.write('G');
		await waitForFrame(lastFrame, text => text.includes('inlined functions count in their caller'));
		stdin.write('?');
		await waitForFrame(lastFrame, text => text.includes('FUNCTION'));
		stdin.write('q');
		await waitForFrame(lastFrame, () => quits === 1);
		unmount();
	});

	it('freezes the data while paused and catches up on resume', async () => {
		const store = createStore();
		const snapshots = rawSnapshots(loadTrace('trace-memo'));
		const [attached, first, ...rest] = sessionEvents({id: 't', title: 'app', url: '', pid: 1, logPath: undefined, otherTargets: 0}, snapshots);
		store.apply(attached!);
		store.apply(first!);
		const {lastFrame, stdin, unmount} = render(<App store={store} cwd={cwd} color={false} onQuit={() => undefined} />);
		await waitForFrame(lastFrame, text => text.includes('FUNCTION'));
		stdin.write('p');
		await waitForFrame(lastFrame, text => text.includes('PAUSED'));
		const before = store.getSnapshot().data!.target.snapshots;
		for (const event of rest) {
			store.apply(event);
		}

		assert.equal(store.getSnapshot().data!.target.snapshots, before);
		assert.equal(store.getSnapshot().state.targets[0]!.snapshots, snapshots.length);
		stdin.write('p');
		await waitForFrame(lastFrame, text => !text.includes('PAUSED'));
		assert.equal(store.getSnapshot().data!.target.snapshots, snapshots.length);
		unmount();
	});

	it('keeps the data on screen when the target exits', async () => {
		const store = storeWith('trace-churn');
		store.apply({type: 'exited', targetId: 't', time: Date.now(), reason: 'target exited (code 1)'});
		const {lastFrame, unmount} = render(<App store={store} cwd={cwd} color={false} onQuit={() => undefined} />);
		const frame = await waitForFrame(lastFrame, text => text.includes('target exited (code 1)'));
		assert.match(frame, /listOnTimeout/);
		unmount();
	});
});

describe('table and chart widths', () => {
	for (const width of [80, 200]) {
		it(`fit ${width} columns`, async () => {
			const data = storeWith('trace-memo').getSnapshot().data!;
			const table = renderAt(<SitesTable rows={data.rows} points={data.points} selected={0} width={width} height={8} cwd={cwd} color={false} />, width, 50);
			const chart = renderAt(<HeapChart points={data.points} width={width} height={8} color={false} />, width, 50);
			const tableFrame = await waitForFrame(table.lastFrame, text => text.includes('TREND'));
			const chartFrame = await waitForFrame(chart.lastFrame, text => text.includes('heap used'));
			for (const line of [...tableFrame.split('\n'), ...chartFrame.split('\n')]) {
				assert.ok(line.length <= width, `${line.length} > ${width}: ${line}`);
			}

			assert.equal(tableFrame.split('\n').length, 8);
			assert.ok(tableFrame.split('\n').slice(1).every(line => line.trim() !== ''), 'the trace fills the table');
			assert.equal(chartFrame.split('\n').length, 8);
			const trend = tableFrame.split('\n')[1]!.trimEnd().match(/[▁▂▃▄▅▆▇█]+$/)![0];
			const age = tableFrame.split('\n')[1]!.match(/ ([▁▂▃▄▅▆▇█·]+) +[▁▂▃▄▅▆▇█]+$/)![1]!;
			assert.equal(age.length, width >= 100 ? 10 : 5, `the age histogram, bands merged in pairs below 100 columns: ${age}`);
			assert.equal(trend.length, width >= 140 ? 20 : 8);
			const levels = [...trend].map(block => '▁▂▃▄▅▆▇█'.indexOf(block));
			assert.ok(levels[0]! <= 1 && levels.at(-1) === 7 && levels.every((level, index) => index === 0 || level >= levels[index - 1]!), `a rising leak: ${trend}`);
			table.unmount();
			chart.unmount();
		});
	}
});

describe('a builtin\'s location in a narrow column', () => {
	it('drops "(native) " before it cuts the caller\'s name', async () => {
		const data = storeWith('trace-memo').getSnapshot().data!;
		const row = data.rows[0]!;
		const locate = () => '(native) ← rememberEveryRequest:44';
		const narrow = renderAt(<SitesTable rows={[row]} points={data.points} selected={0} width={80} height={3} cwd={cwd} color={false} locate={locate} />, 80, 10);
		const frame = await waitForFrame(narrow.lastFrame, text => text.includes('FUNCTION'));
		assert.match(frame, /← rememberEv[A-Za-z]*…:44 /, 'the caller\'s name keeps its start, the line stays');
		assert.doesNotMatch(frame, /\(native\)/);
		narrow.unmount();
		const wide = renderAt(<SitesTable rows={[row]} points={data.points} selected={0} width={200} height={3} cwd={cwd} color={false} locate={locate} />, 200, 10);
		assert.match(await waitForFrame(wide.lastFrame, text => text.includes('FUNCTION')), /\(native\) ← rememberEveryRequest:44/);
		wide.unmount();
	});
});

describe('the footer', () => {
	it('keeps whole keys at 80 columns, dropping the least used first: e and p stay', async () => {
		const {lastFrame, unmount} = renderAt(<App store={storeWith('trace-memo')} cwd={cwd} color={false} onQuit={() => undefined} />, 80, 24);
		const frame = await waitForFrame(lastFrame, text => text.includes('FUNCTION'));
		const footer = frame.split('\n').at(-1)!;
		assert.ok(footer.length <= 80, footer);
		const [first, , costs] = frame.split('\n');
		assert.match(first!, /log \/tmp\/leaktop-1\.log$/, 'the whole log path');
		assert.match(costs!, /pause 12 ms every 1\.0 s = 1\.2% {2}own cpu 0\.4%$/, 'own cpu kept, whole figures dropped first');
		// From the keymap, the most used first: quitting and the help, then what a user reaches for.
		assert.equal(footer, 'q quit  ? help  p pause  e export  c compare  ↑↓ select  s sort  [ ] window');
		assert.doesNotMatch(footer, /…/);
		unmount();
		const wide = renderAt(<App store={storeWith('trace-memo')} cwd={cwd} color={false} onQuit={() => undefined} />, 200, 50);
		assert.match((await waitForFrame(wide.lastFrame, text => text.includes('FUNCTION'))).split('\n').at(-1)!, /\[ \] window {2}a alloc {2}b baseline$/);
		wide.unmount();
	});
});

describe('the help at 80×24', () => {
	/** The help's text inside its box, without the border. */
	const content = (frame: string) => frame.split('\n').filter(line => line.startsWith('│')).map(line => line.slice(1, -1).trim());

	it('shows every description whole, a page at a time, and keys behind it do nothing', async () => {
		const {lastFrame, stdin, unmount} = renderAt(<App store={storeWith('trace-memo')} cwd={cwd} color={false} onQuit={() => undefined} />, 80, 24);
		await waitForFrame(lastFrame, text => text.includes('FUNCTION'));
		stdin.write('?');
		let frame = await waitForFrame(lastFrame, text => text.includes('Keys'));
		const total = Number(/1–\d+ of (\d+)/.exec(frame)?.[1]);
		assert.ok(total > 24, `a scroll line says how much there is: ${frame}`);
		// Each line in its place: the last page is clamped to the end, so it can repeat lines of the one before.
		const seen: string[] = [];
		const keep = (shown: string) => {
			const [, first] = /(\d+)–\d+ of \d+/.exec(shown)!;
			for (const [index, line] of content(shown).slice(1, -1).entries()) {
				seen[Number(first) - 1 + index] = line;
			}
		};

		keep(frame);
		for (let page = 0; page < 10 && !new RegExp(`–${total} of ${total}`).test(frame); page++) {
			const before = frame;
			stdin.write('\u001B[6~');
			frame = await waitForFrame(lastFrame, text => text !== before);
			keep(frame);
			const lines = frame.split('\n');
			assert.ok(lines.length <= 24 && lines.every(line => line.length <= 80), `fits 80×24: ${lines.length} lines`);
		}

		assert.match(frame, new RegExp(`–${total} of ${total}`), 'Page Down reaches the end');
		const text = seen.join(' ').replaceAll(/\s+/g, ' ');
		assert.ok(!text.includes('…'), 'no description is cut short');
		for (const binding of keymap.filter(entry => entry.label !== '' && entry.mode !== 'replay')) {
			assert.ok(text.includes(binding.description), `"${binding.description}" is whole on one of the pages`);
		}

		assert.ok(text.includes('inlined functions count in their caller'));
		stdin.write('k');
		frame = await waitForFrame(lastFrame, text => !new RegExp(`–${total} of ${total}`).test(text));
		stdin.write('j');
		stdin.write('s');
		stdin.write('\u001B');
		frame = await waitForFrame(lastFrame, text => text.includes('FUNCTION'));
		assert.match(frame, /sort suspects/, 's in the help did not change the sort behind it');
		assert.match(selectedLine(frame) ?? '', /^›\s+1 /, 'j and k in the help scrolled it, not the table');
		unmount();
	});

	it('shows everything at once, with no scroll line, when the terminal is tall enough', async () => {
		const bindings = keymap.filter(binding => binding.mode === undefined || binding.mode === 'live');
		const view = renderAt(<HelpScreen bindings={bindings} rows={50} columns={200} top={0} />, 200, 50);
		const frame = await waitForFrame(view.lastFrame, text => text.includes('Keys'));
		assert.ok(!/ of \d+ /.test(frame), 'no scroll line');
		assert.match(frame, /inlined functions count in their caller/);
		assert.ok(frame.split('\n').length <= 50);
		view.unmount();
	});
});

describe('terminal sizes', () => {
	it('uses the whole of a 200×50 terminal and follows resizes down to a too-small notice', async () => {
		const {lastFrame, resize, unmount} = renderAt(<App store={storeWith('trace-memo')} cwd={cwd} color={false} onQuit={() => undefined} />, 200, 50);
		const large = await waitForFrame(lastFrame, text => text.includes('FUNCTION'));
		assert.equal(large.split('\n').length, 49);
		assert.ok(large.split('\n').every(line => line.length <= 200));
		// The chart spans the width even with a short history (a few dozen polls here).
		const chart = large.split('\n').filter(line => /^ *[\d.]+ [KMG]?B [┤┼]/.test(line));
		assert.ok(chart.length >= 6 && Math.max(...chart.map(line => line.trimEnd().length)) >= 190, chart.join('\n'));
		resize(80, 24);
		const small = await waitForFrame(lastFrame, text => text.split('\n').length === 23);
		assert.ok(small.split('\n').every(line => line.length <= 80), small);
		resize(60, 20);
		await waitForFrame(lastFrame, text => text.includes('terminal too small (60×20)'));
		unmount();
	});
});

describe('a table of many sites at 200×50', () => {
	it('fills the height down to the status line', async () => {
		// The recorded trace with 60 more functions beside its own, each holding something.
		const store = createStore();
		const snapshots = rawSnapshots(loadTrace('trace-memo')).map(snapshot => {
			const {head} = snapshot.profile;
			const extra = Array.from({length: 60}, (_, index) => ({
				callFrame: {functionName: `handler${index}`, scriptId: '99', url: 'file:///work/app/routes.js', lineNumber: index, columnNumber: 0},
				selfSize: 65_536 * (index + 1), id: 1_000_000 + index, children: [],
			}));
			return {...snapshot, profile: {...snapshot.profile, head: {...head, children: [...head.children, ...extra]}}};
		});
		for (const event of sessionEvents({id: 't', title: '/work/app/server.js', url: 'file:///work/app/server.js', pid: 4242, logPath: undefined, otherTargets: 0}, snapshots)) {
			store.apply(event);
		}

		const {lastFrame, unmount} = renderAt(<App store={store} cwd={cwd} color={false} onQuit={() => undefined} />, 200, 50);
		const lines = (await waitForFrame(lastFrame, text => text.includes('handler59'))).split('\n');
		const tableRows = lines.filter(line => /^[› ] +\d+ /.test(line));
		const lastRow = lines.indexOf(tableRows.at(-1)!);
		assert.ok(tableRows.length >= 28, `${tableRows.length} rows of 67 shown`);
		assert.ok(lines.length - lastRow <= 3, `only the status line and footer below the table: ${lines.length - lastRow - 1} lines`);
		unmount();
	});
});

describe('sparkline', () => {
	it('scales from zero so flat stays flat and growth rises', () => {
		assert.equal(sparkline([5, 5, 5]), '███');
		assert.equal(sparkline([0, 1, 2, 3, 4, 5, 6, 7]), '▁▂▃▄▅▆▇█');
		assert.equal(sparkline([0, 0]), '▁▁');
	});
});

describe('the comparison pane', () => {
	for (const width of [80, 200]) {
		it(`shows the spiking site first and fits ${width} columns`, async () => {
			const data = storeWith('trace-spikes', {percentile: 90}).getSnapshot().data!;
			const pane = renderAt(<ComparePane comparison={data.comparison} metric="retained" sort="delta" selected={0} focused width={width} height={10} cwd={cwd} color={false} />, width, 50);
			const frame = await waitForFrame(pane.lastFrame, text => text.includes('TOP MEAN'));
			const lines = frame.split('\n');
			assert.equal(lines.length, 10);
			assert.ok(lines.every(line => line.length <= width), frame);
			assert.match(lines[0]!, /^COMPARE retained bytes · sort delta: top \d+ of \d+ \(p90\)/);
			assert.match(lines[2]!, /^› buildBigReport/);
			assert.match(lines[2]!, /\+[\d.]+ MB/);
			pane.unmount();
		});
	}

	it('opens with c, beside the table when wide, and answers Tab, +, -, s and the baseline keys', async () => {
		const store = storeWith('trace-spikes');
		const {lastFrame, stdin, unmount} = renderAt(<App store={store} cwd={cwd} color={false} onQuit={() => undefined} />, 200, 50);
		await waitForFrame(lastFrame, text => text.includes('FUNCTION'));
		stdin.write('c');
		const both = await waitForFrame(lastFrame, text => text.includes('TOP MEAN'));
		assert.match(both, /TREND .*COMPARE retained/, 'side by side');
		assert.match(both, /SAMPLES .*\n.*\n.*[▁▂▃▄▅▆▇█] › buildBigReport .*\+[\d.]+ MB/, 'the spiking site leads the pane');
		assert.match(both, /top 1 of \d+: too few for p99, the heaviest one/);
		assert.equal(both.split('›').length - 1, 1, 'only the pane with the keys shows a selection');
		stdin.write('-');
		await waitForFrame(lastFrame, text => /top \d+ of \d+ \(p95\)/.test(text));
		stdin.write('-');
		await waitForFrame(lastFrame, text => text.includes('(p90)'));
		stdin.write('+');
		await waitForFrame(lastFrame, text => text.includes('(p95)'));
		stdin.write('s');
		await waitForFrame(lastFrame, text => text.includes('sort ratio'));
		stdin.write('j');
		await waitForFrame(lastFrame, text => text.split('\n').some(line => /TOP MEAN/.test(line)) && /› .*×/.test(text.split('\n').filter(line => line.includes('›')).at(-1) ?? ''));
		stdin.write('\t');
		stdin.write('b');
		const base = await waitForFrame(lastFrame, text => text.includes('sort since baseline') && text.includes('Δ BASE'));
		assert.match(base, /baseline 00:00 ago/);
		stdin.write('B');
		await waitForFrame(lastFrame, text => text.includes('sort suspects') && !text.includes('Δ BASE'));
		stdin.write('a');
		await waitForFrame(lastFrame, text => text.includes('Measure allocations/s? y/n: the sampler restarts, forgetting every survivor'));
		stdin.write('n');
		await waitForFrame(lastFrame, text => !text.includes('Measure allocations/s?'));
		assert.equal(store.getSnapshot().state.view.metric, 'retained', 'cancelled: nothing switched');
		stdin.write('a');
		await waitForFrame(lastFrame, text => text.includes('Measure allocations/s?'));
		stdin.write('y');
		await waitForFrame(lastFrame, text => text.includes('switching to allocations/s at the next poll'));
		unmount();
	});

	it('takes the place of the table at 80 columns, and Tab flips between them', async () => {
		const {lastFrame, stdin, unmount} = renderAt(<App store={storeWith('trace-spikes')} cwd={cwd} color={false} onQuit={() => undefined} />, 80, 24);
		await waitForFrame(lastFrame, text => text.includes('FUNCTION'));
		stdin.write('c');
		const pane = await waitForFrame(lastFrame, text => text.includes('TOP MEAN'));
		assert.doesNotMatch(pane, /TREND/);
		assert.ok(pane.split('\n').every(line => line.length <= 80));
		stdin.write('\t');
		await waitForFrame(lastFrame, text => text.includes('TREND') && !text.includes('TOP MEAN'));
		unmount();
	});
});

describe('the header at 80 columns', () => {
	const headerOf = (frame: string) => frame.split('\n').slice(0, 3).join('\n');

	it('keeps the pause figure in baseline mode, shortened before anything is left out', async () => {
		const {lastFrame, stdin, unmount} = renderAt(<App store={storeWith('trace-memo')} cwd={cwd} color={false} onQuit={() => undefined} />, 80, 24);
		await waitForFrame(lastFrame, text => text.includes('FUNCTION'));
		stdin.write('b');
		const header = headerOf(await waitForFrame(lastFrame, text => text.includes('sort since baseline')));
		assert.match(header, /sort since baseline {2}window 5m {2}baseline 00:00 ago {2}pause 1\.2%$/m);
		unmount();
	});

	it('keeps it when measuring allocations', async () => {
		const store = createStore();
		const snapshots = rawSnapshots(loadTrace('trace-churn')).map(snapshot => ({...snapshot, metric: 'allocated' as const}));
		for (const event of sessionEvents({id: 't', title: '/work/app/server.js', url: 'file:///work/app/server.js', pid: 4242, logPath: undefined, otherTargets: 0}, snapshots)) {
			store.apply(event);
		}

		const {lastFrame, unmount} = renderAt(<App store={store} cwd={cwd} color={false} onQuit={() => undefined} />, 80, 24);
		const header = headerOf(await waitForFrame(lastFrame, text => text.includes('ALLOC/s')));
		assert.match(header, /measuring allocations\/s {2}pause (12 ms every 1\.0 s = )?\d/);
		assert.ok(header.split('\n').every(line => line.length <= 80), header);
		unmount();
	});
});

describe('Enter on the comparison', () => {
	it('opens the call paths as they were at the spike, gone from the latest profile', async () => {
		// The trace's first 45 polls: four spikes of buildBigReport, the heaviest 22.4 MB at poll 12, none at the end.
		const {lastFrame, stdin, unmount} = renderAt(<App store={storeWith('trace-spikes', {}, 45)} cwd={cwd} color={false} onQuit={() => undefined} />, 120, 30);
		await waitForFrame(lastFrame, text => text.includes('FUNCTION'));
		stdin.write('c');
		await waitForFrame(lastFrame, text => /› buildBigReport/.test(text));
		stdin.write('\r');
		const drill = await waitForFrame(lastFrame, text => text.includes('CALLERS'));
		assert.match(drill, /comparison › buildBigReport/);
		assert.match(drill, /held 20\.2 MB at the spike 00:08 ago \(22\.4 MB sampled then\); now nothing/);
		assert.match(drill, /◆ buildBigReport .* 20\.2 MB +100%/, 'the tree is the spike\'s, not the empty latest one');
		assert.doesNotMatch(drill, /holds nothing now/);
		unmount();
	});

	it('opens the latest profile from the table, as before', async () => {
		const {lastFrame, stdin, unmount} = renderAt(<App store={storeWith('trace-spikes', {}, 45)} cwd={cwd} color={false} onQuit={() => undefined} />, 120, 30);
		await waitForFrame(lastFrame, text => text.includes('FUNCTION'));
		stdin.write('\r');
		const drill = await waitForFrame(lastFrame, text => text.includes('CALLERS'));
		assert.match(drill, /^sites › /m);
		assert.doesNotMatch(drill, /at the spike/);
		unmount();
	});
});

describe('keys typed faster than a frame', () => {
	it('are each taken, Tab and Enter included, in one chunk', async () => {
		const {lastFrame, stdin, unmount} = renderAt(<App store={storeWith('trace-spikes')} cwd={cwd} color={false} onQuit={() => undefined} />, 80, 24);
		await waitForFrame(lastFrame, text => text.includes('FUNCTION'));
		stdin.write('cj\t\r');
		const drill = await waitForFrame(lastFrame, text => text.includes('CALLERS'));
		assert.match(drill, /sites › buildBigReport/, 'Tab went back to the table, Enter opened its first row');
		unmount();
	});
});
