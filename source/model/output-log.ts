/** One line a spawned program printed. */
export type OutputLine = {readonly stream: 'stdout' | 'stderr'; readonly text: string};

/** Lines of a program's output kept for the log pane: the newest, in bounded memory. */
export const keptLogLines = 2000;

/**
 * A spawned program's output, as a ring of its newest lines. Grows in place, as the histories do: a chatty
 * program prints thousands of lines a second, and copying the ring at each would cost more than keeping it.
 */
export class OutputLog {
	private readonly ring: OutputLine[] = [];
	private start = 0;
	/** Every line ever added, dropped ones included. */
	total = 0;

	add(stream: OutputLine['stream'], lines: readonly string[]): void {
		for (const text of lines) {
			const line = {stream, text};
			if (this.ring.length < keptLogLines) {
				this.ring.push(line);
			} else {
				this.ring[this.start] = line;
				this.start = (this.start + 1) % keptLogLines;
			}

			this.total++;
		}
	}

	get size(): number {
		return this.ring.length;
	}

	/** The kept lines from `from` to `to` (exclusive), oldest first: 0 is the oldest kept. */
	slice(from: number, to: number): OutputLine[] {
		const lines: OutputLine[] = [];
		for (let index = Math.max(0, from); index < Math.min(to, this.ring.length); index++) {
			lines.push(this.ring[(this.start + index) % this.ring.length]!);
		}

		return lines;
	}
}
