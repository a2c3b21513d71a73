// Preloaded into a Warren CLI process by process-faults.test.ts (node --import): on SIGUSR2 it raises
// an uncaught exception and an unhandled rejection, as a bug anywhere in the process would. Nothing in
// Warren itself offers this; no client can reach it.
process.on('SIGUSR2', () => {
  setImmediate(() => {
    throw new Error('injected uncaught exception');
  });
  setImmediate(() => void Promise.reject(new Error('injected unhandled rejection')));
});
