/** The outbox dispatcher and its policies (docs/connectors/dispatcher.md): what the composition root wires. */
export { createDispatcher } from './createDispatcher.js';
export type { Dispatcher, DispatcherDeps, DispatcherStore, DispatchLog, DispatchMetrics, RunSummary } from './createDispatcher.js';
export { DEFAULT_CONNECTOR_POLICY, claimSlots, policyFor, resolveDispatchPolicy } from './dispatchPolicy.js';
export type { ConnectorPolicy, DispatchPolicy, DispatchPolicyInput } from './dispatchPolicy.js';
export { DEFAULT_RETRY_POLICY, backoffCeiling, nextRetry, retryPolicyProblems } from './retryPolicy.js';
export type { RetryDecision, RetryInput, RetryPolicy } from './retryPolicy.js';
export { CLOSED, DEFAULT_BREAKER_POLICY, admit, breakerPolicyProblems, canCall, probeTime, record } from './circuitBreaker.js';
export type { BreakerPolicy, BreakerState, BreakerStatus, CallOutcome } from './circuitBreaker.js';
export { classifyFailure } from './classifyFailure.js';
export type { SendFailure } from './classifyFailure.js';
export { applyFacts, factMessageId } from './applyFacts.js';
export { claimableSeqs } from './partitionOrder.js';
export { createDeadLetterService, InvalidCursorError } from './deadLetters.js';
export type { DeadLetterList, DeadLetterService, DeadLetterSummary, DestinationStats } from './deadLetters.js';
export { systemTimers } from './timers.js';
export type { Timers } from './timers.js';
