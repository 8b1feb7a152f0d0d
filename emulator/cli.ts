#!/usr/bin/env node
/**
 * `pulumi-alicloud-release emulator --port N [--host H] [--state FILE] [--access-key-id ID]
 *   [--access-key-secret S] [--security-token T] [--seed FILE.json] [--pool ID=CIDR[@region]]… [--ram-policy FILE.json] [--quiet]` (the package's bin;
 * `npm run emulator -- …` in this repository runs this file directly).
 *
 * First stdout line is exactly `emulator listening on http://HOST:PORT`, the address actually
 * bound (scripts wait for it); a few hint lines follow. Bound to a non-loopback interface, a
 * warning goes to stderr: the control plane has no authentication. Per-call log lines go to stderr (`--quiet` silences them).
 * SIGINT / SIGTERM / SIGHUP (and, started through npm, the npm process gone): write the state file
 * (with --state) and exit 0.
 * A seed file or an address it cannot use ends it before the banner with one stderr line, exit 1.
 */
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseCidr } from "../provider/cidr";
import { EmulatorEngine } from "./core/engine";
import { parseRamPolicy } from "./core/ram";
import { createEipanycastModel } from "./eipanycast";
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, DEFAULT_HOST, type RunningEmulator, startEmulator } from "./server";
import { createVpcIpamModel } from "./vpcipam";
import { POOL_ID_PATTERN } from "./vpcipam/model";

/** Where a `--pool` without `@region` lives: the region the README's examples and the emulator's HostId default to. */
const DEFAULT_POOL_REGION = "cn-hangzhou";

export const USAGE = `Usage: pulumi-alicloud-release emulator [options]
       (in the package's repository: npm run emulator -- [options])

Local emulator of Alibaba Cloud VpcIpam (2023-02-28) and Eipanycast (2020-03-09).

Options:
  --port N                 TCP port (default 0 = any free port)
  --host H                 interface to bind (default ${DEFAULT_HOST})
  --state FILE             persist the inventory to FILE after every change; restore it on start
  --access-key-id ID       accepted AccessKeyId (default ${DEFAULT_ACCESS_KEY_ID})
  --access-key-secret S    its secret (default ${DEFAULT_ACCESS_KEY_SECRET})
  --security-token T       STS mode: every request must carry this security token
  --seed FILE.json         seed the models ({"vpcipam": {...}, "eipanycast": {...}});
                           skipped when --state FILE already exists
  --pool ID=CIDR[@region]  seed an IPAM pool (region default ${DEFAULT_POOL_REGION}), e.g.
                           --pool ipam-pool-demo=10.0.0.0/16; repeat for more pools; skipped
                           like --seed when --state FILE already exists
  --ram-policy FILE.json   check every call against this RAM policy; a denied call
                           answers Forbidden.RAM (default: no RAM checks)
  --quiet                  do not log calls to stderr
  -h, --help               show this help

Control plane: http://HOST:PORT/_emulator/ (GET it for the list of routes; see the package's
emulator/README.md).
`;

/** A start-up problem the user fixes from its message alone: printed as one line, exit 1. */
class StartError extends Error {}

/** A command-line value that cannot be right whatever the state: printed as one line, exit 2. */
class UsageError extends Error {}

const POOL_FLAG_FORM = "ID=CIDR[@region], e.g. --pool ipam-pool-demo=10.0.0.0/16@cn-hangzhou";
const REGION_PATTERN = /^[a-z]{2,}(-[a-z0-9]+)+$/;

interface PoolFlag {
  /** The flag's value as given, for messages. */
  readonly text: string;
  readonly pool: { ipamPoolId: string; regionId: string; cidrs: string[] };
}

/**
 * `--pool ID=CIDR[@region]`, each checked offline: the ID as the API writes pool IDs, the CIDR by the
 * package's one CIDR parser (what the provider accepts), the region's form; one pool per ID.
 */
function parsePoolFlags(values: readonly string[]): PoolFlag[] {
  const seen = new Set<string>();
  return values.map((text) => {
    const where = `--pool ${JSON.stringify(text)}`;
    const m = /^([^=@]+)=([^@]+)(?:@(.*))?$/.exec(text);
    if (!m) throw new UsageError(`${where} is not ${POOL_FLAG_FORM}`);
    const [, id, cidr, region = DEFAULT_POOL_REGION] = m;
    if (!POOL_ID_PATTERN.test(id)) throw new UsageError(`${where}: the ID must look like ipam-pool-<lowercase letters and digits>; expected ${POOL_FLAG_FORM}`);
    const parsed = parseCidr(cidr);
    if (!parsed.ok) throw new UsageError(`${where}: ${cidr} is not a CIDR block: ${parsed.problem}; expected ${POOL_FLAG_FORM}`);
    if (!REGION_PATTERN.test(region)) throw new UsageError(`${where}: the region must look like cn-hangzhou; expected ${POOL_FLAG_FORM}`);
    if (seen.has(id)) throw new UsageError(`--pool ${id} is given twice; a pool with several CIDRs needs a --seed file (ID=CIDR[@region] once per pool)`);
    seen.add(id);
    return { text, pool: { ipamPoolId: id, regionId: region, cidrs: [cidr] } };
  });
}

/** The seed the --pool flags make. */
function poolSeed(pools: readonly PoolFlag[]): Record<string, unknown> {
  return { vpcipam: { pools: pools.map((p) => p.pool) } };
}

/**
 * Seeds `pools` on `scratch` (already holding the --seed file's objects) one at a time, so a refusal
 * (an ID the seed file has too) names the flag.
 */
function checkPoolFlags(scratch: EmulatorEngine, pools: readonly PoolFlag[]): void {
  for (const p of pools) {
    try {
      scratch.seed(poolSeed([p]));
    } catch (e) {
      throw new StartError(`--pool ${p.text} is refused: ${(e as Error).message}`);
    }
  }
}

/**
 * Reads and checks a --seed file before anything listens: the models seed it on a throwaway engine,
 * so a refused seed neither leaves a half-seeded emulator running nor writes a --state file that
 * would skip the seed on the next start.
 */
function readSeedFile(file: string, scratch: EmulatorEngine): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new StartError(`cannot read --seed file ${file}: ${(e as Error).message}`);
  }
  let seed: unknown;
  try {
    seed = JSON.parse(text);
  } catch (e) {
    throw new StartError(`--seed file ${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof seed !== "object" || seed === null || Array.isArray(seed)) {
    throw new StartError(`--seed file ${file} must hold a JSON object: {"vpcipam": {...}, "eipanycast": {...}}`);
  }
  try {
    scratch.seed(seed as Record<string, unknown>);
  } catch (e) {
    throw new StartError(`--seed file ${file} is refused: ${(e as Error).message}`);
  }
  return seed as Record<string, unknown>;
}

/** Reads and checks a --ram-policy file before anything listens. */
function readRamPolicyFile(file: string): unknown {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new StartError(`cannot read --ram-policy file ${file}: ${(e as Error).message}`);
  }
  try {
    parseRamPolicy(doc);
  } catch (e) {
    throw new StartError(`--ram-policy file ${file} is refused: ${(e as Error).message}`);
  }
  return doc;
}

/** One line for a listen failure (port in use, no permission, no such address). */
function listenFailure(e: unknown, host: string, port: number): unknown {
  const code = (e as { code?: unknown })?.code;
  const address = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  if (code === "EADDRINUSE") return new StartError(`${address} is already in use: choose another --port (0 picks a free one)`);
  if (code === "EACCES") return new StartError(`no permission to listen on ${address}: use a --port above 1023`);
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") return new StartError(`cannot listen on ${address}: --host ${host} is not an address of this machine`);
  return e;
}

function exposedWarning(listenUrl: string): string {
  return (
    `WARNING: the emulator listens on ${listenUrl}, reachable from other machines. Its control plane ` +
    `(/_emulator/: seed, reset, faults, state) is unauthenticated: anyone who can reach this port can ` +
    `change or read it. Bind to 127.0.0.1 unless you need remote access on a trusted network.\n`
  );
}

/** How often a parent that started us through npm is checked for (see stopWhenParentExits). */
const PARENT_CHECK_INTERVAL_MS = 500;

/**
 * Started through npm (`npx pulumi-alicloud-release emulator`, `npm run emulator`), this process runs
 * under the `sh -c` npm starts, and npm passes a SIGTERM on to that shell only: the shell dies and the
 * emulator would live on, orphaned, holding its port (so `npx … emulator &` then `kill $!` did not stop
 * it). Under npm, therefore, losing the parent (being re-parented) stops it as SIGTERM does. Started
 * directly (the bin, `node dist/emulator/cli.js`), nothing is watched: `nohup … &` keeps working.
 */
function stopWhenParentExits(stop: (why: string) => void): void {
  if (process.env.npm_lifecycle_event === undefined) return;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    stop(`the npm process that started it (parent pid ${parent}) is gone`);
  }, PARENT_CHECK_INTERVAL_MS);
  timer.unref();
}

/** SIGINT / SIGTERM / SIGHUP, or the npm parent gone: write the state file (close does) and exit 0. */
function installStopHandlers(emulator: RunningEmulator, statePath: string | undefined): void {
  let stopping = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`[emulator] ${why}: ${statePath !== undefined ? `saving state to ${statePath} and ` : ""}stopping\n`);
    emulator.close().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`[emulator] close failed: ${(e as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  // SIGHUP: the terminal it ran in was closed; by default it would die without saving the state file.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => stop(signal));
  stopWhenParentExits(stop);
}

type CliValues = ReturnType<typeof parseCliArgs>;

function parseCliArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      state: { type: "string" },
      "access-key-id": { type: "string" },
      "access-key-secret": { type: "string" },
      "security-token": { type: "string" },
      seed: { type: "string" },
      "ram-policy": { type: "string" },
      pool: { type: "string", multiple: true },
      quiet: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  }).values;
}

/** At most this many pools are listed in the banner; a seed file may hold many. */
const BANNER_POOLS = 5;

/**
 * The banner's `ipam pools:` lines: the pools there are, or — since every allocation call needs one and a
 * fresh emulator has none — that there is none and how to add one.
 */
function poolBannerLines(emulator: RunningEmulator): string[] {
  const head = "  ipam pools:        ";
  const pools = (emulator.control.state().vpcipam as { pools?: { ipamPoolId: string; cidrs: string[]; poolRegionId: string }[] }).pools ?? [];
  if (pools.length === 0) {
    return [
      `${head}no IPAM pool: CreateIpamPoolAllocation answers ResourceNotFound.IpamPool until one exists; ` +
        `add one with --pool ID=CIDR[@region] (e.g. --pool ipam-pool-demo=10.0.0.0/16@${DEFAULT_POOL_REGION}) or POST /_emulator/seed`,
    ];
  }
  const listed = pools.slice(0, BANNER_POOLS).map((p, i) => `${i === 0 ? head : " ".repeat(head.length)}${p.ipamPoolId} ${p.cidrs.join(", ")} (${p.poolRegionId})`);
  return pools.length > BANNER_POOLS ? [...listed, `${" ".repeat(head.length)}… and ${pools.length - BANNER_POOLS} more (GET /_emulator/state)`] : listed;
}

function bannerLines(emulator: RunningEmulator, values: CliValues, stateExisted: boolean): string[] {
  return [
    `emulator listening on ${emulator.listenUrl}`,
    `  endpoint:          ${emulator.endpoint}   (SDK Config: endpoint '${emulator.endpoint}', protocol 'HTTP')`,
    `  access key id:     ${emulator.accessKeyId}`,
    `  access key secret: ${emulator.accessKeySecret}`,
    ...(emulator.securityToken !== undefined ? [`  security token:    ${emulator.securityToken}`] : []),
    `  control plane:     ${emulator.url}/_emulator/ (GET it for the list of routes)`,
    ...(values.state !== undefined ? [`  state file:        ${values.state}${stateExisted ? " (restored)" : ""}`] : []),
    ...(values["ram-policy"] !== undefined ? [`  RAM policy:        ${values["ram-policy"]} (a denied call answers Forbidden.RAM)`] : []),
    ...(values.seed !== undefined ? [`  seed:              ${values.seed}${stateExisted ? " (skipped: state restored)" : " (applied)"}`] : []),
    ...(values.pool !== undefined && stateExisted ? [`  --pool:            skipped: state restored`] : []),
    ...poolBannerLines(emulator),
  ];
}

/** Starts the emulator and prints the banner; throws StartError for what the user must fix. */
async function start(values: CliValues, port: number, pools: readonly PoolFlag[]): Promise<void> {
  const stateExisted = values.state !== undefined && existsSync(values.state);
  const ramPolicy = values["ram-policy"] !== undefined ? readRamPolicyFile(values["ram-policy"]) : undefined;
  let seed: Record<string, unknown> | undefined;
  if (!stateExisted) {
    const scratch = new EmulatorEngine({ credentials: [], models: [createVpcIpamModel(), createEipanycastModel()], now: Date.now });
    seed = values.seed !== undefined ? readSeedFile(values.seed, scratch) : undefined;
    checkPoolFlags(scratch, pools);
  }
  const host = values.host ?? DEFAULT_HOST;
  const emulator = await startEmulator({
    ramPolicy,
    port,
    host,
    statePath: values.state,
    accessKeyId: values["access-key-id"],
    accessKeySecret: values["access-key-secret"],
    securityToken: values["security-token"],
    log: values.quiet ? undefined : (line) => process.stderr.write(`[emulator] ${line}\n`),
  }).catch((e: unknown) => {
    throw listenFailure(e, host, port);
  });
  // Before the banner: a script that reads the listening line may send SIGTERM at once, and the
  // default action would kill us without saving the state file.
  installStopHandlers(emulator, values.state);
  if (seed !== undefined) emulator.control.seed(seed);
  if (!stateExisted && pools.length > 0) emulator.control.seed(poolSeed(pools));

  process.stdout.write(bannerLines(emulator, values, stateExisted).join("\n") + "\n");
  if (emulator.exposed) process.stderr.write(exposedWarning(emulator.listenUrl));
}

export async function main(argv: string[]): Promise<void> {
  let values: CliValues;
  try {
    values = parseCliArgs(argv);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port must be an integer 0-65535, got ${values.port}\n`);
    process.exit(2);
  }
  let pools: PoolFlag[];
  try {
    pools = parsePoolFlags(values.pool ?? []);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
  try {
    await start(values, port, pools);
  } catch (e) {
    if (!(e instanceof StartError)) throw e;
    process.stderr.write(`emulator: ${e.message}\n`);
    process.exit(1);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`emulator failed to start: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exit(1);
  });
}
