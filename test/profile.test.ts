import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {describe, it} from 'node:test';
import {siteKind} from '../source/model/identity.js';
import {ageBins} from '../source/model/analyses/survivor-age.js';
import {FrameTable} from '../source/model/frame-table.js';
import {aggregateGroupings, aggregateProfile, maxOrdinalOf, withUrls, type ProfileNode, type SamplingProfile} from '../source/model/profile.js';
import {loadTrace} from './helpers.js';

function allNodes(head: ProfileNode): ProfileNode[] {
	const nodes: ProfileNode[] = [];
	const visit = (node: ProfileNode) => {
		nodes.push(node);
		node.children.forEach(visit);
	};

	visit(head);
	return nodes;
}

describe('aggregateProfile on a profile recorded from the demo server', () => {
	const {profile} = loadTrace('demo-profile').snapshots[0]!;
	const aggregate = aggregateProfile(profile);
	const nodes = allNodes(profile.head);

	it('accounts for every byte and every node', () => {
		const selfTotal = nodes.reduce((sum, node) => sum + node.selfSize, 0);
		assert.equal(aggregate.totalBytes, selfTotal);
		assert.equal(aggregate.sites.reduce((sum, site) => sum + site.liveBytes, 0), selfTotal);
		assert.equal(aggregate.nodeCount, nodes.length);
		assert.equal(aggregate.sites.reduce((sum, site) => sum + site.samples, 0), profile.samples.length);
		assert.equal(aggregate.maxOrdinal, Math.max(...profile.samples.map(sample => sample.ordinal)));
	});

	it('merges the nodes of one function and sorts heaviest first', () => {
		const catalogNodes = nodes.filter(node => node.callFrame.functionName === 'buildCatalog');
		const site = aggregate.sites.find(entry => entry.functionName === 'buildCatalog')!;
		assert.equal(site.liveBytes, catalogNodes.reduce((sum, node) => sum + node.selfSize, 0));
		assert.equal(aggregate.sites.filter(entry => entry.functionName === 'buildCatalog').length, 1);
		assert.deepEqual(aggregate.sites.map(entry => entry.liveBytes), aggregate.sites.map(entry => entry.liveBytes).sort((a, b) => b - a));
	});

	it('reports 1-based lines that point at the function in the source file', () => {
		const site = aggregate.sites.find(entry => entry.functionName === 'rememberRequest')!;
		const lines = readFileSync(new URL('../demo/leaky-server.cjs', import.meta.url), 'utf8').split('\n');
		assert.match(lines[site.line - 1]!, /function rememberRequest\(/);
		assert.equal(lines[site.line - 1]!.indexOf('('), site.column - 1);
		assert.equal(site.kind, 'user');
	});

	it('names builtins, pseudo-frames, internals and anonymous functions', () => {
		const builtin = aggregate.sites.find(entry => entry.url === '' && !entry.functionName.startsWith('('));
		assert.equal(builtin?.kind, 'builtin');
		assert.ok(aggregate.sites.every(entry => entry.functionName !== ''));
		assert.ok(aggregate.sites.some(entry => entry.functionName === '(anonymous)' && entry.url.endsWith('leaky-server.cjs')));
		assert.ok(aggregate.sites.filter(entry => entry.url.startsWith('node:')).every(entry => entry.kind === 'internal'));
	});
});

describe('aggregateProfile on edge shapes', () => {
	const frame = (functionName: string, url = '/app/x.js', lineNumber = 0) => ({functionName, scriptId: '1', url, lineNumber, columnNumber: 4});

	it('walks stacks deeper than the call stack allows', () => {
		let node: ProfileNode = {callFrame: frame('leaf', '/app/x.js', 99), selfSize: 1000, id: 100_000, children: []};
		for (let id = 99_999; id >= 0; id--) {
			node = {callFrame: frame(`f${id % 3}`), selfSize: 0, id, children: [node]};
		}

		const aggregate = aggregateProfile({head: node, samples: [{size: 1000, nodeId: 100_000, ordinal: 5}]});
		assert.equal(aggregate.sites.length, 1);
		assert.deepEqual([aggregate.sites[0]!.functionName, aggregate.sites[0]!.line, aggregate.sites[0]!.column, aggregate.sites[0]!.samples], ['leaf', 100, 5, 1]);
	});

	it('leaves out sites that hold nothing and were never sampled', () => {
		const profile: SamplingProfile = {
			head: {callFrame: frame('(root)', ''), selfSize: 0, id: 1, children: [{callFrame: frame(''), selfSize: 64, id: 2, children: []}]},
			samples: [],
		};
		assert.deepEqual(aggregateProfile(profile).sites.map(site => site.functionName), ['(anonymous)']);
	});

	it('classifies URLs', () => {
		assert.equal(siteKind('set', ''), 'builtin');
		assert.equal(siteKind('(V8 API)', ''), 'pseudo');
		assert.equal(siteKind('x', 'node:internal/timers'), 'internal');
		assert.equal(siteKind('x', 'file:///app/node_modules/lru/index.js'), 'dependency');
		assert.equal(siteKind('x', '/app/server.js'), 'user');
	});
});

describe('withUrls', () => {
	it('names frames whose URL a later profile dropped, from the script id seen before, and leaves builtins alone', () => {
		const frame = (functionName: string, scriptId: string, url: string) => ({functionName, scriptId, url, lineNumber: 3, columnNumber: 1});
		const node = (id: number, callFrame: ReturnType<typeof frame>, children: ProfileNode[] = []): ProfileNode => ({id, callFrame, selfSize: 100, children});
		const scripts = new Map<string, string>();
		const first: SamplingProfile = {head: node(1, frame('(root)', '0', ''), [node(2, frame('handler', '42', 'file:///app/server.js'))]), samples: []};
		assert.equal(withUrls(first, scripts), first, 'a profile with every URL it can have is used as it is');
		const later: SamplingProfile = {head: node(1, frame('(root)', '0', ''), [node(2, frame('handler', '42', '')), node(3, frame('push', '0', '')), node(4, frame('other', '77', ''))]), samples: []};
		const filled = withUrls(later, scripts);
		assert.deepEqual(filled.head.children.map(child => child.callFrame.url), ['file:///app/server.js', '', '']);
		assert.equal(later.head.children[0]!.callFrame.url, '', 'the profile received is left as it was');
		assert.equal(aggregateProfile(filled).sites.find(site => site.functionName === 'handler')!.kind, 'user');
	});
});

describe('a frame table kept for the session', () => {
	const trace = loadTrace('trace-memo');
	/** Bands over the whole of a profile's allocation clock, as the model counts a retained poll. */
	const binsOf = (profile: SamplingProfile) => ageBins({
		polls: [{time: 0, ordinal: 0}, {time: 10_000, ordinal: maxOrdinalOf(profile)}],
		growth: [{time: 0, bytes: 0}, {time: 10_000, bytes: 1e6}],
	});

	it('gives every poll of a recorded session the aggregate a fresh table gives, in both groupings, survivors by age', () => {
		const frames = new FrameTable();
		for (const {profile} of trace.snapshots) {
			const bins = binsOf(profile);
			assert.deepEqual(aggregateGroupings(profile, bins, frames), aggregateGroupings(profile, bins));
		}
	});

	it('resolves afresh a node id that names another frame (a sampler restarted behind leaktop numbers its nodes anew)', () => {
		const frames = new FrameTable();
		const {profile} = trace.snapshots.at(-1)!;
		aggregateGroupings(profile, undefined, frames);
		// The same tree with its ids reversed: every id the table knows now names another node.
		const maxId = Math.max(...allNodes(profile.head).map(node => node.id));
		const renumber = (node: ProfileNode): ProfileNode => ({...node, id: maxId + 1 - node.id, children: node.children.map(child => renumber(child))});
		const restarted: SamplingProfile = {head: renumber(profile.head), samples: profile.samples.map(sample => ({...sample, nodeId: maxId + 1 - sample.nodeId}))};
		assert.deepEqual(aggregateGroupings(restarted, binsOf(restarted), frames), aggregateGroupings(restarted, binsOf(restarted)));
		assert.deepEqual(aggregateGroupings(restarted, undefined, frames).site.sites.map(site => site.key), aggregateProfile(profile).sites.map(site => site.key), 'the same sites as before the restart');
	});
});
