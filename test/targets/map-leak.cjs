// Leak inside a builtin: a Map that only grows. V8 attributes its backing store to `set` (native); the code to
// fix is rememberSessions, the function that calls it. The tests run it with --no-turbo-inlining: optimised
// code may inline it into Node's timer code, and then its frame is gone from the profile, as leaktop warns.
const sessions = new Map();
let next = 0;
setInterval(function rememberSessions() {
	for (let count = 0; count < 400; count++) {
		sessions.set(next, next * 2);
		next++;
	}
}, 10);
