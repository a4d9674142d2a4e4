import {hostPort} from '../attach/address.js';
import {oneLine} from '../errors.js';
import {startSession, type Session, type SessionOptions, type TargetSource} from './session.js';

/** How long a process the program started may take to be attached before it is let go unsampled. */
const descendantAttachMs = 10_000;

async function allDone(sessions: readonly Session[], options: Omit<SessionOptions, 'source'>): Promise<void> {
	await Promise.all(sessions.map(async session => session.done.catch((error: unknown) => {
		options.emit({type: 'notice', targetId: session.targetId, time: Date.now(), message: `sampling stopped: ${oneLine(error)}`, gap: false});
	})));
}

/**
 * The sessions of one leaktop run as one: every `--inspect` address given, or a spawned program and the Node
 * processes it starts (cluster workers, forks), each attached as it announces its inspector. The first is the
 * primary: its target id, its spawned program. A spawned program's run ends with it (its descendants are ended
 * with it); several addresses end when the last one does.
 */
export async function startSessions(options: Omit<SessionOptions, 'source'>, sources: readonly TargetSource[]): Promise<Session> {
	const sessions: Session[] = [];
	try {
		for (const source of sources) {
			sessions.push(await startSession({...options, source}));
		}
	} catch (error) {
		await Promise.all(sessions.map(async session => session.stop()));
		throw error;
	}

	const [primary] = sessions;
	if (primary === undefined) {
		throw new TypeError('no target to sample');
	}

	const attaching = new Set<Promise<unknown>>();
	let stopped = false;
	primary.spawned?.onDescendant(address => {
		const where = hostPort(address.host, address.port);
		const attach = startSession({...options, source: {kind: 'descendant', address, parent: primary.targetId}, reattach: false});
		const timeBox = new Promise<never>((_resolve, reject) => {
			setTimeout(() => {
				reject(new Error(`no answer within ${descendantAttachMs / 1000} s`));
			}, descendantAttachMs).unref();
		});
		let late = false;
		// One that answers after its time box is let go at once: nobody waits for it any more.
		void attach.then(async session => (late || stopped ? session.stop() : undefined), () => undefined);
		const settled = Promise.race([attach, timeBox]).then(async session => {
			if (stopped) {
				return;
			}

			sessions.push(session);
			// Its end is its own: the program and the others go on, and an ended one is let go.
			session.done.catch((error: unknown) => {
				options.emit({type: 'notice', targetId: session.targetId, time: Date.now(), message: `sampling stopped: ${oneLine(error)}`, gap: false});
			}).finally(async () => {
				if (!stopped) {
					await session.stop();
					sessions.splice(sessions.indexOf(session), 1);
				}
			});
		}, (error: unknown) => {
			late = true;
			options.emit({type: 'notice', targetId: primary.targetId, time: Date.now(), message: `a process the program started (inspector ${where}) could not be attached: ${oneLine(error)}`, gap: false});
		});
		attaching.add(settled);
		void settled.finally(() => attaching.delete(settled));
	});

	const all = async (act: (session: Session) => Promise<void>) => {
		await Promise.all([...attaching]);
		await Promise.all(sessions.map(async session => act(session)));
	};

	return {
		targetId: primary.targetId,
		spawned: primary.spawned,
		// Several addresses: the run goes on while any is sampled; one that fails is said, and the others go on.
		done: primary.spawned === undefined && sessions.length > 1 ? allDone(sessions, options) : primary.done,
		handle(targetId) {
			for (const session of sessions) {
				const found = session.handle(targetId);
				if (found !== undefined) {
					return found;
				}
			}

			return undefined;
		},
		async finish() {
			await all(async session => session.finish());
		},
		async stop() {
			stopped = true;
			// The descendants first: the primary's stop ends the program, and with it the process group.
			await all(async session => (session === primary ? undefined : session.stop()));
			await primary.stop();
		},
	};
}
