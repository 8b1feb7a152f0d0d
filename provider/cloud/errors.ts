/**
 * One error model for everything the signed transport can throw: cloud error bodies, gateways that
 * answer 5xx with HTML, refused or reset connections, and read timeouts.
 *
 * Classification is data: tables of cloud codes and network error codes, one predicate per kind.
 * Nothing here guesses from message substrings.
 */

export type ErrorKind =
  /** The service asked us to slow down. Always safe to retry (the request was rejected before any effect). */
  | "throttling"
  /** The service or the network failed in a way that may pass (5xx, reset, timeout). */
  | "transient"
  /** The target is busy or mid-transition (a concurrent operation, an in-flight status change). */
  | "busy"
  /** The target does not exist. */
  | "notFound"
  /** Anything else: retrying the same request cannot succeed. */
  | "permanent";

/** Codes that mean "too many requests". */
export const THROTTLING_CODES: ReadonlySet<string> = new Set([
  "Throttling",
  "Throttling.User",
  "Throttling.Api",
  "Throttling.Concurrent",
  "Rejected.Throttling",
  "QpsLimitExceeded",
]);

/** Codes that mean "the service had a temporary failure". */
export const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  "ServiceUnavailable",
  "SystemBusy",
  "InternalError",
  "UnknownError",
  "Gateway.Timeout",
  "RequestTimeout",
]);

/**
 * Codes that mean "the resource is busy or mid-transition; the same request will work later".
 * `OperationFailed.Conflict` is documented by ReleaseAnycastEipAddress as "too frequent or a
 * concurrency conflict, try again later"; `IncorrectStatus.Anycast` is what Eipanycast answers while an
 * EIP is Associating/Unassociating/Modifying.
 */
export const BUSY_CODES: ReadonlySet<string> = new Set([
  "OperationFailed.Conflict",
  "IncorrectStatus.Anycast",
  "OperationConflict",
  "LastTokenProcessing",
  "TaskConflict",
]);

/** Codes that mean "no such object". */
export const NOT_FOUND_CODES: ReadonlySet<string> = new Set([
  "ResourceNotFound.IpamPoolAllocation",
  "ResourceNotFound.IpamPool",
  "ResourceNotFound.AnycastInstance",
  "ResourceNotFound.BindInstance",
]);

/**
 * Node/httpx network error codes after which nothing reached the service (connect failed). `EPROTO` is a
 * TLS handshake that failed — typically an HTTPS client talking to a plain-HTTP server — before any byte
 * of the request was written.
 */
export const CONNECT_FAILURE_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPROTO",
]);

/** Connect failures that trying again cannot fix (the endpoint's protocol is wrong): not retried. */
const PERMANENT_CONNECT_FAILURE_CODES: ReadonlySet<string> = new Set(["EPROTO"]);

/** Node network error codes after which the request may or may not have been applied. */
export const IN_FLIGHT_FAILURE_CODES: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ECONNABORTED",
  "ESOCKETTIMEDOUT",
  "UND_ERR_SOCKET",
]);

/** What each connect failure means, in words. */
const CONNECT_FAILURE_LABELS: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed for now",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  EPROTO: "TLS handshake failed",
};

/** Failures of the connection rather than answers of the service: their attempts are reported with how long they took. */
export function isNetworkFailure(e: CloudError): boolean {
  return CONNECT_FAILURE_CODES.has(e.code) || IN_FLIGHT_FAILURE_CODES.has(e.code) || e.code === "ConnectTimeout" || e.code === "ReadTimeout";
}

/**
 * A connection that could not be made: what failed in words, the endpoint without any request line or
 * query, the action, and where the endpoint came from and can be set (the SDK's own text runs its
 * reason into the request URL with the whole query).
 */
export function connectFailureError(r: { code: string; endpoint: string; action: string; product: string; from: string; settings: string; cause: unknown }): CloudError {
  return new CloudError({
    code: r.code,
    message:
      `could not connect to ${r.endpoint} (${CONNECT_FAILURE_LABELS[r.code] ?? r.code}) calling ${r.action}; nothing was sent. ` +
      `Check the ${r.product} endpoint (from ${r.from}; set with ${r.settings})`,
    kind: kindOfCode(r.code, undefined),
    nothingSent: true,
    cause: r.cause,
  });
}

/**
 * The reason of a network failure as the SDK words it, without the request line it appends
 * (`socket hang upPOST http://host/?Action…&ClientToken=… failed.`): the query is noise, and the endpoint
 * and action are named elsewhere in the message.
 */
export function networkReasonLabel(sdkMessage: string | undefined, code: string): string {
  const reason = (sdkMessage ?? "").replace(/\s*(GET|POST|PUT|DELETE) https?:\/\/\S*( failed\.?)?\s*$/, "").trim();
  return reason === "" ? code : reason;
}

/** HTTP statuses that are transient whatever the body says. */
export const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([500, 502, 503, 504]);

/** The kind of an error from its code (tables of known codes) and HTTP status. */
export function kindOfCode(code: string | undefined, status: number | undefined): ErrorKind {
  if (code !== undefined) {
    if (THROTTLING_CODES.has(code)) return "throttling";
    if (BUSY_CODES.has(code)) return "busy";
    if (NOT_FOUND_CODES.has(code)) return "notFound";
    if (TRANSIENT_CODES.has(code)) return "transient";
    if (CONNECT_FAILURE_CODES.has(code)) return PERMANENT_CONNECT_FAILURE_CODES.has(code) ? "permanent" : "transient";
    if (IN_FLIGHT_FAILURE_CODES.has(code)) return "transient";
  }
  if (status === 429) return "throttling";
  if (status !== undefined && TRANSIENT_STATUSES.has(status)) return "transient";
  return "permanent";
}

/** Whether the service asks us to slow down. */
export const isThrottling = (e: CloudError): boolean => e.kind === "throttling";
/** Whether the failure is the service's or the network's and may pass. */
export const isTransient = (e: CloudError): boolean => e.kind === "transient";
/** Whether the object is in a state that refuses the change for now. */
export const isBusy = (e: CloudError): boolean => e.kind === "busy";
/** Whether the object does not exist. */
export const isNotFound = (e: CloudError): boolean => e.kind === "notFound";
/** The kinds the retry policy retries. */
export const isRetryable = (e: CloudError): boolean => isThrottling(e) || isTransient(e) || isBusy(e);

/** What a {@link CloudError} is made of. */
export interface CloudErrorFields {
  code: string;
  message: string;
  status?: number;
  requestId?: string;
  recommend?: string;
  hostId?: string;
  kind?: ErrorKind;
  /** What we were doing, e.g. `releasing Anycast EIP aeip-123`. */
  operation?: string;
  /** How many attempts the retry policy made before giving up (1 = no retry). */
  attempts?: number;
  /** For network failures: how long those attempts took, from the first one's start, in ms. */
  elapsedMs?: number;
  /**
   * True when no attempt reached the service (each failed to connect, or none was sent): nothing can have
   * been applied. The retry policy clears it when any earlier attempt may have reached the service.
   */
  nothingSent?: boolean;
  /** What to do about it, from ERROR_HINTS; shown after the cloud's own message and request id. */
  hint?: string;
  /**
   * On a throttling error: the pace (calls per second) its action is now held to in this process
   * (pacing.ts), so the retry queues for a slot instead of backing off on its own.
   */
  pacedPerSecond?: number;
  cause?: unknown;
}

/**
 * A failed cloud call. `message` is the user-facing line:
 * `releasing Anycast EIP aeip-…: IncorrectStatus.Anycast: <cloud message> (RequestId …)`.
 */
export class CloudError extends Error {
  readonly code: string;
  readonly status?: number;
  readonly requestId?: string;
  readonly recommend?: string;
  readonly hostId?: string;
  readonly kind: ErrorKind;
  readonly cloudMessage: string;
  readonly operation?: string;
  readonly attempts?: number;
  readonly elapsedMs?: number;
  readonly nothingSent?: boolean;
  readonly hint?: string;
  readonly pacedPerSecond?: number;

  constructor(fields: CloudErrorFields) {
    super(formatCloudError(fields), { cause: fields.cause });
    this.name = "CloudError";
    this.code = fields.code;
    this.status = fields.status;
    this.requestId = fields.requestId;
    this.recommend = fields.recommend;
    this.hostId = fields.hostId;
    this.cloudMessage = fields.message;
    this.operation = fields.operation;
    this.attempts = fields.attempts;
    this.elapsedMs = fields.elapsedMs;
    this.nothingSent = fields.nothingSent;
    this.hint = fields.hint;
    this.pacedPerSecond = fields.pacedPerSecond;
    this.kind = fields.kind ?? kindOfCode(fields.code, fields.status);
  }

  /** The same error, described as part of a named operation. */
  during(operation: string): CloudError {
    return new CloudError({ ...this.fields(), operation });
  }

  /** The same error with `hint` (none: unchanged). */
  withHint(hint: string | undefined): CloudError {
    return hint === undefined ? this : new CloudError({ ...this.fields(), hint });
  }

  /** The same error, after the retry policy made `attempts` attempts (over `elapsedMs`, when given). */
  afterAttempts(attempts: number, elapsedMs?: number): CloudError {
    return new CloudError({ ...this.fields(), attempts, elapsedMs });
  }

  /** This error's fields, to make a changed copy. */
  fields(): CloudErrorFields {
    return {
      code: this.code,
      message: this.cloudMessage,
      status: this.status,
      requestId: this.requestId,
      recommend: this.recommend,
      hostId: this.hostId,
      kind: this.kind,
      operation: this.operation,
      attempts: this.attempts,
      elapsedMs: this.elapsedMs,
      nothingSent: this.nothingSent,
      hint: this.hint,
      pacedPerSecond: this.pacedPerSecond,
      cause: this.cause,
    };
  }
}

function formatCloudError(f: CloudErrorFields): string {
  const over = f.elapsedMs === undefined ? "" : ` over ${Math.max(0, Math.round(f.elapsedMs / 100) / 10)} s`;
  const prefix = (f.operation ? `${f.operation}: ` : "") + (f.attempts && f.attempts > 1 ? `after ${f.attempts} failed attempts${over}: ` : "");
  const rid = f.requestId ? ` (RequestId ${f.requestId})` : "";
  const status = f.requestId || f.status === undefined ? "" : ` (HTTP ${f.status})`;
  const hint = f.hint ? `. ${f.hint}` : "";
  return `${prefix}${f.code}: ${f.message}${rid}${status}${hint}`;
}

interface TeaLikeError {
  name?: string;
  code?: unknown;
  message?: string;
  statusCode?: number;
  data?: Record<string, unknown>;
}

/** The message openapi-client builds is `code: <status>, <Message> request id: <RequestId>`; we keep the cloud's own. */
function cloudMessageOf(data: Record<string, unknown>, fallback: string): string {
  const m = data["Message"] ?? data["message"];
  return typeof m === "string" ? m : fallback;
}

/** Normalizes anything thrown by openapi-client / tea / httpx / Node into a CloudError. */
export function toCloudError(err: unknown, operation?: string): CloudError {
  if (err instanceof CloudError) return operation && !err.operation ? err.during(operation) : err;
  const e = (err ?? {}) as TeaLikeError;
  const data = e.data && typeof e.data === "object" ? e.data : undefined;

  // A cloud error body (tea ResponseError): Code/Message/RequestId/Recommend plus statusCode.
  if (data && (data["Code"] !== undefined || data["code"] !== undefined) && data["statusCode"] !== undefined) {
    const code = String(data["Code"] ?? data["code"]);
    const status = Number(data["statusCode"]);
    return new CloudError({
      code,
      status,
      message: withoutStringToSign(cloudMessageOf(data, e.message ?? "")),
      requestId: stringOr(data["RequestId"] ?? data["requestId"]),
      recommend: stringOr(data["Recommend"]),
      hostId: stringOr(data["HostId"]),
      operation,
      cause: err,
    });
  }

  // httpx timeouts: `RequestTimeoutError` with `ReadTimeout…` or `ConnectTimeout…` in the message.
  if (e.name === "RequestTimeoutError") {
    const connect = (e.message ?? "").startsWith("ConnectTimeout");
    return new CloudError({
      code: connect ? "ConnectTimeout" : "ReadTimeout",
      message: connect
        ? "the connection to the endpoint stayed idle past the timeout (the request may have been applied)"
        : "no response within the read timeout (the request may have been applied)",
      kind: "transient",
      operation,
      cause: err,
    });
  }

  // Node socket errors (ECONNRESET, ECONNREFUSED, …).
  if (typeof e.code === "string" && (CONNECT_FAILURE_CODES.has(e.code) || IN_FLIGHT_FAILURE_CODES.has(e.code))) {
    return new CloudError({
      code: e.code,
      message: CONNECT_FAILURE_CODES.has(e.code)
        ? `connection failed (${networkReasonLabel(e.message, e.code)})`
        : `connection lost before the response arrived (${networkReasonLabel(e.message, e.code)}); the request may have been applied`,
      kind: "transient",
      operation,
      cause: err,
    });
  }

  // A response body that is not JSON, seen without its HTTP status (the transport normally adds it).
  if (err instanceof SyntaxError) return nonJsonResponseError({ parseError: err, operation });

  const message = err instanceof Error ? err.message : String(err);
  return new CloudError({ code: typeof e.code === "string" ? e.code : "ClientError", message, kind: "permanent", operation, cause: err });
}

/**
 * What came back instead of a JSON body: an empty body, a proxy's or gateway's HTML page. The status
 * decides: a 5xx page is a gateway in trouble and may pass (the retry policy retries it only a little,
 * see INVALID_RESPONSE_MAX_ATTEMPTS); a 2xx/4xx one is something in between that answers for the
 * service (a proxy, a captive portal, a wrong endpoint), and asking again will not change it.
 */
export function nonJsonResponseError(r: {
  parseError: SyntaxError;
  status?: number;
  contentType?: string;
  contentLength?: string;
  endpoint?: string;
  action?: string;
  operation?: string;
}): CloudError {
  // The status itself is appended by the message format: `… (HTTP 502)`.
  const where = r.endpoint ? `${r.endpoint} answered ${r.action ?? "the call"}` : "the endpoint answered";
  const type = r.contentType ?? "no content type";
  return new CloudError({
    code: "InvalidResponse",
    status: r.status,
    message: `${where} with a body that is not JSON: ${type}, ${firstBytesLabel(r.parseError, r.contentLength)}; is a proxy or gateway answering for the service, or is the endpoint wrong?`,
    kind: r.status !== undefined && r.status >= 500 ? "transient" : "permanent",
    operation: r.operation,
    cause: r.parseError,
  });
}

/** The start of a body JSON.parse refused, from its message (it quotes the first characters). */
function firstBytesLabel(parseError: SyntaxError, contentLength: string | undefined): string {
  if (contentLength === "0" || /end of JSON input/.test(parseError.message)) return "empty";
  const quoted = /"(.*)"(\.\.\.)? is not valid JSON/s.exec(parseError.message);
  return quoted ? `starting ${JSON.stringify(quoted[1] + (quoted[2] ? "…" : ""))}` : `unreadable (${parseError.message.slice(0, 120)})`;
}

/**
 * A SignatureDoesNotMatch message ends with the gateway's StringToSign (`server StringToSign is […]`,
 * `server string to sign is:…`): noise to a user, and never worth printing; the message stops before it.
 */
function withoutStringToSign(message: string): string {
  return message.replace(/\s*server\s*(?:StringToSign|string to sign)\b.*$/is, "");
}

function stringOr(v: unknown): string | undefined {
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

// ------------------------------------------------------------------------------------------------ hints

/** Where a failed call went and with what: all a hint may use. */
export interface HintContext {
  product: string;
  action: string;
  /** The region the call was made in (its `RegionId` and endpoint). */
  region: string;
  params: Readonly<Record<string, unknown>>;
  endpoint: { host: string; protocol: "HTTP" | "HTTPS"; from: string };
}

/** Where the region of a call is set, told as "set it to `value`". */
function regionSettingLabel(value: string): string {
  return `set the resource's regionId to ${value} (or, for every resource without one, Pulumi config alicloud:region or env ALIBABA_CLOUD_REGION)`;
}

/**
 * Whether an endpoint host is this machine. The emulator listens on loopback by default and Alibaba Cloud
 * endpoints never do, so an emulator-specific hint is given for a loopback endpoint (and said as
 * "presumably the emulator": a local proxy in front of the cloud is loopback too).
 */
export function isLoopbackHost(hostPort: string): boolean {
  const host = hostPort.replace(/^\[([^\]]*)\](:\d+)?$/, "$1").replace(/:\d+$/, "");
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * `OperationDenied.RequestRegionInvalid`'s hint: both regions and the setting. The service's answer does
 * not name the pool's region; a caller that looked it up (ListIpamPools) passes it as `poolRegion`.
 */
export function requestRegionHint(region: string, poolId: unknown, poolRegion?: string): string {
  const pool = typeof poolId === "string" ? `IPAM pool ${poolId}` : "the IPAM pool";
  return poolRegion
    ? `The call was made in region ${region}, but ${pool} is in ${poolRegion}: ${regionSettingLabel(`"${poolRegion}"`)}`
    : `The call was made in region ${region}, but ${pool} is in another region: ${regionSettingLabel("the pool's region (ListIpamPools shows it as PoolRegionId)")}`;
}

/** `http://127.0.0.1:8080`: the endpoint as a user configures it. */
function endpointLabel(e: HintContext["endpoint"]): string {
  return `${e.protocol.toLowerCase()}://${e.host}`;
}

/**
 * What to do about an error, by code: the one table of hints. A builder answers undefined when it has
 * nothing to say in that context. Hints never repeat the cloud's message; they name the setting to change.
 */
export const ERROR_HINTS: Readonly<Record<string, (c: HintContext) => string | undefined>> = {
  SignatureDoesNotMatch: () =>
    "The service computed another signature: check the access key secret, which must be the secret of the AccessKeyId sent " +
    "(Pulumi config alicloud:secretKey, env ALIBABA_CLOUD_ACCESS_KEY_SECRET, or the credentials profile)",
  "OperationDenied.RequestRegionInvalid": (c) => requestRegionHint(c.region, c.params.IpamPoolId),
  "ResourceNotFound.IpamPool": (c) => {
    if (!isLoopbackHost(c.endpoint.host)) return undefined;
    const pool = typeof c.params.IpamPoolId === "string" ? c.params.IpamPoolId : "ipam-pool-demo";
    return (
      `The endpoint ${endpointLabel(c.endpoint)} is local, presumably the emulator, which has no IPAM pool ${pool}: seed one, ` +
      `e.g. start the emulator with --pool ${pool}=10.0.0.0/16@${c.region}, or POST /_emulator/seed {"vpcipam":{"pools":[{"ipamPoolId":"${pool}","regionId":"${c.region}","cidrs":["10.0.0.0/16"]}]}}`
    );
  },
  EPROTO: (c) =>
    c.endpoint.protocol === "HTTPS"
      ? `The endpoint is taken as HTTPS (an endpoint written without http:// is); if it serves plain HTTP, as the emulator does, set it as http://${c.endpoint.host}`
      : undefined,
};

/** The error with the hint ERROR_HINTS has for its code in this context (unchanged when none). */
export function withErrorHint(error: CloudError, context: HintContext): CloudError {
  return error.withHint(ERROR_HINTS[error.code]?.(context));
}
