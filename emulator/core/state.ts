/**
 * `--state FILE` persistence: the whole inventory (every model's snapshot) plus the remembered
 * ClientTokens, as one JSON document. Written atomically (temp file + rename) so a crash mid-write
 * never leaves a half file behind; read once at start.
 *
 * Not persisted (by design): the call log, fault rules, rate limits and seen nonces — they belong
 * to one emulator run, not to the "cloud account".
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
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
  writeFileSync(tmp, JSON.stringify(state, null, 2) + "\n", "utf8");
  renameSync(tmp, path);
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
