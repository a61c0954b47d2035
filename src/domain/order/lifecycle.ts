import type { OrderCommandType } from './commands.js';
import type { OrderStatus } from './status.js';

/** Facts bypass this table: they are never refused for the order's state (DESIGN §2.2). */
type LiveCommand = Exclude<OrderCommandType, 'PlaceOrder' | 'RecordFact'>;

const ALWAYS: readonly LiveCommand[] = ['ReleaseHold', 'RaiseException', 'SettlePayments', 'RetryPayments', 'AcceptExternalShipment', 'CloseOrder'];

const BEFORE_SHIPMENT: readonly LiveCommand[] = [
  ...ALWAYS,
  'RecordPaymentAuthorization',
  'HoldOrder',
  'CancelOrder',
  'RouteOrder',
  'ReleaseAllocation',
  'ReleaseFulfillments',
  'WithdrawFulfillment',
];

const AFTER_SHIPMENT: readonly LiveCommand[] = [...ALWAYS, 'AuthorizeReturn'];

/**
 * Which commands an order in each derived status accepts: the lifecycle as data. The decider
 * still checks quantities (e.g. a cancel needs something cancellable), this table is the first gate.
 */
export const ORDER_LIFECYCLE: Readonly<Record<OrderStatus, readonly LiveCommand[]>> = {
  created: BEFORE_SHIPMENT,
  on_hold: BEFORE_SHIPMENT,
  backordered: BEFORE_SHIPMENT,
  allocated: BEFORE_SHIPMENT,
  partially_cancelled: [...BEFORE_SHIPMENT, 'AuthorizeReturn'],
  partially_released: BEFORE_SHIPMENT,
  released: BEFORE_SHIPMENT,
  partially_shipped: [...BEFORE_SHIPMENT, 'AuthorizeReturn'],
  shipped: AFTER_SHIPMENT,
  delivered: AFTER_SHIPMENT,
  // A return may come back while other units are still open: those can still be cancelled, routed, released.
  partially_returned: [...BEFORE_SHIPMENT, 'AuthorizeReturn'],
  returned: ALWAYS,
  cancelled: ALWAYS,
  closed: [],
};

export const accepts = (status: OrderStatus, command: LiveCommand): boolean => ORDER_LIFECYCLE[status].includes(command);
