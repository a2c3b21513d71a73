/**
 * The control of bench/paging-stalls.ts: an idle Node process with the same event-loop probe.
 * On a shared machine its delays are what CPU contention alone costs; the broker's delays above
 * them are the broker's own.
 */
import './loop-delay-probe.js';

setInterval(() => undefined, 1000);
