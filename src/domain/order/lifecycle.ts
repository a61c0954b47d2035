import type { OrderCommandType } from './commands.js';
import type { OrderStatus } from './status.js';

type LiveCommand = Exclude<OrderCommandType, 'PlaceOrder'>;

const BEFORE_SHIPMENT: readonly LiveCommand[] = [
  'RecordPaymentAuthorization',
  'HoldOrder',
  'ReleaseHold',
  'CancelOrder',
  'RouteOrder',
  'ReleaseAllocation',
];

/**
 * Which commands an order in each derived status accepts: the lifecycle as data. The decider
 * still checks quantities (e.g. a cancel needs something cancellable), this table is the first gate.
 */
export const ORDER_LIFECYCLE: Readonly<Record<OrderStatus, readonly LiveCommand[]>> = {
  created: BEFORE_SHIPMENT,
  on_hold: BEFORE_SHIPMENT,
  backordered: BEFORE_SHIPMENT,
  allocated: BEFORE_SHIPMENT,
  partially_cancelled: BEFORE_SHIPMENT,
  partially_released: BEFORE_SHIPMENT,
  released: BEFORE_SHIPMENT,
  partially_shipped: BEFORE_SHIPMENT,
  shipped: ['ReleaseHold'],
  delivered: ['ReleaseHold'],
  partially_returned: ['ReleaseHold'],
  returned: ['ReleaseHold'],
  cancelled: ['ReleaseHold'],
  closed: [],
};

export const accepts = (status: OrderStatus, command: LiveCommand): boolean =>
  ORDER_LIFECYCLE[status].includes(command);
