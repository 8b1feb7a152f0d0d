/**
 * Request parameter parsing: query string and `application/x-www-form-urlencoded` body.
 *
 * Decoding follows form-urlencoding (`+` is a space, `%XY` a UTF-8 byte). Assumption: the real
 * gateway (a Java servlet stack) decodes the query string the same way. Clients that follow the
 * api-facts.md §5.3 rule never send a raw `+`, so this only matters for hand-written requests.
 */
import type { QueryPair } from "./signature";
import { Errors } from "./errors";
import type { ActionDefinition, ApiError, Params, RequestContext } from "./types";

/** Parameters that belong to the signature / protocol, never to an action (HMAC-SHA1 common params). */
export const PROTOCOL_PARAMS: ReadonlySet<string> = new Set([
  "AccessKeyId",
  "Action",
  "Version",
  "Format",
  "Signature",
  "SignatureMethod",
  "SignatureVersion",
  "SignatureNonce",
  "SignatureType",
  "Timestamp",
  "SecurityToken",
  "BearerToken",
]);

function decodeComponent(raw: string, what: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, " "));
  } catch {
    // Malformed escape (`%G1`, lone `%`, invalid UTF-8): refuse rather than guess.
    throw Errors.invalidParameter(what, "The value contains malformed percent-encoding.");
  }
}

/** Decoded name/value pairs in order of appearance (repeated names kept). */
export function parseUrlEncoded(text: string): QueryPair[] {
  const pairs: QueryPair[] = [];
  if (text === "") return pairs;
  for (const part of text.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const rawName = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? "" : part.slice(eq + 1);
    const name = decodeComponent(rawName, rawName);
    pairs.push([name, decodeComponent(rawValue, name)]);
  }
  return pairs;
}

/** Last occurrence wins for repeated names (assumption; the real gateway's choice is undocumented). */
export function pairsToRecord(pairs: readonly QueryPair[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of pairs) out[k] = v;
  return out;
}

/** True when the content type is a form body (parameters in it are merged with the query). */
export function isFormContentType(contentType: string | undefined): boolean {
  return (contentType ?? "").split(";")[0].trim().toLowerCase() === "application/x-www-form-urlencoded";
}

/** The action parameters: merged query+form (body wins) without the protocol/signature parameters. */
export function actionParams(merged: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(merged)) if (!PROTOCOL_PARAMS.has(k)) out[k] = v;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Action parameters, shared by both products' handlers. Each product passes its own error
// factories (same codes and wording as the product's other errors).
// ---------------------------------------------------------------------------------------------

/** The two parameter errors every product raises. */
export interface ParamErrors {
  missingParameter(param: string): ApiError;
  invalidParameter(param: string, detail?: string): ApiError;
}

/** The raw value, `""` included (e.g. an empty Name clears the name). */
export function rawParam(p: Params, name: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(p, name) ? p[name] : undefined;
}

/** Present and not empty, else undefined (optional filters and ids treat `""` as absent). */
export function optionalParam(p: Params, name: string): string | undefined {
  const v = rawParam(p, name);
  return v === undefined || v === "" ? undefined : v;
}

/** The core already answers MissingParameter for `required`; this keeps a model safe to drive directly. */
export function requiredParam(p: Params, name: string, errors: ParamErrors): string {
  const v = optionalParam(p, name);
  if (v === undefined) throw errors.missingParameter(name);
  return v;
}

/** `true` / `false` (case-insensitive — assumption); undefined when absent. */
export function boolParam(p: Params, name: string, errors: ParamErrors, detail: string): boolean | undefined {
  const v = optionalParam(p, name);
  if (v === undefined) return undefined;
  const lower = v.toLowerCase();
  if (lower === "true") return true;
  if (lower === "false") return false;
  throw errors.invalidParameter(name, detail);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** `Name.1`, `Name.2`, … (api-facts.md §2) as `[index, value]` in index order; gaps tolerated. */
export function indexedValues(p: Params, prefix: string): [number, string][] {
  const re = new RegExp(`^${escapeRegExp(prefix)}\\.([1-9][0-9]*)$`);
  const entries: [number, string][] = [];
  for (const [k, v] of Object.entries(p)) {
    const m = re.exec(k);
    if (m) entries.push([Number(m[1]), v]);
  }
  return entries.sort((a, b) => a[0] - b[0]);
}

/** `Name.N.Field` (api-facts.md §2) as `[index, {Field: value}]` in index order. */
export function indexedObjects(p: Params, prefix: string): [number, Record<string, string>][] {
  const re = new RegExp(`^${escapeRegExp(prefix)}\\.([1-9][0-9]*)\\.([A-Za-z]+)$`);
  const byIndex = new Map<number, Record<string, string>>();
  for (const [k, v] of Object.entries(p)) {
    const m = re.exec(k);
    if (!m) continue;
    const i = Number(m[1]);
    const o = byIndex.get(i) ?? {};
    o[m[2]] = v;
    byIndex.set(i, o);
  }
  return [...byIndex.entries()].sort((a, b) => a[0] - b[0]);
}

/** The one way both products define an action: its metadata plus a handler of (params, context). */
export function defineAction(
  meta: Omit<ActionDefinition, "handle">,
  handle: (p: Params, ctx: RequestContext) => Record<string, unknown>,
): ActionDefinition {
  return { ...meta, handle: (ctx) => handle(ctx.params, ctx) };
}
