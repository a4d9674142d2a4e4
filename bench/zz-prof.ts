import {performance} from 'node:perf_hooks';
import {syntheticProfile} from './model.js';
import {ageBins} from '../source/model/analyses/survivor-age.js';
import {aggregateGroupings, maxOrdinalOf, type SamplingProfile} from '../source/model/profile.js';
import {FrameTable} from '../source/model/frame-table.js';
const json = JSON.stringify(syntheticProfile(100_000));
const p0 = JSON.parse(json) as SamplingProfile;
const last = maxOrdinalOf(p0);
const bins = ageBins({polls: [{time: 0, ordinal: 0}, {time: 10_000, ordinal: last / 2}, {time: 20_000, ordinal: last}], growth: Array.from({length: 21}, (_, s) => ({time: s * 1000, bytes: s * 1e6}))});
const table = new FrameTable();
const times: number[] = [];
for (let i = 0; i < 40; i++) { const p = JSON.parse(json) as SamplingProfile; const t = performance.now(); aggregateGroupings(p, bins, table); times.push(performance.now() - t); }
times.sort((a, b) => a - b);
console.log('median', times[20].toFixed(1), 'min', times[0].toFixed(1));
