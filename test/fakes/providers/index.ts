// Entry point for the provider fakes, so tests and the benchmark import them from one place.
export { startFakeXenodia, type FakeXenodia, type FakeXenodiaOptions, type XenodiaFakeMode } from './fake-xenodia.ts';
export { startFakeXingchao, type FakeXingchao, type FakeXingchaoOptions, type XingchaoPollShape } from './fake-xingchao.ts';
export { startFakeNbpCloud, type FakeNbpCloud } from './fake-nbp-cloud.ts';
export { startFakeNbpNet, type FakeNbpNet, type FakeNbpNetOptions, type FakeNbpNetPlan } from './fake-nbp-net.ts';
export type { FakeProvider, FakeProviderOptions } from './fake-provider-base.ts';
export type { FakeFault, FaultSettings } from './fake-faults.ts';
export type { RecordedFile, RecordedRequest } from './fake-http-server.ts';
export { resultImageBytes, type ResultImageChoice } from './fake-result-images.ts';
export type { SteeredState, TaskTimingRecord } from './fake-tasks.ts';
