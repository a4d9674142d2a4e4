import {after} from 'node:test';
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readdirSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';

/** A real terminal: a tmux server of its own, driving one program by keys and reading its screen. */
export class Terminal {
	/** The program's TMPDIR: what it leaves there (a spawned target's log) goes with the terminal. */
	private readonly tmp = mkdtempSync(join(tmpdir(), 'leaktop-terminal-'));

	constructor(command: readonly string[], {columns, rows}: {columns: number; rows: number}) {
		const {CI: _ci, ...env} = process.env;
		// Ink draws nothing until exit when it believes it runs in CI: start the program as a user's shell would.
		const line = ['env', '-u', 'CI', `TMPDIR=${this.tmp}`, ...command].map(word => `'${word.replaceAll('\'', '\'\\\'\'')}'`).join(' ');
		this.tmux(['new-session', '-d', '-s', 'main', '-x', String(columns), '-y', String(rows), line], env);
	}

	private tmux(args: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
		// The server's socket lives in the terminal's own folder, and goes with it.
		return execFileSync('tmux', ['-S', join(this.tmp, 'tmux.sock'), '-f', '/dev/null', ...args], {encoding: 'utf8', env});
	}

	/** The visible screen as text; with `escapes`, with the colour and style codes as the terminal got them. */
	screen({escapes = false} = {}): string {
		return this.tmux(['capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', 'main']);
	}

	/** Keys as tmux names them: `q`, `Escape`, `Down`, `C-c`. */
	press(...keys: string[]): void {
		this.tmux(['send-keys', '-t', 'main', ...keys]);
	}

	resize(columns: number, rows: number): void {
		this.tmux(['resize-window', '-t', 'main', '-x', String(columns), '-y', String(rows)]);
	}

	/** What the program left in its TMPDIR (tmux's own socket aside). */
	leftInTmp(): string[] {
		return readdirSync(this.tmp).filter(name => name !== 'tmux.sock');
	}

	/** The pid of the process tmux started in the pane. */
	panePid(): number {
		return Number(this.tmux(['display-message', '-p', '-t', 'main', '#{pane_pid}']).trim());
	}

	get running(): boolean {
		try {
			this.tmux(['has-session', '-t', 'main']);
			return true;
		} catch {
			return false;
		}
	}

	/** Waits until the screen matches, and returns it; fails with the last screen after `timeoutMs`. */
	async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
		const deadline = Date.now() + timeoutMs;
		let last = '';
		while (Date.now() < deadline) {
			last = this.running ? this.screen() : '(the program exited)';
			if (pattern.test(last)) {
				return last;
			}

			await sleep(100);
		}

		throw new Error(`the screen never showed ${pattern}:\n${last}`);
	}

	async waitForExit(timeoutMs = 10_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (this.running) {
			if (Date.now() > deadline) {
				throw new Error(`the program did not exit; its screen:\n${this.screen()}`);
			}

			await sleep(100);
		}
	}

	close(): void {
		try {
			this.tmux(['kill-server']);
		} catch {
			// Already gone with its last session.
		}

		rmSync(this.tmp, {recursive: true, force: true});
	}
}

/** Opens terminals for a suite's tests and closes them all after the suite, whatever happened. */
export function suiteTerminals(): (command: readonly string[], size: {columns: number; rows: number}) => Terminal {
	const opened: Terminal[] = [];
	after(() => {
		for (const terminal of opened) {
			terminal.close();
		}
	});
	return (command, size) => {
		const terminal = new Terminal(command, size);
		opened.push(terminal);
		return terminal;
	};
}
