import { v7 } from 'uuid';
import type { IdKind } from '../domain/ids.js';
import { ID_PREFIX } from '../domain/ids.js';

export type IdGenerator = (kind: IdKind) => string;

/** Prefixed UUIDv7 (time-ordered, so ids sort by creation): `ord_0197…`. */
export const newId: IdGenerator = (kind) => `${ID_PREFIX[kind]}${v7().replaceAll('-', '')}`;
