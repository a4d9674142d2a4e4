/**
 * An error the user caused or can act on: the CLI prints its message as one line, without a stack trace,
 * and exits with its code (2 for bad input and unreachable targets).
 */
export class CliError extends Error {
	constructor(message: string, readonly exitCode = 2) {
		super(message);
		this.name = 'CliError';
	}
}

/** The message of anything thrown, on one line. */
export function oneLine(error: unknown): string {
	const message = error instanceof Error ? error.message : String(error);
	return message.replace(/\s+/g, ' ').trim().slice(0, 500);
}
