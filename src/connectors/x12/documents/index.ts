import type { Segment } from '../segment.js';
import type { Mapped, MappingPolicy } from './common.js';
import { map846, type InventoryAdvice } from './846.js';
import { map850, type PurchaseOrder } from './850.js';
import { map856, type ShipNotice } from './856.js';
import { map940, type ShippingOrder } from './940.js';
import { map945, type ShippingAdvice } from './945.js';

export * from './common.js';
export * from './money.js';
export * from './846.js';
export * from './850.js';
export * from './856.js';
export * from './940.js';
export * from './945.js';

/** Canonical documents, discriminated on `kind`. */
export type X12Document = PurchaseOrder | ShipNotice | InventoryAdvice | ShippingOrder | ShippingAdvice;

type Mapper = (segments: readonly Segment[], policy: MappingPolicy) => Mapped<X12Document>;

/** Transaction set id (ST01) → mapper. Pure functions of the ST…SE segments. */
export const DOCUMENT_MAPPERS: Readonly<Record<string, Mapper>> = {
  '846': map846,
  '850': map850,
  '856': (segments) => map856(segments),
  '940': (segments) => map940(segments),
  '945': (segments) => map945(segments),
};
