/**
 * What a user of the npm package gets: the file list `npm pack` would publish (with the built dist/,
 * which `npm test` builds first; `--ignore-scripts` so this test does not rebuild it under other tests).
 * Every document the shipped READMEs link to must be in the package, every source map must carry or
 * ship its sources, and every `bin` / `exports` target must be a packed file.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

const REPO = path.resolve(__dirname, "..", "..");

interface PackedFile {
  path: string;
}

function listPackedFiles(): string[] {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: REPO,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const [report] = JSON.parse(out) as { files: PackedFile[] }[];
  return report.files.map((f) => f.path).sort();
}

const pkg = JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")) as {
  license: string;
  repository?: { type?: string; url?: string };
  homepage?: string;
  bugs?: { url?: string };
  keywords?: string[];
  bin: Record<string, string>;
  exports: unknown;
  scripts: Record<string, string>;
};

let packed: string[];
beforeAll(() => {
  expect(existsSync(path.join(REPO, "dist", "provider", "index.js"))).toBe(true); // built by `npm test`
  packed = listPackedFiles();
}, 120_000);

/** `./dist/x.js` or `dist/x.js` → `dist/x.js`. */
function normalize(target: string): string {
  return path.posix.normalize(target.replace(/^\.\//, ""));
}

/** Relative link targets (anchors dropped) in a Markdown file, resolved against the file's folder. */
function relativeLinkTargets(markdownPath: string): string[] {
  const text = readFileSync(path.join(REPO, markdownPath), "utf8");
  const targets: string[] = [];
  for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = m[1];
    if (/^[a-z]+:/i.test(target) || target.startsWith("#")) continue;
    targets.push(path.posix.normalize(path.posix.join(path.posix.dirname(markdownPath), target.split("#")[0])));
  }
  return targets;
}

/** Every string leaf of the `exports` map (conditions and subpaths). */
function exportTargets(node: unknown): string[] {
  if (typeof node === "string") return [node];
  if (node !== null && typeof node === "object") return Object.values(node).flatMap(exportTargets);
  return [];
}

test("ships the licence, the README, the changelog and the docs", () => {
  for (const file of ["LICENSE", "README.md", "CHANGELOG.md", "docs/api-facts.md", "docs/recovery.md", "emulator/README.md"]) {
    expect(packed).toContain(file);
  }
  expect(readFileSync(path.join(REPO, "LICENSE"), "utf8")).toMatch(/Apache License\s+Version 2\.0, January 2004/);
  expect(pkg.license).toBe("Apache-2.0");
  expect(packed.some((f) => f.startsWith("examples/ipam-allocation/"))).toBe(true);
  expect(packed.some((f) => f.startsWith("examples/anycast-eip/"))).toBe(true);
});

test("every relative link in a shipped Markdown file points into the package", () => {
  const shippedMarkdown = packed.filter((f) => f.endsWith(".md"));
  const dangling: string[] = [];
  for (const doc of shippedMarkdown) {
    for (const target of relativeLinkTargets(doc)) {
      const found = packed.includes(target) || packed.some((f) => f.startsWith(`${target}/`));
      if (!found) dangling.push(`${doc} → ${target}`);
    }
  }
  expect(dangling).toEqual([]);
});

test("ships no tests, benchmarks or demo, and no source map without its sources", () => {
  expect(packed.filter((f) => /^(dist\/)?(test|bench|demo)\//.test(f))).toEqual([]);
  const maps = packed.filter((f) => f.endsWith(".map"));
  const missing: string[] = [];
  for (const map of maps) {
    const { sources, sourcesContent } = JSON.parse(readFileSync(path.join(REPO, map), "utf8")) as {
      sources: string[];
      sourcesContent?: (string | null)[];
    };
    sources.forEach((source, i) => {
      const inline = typeof sourcesContent?.[i] === "string";
      const shipped = packed.includes(path.posix.normalize(path.posix.join(path.posix.dirname(map), source)));
      if (!inline && !shipped) missing.push(`${map} → ${source}`);
    });
  }
  expect(missing).toEqual([]);
});

test("package.json says where the project lives", () => {
  expect(pkg.repository?.type).toBe("git");
  expect(pkg.repository?.url).toMatch(/^git\+https:\/\/github\.com\/[\w.-]+\/[\w.-]+\.git$/);
  expect(pkg.homepage).toMatch(/^https:\/\/github\.com\/[\w.-]+\/[\w.-]+#readme$/);
  expect(pkg.bugs?.url).toMatch(/^https:\/\/github\.com\/[\w.-]+\/[\w.-]+\/issues$/);
  expect(pkg.keywords).toEqual(expect.arrayContaining(["pulumi", "alibaba-cloud", "ipam", "anycast-eip"]));
});

test("builds on pack, not on install (npm 11 flags dependencies' install scripts)", () => {
  expect(pkg.scripts.prepare).toBeUndefined();
  expect(pkg.scripts.prepack).toContain("build");
});

test("every bin and exports target is a packed file", () => {
  const targets = [...Object.values(pkg.bin), ...exportTargets(pkg.exports)].map(normalize);
  const unmatched = targets.filter((target) => {
    if (!target.includes("*")) return !packed.includes(target);
    const pattern = new RegExp(`^${target.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".+")}$`);
    return !packed.some((f) => pattern.test(f));
  });
  expect(unmatched).toEqual([]);
  expect(targets).toContain("dist/cli/main.js");
  for (const bin of Object.values(pkg.bin)) {
    expect(readFileSync(path.join(REPO, bin), "utf8").split("\n")[0]).toBe("#!/usr/bin/env node");
  }
});
