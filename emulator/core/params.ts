/**
 * Request parameter parsing: query string and `application/x-www-form-urlencoded` body.
 *
 * Decoding follows form-urlencoding (`+` is a space, `%XY` a UTF-8 byte). Assumption: the real
 * gateway (a Java servlet stack) decodes the query string the same way. Clients that follow the
 * api-facts.md §5.3 rule never send a raw `+`, so this only matters for hand-written requests.
 */
import type { QueryPair } from "./signature";
import { Errors } from "./errors";

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
