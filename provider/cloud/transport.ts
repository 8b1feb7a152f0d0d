/**
 * The one signed transport: every cloud call goes through `@alicloud/openapi-client` `callApi`, RPC style,
 * ACS3-HMAC-SHA256 (the client's default signature). The client's own retry stays off
 * (`autoretry: false`); retries belong to `withRetry`, which knows which errors may be retried and keeps
 * one ClientToken per operation. Both timeouts are set explicitly (the client defaults them to 3 s).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { createHash } from "node:crypto";
import diagnosticsChannel from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import OpenApi, * as $OpenApi from "@alicloud/openapi-client";
import OpenApiUtil from "@alicloud/openapi-util";
import * as $Util from "@alicloud/tea-util";
import { CONNECT_FAILURE_CODES, CloudError, connectFailureError, nonJsonResponseError, toCloudError, withErrorHint } from "./errors";
import { withMissingPermission } from "./permission";
import { CredentialSource, missingCredentialsMessage, resolveCredentialSource } from "./credentials";
import { Endpoint, resolveEndpoint } from "./endpoints";
import { PRODUCTS, ProductName } from "./products";
import { HttpTimeouts, SettingsSource, resolveTimeouts } from "./settings";

/** An RPC call's parameters; lists and objects are flattened the way the SDK does (`Name.N.Field`). */
export type CallParams = Record<string, string | number | boolean | undefined | readonly unknown[] | Record<string, unknown>>;

/** How one call is sent. */
export interface CallOptions {
  /** The region whose endpoint answers (both products are regional). */
  region: string;
  /** GetIpamPoolAllocation is a GET in the SDK; everything else we call is POST. */
  method?: "GET" | "POST";
  /** The time left before the operation's deadline: the read timeout is cut to it. */
  timeoutMs?: number;
}

/** A record of one call as made, for callers that report progress or count calls. */
export interface CallRecord {
  product: ProductName;
  action: string;
  ok: boolean;
  code?: string;
  requestId?: string;
}

/** Sends one API call and returns its answer, or throws a CloudError. */
export interface Transport {
  /** One call of `action` to `product`'s endpoint in `options.region`. */
  call(product: ProductName, action: string, params: CallParams, options: CallOptions): Promise<Record<string, unknown>>;
  /**
   * Who calls where: two transports with the same key send `product`'s calls in `region` to the same
   * endpoint with the same credentials, so one may make a read for the other (the read coalescer groups
   * by it). Never shown anywhere: it holds a digest of the secret, not the secret. Without it a transport
   * shares reads only with itself.
   */
  scopeKey?(product: ProductName, region: string): string;
}

/**
 * A transport's scope key (Transport.scopeKey), or — for a transport without one (a test's fake) — a
 * number of its own, so it shares reads and pacing with itself only. Worked out once per transport,
 * product and region: a transport's endpoints and credentials are set when it is made, and the key (with
 * a digest of the secret) is asked for on every call, read and wait. The keys and numbers are held
 * weakly, by transport: a deliberate per-process table that goes with the transports.
 */
export function scopeKeyOf(transport: Transport, product: ProductName, region: string): string {
  let keys = scopeKeys.get(transport);
  if (!keys) scopeKeys.set(transport, (keys = new Map()));
  const where = `${product}|${region}`;
  let key = keys.get(where);
  if (key === undefined) {
    key = transport.scopeKey?.(product, region);
    if (key === undefined) {
      let n = transportNumbers.get(transport);
      if (n === undefined) transportNumbers.set(transport, (n = ++transportsNumbered));
      key = `${where}|transport #${n}`;
    }
    keys.set(where, key);
  }
  return key;
}

const scopeKeys = new WeakMap<Transport, Map<string, string>>();
const transportNumbers = new WeakMap<Transport, number>();
let transportsNumbered = 0;

/** Signs and sends calls with credentials and endpoints resolved from a SettingsSource. */
export class SignedTransport implements Transport {
  private readonly credentials: CredentialSource;
  private readonly timeouts: HttpTimeouts;
  private readonly clients = new Map<string, OpenApi>();

  constructor(
    private readonly source: SettingsSource,
    private readonly onCall?: (record: CallRecord) => void,
  ) {
    this.credentials = resolveCredentialSource(source);
    this.timeouts = resolveTimeouts(source);
  }

  /** The endpoint a product's calls in `region` go to. */
  endpointFor(product: ProductName, region: string): Endpoint {
    return resolveEndpoint(this.source, product, region);
  }

  scopeKey(product: ProductName, region: string): string {
    return `${product}|${region}|${this.endpointLabel(product, region)}|${credentialIdentity(this.credentials)}`;
  }

  private endpointLabel(product: ProductName, region: string): string {
    return endpointUrlLabel(this.endpointFor(product, region));
  }

  /** A failed connect (nothing sent), told with the endpoint and where it is set; undefined for anything else. */
  private connectFailure(err: unknown, product: ProductName, action: string, region: string): CloudError | undefined {
    const code = (err as { code?: unknown })?.code;
    if (typeof code !== "string" || !CONNECT_FAILURE_CODES.has(code)) return undefined;
    const env = PRODUCTS[product].envEndpoint;
    const endpoint = this.endpointFor(product, region);
    return connectFailureError({
      code,
      endpoint: endpointUrlLabel(endpoint),
      action,
      product,
      from: endpoint.from,
      settings: `Pulumi config alicloud:endpoints or env ${env}`,
      cause: err,
    });
  }

  private clientFor(product: ProductName, region: string): OpenApi {
    const endpoint = this.endpointFor(product, region);
    const key = `${endpoint.protocol}://${endpoint.host}`;
    let client = this.clients.get(key);
    if (!client) {
      client = new OpenApi(buildConfig(this.credentials, endpoint, region, this.timeouts));
      this.clients.set(key, client);
    }
    return client;
  }

  /** Signs and sends one call; every failure is a CloudError. */
  async call(product: ProductName, action: string, params: CallParams, options: CallOptions): Promise<Record<string, unknown>> {
    const client = this.clientFor(product, options.region);
    const request = new $OpenApi.OpenApiRequest({ query: OpenApiUtil.query(stripUndefined(params)) });
    const apiParams = new $OpenApi.Params({
      action,
      version: PRODUCTS[product].version,
      protocol: "HTTPS",
      pathname: "/",
      method: options.method ?? "POST",
      authType: "AK",
      style: "RPC",
      reqBodyType: "formData",
      bodyType: "json",
    });
    const runtime = new $Util.RuntimeOptions({
      autoretry: false,
      // httpx arms a read timer per request on the socket and clears it only in its own read(), which
      // openapi-client does not use; on its keep-alive agent (module-level, not configurable through
      // openapi-client) a finished call's timer later clears or fires into the next call on that socket.
      // So its read timer is pushed out of the way and the read timeout is enforced here instead.
      readTimeout: UNUSED_CLIENT_READ_TIMEOUT_MS,
      // Applied by httpx as the socket's idle limit for each request: it bounds a connection that never
      // opens and tears down a request we stopped waiting for. It must not undercut the read timeout.
      connectTimeout: Math.max(this.timeouts.connectTimeoutMs, this.timeouts.readTimeoutMs + 1000),
    });
    const readTimeoutMs = Math.max(1, Math.min(this.timeouts.readTimeoutMs, options.timeoutMs ?? Infinity));
    const head: ResponseHead = {};
    try {
      const response = await withReadTimeout(
        observeResponseHead(head, () => client.callApi(apiParams, request, runtime)),
        readTimeoutMs,
      );
      const body = (response?.body ?? {}) as Record<string, unknown>;
      this.onCall?.({ product, action, ok: true, requestId: typeof body.RequestId === "string" ? body.RequestId : undefined });
      return body;
    } catch (err) {
      const cloud =
        credentialFailure(err) ??
        this.connectFailure(err, product, action, options.region) ??
        (err instanceof SyntaxError
          ? nonJsonResponseError({ parseError: err, ...head, endpoint: this.endpointLabel(product, options.region), action })
          : withMissingPermission(toCloudError(err), err, action));
      this.onCall?.({ product, action, ok: false, code: cloud.code, requestId: cloud.requestId });
      throw withErrorHint(cloud, { product, action, region: options.region, params, endpoint: this.endpointFor(product, options.region) });
    }
  }
}

function buildConfig(credentials: CredentialSource, endpoint: Endpoint, region: string, timeouts: HttpTimeouts): $OpenApi.Config {
  const base = {
    endpoint: endpoint.host,
    protocol: endpoint.protocol,
    regionId: region,
    readTimeout: timeouts.readTimeoutMs,
    connectTimeout: timeouts.connectTimeoutMs,
  };
  if (credentials.kind === "static") {
    return new $OpenApi.Config({
      ...base,
      accessKeyId: credentials.accessKeyId,
      accessKeySecret: credentials.accessKeySecret,
      securityToken: credentials.securityToken,
    });
  }
  // Loaded only when needed: the default chain probes files and, last, the ECS metadata service.
  const creds = require("@alicloud/credentials");
  const Credential = creds.default;
  const provider =
    credentials.kind === "profile"
      ? creds.CLIProfileCredentialsProvider.builder().withProfileName(credentials.profile).build()
      : creds.DefaultCredentialsProvider.builder().build();
  return new $OpenApi.Config({ ...base, credential: new Credential(null, provider) });
}

/**
 * The identity of a credential source, for telling apart callers in one process (Transport.scopeKey):
 * the AccessKey ID with a short digest of the secret and token (so a wrong secret under the same ID is
 * another identity), the profile's name, or the default chain.
 */
function credentialIdentity(c: CredentialSource): string {
  if (c.kind === "profile") return `profile:${c.profile}`;
  if (c.kind === "chain") return "chain";
  const digest = createHash("sha256").update(`${c.accessKeySecret}\0${c.securityToken ?? ""}`).digest("hex").slice(0, 16);
  return `ak:${c.accessKeyId}:${digest}`;
}

/** The credentials library throws plain errors when nothing in its chain has credentials. */
function credentialFailure(err: unknown): CloudError | undefined {
  const message = err instanceof Error ? err.message : "";
  const code = (err as { code?: unknown })?.code;
  if (code === "InvalidCredentials" || /unable to get credentials|could not load credentials|credentials? (?:is|are) (?:not|null)/i.test(message)) {
    return new CloudError({ code: "MissingCredentials", message: missingCredentialsMessage(message), kind: "permanent", cause: err });
  }
  return undefined;
}

/** Far beyond any call: httpx's own read timer must never fire (see `call`). */
const UNUSED_CLIENT_READ_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/** The per-call read timeout: from sending the request to having the whole response. */
function withReadTimeout<T>(call: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const err = new Error(`ReadTimeout(${ms})`);
      err.name = "RequestTimeoutError";
      reject(err);
    }, ms);
  });
  // The abandoned call settles later (httpx's idle limit ends it); its outcome is of no interest.
  call.catch(() => undefined);
  return Promise.race([call, timeout]).finally(() => clearTimeout(timer));
}

/** `http://127.0.0.1:8080`: an endpoint as a user configures it, without any path or query. */
function endpointUrlLabel(e: Endpoint): string {
  return `${e.protocol.toLowerCase()}://${e.host}`;
}

/** The status line and headers of the response to one call. */
interface ResponseHead {
  status?: number;
  contentType?: string;
  contentLength?: string;
}

/**
 * openapi-client parses every body as JSON before it looks at the status, so when a proxy answers with
 * an HTML page all it throws is JSON.parse's SyntaxError. To say what came back, the response head is
 * taken from Node's `http.client.response.finish` diagnostics channel, matched to the call it belongs to
 * by an AsyncLocalStorage that runs around the call (it follows the request across keep-alive sockets
 * and concurrent calls). The storage and the one subscription are deliberate per-process state: a
 * subscriber outside any call sees no store and does nothing.
 */
const responseHeads = new AsyncLocalStorage<ResponseHead>();
let subscribed = false;

function observeResponseHead<T>(head: ResponseHead, call: () => Promise<T>): Promise<T> {
  if (!subscribed) {
    subscribed = true;
    diagnosticsChannel.subscribe("http.client.response.finish", (message) => {
      const store = responseHeads.getStore();
      const response = (message as { response?: IncomingMessage }).response;
      if (!store || !response) return;
      store.status = response.statusCode;
      store.contentType = headerText(response.headers["content-type"]);
      store.contentLength = headerText(response.headers["content-length"]);
    });
  }
  return responseHeads.run(head, call);
}

function headerText(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(", ") : v;
}

function stripUndefined(params: CallParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined) out[k] = v;
  return out;
}
