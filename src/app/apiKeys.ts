import { createHash, randomBytes } from 'node:crypto';
import type { Identity, Store } from '../store/port.js';
import type { Clock } from './clock.js';
import type { IdGenerator } from './ids.js';

/** API keys are high-entropy random strings, so a SHA-256 digest is a safe at-rest form. */
export const hashApiKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');
export const generateApiKey = (): string => `ork_${randomBytes(24).toString('base64url')}`;

/** `admin` implies every scope; `x:write` implies `x:read`. */
export function hasScope(identity: Identity, scope: string): boolean {
  if (identity.scopes.includes('admin') || identity.scopes.includes(scope)) return true;
  const [resource, action] = scope.split(':');
  return action === 'read' && identity.scopes.includes(`${resource}:write`);
}

export async function createApiKey(
  deps: { store: Store; clock: Clock; newId: IdGenerator },
  input: { name: string; scopes: readonly string[]; key?: string },
): Promise<{ identity: Identity; key: string }> {
  const key = input.key ?? generateApiKey();
  const identity: Identity = { id: deps.newId('identity'), name: input.name, scopes: [...input.scopes], createdAt: deps.clock.now() };
  await deps.store.createIdentity(identity, hashApiKey(key));
  return { identity, key };
}

/**
 * On first start against an empty store: provision ORDERLY_BOOTSTRAP_API_KEY as an admin identity,
 * or generate a key to be printed once. Returns the generated key, if any.
 */
export async function bootstrapAdmin(
  deps: { store: Store; clock: Clock; newId: IdGenerator },
  bootstrapKey: string | undefined,
): Promise<{ provisioned: boolean; generatedKey?: string }> {
  if ((await deps.store.countIdentities()) > 0) return { provisioned: false };
  const { key } = await createApiKey(deps, { name: 'bootstrap-admin', scopes: ['admin'], ...(bootstrapKey ? { key: bootstrapKey } : {}) });
  return bootstrapKey ? { provisioned: true } : { provisioned: true, generatedKey: key };
}

/** Identities are immutable once created, so a positive lookup is cached for the process's life. */
export function createAuthenticator(store: Store) {
  const cache = new Map<string, Identity>();
  return async (key: string): Promise<Identity | undefined> => {
    const hash = hashApiKey(key);
    const hit = cache.get(hash);
    if (hit) return hit;
    const found = await store.findIdentityByKeyHash(hash);
    if (found && cache.size < 10_000) cache.set(hash, found);
    return found;
  };
}
