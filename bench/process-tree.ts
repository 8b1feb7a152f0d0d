/**
 * Killing a command together with every process it started, as a crashed CI runner or machine loses
 * them: the `pulumi` CLI starts its plugins (language host, dynamic provider) in their own process
 * groups, so the tree is read from /proc (Linux) before anything is killed — once the CLI is dead its
 * children are re-parented and could no longer be found. Each process is ended by its own id.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Pids of every live descendant of `root`. */
export function descendantPids(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid …": comm may contain spaces and parentheses, so parse after the last ")".
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const out: number[] = [];
  const walk = (pid: number): void => {
    for (const child of children.get(pid) ?? []) {
      out.push(child);
      walk(child);
    }
  };
  walk(root);
  return out;
}

/** SIGKILLs `pid` and every descendant; returns the pids that were killed. */
export function killProcessTree(pid: number): number[] {
  const killed: number[] = [];
  for (const p of [pid, ...descendantPids(pid)]) {
    try {
      process.kill(p, "SIGKILL");
      killed.push(p);
    } catch {
      // already gone
    }
  }
  return killed;
}
