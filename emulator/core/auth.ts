/**
 * Request authentication: V3 (`ACS3-HMAC-SHA256`, api-facts.md §5.5) and HMAC-SHA1
 * (`SignatureVersion=1.0`, api-facts.md §5.4). Checks run in the order of api-facts.md §5.5 and the first failure is answered.
 *
 * The verifier never trusts the client's rendering of the request: the canonical query is rebuilt
 * from the DECODED parameters and re-encoded with the api-facts.md §5.3 rule, the canonical headers from the
 * names in `SignedHeaders` with the values actually received, the body hash from the bytes
 * actually received.
 */
import {
  QueryPair,
  V3_ALGORITHM,
  canonicalRequestV3,
  constantTimeEqual,
  sha256Hex,
  signV1,
  signV3,
  stringToSignV1,
  stringToSignV3,
} from "./signature";
import { Errors } from "./errors";

/** A request as the core sees it after reading and decoding (no socket). */
export interface ParsedRequest {
  readonly method: string;
  /** Decoded path. */
  readonly path: string;
  /** Decoded query pairs, in order, repeated names kept. */
  readonly query: readonly QueryPair[];
  /** Decoded form-body pairs (empty unless the body is `application/x-www-form-urlencoded`). */
  readonly form: readonly QueryPair[];
  /** Query merged with form (form wins). */
  readonly merged: Readonly<Record<string, string>>;
  /** Lower-case header name → every value received. */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  readonly body: Buffer;
}

/** How a request is signed: `V3` (ACS3-HMAC-SHA256 in the Authorization header) or `V1` (HMAC-SHA1 `Signature` parameter). */
export type SignatureScheme = "V3" | "V1";

/** An AccessKey pair the emulator accepts. */
export interface Credential {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** When set, every request with this AK must carry exactly this STS token. */
  readonly securityToken?: string;
}

/** What the request says about itself before anything is verified (for dispatch and the call log). */
export interface Identity {
  readonly scheme: SignatureScheme | null;
  readonly action: string | null;
  readonly version: string | null;
  readonly accessKeyId: string | null;
}

/** The clock-skew window for both schemes: ±15 minutes (V3 doc; SignatureNonce uniqueness window). */
export const SIGNATURE_WINDOW_MS = 15 * 60 * 1000;

export function header(req: ParsedRequest, name: string): string | undefined {
  const v = req.headers[name];
  return v === undefined || v.length === 0 ? undefined : v.join(",");
}

interface AuthorizationV3 {
  credential: string;
  signedHeaders: string[];
  signature: string;
}

/**
 * Parses `ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…`. Optional spaces after the
 * commas are accepted (assumption: the gateway's tolerance is undocumented, the SDK sends none).
 */
function parseAuthorizationV3(value: string): AuthorizationV3 | null {
  if (!value.startsWith(`${V3_ALGORITHM} `)) return null;
  const fields = new Map<string, string>();
  for (const part of value.slice(V3_ALGORITHM.length + 1).split(",")) {
    const p = part.trim();
    const eq = p.indexOf("=");
    if (eq <= 0) return null;
    fields.set(p.slice(0, eq), p.slice(eq + 1));
  }
  const credential = fields.get("Credential");
  const signedHeaders = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  if (!credential || !signedHeaders || !signature) return null;
  return { credential, signedHeaders: signedHeaders.split(";").map((s) => s.trim().toLowerCase()), signature };
}

/** Which scheme, action, version and AK the request claims, without verifying anything. */
export function identify(req: ParsedRequest): Identity {
  const authorization = header(req, "authorization");
  if (authorization !== undefined) {
    const parsed = parseAuthorizationV3(authorization);
    return {
      scheme: "V3",
      action: header(req, "x-acs-action") ?? null,
      version: header(req, "x-acs-version") ?? null,
      accessKeyId: parsed?.credential ?? null,
    };
  }
  if (req.merged.Signature !== undefined) {
    return {
      scheme: "V1",
      action: req.merged.Action ?? null,
      version: req.merged.Version ?? null,
      accessKeyId: req.merged.AccessKeyId ?? null,
    };
  }
  // Unsigned: still report what it asked for (call log, dispatch of the error body).
  return {
    scheme: null,
    action: header(req, "x-acs-action") ?? req.merged.Action ?? null,
    version: header(req, "x-acs-version") ?? req.merged.Version ?? null,
    accessKeyId: req.merged.AccessKeyId ?? null,
  };
}

const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

/**
 * `yyyy-MM-ddTHH:mm:ssZ` only (no milliseconds, no offset), and a real calendar instant.
 * Returns epoch ms or null. Strictness beyond the documented format is an assumption.
 */
export function parseTimestamp(value: string): number | null {
  const m = TIMESTAMP_RE.exec(value);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const t = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(t);
  if (
    back.getUTCFullYear() !== y ||
    back.getUTCMonth() !== mo - 1 ||
    back.getUTCDate() !== d ||
    back.getUTCHours() !== h ||
    back.getUTCMinutes() !== mi ||
    back.getUTCSeconds() !== s
  ) {
    return null;
  }
  return t;
}

/**
 * Nonces seen per AccessKeyId in the last 15 minutes (real clock). Bounded: expired entries are
 * pruned on every insert, and past `maxEntries` the oldest are evicted (assumption-free trade-off:
 * under a sustained > maxEntries/15min request rate a very old nonce could be forgotten early;
 * its timestamp is then close to expiry anyway).
 */
export class NonceStore {
  private readonly seen = new Map<string, number>(); // `${ak}\n${nonce}` → expiry (epoch ms)

  constructor(
    private readonly windowMs = SIGNATURE_WINDOW_MS,
    private readonly maxEntries = 200_000,
  ) {}

  has(accessKeyId: string, nonce: string, nowMs: number): boolean {
    const exp = this.seen.get(`${accessKeyId}\n${nonce}`);
    return exp !== undefined && exp > nowMs;
  }

  remember(accessKeyId: string, nonce: string, nowMs: number): void {
    this.prune(nowMs);
    const key = `${accessKeyId}\n${nonce}`;
    this.seen.delete(key); // re-insert at the end so Map order stays expiry order
    this.seen.set(key, nowMs + this.windowMs);
    while (this.seen.size > this.maxEntries) {
      const oldest = this.seen.keys().next().value as string;
      this.seen.delete(oldest);
    }
  }

  get size(): number {
    return this.seen.size;
  }

  private prune(nowMs: number): void {
    for (const [key, exp] of this.seen) {
      if (exp > nowMs) break; // insertion order == expiry order (real clock, fixed window)
      this.seen.delete(key);
    }
  }
}

export interface VerifiedIdentity {
  readonly scheme: SignatureScheme;
  readonly accessKeyId: string;
}

/**
 * Verifies the request or throws the first failing check's ApiError.
 * `nowMs` is the REAL clock (Date.now()), never the emulator's injectable model clock.
 */
export function verifyRequest(
  req: ParsedRequest,
  credentials: ReadonlyMap<string, Credential>,
  nonces: NonceStore,
  nowMs: number,
): VerifiedIdentity {
  const authorization = header(req, "authorization");
  if (authorization !== undefined) return verifyV3(req, authorization, credentials, nonces, nowMs);
  if (req.merged.Signature !== undefined) return verifyV1(req, credentials, nonces, nowMs);
  // Neither an Authorization header nor a Signature parameter: anonymous calls are not allowed for
  // these APIs (assumption on the exact code; IncompleteSignature per api-facts.md §5.6).
  throw Errors.incompleteSignature("The request carries neither an Authorization header nor a Signature parameter.");
}

function checkTimestamp(value: string, nowMs: number): void {
  const t = parseTimestamp(value);
  if (t === null) throw Errors.timestampFormat();
  if (Math.abs(nowMs - t) > SIGNATURE_WINDOW_MS) throw Errors.timestampExpired();
}

/** api-facts.md §5.5 step 2 for V3: required headers present, signed headers present, nothing unsigned. */
function checkV3Headers(req: ParsedRequest, signedHeaders: readonly string[]): void {
  // api-facts.md §5.5 step 2: required headers present …
  for (const name of ["host", "x-acs-action", "x-acs-version", "x-acs-date", "x-acs-content-sha256"]) {
    if (header(req, name) === undefined) throw Errors.missingParameter(name);
  }
  // … every signed header present …
  for (const name of signedHeaders) {
    if (name === "" || header(req, name) === undefined) {
      throw Errors.incompleteSignature(`The signed header "${name}" is not present in the request.`);
    }
  }
  // … and host plus every x-acs-* header signed (doc: "all common headers except Authorization
  // must be signed"; strict enforcement is an assumption that catches client bugs).
  const signed = new Set(signedHeaders);
  for (const name of Object.keys(req.headers)) {
    if ((name === "host" || name.startsWith("x-acs-")) && !signed.has(name)) {
      throw Errors.incompleteSignature(`The header "${name}" must be included in SignedHeaders.`);
    }
  }
}

function verifyV3(
  req: ParsedRequest,
  authorization: string,
  credentials: ReadonlyMap<string, Credential>,
  nonces: NonceStore,
  nowMs: number,
): VerifiedIdentity {
  // api-facts.md §5.5 step 1: Authorization well-formed and of our algorithm. Other algorithms
  // (ACS3-HMAC-SM3, ACS3-RSA-SHA256, ROA `acs AK:sig`) are not supported by the emulator.
  const auth = parseAuthorizationV3(authorization);
  if (!auth) {
    throw Errors.incompleteSignature(
      `The Authorization header must be "${V3_ALGORITHM} Credential=<AccessKeyId>,SignedHeaders=<names>,Signature=<hex>".`,
    );
  }

  checkV3Headers(req, auth.signedHeaders);

  // api-facts.md §5.5 step 3: date format and ±15 min window.
  checkTimestamp(header(req, "x-acs-date")!, nowMs);

  // api-facts.md §5.5 step 4: known AccessKeyId.
  const cred = credentials.get(auth.credential);
  if (!cred) throw Errors.accessKeyNotFound();

  // api-facts.md §5.5 step 5: body hash. The header is compared exactly (lower-case hex, as the SDK sends it).
  const bodyHash = sha256Hex(req.body);
  if (!constantTimeEqual(header(req, "x-acs-content-sha256")!, bodyHash)) throw Errors.contentHashMismatch(bodyHash);

  // api-facts.md §5.5 step 6: recompute and compare the signature.
  const canonical = canonicalRequestV3({
    method: req.method,
    path: req.path,
    query: req.query,
    headers: req.headers,
    signedHeaders: auth.signedHeaders,
    hashedPayload: bodyHash,
  });
  const sts = stringToSignV3(canonical);
  if (!constantTimeEqual(auth.signature, signV3(cred.accessKeySecret, sts))) throw Errors.signatureMismatchV3(sts);

  // STS: token and AK headers (both are signed, so they are authentic by now).
  const token = header(req, "x-acs-security-token");
  if (cred.securityToken !== undefined) {
    if (token === undefined || !constantTimeEqual(token, cred.securityToken)) {
      throw Errors.securityTokenMismatch("The x-acs-security-token header is missing or wrong.");
    }
    if (header(req, "x-acs-accesskey-id") !== auth.credential) {
      throw Errors.securityTokenMismatch("The x-acs-accesskey-id header must equal the Credential access key.");
    }
  } else if (token !== undefined) {
    // Assumption: a token presented with a long-term AccessKey is rejected, not ignored.
    throw Errors.securityTokenMismatch("This access key does not use a security token.");
  }

  // api-facts.md §5.5 step 7: nonce unused for this AK in the window; remembered only after every check passed.
  // The V3 doc calls the nonce "recommended" (the SDK always sends one), so its absence is allowed.
  const nonce = header(req, "x-acs-signature-nonce");
  if (nonce !== undefined) {
    if (nonces.has(auth.credential, nonce, nowMs)) throw Errors.nonceUsed();
    nonces.remember(auth.credential, nonce, nowMs);
  }
  return { scheme: "V3", accessKeyId: auth.credential };
}

function verifyV1(
  req: ParsedRequest,
  credentials: ReadonlyMap<string, Credential>,
  nonces: NonceStore,
  nowMs: number,
): VerifiedIdentity {
  const p = req.merged;
  // api-facts.md §5.4: required common parameters.
  for (const name of ["AccessKeyId", "Action", "Version", "SignatureMethod", "SignatureVersion", "SignatureNonce", "Timestamp"]) {
    if (p[name] === undefined || p[name] === "") throw Errors.missingParameter(name);
  }
  // Assumption: an unsupported method/version is IncompleteSignature (real code undocumented).
  if (p.SignatureMethod !== "HMAC-SHA1") {
    throw Errors.incompleteSignature(`SignatureMethod "${p.SignatureMethod}" is not supported; use HMAC-SHA1.`);
  }
  if (p.SignatureVersion !== "1.0") {
    throw Errors.incompleteSignature(`SignatureVersion "${p.SignatureVersion}" is not supported; use 1.0.`);
  }
  checkTimestamp(p.Timestamp, nowMs);

  const cred = credentials.get(p.AccessKeyId);
  if (!cred) throw Errors.accessKeyNotFound();

  // §5.4: every parameter except Signature, query and form body together, with the method used.
  const sts = stringToSignV1(req.method, p);
  if (!constantTimeEqual(p.Signature, signV1(cred.accessKeySecret, sts))) throw Errors.signatureMismatchV1(sts);

  if (cred.securityToken !== undefined) {
    if (p.SecurityToken === undefined || !constantTimeEqual(p.SecurityToken, cred.securityToken)) {
      throw Errors.securityTokenMismatch("The SecurityToken parameter is missing or wrong.");
    }
  } else if (p.SecurityToken !== undefined) {
    throw Errors.securityTokenMismatch("This access key does not use a security token.");
  }

  if (nonces.has(p.AccessKeyId, p.SignatureNonce, nowMs)) throw Errors.nonceUsed();
  nonces.remember(p.AccessKeyId, p.SignatureNonce, nowMs);
  return { scheme: "V1", accessKeyId: p.AccessKeyId };
}
