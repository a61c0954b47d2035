import type { z } from 'zod';

/**
 * What a route says about itself for the OpenAPI document: given at registration, as
 * `config: { doc }`, beside the very schemas the handler validates with — so the published
 * contract cannot drift from the code (server.ts collects them as routes are added).
 */
export interface RouteDoc {
  readonly summary: string;
  /** The scope the call needs (shown in the description); absent for routes without an API key. */
  readonly scope?: string;
  /** The JSON body's schema, or content types with their JSON schemas for other bodies. */
  readonly body?: z.ZodType | { readonly contents: Readonly<Record<string, unknown>> };
  readonly query?: z.ZodType;
  /** Status of success (200 by default). */
  readonly ok?: number;
  readonly okDescription?: string;
  /** The answer is the order (its schema, and an `ETag`). */
  readonly returnsOrder?: boolean;
  /** Default: required on POST, PUT, PATCH and DELETE. */
  readonly idempotencyKey?: 'required' | 'optional' | 'none';
  readonly ifMatch?: boolean;
  /** `signature`: no API key; a signature over the body (webhooks). `none`: no authentication. */
  readonly auth?: 'signature' | 'none';
}

export interface DocumentedRoute {
  readonly method: string;
  readonly url: string;
  readonly doc: RouteDoc;
}

/** Fastify's `/v1/orders/:id` → OpenAPI's `/v1/orders/{id}`, with the parameter names. */
export function openApiPath(url: string): { path: string; params: string[] } {
  const params: string[] = [];
  const path = url.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => {
    params.push(name);
    return `{${name}}`;
  });
  return { path, params };
}
