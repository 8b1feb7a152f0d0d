/**
 * Endpoint resolution. Both products are regional (`<product>.<region>.aliyuncs.com`). An override per
 * product — an entry of Pulumi config `alicloud:endpoints` (a list of objects, as the official provider
 * types it: `[{"vpcipam": "…", "eipanycast": "…"}]`) or env `ALIBABA_CLOUD_ENDPOINT_<PRODUCT>` — accepts
 * `https://host`, `http://host:port` (the emulator) or a bare `host[:port]`. A bare host and the regional
 * default use `alicloud:protocol` (`HTTP` or `HTTPS`, the official provider's key), HTTPS when unset.
 */
import { DEPRECATED_KEYS_REMOVED_IN, SettingsError, SettingsSource, warnDeprecated } from "./settings";
import { PRODUCTS, ProductName } from "./products";

/** Where a product's calls go, and which setting said so. */
export interface Endpoint {
  /** `host[:port]`, exactly what openapi-client signs as the `host` header. */
  host: string;
  protocol: "HTTP" | "HTTPS";
  from: string;
}

const HOST_PORT = /^[A-Za-z0-9.-]+(:\d{1,5})?$/;

/** `value` as an endpoint (`http://host:port`, `https://host` or `host[:port]`, which gets `bareProtocol`); anything else is a SettingsError naming `from`. */
export function parseEndpoint(value: string, from: string, bareProtocol: Endpoint["protocol"] = "HTTPS"): Endpoint {
  const trimmed = value.trim().replace(/\/+$/, "");
  const m = /^(https?):\/\/(.+)$/i.exec(trimmed);
  const protocol = m ? (m[1].toUpperCase() as "HTTP" | "HTTPS") : bareProtocol;
  const host = m ? m[2] : trimmed;
  if (!HOST_PORT.test(host)) {
    throw new SettingsError(`${from} is "${value}"; expected http://host:port, https://host or host[:port]`);
  }
  return { host, protocol, from };
}

/** The official provider's per-service endpoint list, e.g. `[{"vpcipam": "http://127.0.0.1:8080"}]`. */
export const ENDPOINTS_CONFIG_KEY = "alicloud:endpoints";
/** The official provider's `HTTP` / `HTTPS` for bare hosts and regional defaults. */
export const PROTOCOL_CONFIG_KEY = "alicloud:protocol";

/** `alicloud:protocol`: `HTTP` or `HTTPS` (default), as the official provider takes it (any letter case here). */
export function resolveProtocol(source: SettingsSource): Endpoint["protocol"] {
  const value = source.config(PROTOCOL_CONFIG_KEY);
  if (value === undefined || value.toUpperCase() === "HTTPS") return "HTTPS";
  if (value.toUpperCase() === "HTTP") return "HTTP";
  throw new SettingsError(`Pulumi config ${PROTOCOL_CONFIG_KEY} is "${value}"; expected HTTP or HTTPS`);
}

const EXAMPLE = `[{"vpcipam":"http://127.0.0.1:8080","eipanycast":"http://127.0.0.1:8080"}]`;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The entries of `alicloud:endpoints`. The official shape is a list of objects; a single object (what
 * earlier versions documented, and the official provider rejects) is still read, with a warning.
 */
function endpointEntries(source: SettingsSource, raw: string): { entry: Record<string, unknown>; label: string }[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new SettingsError(`Pulumi config ${ENDPOINTS_CONFIG_KEY} is not JSON; expected a list of objects, e.g. ${EXAMPLE}`);
  }
  if (isObject(parsed)) {
    warnDeprecated(
      source,
      `${ENDPOINTS_CONFIG_KEY} object`,
      `Pulumi config ${ENDPOINTS_CONFIG_KEY} is an object; the official alicloud provider types it as a list of objects and rejects this. ` +
        `Set it as a list — \`pulumi config set ${ENDPOINTS_CONFIG_KEY} '[${raw}]'\` — the object is not read from version ${DEPRECATED_KEYS_REMOVED_IN} on.`,
    );
    return [{ entry: parsed, label: ENDPOINTS_CONFIG_KEY }];
  }
  if (!Array.isArray(parsed) || !parsed.every(isObject)) {
    throw new SettingsError(`Pulumi config ${ENDPOINTS_CONFIG_KEY} must be a list of objects mapping a service to its endpoint, e.g. ${EXAMPLE}`);
  }
  return parsed.map((entry, i) => ({ entry, label: `${ENDPOINTS_CONFIG_KEY}[${i}]` }));
}

function configuredEndpoint(source: SettingsSource, product: ProductName, bareProtocol: Endpoint["protocol"]): Endpoint | undefined {
  const raw = source.config(ENDPOINTS_CONFIG_KEY);
  if (raw === undefined) return undefined;
  const wanted = PRODUCTS[product].hostPrefix;
  for (const { entry, label } of endpointEntries(source, raw)) {
    for (const [k, v] of Object.entries(entry)) {
      if (k.toLowerCase() !== wanted) continue;
      const from = `Pulumi config ${label}.${k}`;
      if (typeof v !== "string") throw new SettingsError(`${from} must be a string: the endpoint, e.g. http://127.0.0.1:8080 or ${wanted}.cn-hangzhou.aliyuncs.com`);
      if (k !== wanted) {
        warnDeprecated(
          source,
          `${ENDPOINTS_CONFIG_KEY}.${k}`,
          `${from}: the official alicloud provider's key is "${wanted}" and it rejects "${k}"; rename it. "${k}" is not read from version ${DEPRECATED_KEYS_REMOVED_IN} on.`,
        );
      }
      return parseEndpoint(v, from, bareProtocol);
    }
  }
  return undefined;
}

/** A product's endpoint: `alicloud:endpoints`, else its `ALIBABA_CLOUD_ENDPOINT_*` variable, else the regional default. */
export function resolveEndpoint(source: SettingsSource, product: ProductName, region: string): Endpoint {
  const protocol = resolveProtocol(source);
  const fromConfig = configuredEndpoint(source, product, protocol);
  if (fromConfig) return fromConfig;
  const envName = PRODUCTS[product].envEndpoint;
  const fromEnv = source.env[envName];
  if (fromEnv) return parseEndpoint(fromEnv, `env ${envName}`, protocol);
  return { host: `${PRODUCTS[product].hostPrefix}.${region}.aliyuncs.com`, protocol, from: "regional default" };
}
