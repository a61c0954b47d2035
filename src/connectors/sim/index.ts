/** Simulated WMS, store/POS, ERP and payment gateway, and the simulated network (docs/simulators.md). */
export { createSimulatedNetwork, NETWORK_SITES, type NetworkReportTarget, type SimulatedNetwork, type SimulatedNetworkOptions } from './network.js';
export { createWmsSimulator, wmsSimulatorSchema, type WmsSimulator, type WmsSimulatorInput } from './wmsSimulator.js';
export { createPaymentGatewaySimulator, paymentGatewaySchema, type PaymentGatewayInput, type PaymentGatewaySimulator } from './paymentGatewaySimulator.js';
export { createRecorderSimulator, recorderSimulatorSchema, type RecordedMessage, type RecorderSimulator, type RecorderSimulatorInput } from './recorderSimulator.js';
export { createInProcessConnector, type InProcessConnectorOptions } from './inProcessConnector.js';
export { serveSimulator, type ServeOptions, type SimulatorServer } from './serveSimulator.js';
export { createSimClock, type SimClock, type SimClockOptions } from './simClock.js';
export { simFaultsSchema, type SimFaults, type SimFaultsInput } from './faults.js';
export { createReporter, type Delivery, type ReportTarget, type Reporter } from './reporter.js';
export { CATALOGUE, type CatalogueItem, type StockProfile } from './catalogue.js';
export type { Count, SimAnswer, SimCounters, SimExchange, SimRequest, Simulator } from './simCore.js';
export { timingsSchema, WORK_FLOW, WORK_STATUSES, type WorkStatus } from './wmsFlow.js';
