import type { FieldError, Result } from '../../domain/result.js';
import { ok } from '../../domain/result.js';
import type { Shape } from './messageShapes.js';
import { PII_FIELDS } from './messageShapes.js';

/**
 * The request template language: data, never code. A string may hold `{{path.to.value}}`
 * placeholders naming fields of the envelope (`messageId`, `idempotencyKey`, `attempt`, `type`,
 * `traceparent`, `message.…`). In a body, a string that is exactly one placeholder is replaced by
 * the value itself (a number stays a number, `{{message.lines}}` an array; an absent optional value
 * drops the key); placeholders inside longer strings are interpolated and must name scalars. An
 * object `{ "$each": "{{message.lines}}", "$template": {…} }` maps an array, with `{{item.…}}` naming
 * the element. Every placeholder is checked against the message's fields when the template is compiled.
 */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface RequestTemplate {
  readonly method: HttpMethod;
  /** Appended to the connector's baseUrl; placeholder values are URL-encoded. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: JsonValue;
}

type Part = { readonly lit: string } | { readonly path: readonly string[] };
type Text = readonly Part[];
type Node =
  | { readonly kind: 'literal'; readonly value: JsonValue }
  | { readonly kind: 'text'; readonly parts: Text }
  | { readonly kind: 'value'; readonly path: readonly string[] }
  | { readonly kind: 'object'; readonly entries: readonly (readonly [string, Node])[] }
  | { readonly kind: 'array'; readonly items: readonly Node[] }
  | { readonly kind: 'each'; readonly path: readonly string[]; readonly template: Node };

export interface CompiledRequest {
  readonly method: HttpMethod;
  readonly path: Text;
  readonly headers: readonly (readonly [string, Text])[];
  /** Absent: the connector sends its default body. */
  readonly body?: Node;
}

export interface RenderedRequest {
  readonly method: HttpMethod;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** A rendered value cannot travel (a header value with a line break): the message is unfit for this target. */
export class TemplateRenderError extends Error {
  override readonly name = 'TemplateRenderError';
}

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const PATH = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;
const SCALARS = new Set(['string', 'number', 'boolean']);

interface Ctx {
  readonly scope: Shape;
  readonly piiStripped: boolean;
  readonly errors: FieldError[];
}

/** Compiles a template against the fields its placeholders may name (see `envelopeShape`). */
export function compileRequestTemplate(
  template: RequestTemplate,
  scope: Shape,
  at: string,
  options: { readonly piiStripped: boolean },
): Result<CompiledRequest, FieldError[]> {
  const ctx: Ctx = { scope, piiStripped: options.piiStripped, errors: [] };
  // A placeholder in the path must always have a value, or the URL would silently change.
  const path = compileText(template.path, `${at}.path`, ctx, 'required');
  const headers = Object.entries(template.headers ?? {}).map(([name, value]) => [name.toLowerCase(), compileText(value, child(`${at}.headers`, name), ctx, 'scalar')] as const);
  const body = template.body === undefined ? undefined : compileNode(template.body, `${at}.body`, ctx);
  if (ctx.errors.length > 0) return { ok: false, error: ctx.errors };
  return ok({ method: template.method, path, headers, ...(body ? { body } : {}) });
}

function compileText(text: string, at: string, ctx: Ctx, need: 'required' | 'scalar'): Text {
  const parts: Part[] = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    if (m.index > last) parts.push({ lit: text.slice(last, m.index) });
    const path = placeholderPath(m[1] ?? '', at, ctx);
    if (path) {
      const found = lookup(ctx, path, at);
      if (found && !SCALARS.has(found.shape.kind)) ctx.errors.push({ path: at, message: `{{${path.join('.')}}} is ${article(found.shape.kind)}; only a whole-value placeholder can insert it` });
      else if (found && need === 'required' && !found.required) ctx.errors.push({ path: at, message: `{{${path.join('.')}}} is optional; a path placeholder must always have a value` });
      parts.push({ path });
    }
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ lit: text.slice(last) });
  for (const p of parts) if ('lit' in p && (p.lit.includes('{{') || p.lit.includes('}}'))) ctx.errors.push({ path: at, message: 'an unclosed or nested {{ }} placeholder' });
  return parts;
}

function compileNode(value: JsonValue, at: string, ctx: Ctx): Node {
  if (typeof value === 'string') {
    const whole = /^\{\{\s*([^{}]*?)\s*\}\}$/.exec(value);
    if (whole) {
      const path = placeholderPath(whole[1] ?? '', at, ctx);
      if (path) lookup(ctx, path, at);
      return { kind: 'value', path: path ?? [] };
    }
    const parts = compileText(value, at, ctx, 'scalar');
    return parts.every((p) => 'lit' in p) ? { kind: 'literal', value } : { kind: 'text', parts };
  }
  if (Array.isArray(value)) return { kind: 'array', items: value.map((v, i) => compileNode(v, `${at}[${i}]`, ctx)) };
  if (value !== null && typeof value === 'object') {
    const record = value as { readonly [key: string]: JsonValue };
    if (Object.prototype.hasOwnProperty.call(record, '$each')) return compileEach(record, at, ctx);
    return { kind: 'object', entries: Object.entries(record).map(([k, v]) => [k, compileNode(v, child(at, k), ctx)] as const) };
  }
  return { kind: 'literal', value };
}

function compileEach(record: { readonly [key: string]: JsonValue }, at: string, ctx: Ctx): Node {
  const extra = Object.keys(record).filter((k) => k !== '$each' && k !== '$template');
  if (extra.length > 0) ctx.errors.push({ path: child(at, extra[0] ?? ''), message: 'an $each object takes only $each and $template' });
  const source = record.$each;
  const whole = typeof source === 'string' ? /^\{\{\s*([^{}]*?)\s*\}\}$/.exec(source) : null;
  const template = record.$template;
  if (!whole || template === undefined) {
    ctx.errors.push({ path: `${at}.$each`, message: 'write { "$each": "{{path.to.array}}", "$template": … }' });
    return { kind: 'literal', value: null };
  }
  const path = placeholderPath(whole[1] ?? '', `${at}.$each`, ctx) ?? [];
  const found = path.length > 0 ? lookup(ctx, path, `${at}.$each`) : undefined;
  if (found && found.shape.kind !== 'array') {
    ctx.errors.push({ path: `${at}.$each`, message: `{{${path.join('.')}}} is ${article(found.shape.kind)}, not an array` });
    return { kind: 'literal', value: null };
  }
  const item = found?.shape.kind === 'array' ? found.shape.of : { kind: 'object' as const, fields: {} };
  const scope = ctx.scope.kind === 'object' ? { ...ctx.scope, fields: { ...ctx.scope.fields, item } } : ctx.scope;
  return { kind: 'each', path, template: compileNode(template, `${at}.$template`, { ...ctx, scope }) };
}

function placeholderPath(raw: string, at: string, ctx: Ctx): string[] | undefined {
  if (!PATH.test(raw)) {
    ctx.errors.push({ path: at, message: `{{${raw}}} is not a field path (letters, digits and dots)` });
    return undefined;
  }
  return raw.split('.');
}

function lookup(ctx: Ctx, path: readonly string[], at: string): { shape: Shape; required: boolean } | undefined {
  let shape = ctx.scope;
  let required = true;
  for (const [i, key] of path.entries()) {
    const next = shape.kind === 'object' && Object.prototype.hasOwnProperty.call(shape.fields, key) ? shape.fields[key] : undefined;
    if (!next) {
      const pii = ctx.piiStripped && i === 1 && path[0] === 'message' && (PII_FIELDS as readonly string[]).includes(key);
      const where = path.slice(0, i).join('.');
      ctx.errors.push({
        path: at,
        message: pii
          ? `{{${path.join('.')}}} is personal data and this connector has pii: false`
          : `unknown placeholder {{${path.join('.')}}}${where ? `: ${where} has no field ${key}` : ''}`,
      });
      return undefined;
    }
    required &&= next.optional !== true;
    shape = next;
  }
  return { shape, required };
}

/** Field paths read like the rest of Orderly's errors: `body.items`, `headers["X-Ref"]`. */
const child = (at: string, key: string) => (/^[A-Za-z_$][\w$]*$/.test(key) ? `${at}.${key}` : `${at}[${JSON.stringify(key)}]`);
const article = (kind: string) => (kind === 'object' || kind === 'array' ? `an ${kind}` : `a ${kind}`);

// ------------------------------------------------------------------------------------------------
// Rendering (pure): compiled template + envelope → method, path, headers, body text
// ------------------------------------------------------------------------------------------------

export function renderRequest(compiled: CompiledRequest, env: unknown): RenderedRequest {
  const path = renderText(compiled.path, env, encodeURIComponent);
  const headers: Record<string, string> = {};
  for (const [name, text] of compiled.headers) {
    const value = renderText(text, env, (s) => s);
    // A line break would smuggle a header; a control character is refused by fetch anyway.
    if (/[^\t\x20-\x7e\x80-\xff]/.test(value)) throw new TemplateRenderError(`the value of header ${name} contains a control character`);
    headers[name] = value;
  }
  const body = compiled.body === undefined ? undefined : JSON.stringify(renderNode(compiled.body, env) ?? null);
  return { method: compiled.method, path, headers, ...(body !== undefined ? { body } : {}) };
}

function renderText(text: Text, env: unknown, encode: (s: string) => string): string {
  let out = '';
  for (const p of text) {
    if ('lit' in p) out += p.lit;
    else {
      const v = get(env, p.path);
      out += v === undefined || v === null ? '' : encode(typeof v === 'object' ? JSON.stringify(v) : String(v));
    }
  }
  return out;
}

function renderNode(node: Node, env: unknown): unknown {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'text':
      return renderText(node.parts, env, (s) => s);
    case 'value':
      return get(env, node.path);
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, child] of node.entries) {
        const v = renderNode(child, env);
        if (v !== undefined) out[k] = v;
      }
      return out;
    }
    case 'array':
      return node.items.map((child) => renderNode(child, env) ?? null);
    case 'each': {
      const source = get(env, node.path);
      if (!Array.isArray(source)) return undefined;
      const base = typeof env === 'object' && env !== null ? env : {};
      return source.map((item: unknown) => renderNode(node.template, { ...base, item }) ?? null);
    }
  }
}

function get(env: unknown, path: readonly string[]): unknown {
  let cur = env;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}
