export { TopologyTestDriver, TestInputTopic, TestOutputTopic } from './topology-test-driver.js';
export type { TopologyTestDriverOptions, TestRecord, TestInputRecord } from './topology-test-driver.js';
export { ManualClockScheduler } from './manual-clock-scheduler.js';
