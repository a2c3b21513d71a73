export { createTestBroker, type TestBroker, type TestBrokerOptions, type IsolatedVhost, type QueueOptions, type WaitOptions, type CloseOptions } from './test-broker.js';
export { TestClock, durationMs, type Duration } from './test-clock.js';
export type { TestMessage } from './recorder.js';
