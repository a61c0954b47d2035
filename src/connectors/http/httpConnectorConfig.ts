import { z } from 'zod';
import type { FieldError, Result } from '../../domain/result.js';
import { ok } from '../../domain/result.js';
import { toFieldErrors } from '../../routing/fieldErrors.js';
import type { OutboundMessageType } from '../port.js';
import { MESSAGE_SHAPES, OUTBOUND_MESSAGE_TYPES, commonShape, envelopeShape, withoutPii } from './messageShapes.js';
import type { CompiledRequest, JsonValue } from './template.js';
import { HTTP_METHODS, compileRequestTemplate } from './template.js';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,128}$/;
const headerName = z.string().regex(TOKEN, 'must be an HTTP header name');
// A line break would smuggle a header, and fetch refuses control characters only when sending.
const headerValue = z.string().max(4096).regex(/^[\t\x20-\x7e\x80-\xff]*$/, 'must not contain control characters or line breaks');
/** Set by the connector itself; a template may not override them. */
const RESERVED_HEADERS = ['idempotency-key', 'content-length', 'host', 'transfer-encoding', 'connection', 'traceparent'];

const requestTemplate = (defaultMethod: (typeof HTTP_METHODS)[number]) =>
  z.strictObject({
    method: z.enum(HTTP_METHODS).default(defaultMethod),
    path: z.string().max(2048).regex(/^\//, 'must start with /'),
    headers: z.record(headerName, headerValue).optional(),
    body: z.json().optional(),
  });

/**
 * A connector to one system speaking HTTP/JSON (docs/connectors/http.md). Each message type the
 * target handles has a request template; without a `body` the default wire format is sent.
 */
export const httpConnectorConfigSchema = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'letters, digits, . _ : - (1–128)'),
    kind: z.string().min(1).max(64).default('http'),
    baseUrl: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .refine((u) => !/[?#]/.test(u), 'must not carry a query or fragment')
      .transform((u) => u.replace(/\/+$/, '')),
    timeoutMs: z.int().min(1).max(300_000).default(10_000),
    /** false: `shipTo` and `customer` are removed before sending (DESIGN §9). */
    pii: z.boolean().default(false),
    /** A header sent with every request, e.g. `{ header: "authorization", value: "Bearer …" }`. */
    auth: z.strictObject({ header: headerName, value: headerValue.min(1) }).optional(),
    templates: z.partialRecord(z.enum(OUTBOUND_MESSAGE_TYPES as [OutboundMessageType, ...OutboundMessageType[]]), requestTemplate('POST')),
    capabilities: z
      .strictObject({
        deduplicates: z.boolean().default(false),
        canCancel: z.boolean().default(false),
        partialCancel: z.boolean().default(false),
        /** How to ask the target whether it received a message; absent: the connector cannot tell. */
        statusQuery: requestTemplate('GET').optional(),
      })
      .default({ deduplicates: false, canCancel: false, partialCancel: false }),
  })
  .superRefine((c, ctx) => {
    const types = Object.keys(c.templates);
    if (types.length === 0) ctx.addIssue({ code: 'custom', path: ['templates'], message: 'at least one message type' });
    const cancel = c.templates['fulfillment.cancel'] !== undefined;
    if (c.capabilities.canCancel !== cancel) {
      ctx.addIssue({ code: 'custom', path: ['capabilities', 'canCancel'], message: cancel ? 'must be true when a fulfillment.cancel template is given' : 'needs a fulfillment.cancel template' });
    }
    if (c.capabilities.partialCancel && !c.capabilities.canCancel) ctx.addIssue({ code: 'custom', path: ['capabilities', 'partialCancel'], message: 'needs canCancel' });
    const reserved = [...RESERVED_HEADERS, ...(c.auth ? [c.auth.header.toLowerCase()] : [])];
    const templates: { path: (string | number)[]; tpl: TemplateDefinition }[] = [];
    for (const [type, tpl] of Object.entries(c.templates)) if (tpl) templates.push({ path: ['templates', type], tpl });
    if (c.capabilities.statusQuery) templates.push({ path: ['capabilities', 'statusQuery'], tpl: c.capabilities.statusQuery });
    for (const { path, tpl } of templates) {
      for (const name of Object.keys(tpl.headers ?? {})) {
        if (reserved.includes(name.toLowerCase())) ctx.addIssue({ code: 'custom', path: [...path, 'headers', name], message: 'set by the connector; a template may not override it' });
      }
      if (tpl.method === 'GET' && tpl.body !== undefined) ctx.addIssue({ code: 'custom', path: [...path, 'body'], message: 'a GET request has no body' });
    }
  });

export type HttpConnectorConfigInput = z.input<typeof httpConnectorConfigSchema>;
export type HttpConnectorConfig = z.output<typeof httpConnectorConfigSchema>;

/** A validated configuration with its templates compiled once. */
export interface LoadedHttpConnectorConfig {
  readonly config: HttpConnectorConfig;
  readonly handles: readonly OutboundMessageType[];
  readonly requests: ReadonlyMap<OutboundMessageType, CompiledRequest>;
  readonly statusQuery?: CompiledRequest;
}

/** Validates a configuration and compiles its templates: every unknown placeholder is an error here, at load. */
export function loadHttpConnectorConfig(input: unknown): Result<LoadedHttpConnectorConfig, FieldError[]> {
  const parsed = httpConnectorConfigSchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: toFieldErrors(parsed.error.issues) };
  const config = parsed.data;
  const strip = !config.pii;
  const shapeOf = (t: OutboundMessageType) => (strip ? withoutPii(MESSAGE_SHAPES[t]) : MESSAGE_SHAPES[t]);
  const errors: FieldError[] = [];
  const requests = new Map<OutboundMessageType, CompiledRequest>();
  const handles = OUTBOUND_MESSAGE_TYPES.filter((t) => config.templates[t] !== undefined);
  for (const type of handles) {
    const template = config.templates[type];
    if (!template) continue;
    const compiled = compileRequestTemplate(asTemplate(template), envelopeShape(shapeOf(type)), `templates["${type}"]`, { piiStripped: strip });
    if (compiled.ok) requests.set(type, compiled.value);
    else errors.push(...compiled.error);
  }
  let statusQuery: CompiledRequest | undefined;
  if (config.capabilities.statusQuery) {
    // One status query serves every handled type, so it may only name the fields they share.
    const shape = envelopeShape(commonShape(handles.map(shapeOf)));
    const compiled = compileRequestTemplate(asTemplate(config.capabilities.statusQuery), shape, 'capabilities.statusQuery', { piiStripped: strip });
    if (compiled.ok) statusQuery = compiled.value;
    else errors.push(...compiled.error);
  }
  if (errors.length > 0) return { ok: false, error: errors };
  return ok({ config, handles, requests, ...(statusQuery ? { statusQuery } : {}) });
}

type TemplateDefinition = z.output<ReturnType<typeof requestTemplate>>;

function asTemplate(t: TemplateDefinition) {
  return { method: t.method, path: t.path, ...(t.headers ? { headers: t.headers } : {}), ...(t.body !== undefined ? { body: t.body as JsonValue } : {}) };
}

/** A configuration that does not load: the message lists every problem with its field. */
export class ConnectorConfigError extends Error {
  override readonly name = 'ConnectorConfigError';
  constructor(
    readonly connectorId: string,
    readonly errors: readonly FieldError[],
  ) {
    super(`connector ${connectorId} is misconfigured: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  }
}
