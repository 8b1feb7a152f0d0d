/**
 * Pure signing functions for Alibaba Cloud's two request-signature schemes, shared by the
 * emulator's verifier (server side) and by tests / raw clients that need to build or tamper with
 * signed requests (client side). No I/O, no clock, no state.
 *
 * The rules are summarised in docs/api-facts.md:
 *   - V3 `ACS3-HMAC-SHA256`: api-facts.md §5.1 headers, §5.2 canonical request, string to sign and signature.
 *   - HMAC-SHA1 (`SignatureVersion=1.0`, which the docs and the SDK call "v2"): §5.4.
 *   - Percent-encoding rule for both: §5.3.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** The V3 signature algorithm name, as sent in the Authorization header. */
export const V3_ALGORITHM = "ACS3-HMAC-SHA256";

/** SHA-256 of the empty body: what `x-acs-content-sha256` carries for a query-only request. */
export const EMPTY_BODY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/**
 * RFC 3986 percent-encoding of the UTF-8 bytes, as §5.3: unreserved `A-Z a-z 0-9 - _ . ~` stay,
 * everything else (including space, `!'()*`) becomes `%XY` with upper-case hex.
 * `encodeURIComponent` already leaves exactly the unreserved set plus `!'()*` literal and emits
 * upper-case hex, so encoding those five afterwards gives the rule.
 */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase(),
  );
}

/** Lower-case hex SHA-256 of `data`. */
export function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** A decoded query parameter; a list (not a map) so repeated names survive into the canonical form. */
export type QueryPair = readonly [name: string, value: string];

function toPairs(query: readonly QueryPair[] | Readonly<Record<string, string>>): QueryPair[] {
  return Array.isArray(query)
    ? [...(query as readonly QueryPair[])]
    : Object.entries(query as Record<string, string>).map(([k, v]) => [k, v] as const);
}

/** Ascending UTF-16 code-unit order (what the SDK's `Array.prototype.sort()` does), by name then value. */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * CanonicalQueryString / CanonicalizedQueryString (§5.2, §5.4): sort the DECODED pairs by name
 * (then value, for repeated names), percent-encode name and value, join `k=v` with `&`.
 * Names are sorted before encoding, as the SDK does; for every legal parameter name
 * (`[A-Za-z0-9._-]`) encoding does not change the order anyway.
 */
export function canonicalQueryString(query: readonly QueryPair[] | Readonly<Record<string, string>>): string {
  return toPairs(query)
    .sort((a, b) => compareCodeUnits(a[0], b[0]) || compareCodeUnits(a[1], b[1]))
    .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
    .join("&");
}

/**
 * CanonicalURI for V3 (§5.2): each `/`-separated segment percent-encoded. The input is the
 * DECODED path; for RPC-style APIs it is `/`.
 */
export function canonicalUri(decodedPath: string): string {
  if (decodedPath === "") return "/";
  return decodedPath.split("/").map(percentEncode).join("/");
}

/** Request headers as Node gives them (a name may repeat). */
export type HeaderValues = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * CanonicalHeaders + SignedHeaders (§5.2) for the given header names. Header lookup is by
 * lower-case name; a header sent several times has each value trimmed, the values sorted and
 * joined with `,`. A name that is absent yields `name:` (the verifier rejects absent signed
 * headers before it gets here).
 */
export function canonicalHeaders(
  headers: HeaderValues,
  signedHeaderNames: readonly string[],
): { canonical: string; signedHeaders: string } {
  const lower = new Map<string, string[]>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const list = lower.get(key) ?? [];
    for (const v of Array.isArray(value) ? value : [value as string]) list.push(v.trim());
    lower.set(key, list);
  }
  const names = [...new Set(signedHeaderNames.map((n) => n.toLowerCase()))].sort(compareCodeUnits);
  const canonical = names.map((n) => `${n}:${(lower.get(n) ?? []).sort(compareCodeUnits).join(",")}\n`).join("");
  return { canonical, signedHeaders: names.join(";") };
}

/** What the V3 canonical request is built from. */
export interface CanonicalRequestV3Input {
  method: string;
  /** Decoded path (`/` for RPC). */
  path: string;
  /** Decoded query parameters. */
  query: readonly QueryPair[] | Readonly<Record<string, string>>;
  /** Request headers (any case; values may be lists). */
  headers: HeaderValues;
  /** Names to sign. Default: `host`, `content-type` if present, and every `x-acs-*` header (client rule, §5.2). */
  signedHeaders?: readonly string[];
  /** Lower-case hex SHA-256 of the body bytes (default: the empty body). */
  hashedPayload?: string;
}

/** The client-side default signed-header set (§5.2): `host`, `content-type` if present, every `x-acs-*`. */
export function defaultSignedHeaders(headers: HeaderValues): string[] {
  const names = new Set<string>();
  for (const [name, value] of Object.entries(headers)) {
    const n = name.toLowerCase();
    if (value !== undefined && (n === "host" || n === "content-type" || n.startsWith("x-acs-"))) names.add(n);
  }
  return [...names];
}

/** §5.2 CanonicalRequest. */
export function canonicalRequestV3(input: CanonicalRequestV3Input): string {
  const { canonical, signedHeaders } = canonicalHeaders(
    input.headers,
    input.signedHeaders ?? defaultSignedHeaders(input.headers),
  );
  return [
    input.method.toUpperCase(),
    canonicalUri(input.path),
    canonicalQueryString(input.query),
    canonical,
    signedHeaders,
    input.hashedPayload ?? EMPTY_BODY_SHA256,
  ].join("\n");
}

/** §5.2 StringToSign = `ACS3-HMAC-SHA256\n` + hex(SHA-256(CanonicalRequest)). */
export function stringToSignV3(canonicalRequest: string): string {
  return `${V3_ALGORITHM}\n${sha256Hex(Buffer.from(canonicalRequest, "utf8"))}`;
}

/** §5.2 Signature = hex(HMAC-SHA256(key = secret, StringToSign)). No `&` suffix on the key. */
export function signV3(accessKeySecret: string, stringToSign: string): string {
  return createHmac("sha256", Buffer.from(accessKeySecret, "utf8")).update(stringToSign, "utf8").digest("hex");
}

/** The `Authorization` header value the SDK builds (api-facts.md §5.7). */
export function authorizationV3(accessKeyId: string, signedHeaders: string, signature: string): string {
  return `${V3_ALGORITHM} Credential=${accessKeyId},SignedHeaders=${signedHeaders},Signature=${signature}`;
}

/**
 * §5.4 StringToSign = METHOD & percentEncode("/") & percentEncode(CanonicalizedQueryString),
 * over every parameter except `Signature`.
 */
export function stringToSignV1(method: string, params: readonly QueryPair[] | Readonly<Record<string, string>>): string {
  const pairs = toPairs(params).filter(([k]) => k !== "Signature");
  return `${method.toUpperCase()}&${percentEncode("/")}&${percentEncode(canonicalQueryString(pairs))}`;
}

/** §5.4 Signature = base64(HMAC-SHA1(key = secret + "&", StringToSign)). */
export function signV1(accessKeySecret: string, stringToSign: string): string {
  return createHmac("sha1", Buffer.from(`${accessKeySecret}&`, "utf8")).update(stringToSign, "utf8").digest("base64");
}

/** Constant-time string comparison (length mismatch is still answered without a data-dependent loop). */
export function constantTimeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, "utf8");
  const bb = Buffer.from(b, "utf8");
  if (ab.length !== bb.length) {
    // Compare b with itself so the time spent does not depend on where a and b differ.
    timingSafeEqual(bb, bb);
    return false;
  }
  return timingSafeEqual(ab, bb);
}

/** `yyyy-MM-ddTHH:mm:ssZ` (no milliseconds), the format both schemes use for the request time. */
export function formatTimestamp(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

// ---------------------------------------------------------------------------------------------
// Client-side helpers: build a signed request the way the SDK does. Used by tests, benchmarks and
// anything that needs to send raw (or deliberately tampered) requests to the emulator.
// ---------------------------------------------------------------------------------------------

/** A request to sign with V3 (for tests and tools that send raw requests). */
export interface SignV3RequestInput {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  method?: string;
  /** Value of the `host` header, e.g. `127.0.0.1:8080`. */
  host: string;
  path?: string;
  action: string;
  version: string;
  query?: Readonly<Record<string, string>>;
  /** Raw body bytes (form-encoded by the caller) and its content type. */
  body?: string | Buffer;
  contentType?: string;
  /** Overrides; default: now / a random nonce. */
  date?: string;
  nonce?: string;
  /** Extra headers (signed if `x-acs-*`). */
  extraHeaders?: Readonly<Record<string, string>>;
}

/** Returns every header to send (including `Authorization`) for a V3 request. */
export function signV3Request(input: SignV3RequestInput): Record<string, string> {
  const body = input.body === undefined ? Buffer.alloc(0) : Buffer.from(input.body);
  const headers: Record<string, string> = {
    host: input.host,
    "x-acs-action": input.action,
    "x-acs-version": input.version,
    "x-acs-date": input.date ?? formatTimestamp(Date.now()),
    "x-acs-signature-nonce": input.nonce ?? randomHex(16),
    "x-acs-content-sha256": sha256Hex(body),
    ...(input.contentType ? { "content-type": input.contentType } : {}),
    ...(input.securityToken
      ? { "x-acs-accesskey-id": input.accessKeyId, "x-acs-security-token": input.securityToken }
      : {}),
    ...(input.extraHeaders ?? {}),
  };
  const canonical = canonicalRequestV3({
    method: input.method ?? "POST",
    path: input.path ?? "/",
    query: input.query ?? {},
    headers,
    hashedPayload: headers["x-acs-content-sha256"],
  });
  const signedHeaders = canonical.split("\n").slice(-2, -1)[0];
  const signature = signV3(input.accessKeySecret, stringToSignV3(canonical));
  headers.authorization = authorizationV3(input.accessKeyId, signedHeaders, signature);
  return headers;
}

/** A request to sign with V1 (HMAC-SHA1 over the sorted parameters). */
export interface SignV1ParamsInput {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  method?: string;
  action: string;
  version: string;
  /** Action parameters (query and form body are signed together, so pass their union). */
  params?: Readonly<Record<string, string>>;
  timestamp?: string;
  nonce?: string;
}

/** Returns the full HMAC-SHA1 parameter set including `Signature`, as the SDK's `doRPCRequest` builds it. */
export function signV1Params(input: SignV1ParamsInput): Record<string, string> {
  const params: Record<string, string> = {
    Action: input.action,
    Format: "json",
    Version: input.version,
    Timestamp: input.timestamp ?? formatTimestamp(Date.now()),
    SignatureNonce: input.nonce ?? randomHex(16),
    ...(input.params ?? {}),
    ...(input.securityToken ? { SecurityToken: input.securityToken } : {}),
    SignatureMethod: "HMAC-SHA1",
    SignatureVersion: "1.0",
    AccessKeyId: input.accessKeyId,
  };
  params.Signature = signV1(input.accessKeySecret, stringToSignV1(input.method ?? "POST", params));
  return params;
}

function randomHex(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}
