import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {bytesUnder, calleesOf, callersOf, drillRows, heaviestPaths, userFrameOf} from '../source/model/call-paths.js';
import {aggregateProfile} from '../source/model/profile.js';
import type {SiteRow} from '../source/model/ranking.js';
import {filterRows, packageOf, scopeRows} from '../source/model/scope.js';
import {siteLocation} from '../source/model/location.js';
import {loadTrace} from './helpers.js';

const profile = loadTrace('trace-memo').snapshots.at(-1)!.profile;
const sites = aggregateProfile(profile).sites;
const site = (name: string) => sites.find(entry => entry.functionName === name)!;

describe('call paths through a profile recorded from a real program', () => {
	it('finds the callers of a builtin, heaviest first, adding up to its bytes', () => {
		const set = site('set');
		const callers = callersOf(profile, set);
		assert.equal(callers.bytes, set.liveBytes);
		assert.ok(callers.children.length > 0);
		assert.equal(callers.children.reduce((sum, child) => sum + child.bytes, 0), set.liveBytes);
		assert.ok(callers.children.every((child, index) => index === 0 || callers.children[index - 1]!.bytes >= child.bytes));
		assert.ok(['memoizeUser', '(anonymous)'].includes(callers.children[0]!.site.functionName));
	});

	it('finds what a function and its callees hold, builtins included', () => {
		const caller = callersOf(profile, site('set')).children[0]!.site;
		const callees = calleesOf(profile, caller);
		assert.ok(callees.bytes >= site('set').liveBytes);
		assert.ok(callees.children.some(child => child.site.functionName === 'set'));
	});

	it('names the nearest user frame of a builtin, and a user site itself', () => {
		const frame = userFrameOf(profile, site('set'))!;
		assert.equal(frame.kind, 'user');
		assert.match(frame.url, /memo-beside-cache\.cjs$/);
		assert.equal(userFrameOf(profile, site('fillCache'))!.functionName, 'fillCache');
	});

	it('lists the heaviest paths leaf first', () => {
		const [path] = heaviestPaths(profile, site('set'));
		assert.equal(path!.frames[0], 'set');
		assert.match(path!.frames[1]!, /memo-beside-cache\.cjs:\d+$/);
		assert.ok(path!.bytes > 0);
	});

	it('counts builtins in their user frames when grouping, keeping the total', () => {
		const grouped = aggregateProfile(profile, 'user');
		const plain = aggregateProfile(profile);
		assert.equal(grouped.totalBytes, plain.totalBytes);
		assert.equal(grouped.sites.reduce((sum, entry) => sum + entry.liveBytes, 0), plain.totalBytes);
		assert.equal(grouped.sites.find(entry => entry.functionName === 'set'), undefined, 'set has a user frame above it');
		const owner = grouped.sites.find(entry => entry.key === userFrameOf(profile, site('set'))!.key)!;
		assert.ok(owner.liveBytes >= site('set').liveBytes);
	});

	it('keeps only what lies under a focused function', () => {
		const cache = site('fillCache');
		const under = bytesUnder(profile, cache, 'site');
		assert.equal(under.get(cache.key), cache.liveBytes);
		assert.equal(under.has(site('set').key), false);
	});

	it('shows a tree by expansion, the root always open', () => {
		const tree = callersOf(profile, site('set'));
		const closed = drillRows(tree, new Set());
		assert.equal(closed.length, 1 + tree.children.length);
		assert.equal(closed[0]!.depth, 0);
		const first = closed[1]!;
		const open = drillRows(tree, new Set([first.path]));
		assert.equal(open.length, closed.length + tree.children[0]!.children.length);
		assert.ok(open.every(row => row.share <= 1));
	});
});

describe('scope and filter', () => {
	const row = (functionName: string, url: string, kind: SiteRow['kind'], liveBytes: number): SiteRow => ({
		key: `${functionName}${url}`, functionName, url, line: 1, column: 1, kind, id: 0, liveBytes, samples: 1, share: 0.1,
		growthPerMinute: 10, growthBasis: 'history', verdict: 'unknown', suspect: false, age: undefined, sinceBaseline: undefined,
	});
	const rows = [
		row('handler', '/app/server.js', 'user', 50),
		row('parse', '/app/node_modules/@fastify/busboy/lib/main.js', 'dependency', 30),
		row('write', 'node:internal/streams/writable', 'internal', 20),
		row('emit', '/app/node_modules/@fastify/busboy/lib/other.js', 'dependency', 10),
		row('push', '', 'builtin', 5),
	];

	it('finds the package of a node_modules URL', () => {
		assert.equal(packageOf('/app/node_modules/express/lib/router.js'), 'express');
		assert.equal(packageOf('file:///app/node_modules/a/node_modules/@scope/b/index.js'), '@scope/b');
		assert.equal(packageOf('/app/server.js'), undefined);
	});

	it('shows only the app, or folds packages and internals into a row each', () => {
		assert.deepEqual(scopeRows(rows, 'app').map(entry => entry.functionName), ['handler']);
		const folded = scopeRows(rows, 'packages');
		assert.deepEqual(folded.map(entry => entry.functionName), ['handler', '📦 @fastify/busboy', '(node internals)', 'push']);
		assert.equal(folded[1]!.liveBytes, 40);
		assert.equal(folded[1]!.growthPerMinute, 20);
		assert.deepEqual(folded.map(entry => siteLocation(entry, '/app')), ['server.js:1', 'node_modules/@fastify/busboy', 'node:*', '(native)'], 'a folded row says what it folds, not node::0');
	});

	it('filters by function or location, ignoring case', () => {
		assert.deepEqual(filterRows(rows, 'BUSBOY', entry => entry.url).map(entry => entry.functionName), ['parse', 'emit']);
		assert.deepEqual(filterRows(rows, 'hand', entry => entry.url).map(entry => entry.functionName), ['handler']);
		assert.equal(filterRows(rows, '  ', entry => entry.url).length, rows.length);
	});
});
