/**
 * leaktop's import rules: the data flows attach → sample → events → model → ui / sinks, and the CLI wires
 * them. Checked by test/import-rules.test.ts on every `npm test`.
 */
const folder = name => `(^|/)source/${name}/`;
const upstream = {
	model: '(attach|sample|ui|sinks|cli)',
	attach: '(sample|ui|sinks|cli)',
	sample: '(ui|sinks|cli)',
	sinks: '(ui|cli)',
	ui: '(attach|sample|sinks|cli)',
};

module.exports = {
	forbidden: [
		{
			name: 'model-is-pure',
			comment: 'The model is deterministic and testable without a target or a terminal: no node:, React, ink or CDP.',
			severity: 'error',
			from: {path: [folder('model'), '(^|/)source/events\\.ts$']},
			to: {dependencyTypes: ['core']},
		},
		{
			name: 'model-imports-no-view-or-door',
			severity: 'error',
			from: {path: [folder('model'), '(^|/)source/events\\.ts$']},
			to: {path: ['node_modules/(react|ink|chrome-remote-interface|meow)/']},
		},
		...Object.entries(upstream).map(([from, to]) => ({
			name: `${from}-imports-nothing-upward`,
			comment: `${from}/ must not import ${to}: nothing imports against the flow of the data.`,
			severity: 'error',
			from: {path: folder(from)},
			to: {path: `(^|/)source/${to}/`},
		})),
		{
			name: 'model-imports-only-model',
			comment: 'The model stands on its own: besides itself, only the event type it ingests and the pure formatting of source/format.ts.',
			severity: 'error',
			from: {path: folder('model')},
			to: {path: '(^|/)source/', pathNot: [folder('model'), '(^|/)source/(events|format)\\.ts$']},
		},
		{
			name: 'events-only-from-model',
			comment: 'The event type carries model data and nothing else.',
			severity: 'error',
			from: {path: '(^|/)source/events\\.ts$'},
			to: {path: '(^|/)source/', pathNot: [folder('model')]},
		},
		{
			name: 'one-door-speaks-cdp',
			comment: 'attach/inspector.ts is the one module that imports chrome-remote-interface.',
			severity: 'error',
			from: {pathNot: '(^|/)source/attach/inspector\\.ts$'},
			to: {path: 'node_modules/chrome-remote-interface/'},
		},
		{
			name: 'no-circular',
			severity: 'error',
			from: {},
			to: {circular: true},
		},
	],
	options: {
		doNotFollow: {path: 'node_modules'},
		tsPreCompilationDeps: true,
		tsConfig: {fileName: 'tsconfig.json'},
	},
};
