/**
 * Endpoint resolution. Both products are regional (`<product>.<region>.aliyuncs.com`, HTTPS). An
 * override per product — Pulumi config `alicloud:endpoints` or env `ALIBABA_CLOUD_ENDPOINT_<PRODUCT>` —
 * accepts `https://host`, `http://host:port` (the emulator) or a bare `host[:port]` (HTTPS).
 */
import { PRODUCTS, ProductName } from "./products";
import { SettingsError, SettingsSource } from "./settings";

/** Where a product's calls go, and which setting said so. */
export interface Endpoint {
  /** `host[:port]`, exactly what openapi-client signs as the `host` header. */
  host: string;
  protocol: "HTTP" | "HTTPS";
  from: string;
}

const HOST_PORT = /^[A-Za-z0-9.-]+(:\d{1,5})?$/;

/** `http://host:port`, `https://host` or `host[:port]` (HTTPS); anything else is a SettingsError naming `from`. */
export function parseEndpoint(value: string, from: string): Endpoint {
  const trimmed = value.trim().replace(/\/+$/, "");
  const m = /^(https?):\/\/(.+)$/i.exec(trimmed);
  const protocol = m ? (m[1].toUpperCase() as "HTTP" | "HTTPS") : "HTTPS";
  const host = m ? m[2] : trimmed;
  if (!HOST_PORT.test(host)) {
    throw new SettingsError(`${from} is "${value}"; expected http://host:port, https://host or host[:port]`);
  }
  return { host, protocol, from };
}

/**
 * `alicloud:endpoints` may be an object `{"vpcipam": "...", "eipanycast": "..."}` or, as the official
 * provider's config takes it, a list of such objects. Keys are case-insensitive product names.
 */
function configuredEndpoint(source: SettingsSource, product: ProductName): Endpoint | undefined {
  const raw = source.config("alicloud:endpoints");
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new SettingsError(`Pulumi config alicloud:endpoints is not JSON; expected e.g. {"vpcipam":"http://127.0.0.1:8080","eipanycast":"http://127.0.0.1:8080"}`);
  }
  const entries = Array.isArray(parsed) ? parsed : [parsed];
  const wanted = PRODUCTS[product].hostPrefix;
  for (const entry of entries) {
    if (!entry || typeof entry !== "object") {
      throw new SettingsError(`Pulumi config alicloud:endpoints must be an object or a list of objects mapping product to URL`);
    }
    for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
      if (k.toLowerCase() !== wanted) continue;
      if (typeof v !== "string") throw new SettingsError(`Pulumi config alicloud:endpoints.${k} must be a string URL`);
      return parseEndpoint(v, `Pulumi config alicloud:endpoints.${k}`);
    }
  }
  return undefined;
}

/** A product's endpoint: `alicloud:endpoints`, else its `ALIBABA_CLOUD_ENDPOINT_*` variable, else the regional default. */
export function resolveEndpoint(source: SettingsSource, product: ProductName, region: string): Endpoint {
  const fromConfig = configuredEndpoint(source, product);
  if (fromConfig) return fromConfig;
  const envName = PRODUCTS[product].envEndpoint;
  const fromEnv = source.env[envName];
  if (fromEnv) return parseEndpoint(fromEnv, `env ${envName}`);
  return { host: `${PRODUCTS[product].hostPrefix}.${region}.aliyuncs.com`, protocol: "HTTPS", from: "regional default" };
}
