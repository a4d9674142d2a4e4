/**
 * The heavy operations a user asks for on a target (a heap snapshot, a forced GC). They pause the target for
 * seconds, and a poll sent meanwhile waits behind them: polls wait until they are done, and a poll they
 * overlapped does not teach the governor what a poll costs (a 20 s snapshot is not a 20 s poll).
 */
export class HeavyWork {
	private running = new Set<Promise<unknown>>();
	private begun = 0;

	/** How many have begun: a poll compares this before and after itself. */
	get started(): number {
		return this.begun;
	}

	get busy(): boolean {
		return this.running.size > 0;
	}

	run<Result>(work: () => Promise<Result>): Promise<Result> {
		this.begun++;
		const done = work();
		const tracked = done.catch(() => undefined).finally(() => {
			this.running.delete(tracked);
		});
		this.running.add(tracked);
		return done;
	}

	/** Settles when none is running. */
	async idle(): Promise<void> {
		while (this.running.size > 0) {
			await Promise.all(this.running);
		}
	}
}
