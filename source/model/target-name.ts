import {displayPath} from './location.js';
import {targetPid, type TargetState} from './target.js';

/** How a target is named where room is short (the target bar, the status line): a worker by its name, a process by its pid and script. */
export function targetLabel(target: TargetState, cwd: string): string {
	if (target.info.kind === 'worker') {
		return target.info.title;
	}

	const pid = targetPid(target);
	const name = displayPath(target.info.title || target.info.url || 'node', cwd).split('/').at(-1) ?? '';
	return `${pid === undefined ? '' : `pid ${pid} `}${name}`;
}

/** How the header names the target shown: its pid, its script's path, and how many other targets its inspector listed. */
export function targetName(target: TargetState, cwd: string): string {
	const pid = targetPid(target);
	const name = displayPath(target.info.title || target.info.url || 'node', cwd);
	const others = target.info.otherTargets > 0 ? ` (+${target.info.otherTargets} other targets)` : '';
	return `${pid === undefined ? '' : `pid ${pid} `}${name}${others}`;
}
