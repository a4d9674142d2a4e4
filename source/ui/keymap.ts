import type {Effect, Mode} from './store.js';
import type {Action} from './view-state.js';

/** `help-scroll`: by lines, or by the help's pages (the key handler knows the terminal's size). */
export type Command = Action | Effect | {readonly type: 'quit'} | {readonly type: 'help-scroll'; readonly by: number; readonly unit: 'line' | 'page'};

export type Binding = {
	/** Key names as `keyName` gives them. */
	readonly keys: readonly string[];
	/** How the keys are written in the help. */
	readonly label: string;
	readonly description: string;
	readonly command: Command;
	/** Only in this mode; the first binding of a key that applies wins. */
	readonly mode?: Mode;
	/** Only in the table and panes (`list`), only in a drill-down (`drill`), only in the help (`help`), only in the log pane (`log`). */
	readonly context?: Context;
	/** Named in the footer where it acts (in the table and panes unless `in` says): its keys (the label unless given) and a word. */
	readonly footer?: Footer;
};

type Footer = {
	readonly keys?: string;
	readonly word: string;
	/** On a narrow terminal the highest ranks give way first; the footer lists the lowest first. */
	readonly rank: number;
	readonly in?: readonly Context[];
	/** Named only with several targets to step through. */
	readonly several?: boolean;
	/** False: it acts on one target, not in the all-targets view (which is not named then). */
	readonly all?: false;
};

/** `help`: while the help is open, only its own keys, closing it and quitting act. */
export type Context = 'list' | 'drill' | 'help' | 'log';

/** Every key leaktop answers to: it drives both the dispatch and the help screen. */
export const keymap: readonly Binding[] = [
	// The help's own keys come first: in the help they win over the table's, and its footer names them.
	{keys: ['up', 'k'], label: '', description: '', command: {type: 'help-scroll', by: -1, unit: 'line'}, context: 'help'},
	{keys: ['down', 'j'], label: '', description: '', command: {type: 'help-scroll', by: 1, unit: 'line'}, context: 'help'},
	{keys: ['pageup'], label: '', description: '', command: {type: 'help-scroll', by: -1, unit: 'page'}, context: 'help'},
	{keys: ['pagedown', 'space'], label: '', description: '', command: {type: 'help-scroll', by: 1, unit: 'page'}, context: 'help'},
	{keys: ['home'], label: '', description: '', command: {type: 'help-scroll', by: -Infinity, unit: 'line'}, context: 'help'},
	{keys: ['end', 'G'], label: '', description: '', command: {type: 'help-scroll', by: Infinity, unit: 'line'}, context: 'help'},
	{keys: ['up', 'k'], label: '↑/k', description: 'log pane: a line back', command: {type: 'log-scroll', by: 1}, context: 'log', footer: {keys: '↑↓ PgUp PgDn', word: 'scroll', rank: 2, in: ['log']}},
	{keys: ['down', 'j'], label: '↓/j', description: 'log pane: a line on', command: {type: 'log-scroll', by: -1}, context: 'log'},
	{keys: ['pageup'], label: 'PgUp/PgDn', description: 'log pane: a page back / on', command: {type: 'log-scroll', by: 10}, context: 'log'},
	{keys: ['pagedown'], label: '', description: '', command: {type: 'log-scroll', by: -10}, context: 'log'},
	{keys: ['home'], label: 'Home', description: 'log pane: the oldest line kept', command: {type: 'log-scroll', by: Infinity}, context: 'log'},
	{keys: ['end', 'G'], label: 'End/G', description: 'log pane: the end, following new lines', command: {type: 'log-scroll', by: -Infinity}, context: 'log', footer: {keys: 'End', word: 'follow', rank: 3, in: ['log']}},
	{keys: ['escape'], label: 'Esc', description: 'log pane: close', command: {type: 'toggle-log'}, context: 'log', footer: {keys: 'Esc/L', word: 'close', rank: 1, in: ['log']}},
	{keys: ['right', 'l'], label: '→/l', description: 'drill-down: expand the selected call path', command: {type: 'drill-expand'}, context: 'drill', footer: {word: 'expand', rank: 2, in: ['drill']}},
	{keys: ['left', 'h'], label: '←/h', description: 'drill-down: collapse it', command: {type: 'drill-collapse'}, context: 'drill', footer: {word: 'collapse', rank: 2, in: ['drill']}},
	{keys: ['escape', 'backspace'], label: 'Esc', description: 'drill-down: back', command: {type: 'drill-back'}, context: 'drill', footer: {word: 'back', rank: 1, in: ['drill']}},
	{keys: ['t'], label: 't', description: 'drill-down: callers (bottom-up) or callees (top-down)', command: {type: 'drill-tree'}, context: 'drill', footer: {word: 'callers/callees', rank: 3, in: ['drill']}},
	{keys: ['return'], label: 'Enter', description: 'drill in: call paths, callees, history, source (from the comparison: as at the spike)', command: {type: 'drill-open'}, footer: {word: 'drill in', rank: 5, in: ['drill']}},
	{keys: ['p', 'space'], label: 'p', description: 'play / pause the replay', command: {type: 'replay-toggle'}, mode: 'replay', footer: {word: 'play', rank: 2}},
	{keys: ['left'], label: '←/→', description: 'replay: a snapshot back / forward', command: {type: 'replay-step', by: -1}, mode: 'replay', footer: {keys: '←→', word: 'step', rank: 2}},
	{keys: ['right'], label: '', description: '', command: {type: 'replay-step', by: 1}, mode: 'replay'},
	{keys: ['home'], label: 'Home/End', description: 'replay: the first / last snapshot', command: {type: 'replay-jump', to: 'start'}, mode: 'replay', footer: {keys: 'Home/End', word: 'ends', rank: 5}},
	{keys: ['end'], label: '', description: '', command: {type: 'replay-jump', to: 'end'}, mode: 'replay'},
	{keys: ['<'], label: '</>', description: 'replay slower / faster', command: {type: 'replay-speed', by: -1}, mode: 'replay', footer: {keys: '< >', word: 'speed', rank: 4}},
	{keys: ['>'], label: '', description: '', command: {type: 'replay-speed', by: 1}, mode: 'replay'},
	{keys: ['up', 'k'], label: '↑/k', description: 'select the row above', command: {type: 'move', by: -1}, footer: {keys: '↑↓', word: 'select', rank: 4, in: ['list', 'drill']}},
	{keys: ['down', 'j'], label: '↓/j', description: 'select the row below', command: {type: 'move', by: 1}},
	{keys: ['pageup'], label: 'PgUp', description: 'up a page', command: {type: 'move', by: -10}},
	{keys: ['pagedown'], label: 'PgDn', description: 'down a page', command: {type: 'move', by: 10}},
	{keys: ['home'], label: 'Home', description: 'first row', command: {type: 'move-to', index: 0}},
	{keys: ['end', 'G'], label: 'End/G', description: 'last row', command: {type: 'move-to', index: -1}},
	{keys: ['s'], label: 's', description: 'cycle the sort: suspects first, live bytes, growth, samples, since baseline (in the comparison: delta, ratio, heavy mean)', command: {type: 'cycle-sort'}, footer: {word: 'sort', rank: 4, all: false}},
	{keys: ['c'], label: 'c', description: 'the percentile comparison: all snapshots vs. the heaviest P%', command: {type: 'toggle-compare'}, footer: {word: 'compare', rank: 3}},
	{keys: ['tab'], label: 'Tab', description: 'move the selection between the table and the comparison', command: {type: 'switch-focus'}},
	{keys: ['+', '='], label: '+/-', description: 'compare against a higher / lower percentile (50 75 90 95 99 99.9)', command: {type: 'percentile', by: 1}},
	{keys: ['-'], label: '', description: '', command: {type: 'percentile', by: -1}},
	{keys: ['a'], label: 'a', description: 'measure retained bytes or bytes allocated per second, freed or not (asks first: restarts sampling)', command: {type: 'ask', operation: 'switch-metric'}, mode: 'live', footer: {word: 'alloc', rank: 8, all: false}},
	{keys: ['b'], label: 'b', description: 'mark this snapshot as the baseline; sort by change since', command: {type: 'set-baseline'}, footer: {word: 'baseline', rank: 9, all: false}},
	{keys: ['B'], label: 'B', description: 'clear the baseline', command: {type: 'clear-baseline'}},
	{keys: [','], label: ', .', description: 'show the previous / next target: worker threads and processes, in the bar on top', command: {type: 'switch-target', by: -1}, footer: {word: 'target', rank: 5, several: true}},
	{keys: ['.'], label: '', description: '', command: {type: 'switch-target', by: 1}},
	{keys: ['['], label: '[', description: 'shorter window (1m 5m 15m 1h all)', command: {type: 'window', by: -1}, footer: {keys: '[ ]', word: 'window', rank: 7, all: false}},
	{keys: [']'], label: ']', description: 'longer window', command: {type: 'window', by: 1}},
	{keys: ['p', 'space'], label: 'p', description: 'pause the view (sampling goes on)', command: {type: 'toggle-pause'}, mode: 'live', footer: {word: 'pause', rank: 2}},
	{keys: ['H'], label: 'H', description: 'take a heap snapshot into a .heapsnapshot file (asks first: it is heavy)', command: {type: 'ask', operation: 'heap-snapshot'}, mode: 'live'},
	{keys: ['g'], label: 'g', description: 'force a full GC in the target (asks first)', command: {type: 'ask', operation: 'collect-garbage'}, mode: 'live'},
	{keys: ['P'], label: 'P', description: 'take a profile now, not when the overhead budget allows (asks first: a full GC)', command: {type: 'ask', operation: 'profile-now'}, mode: 'live'},
	{keys: ['u'], label: 'u', description: 'group builtins and Node internals into the nearest frame of your code', command: {type: 'toggle-grouping'}, context: 'list'},
	{keys: ['n'], label: 'n', description: 'show all code, only your app\'s, or node_modules and Node internals per package', command: {type: 'cycle-scope'}, context: 'list'},
	{keys: ['/'], label: '/', description: 'filter by function or location as you type; Enter keeps it, Esc clears it', command: {type: 'filter-start'}, context: 'list'},
	{keys: ['f'], label: 'f', description: 'focus: only allocations under paths through the selected function; f again clears', command: {type: 'toggle-focus'}, context: 'list'},
	{keys: ['L'], label: 'L', description: 'the log pane: what the program leaktop started prints, stderr marked (!)', command: {type: 'toggle-log'}},
	{keys: ['o'], label: 'o', description: 'show generated locations instead of source-mapped ones, and back', command: {type: 'toggle-generated'}, footer: {word: 'generated/original', rank: 6, in: ['drill']}},
	{keys: ['e'], label: 'e', description: 'export the latest profile (.heapprofile, pprof) and the comparison (pprof)', command: {type: 'export'}, footer: {word: 'export', rank: 2, all: false}},
	{keys: ['?', 'h'], label: '?', description: 'this help', command: {type: 'toggle-help'}, footer: {word: 'help', rank: 1}},
	{keys: ['escape'], label: 'Esc', description: 'close the help', command: {type: 'close-help'}},
	{keys: ['q', 'ctrl+c'], label: 'q', description: 'quit: stop sampling and detach', command: {type: 'quit'}, footer: {word: 'quit', rank: 0, in: ['list', 'drill', 'log']}},
];

export type KeyFlags = {
	readonly upArrow?: boolean;
	readonly downArrow?: boolean;
	readonly pageUp?: boolean;
	readonly pageDown?: boolean;
	readonly home?: boolean;
	readonly end?: boolean;
	readonly escape?: boolean;
	readonly return?: boolean;
	readonly ctrl?: boolean;
	readonly leftArrow?: boolean;
	readonly rightArrow?: boolean;
	readonly tab?: boolean;
	readonly backspace?: boolean;
	readonly delete?: boolean;
};

/**
 * The keys in one input event. A terminal delivers keys typed quickly (or pasted) as one chunk, which ink hands
 * over as one string: each character is a key of its own (a carriage return is Enter, a tab Tab). Chunks with escape
 * sequences (arrows) are left whole for ink's own parsing.
 */
export function splitKeys(input: string, key: KeyFlags): Array<[string, KeyFlags]> {
	const special = Object.values(key).some(Boolean);
	if (special || input.length <= 1 || input.includes('\u001B')) {
		return [[input, key]];
	}

	const controls: Record<string, KeyFlags> = {'\r': {return: true}, '\t': {tab: true}, '\u007F': {backspace: true}};
	return [...input].map(character => (character in controls ? ['', controls[character]!] : [character, {}]));
}

/** The name of a key press as ink reports it. */
export function keyName(input: string, key: KeyFlags): string {
	const named: Array<[boolean | undefined, string]> = [
		[key.upArrow, 'up'], [key.downArrow, 'down'], [key.pageUp, 'pageup'], [key.pageDown, 'pagedown'],
		[key.home, 'home'], [key.end, 'end'], [key.escape, 'escape'], [key.return, 'return'],
		[key.leftArrow, 'left'], [key.rightArrow, 'right'], [key.tab, 'tab'], [key.backspace, 'backspace'], [key.delete, 'backspace'],
	];
	const found = named.find(([pressed]) => pressed === true);
	if (found !== undefined) {
		return found[1];
	}

	if (key.ctrl === true) {
		return `ctrl+${input}`;
	}

	return input === ' ' ? 'space' : input;
}

/** The bindings that apply in a mode and context, in the keymap's order. */
export function bindingsFor(mode: Mode, context: Context = 'list'): Binding[] {
	return keymap.filter(binding => (binding.mode === undefined || binding.mode === mode) && (binding.context === undefined || binding.context === context));
}

/** The footer's keys where the user is, from the keymap: `[text, rank]`, the most used first. */
export function footerFor(mode: Mode, context: Context, targets: 'one' | 'several' | 'all'): Array<readonly [string, number]> {
	return bindingsFor(mode, context)
		.filter(({footer}) => footer !== undefined && (footer.in ?? ['list']).includes(context) && (targets !== 'one' || footer.several !== true) && (targets !== 'all' || footer.all !== false))
		.map(({label, footer}) => [`${footer!.keys ?? label} ${footer!.word}`, footer!.rank] as const)
		.sort(([, a], [, b]) => a - b);
}

export function commandFor(name: string, mode: Mode = 'live', context: Context = 'list'): Command | undefined {
	return bindingsFor(mode, context).find(binding => binding.keys.includes(name))?.command;
}
