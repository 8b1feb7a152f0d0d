/**
 * `--state FILE` persistence: the whole inventory (every model's snapshot) plus the remembered
 * ClientTokens, as one JSON document. Written atomically (temp file, fsync, rename) so a crash
 * mid-write never leaves a half file behind; read once at start, after removing temp files that a
 * killed emulator left.
 *
 * Not persisted (by design): the call log, fault rules, rate limits and seen nonces — they belong
 * to one emulator run, not to the "cloud account".
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { ClientTokenSnapshotEntry } from "./idempotency";

export const STATE_FORMAT = "alicloud-release-emulator-state";
export const STATE_VERSION = 1;

export interface StateFile {
  format: typeof STATE_FORMAT;
  version: typeof STATE_VERSION;
  savedAt: string;
  /** Model snapshots keyed by host prefix (`vpcipam`, `eipanycast`). */
  models: Record<string, unknown>;
  clientTokens: ClientTokenSnapshotEntry[];
}

export function writeStateFile(path: string, state: StateFile): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, JSON.stringify(state, null, 2) + "\n");
    // Without this, a power loss after the rename can leave an empty file under the real name.
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return false; // we have not written yet: a file with our pid is a leftover
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes `<state>.<pid>.tmp` files whose writer is gone (killed mid-write); a live writer's file is
 * left alone. Returns the paths removed.
 */
export function removeStaleTempFiles(path: string): string[] {
  const dir = dirname(path);
  if (!existsSync(dir)) return [];
  const prefix = `${basename(path)}.`;
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(prefix) || !name.endsWith(".tmp")) continue;
    const pid = Number(name.slice(prefix.length, -".tmp".length));
    if (!Number.isInteger(pid) || pid <= 0 || processAlive(pid)) continue;
    rmSync(join(dir, name), { force: true });
    removed.push(join(dir, name));
  }
  return removed;
}

/** Null when the file does not exist; throws on a file that is not a state file (never silently resets). */
export function readStateFile(path: string): StateFile | null {
  if (!existsSync(path)) return null;
  const text = readFileSync(path, "utf8");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`emulator state file ${path} is not valid JSON: ${(e as Error).message}`);
  }
  const s = parsed as Partial<StateFile>;
  if (s?.format !== STATE_FORMAT || s.version !== STATE_VERSION || typeof s.models !== "object" || s.models === null) {
    throw new Error(`emulator state file ${path} is not a ${STATE_FORMAT} v${STATE_VERSION} document`);
  }
  return { ...s, clientTokens: Array.isArray(s.clientTokens) ? s.clientTokens : [] } as StateFile;
}
