/**
 * The `alicloud:` stack config keys of the official Alibaba Cloud provider (@pulumi/alicloud, a bridged
 * Terraform provider), with the shape it types each one as. A stack that uses our resources usually uses
 * that provider too, and a bridged provider rejects `alicloud:` keys it does not define. So this package
 * reads only keys listed here, in these shapes, and keeps its own settings in the `alicloud-release:`
 * namespace. Taken from @pulumi/alicloud 3.108.0 (`config/vars.d.ts`, and `types/output.d.ts` namespace
 * `config`, interface `Endpoints`); docs/config.md has the details and the links. Tests check every key
 * the provider reads and every config the repository writes against this list.
 */

export const OFFICIAL_PROVIDER_PACKAGE = "@pulumi/alicloud 3.108.0";

/** How the official provider types a config value (as the engine hands it over: a string, JSON for the last two). */
export type OfficialConfigShape = "string" | "integer" | "boolean" | "object" | "list of endpoint objects";

export const OFFICIAL_CONFIG_KEYS: Readonly<Record<string, OfficialConfigShape>> = {
  "alicloud:accessKey": "string",
  "alicloud:accountId": "string",
  "alicloud:accountType": "string",
  "alicloud:assumeRole": "object",
  "alicloud:assumeRoleWithOidc": "object",
  "alicloud:clientConnectTimeout": "integer",
  "alicloud:clientReadTimeout": "integer",
  "alicloud:configurationSource": "string",
  "alicloud:credentialsUri": "string",
  "alicloud:ecsRoleName": "string",
  "alicloud:endpoints": "list of endpoint objects",
  "alicloud:fc": "string",
  "alicloud:features": "object",
  "alicloud:logEndpoint": "string",
  "alicloud:maxRetryTimeout": "integer",
  "alicloud:mnsEndpoint": "string",
  "alicloud:otsInstanceName": "string",
  "alicloud:profile": "string",
  "alicloud:protocol": "string",
  "alicloud:region": "string",
  "alicloud:secretKey": "string",
  "alicloud:secureTransport": "string",
  "alicloud:securityToken": "string",
  "alicloud:securityTransport": "string",
  "alicloud:sharedCredentialsFile": "string",
  "alicloud:signVersion": "object",
  "alicloud:skipRegionValidation": "boolean",
  "alicloud:sourceIp": "string",
};

/** The keys an entry of `alicloud:endpoints` may have (each a string: the endpoint of that service). */
export const OFFICIAL_ENDPOINT_KEYS: readonly string[] = [
  "acr", "actiontrail", "adb", "aiworkspace", "alb", "alidfs", "alidns", "alikafka", "amqp", "antiddosPublic",
  "apig", "apigateway", "arms", "bastionhost", "beebot", "bpstudio", "brainIndustrial", "bssopenapi", "cas",
  "cassandra", "cbn", "cbs", "cddc", "cdn", "cds", "chatbot", "clickhouse", "cloudapi", "cloudauth",
  "cloudfirewall", "cloudfw", "cloudphone", "cloudsso", "cms", "computenest", "config", "cr", "cs", "das",
  "datahub", "dataworksPublic", "dataworkspublic", "dbfs", "dbs", "dcdn", "ddosbasic", "ddosbgp", "ddoscoo",
  "dds", "devopsRdc", "devopsrdc", "dfs", "dg", "dm", "dmsEnterprise", "dmsenterprise", "dns", "drds", "dts",
  "dysms", "dysmsapi", "eais", "ebs", "ecd", "eci", "ecs", "edas", "edasschedulerx", "edsUser", "edsuser",
  "eflo", "efloCnp", "efloController", "ehpc", "ehs", "eipanycast", "elasticsearch", "emr", "ens", "esa",
  "ess", "eventbridge", "fc", "fcOpen", "fnf", "ga", "gaplus", "gdb", "gds", "gpdb", "gwlb", "gwsecd", "hbr",
  "hcsSgw", "hitsdb", "imm", "imp", "ims", "iot", "kms", "kvstore", "location", "log", "market", "maxcompute",
  "mhub", "mns", "mnsOpen", "mscopensubscription", "mse", "nas", "nlb", "oceanbase", "oceanbasepro", "ons",
  "onsproxy", "oos", "opensearch", "oss", "ots", "polardb", "polardbx", "privatelink", "pvtz", "quickbi",
  "quickbiPublic", "quotas", "rKvstore", "ram", "rds", "redisa", "resourcemanager", "resourcesharing",
  "ressharing", "rocketmq", "ros", "sae", "sas", "scdn", "schedulerx2", "sddp", "selectdb", "serverless",
  "servicecatalog", "servicemesh", "sgw", "slb", "smartag", "srvcatalog", "sts", "swas", "swasOpen", "tag",
  "vod", "vpc", "vpcipam", "vpcpeer", "vs", "waf", "wafOpenapi",
];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function shapeProblem(key: string, shape: OfficialConfigShape, value: string): string | undefined {
  switch (shape) {
    case "string":
      return undefined;
    case "integer":
      return /^-?\d+$/.test(value) ? undefined : `${key} is "${value}"; the official provider takes a whole number`;
    case "boolean":
      return value === "true" || value === "false" ? undefined : `${key} is "${value}"; the official provider takes true or false`;
    case "object":
      return isObject(parsedJson(value)) ? undefined : `${key} is not an object; the official provider takes an object`;
    default: {
      const list = parsedJson(value);
      if (!Array.isArray(list)) return `${key} is not a list; the official provider takes a list of objects, e.g. [{"vpcipam":"…","eipanycast":"…"}]`;
      for (const [i, entry] of list.entries()) {
        if (!isObject(entry)) return `${key}[${i}] is not an object`;
        for (const [k, v] of Object.entries(entry)) {
          if (!OFFICIAL_ENDPOINT_KEYS.includes(k)) return `${key}[${i}].${k} is not an endpoint key of the official provider`;
          if (typeof v !== "string") return `${key}[${i}].${k} is not a string`;
        }
      }
      return undefined;
    }
  }
}

/**
 * What the official provider would reject in a stack config (a flat map of fully-qualified keys to the
 * string values the engine hands over): `alicloud:` keys it does not define, and values not of its shape.
 * Empty when it would accept every `alicloud:` key; other namespaces are not its business.
 */
export function officialConfigProblems(config: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (!key.startsWith("alicloud:")) continue;
    const shape = OFFICIAL_CONFIG_KEYS[key];
    const problem = shape === undefined ? `${key} is not a config key of the official provider` : shapeProblem(key, shape, value);
    if (problem !== undefined) problems.push(problem);
  }
  return problems;
}
