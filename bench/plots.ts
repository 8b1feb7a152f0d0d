/**
 * `npm run bench:plots` (and the last step of `npm run bench`): the figures people would rather look at
 * than read, drawn from the JSON results in bench/results/ as SVG files beside them —
 *   - release-latency.svg: release latency ÷ S per poller (calls vs. latency is the poll schedule's trade-off),
 *   - calls-per-release.svg: API calls per release per poller,
 *   - calls-per-object.svg: API calls per resource against the number of resources in one run (scale).
 * The results are read tolerantly: a part that has not been run, or a row without the figure, is left
 * out, and every poller or phase present is plotted (a new one needs no change here).
 *
 * Drawn with vega-lite (the chart as data) compiled to vega, whose SVG renderer needs no canvas or
 * browser: text widths are estimated, so the same JSON always gives the same SVG. bench/results/summary.md
 * gets a section linking the plots.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import * as vega from "vega";
import { TopLevelSpec, compile } from "vega-lite";
import { resultsDir } from "./common";

/** The bench JSON files a plot is drawn from, as read (each may be missing). */
export interface BenchResults {
  latency?: unknown;
  calls?: unknown;
  scale?: unknown;
}

/** One rendered plot. */
export interface Plot {
  /** File name in bench/results/. */
  file: string;
  /** What it shows (the alt text of its link). */
  title: string;
  svg: string;
}

/** A release-summary row with the fields the plots use; rows lacking one are skipped where it is needed. */
interface ReleaseRow {
  resource: string;
  settleMs: number;
  poller: string;
  ratioMedian?: number | null;
  callsMedian?: number;
  samples?: number;
}

const RESOURCE_TITLES: Record<string, string> = { eip: "Anycast EIP", allocation: "IPAM pool allocation" };
/** The goals the bench states (README, Performance). */
const LATENCY_GOAL = 1.2;
const CALLS_GOAL: Record<string, number> = { eip: 6, allocation: 3 };
const PANEL = { width: 300, height: 220 };
const CONFIG = { font: "sans-serif", background: "white", legend: { orient: "bottom", columns: 3, labelLimit: 400 }, title: { anchor: "start", subtitleColor: "#555" } } as const;

/** How the legend names the pollers bench/release.ts measures; any other keeps its own name. */
const POLLER_LABELS: Record<string, string> = {
  ours: "ours (every 0.2 × time waited)",
  reference: "reference (5 s, then 3–10 s)",
  "growth-0.5": "growth 0.5",
  "growth-1": "growth 1",
  "growth-2": "growth 2",
};
const pollerLabel = (name: string): string => POLLER_LABELS[name] ?? name;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** The `summary` rows of a release part (latency.json, calls.json) that name a resource, S and a poller. */
function releaseRows(part: unknown): ReleaseRow[] {
  if (!isObject(part) || !Array.isArray(part.summary)) return [];
  return part.summary.filter((r): r is ReleaseRow => isObject(r) && typeof r.resource === "string" && typeof r.settleMs === "number" && typeof r.poller === "string");
}

/** Pollers in the order the part lists them (`pollers`), then any others in the order first seen. */
function pollerOrder(part: unknown, rows: readonly ReleaseRow[]): string[] {
  const listed = isObject(part) && Array.isArray(part.pollers) ? part.pollers.map((p) => (isObject(p) ? p.name : undefined)).filter((n): n is string => typeof n === "string") : [];
  return [...new Set([...listed, ...rows.map((r) => r.poller)])].filter((p) => rows.some((r) => r.poller === p)).map(pollerLabel);
}

function resourcesIn(rows: readonly ReleaseRow[]): string[] {
  return [...new Set(rows.map((r) => r.resource))].sort((a, b) => (a === "eip" ? -1 : b === "eip" ? 1 : a.localeCompare(b)));
}

const secondsLabel = (ms: number): string => (ms === 0 ? "0 (sync API)" : `${ms / 1000} s`);

/** Median latency ÷ S against S, one line per poller, one panel per resource; log scales, the goal dashed. */
export function latencySpec(part: unknown): TopLevelSpec | undefined {
  const rows = releaseRows(part).filter((r) => typeof r.ratioMedian === "number" && r.settleMs > 0);
  if (rows.length === 0) return undefined;
  const pollers = pollerOrder(part, rows);
  const samples = Math.max(...rows.map((r) => r.samples ?? 0));
  const top = Math.max(...rows.map((r) => r.ratioMedian as number)) * 1.15;
  const ticks = [1, LATENCY_GOAL, 1.5, 2, 3, 5, 10, 20, 50].filter((t) => t <= top);
  return {
    title: {
      text: "Release latency ÷ S",
      subtitle: [`delete() start → release confirmed, median of ${samples || "the"} runs per point`, `S = the time the cloud takes to release; goal ≤ ${LATENCY_GOAL} × S (dashed)`],
    },
    config: CONFIG,
    hconcat: resourcesIn(rows).map((resource) => ({
      ...PANEL,
      title: RESOURCE_TITLES[resource] ?? resource,
      layer: [
        {
          data: { values: rows.filter((r) => r.resource === resource).map((r) => ({ S: r.settleMs / 1000, ratio: r.ratioMedian, poller: pollerLabel(r.poller) })) },
          mark: { type: "line", point: true },
          encoding: {
            x: { field: "S", type: "quantitative", title: "S (s)", scale: { type: "log", nice: false, padding: 12 }, axis: { values: [...new Set(rows.map((r) => r.settleMs / 1000))], format: "~g" } },
            y: { field: "ratio", type: "quantitative", title: "latency ÷ S", scale: { type: "log", domain: [1, top], nice: false }, axis: { values: ticks, format: "~g" } },
            color: { field: "poller", type: "nominal", title: "poller", scale: { domain: pollers } },
          },
        },
        { data: { values: [{ goal: LATENCY_GOAL }] }, mark: { type: "rule", strokeDash: [4, 4], color: "#888" }, encoding: { y: { field: "goal", type: "quantitative" } } },
      ],
    })),
  } as TopLevelSpec;
}

/** Median API calls per release against S, one line per poller, one panel per resource, the goal dashed. */
export function callsSpec(part: unknown): TopLevelSpec | undefined {
  const rows = releaseRows(part).filter((r) => typeof r.callsMedian === "number");
  if (rows.length === 0) return undefined;
  const pollers = pollerOrder(part, rows);
  return {
    title: { text: "API calls per release", subtitle: ["median per delete, from the emulator's call log: the read, the release, every probe", "goal dashed; lines that coincide hide each other"] },
    config: CONFIG,
    hconcat: resourcesIn(rows).map((resource) => {
      const mine = rows.filter((r) => r.resource === resource);
      const order = [...new Set(mine.map((r) => r.settleMs))].sort((a, b) => a - b).map(secondsLabel);
      const goal = CALLS_GOAL[resource];
      return {
        ...PANEL,
        title: RESOURCE_TITLES[resource] ?? resource,
        layer: [
          {
            data: { values: mine.map((r) => ({ S: secondsLabel(r.settleMs), calls: r.callsMedian, poller: pollerLabel(r.poller) })) },
            mark: { type: "line", point: true },
            encoding: {
              x: { field: "S", type: "ordinal", title: "S", sort: order, axis: { labelAngle: 0 } },
              y: { field: "calls", type: "quantitative", title: "API calls per release" },
              color: { field: "poller", type: "nominal", title: "poller", scale: { domain: pollers } },
            },
          },
          ...(goal === undefined ? [] : [{ data: { values: [{ goal }] }, mark: { type: "rule", strokeDash: [4, 4], color: "#888" }, encoding: { y: { field: "goal", type: "quantitative" } } }]),
        ],
      };
    }),
  } as TopLevelSpec;
}

/** API calls per resource against resources per run, one line per phase (up, destroy, …) of the scale part. */
export function callsPerObjectSpec(part: unknown): TopLevelSpec | undefined {
  if (!isObject(part) || !Array.isArray(part.steps)) return undefined;
  const rate = typeof part.perSecond === "number" ? `${part.perSecond} requests/s per action` : "a per-action throttle";
  const points: { size: number; perObject: number; phase: string; throttle: string }[] = [];
  for (const step of part.steps) {
    if (!isObject(step) || typeof step.size !== "number" || step.size <= 0) continue;
    for (const [phase, result] of Object.entries(step)) {
      if (!isObject(result) || typeof result.calls !== "number") continue;
      points.push({ size: step.size, perObject: result.calls / step.size, phase, throttle: step.throttled === false ? "no throttle" : rate });
    }
  }
  if (points.length === 0) return undefined;
  return {
    title: {
      text: "API calls per resource vs. resources per run",
      subtitle: ["half allocations, half EIPs, created then destroyed through the real CLI", "throttled attempts count; one point per run"],
    },
    config: CONFIG,
    ...PANEL,
    width: 420,
    data: { values: points },
    mark: { type: "line", point: { size: 60, filled: true } },
    encoding: {
      x: { field: "size", type: "quantitative", title: "resources in the run", scale: { type: "log", base: 2, nice: false, padding: 12 }, axis: { values: [...new Set(points.map((p) => p.size))] } },
      y: { field: "perObject", type: "quantitative", title: "API calls per resource", scale: { zero: true } },
      color: { field: "phase", type: "nominal", title: "phase" },
      shape: { field: "throttle", type: "nominal", title: "throttle" },
      // a line joins the runs of one phase under one throttle only
      detail: { field: "throttle", type: "nominal" },
    },
  } as TopLevelSpec;
}

/** A vega-lite spec as SVG, without a canvas or a browser. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Every plot the results allow. */
export async function renderPlots(results: BenchResults): Promise<Plot[]> {
  const wanted: [string, string, TopLevelSpec | undefined][] = [
    ["release-latency.svg", "Release latency ÷ S per poller", latencySpec(results.latency)],
    ["calls-per-release.svg", "API calls per release per poller", callsSpec(results.calls)],
    ["calls-per-object.svg", "API calls per resource vs. resources per run", callsPerObjectSpec(results.scale)],
  ];
  const plots: Plot[] = [];
  for (const [file, title, spec] of wanted) if (spec) plots.push({ file, title, svg: await renderSvg(spec) });
  return plots;
}

function readPart(dir: string, name: string): unknown {
  const file = path.join(dir, `${name}.json`);
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : undefined;
}

const SECTION = "## Plots";

/**
 * summary.md with its plots section (before the first table's heading) naming these plots; an earlier
 * plots section is replaced. The rest of the file is `npm run bench`'s tables, left as they are.
 */
export function withPlotsSection(summary: string, plots: readonly Plot[]): string {
  const start = summary.indexOf(`${SECTION}\n`);
  let rest = summary;
  if (start >= 0) {
    const next = summary.indexOf("\n## ", start + SECTION.length);
    rest = summary.slice(0, start) + (next < 0 ? "" : summary.slice(next + 1));
  }
  if (plots.length === 0) return rest;
  const section = [SECTION, "", "Drawn from the JSON files here by `npm run bench` (or `npm run bench:plots`, which only redraws them).", "", ...plots.map((p) => `![${p.title}](${p.file})`), "", ""].join("\n");
  const at = rest.indexOf("\n## ");
  return at < 0 ? `${rest.trimEnd()}\n\n${section}` : `${rest.slice(0, at + 1)}${section}${rest.slice(at + 1)}`;
}

/** Draws the plots from `dir`'s JSON files into `dir` and links them from its summary.md. Returns the files written. */
export async function writePlots(dir: string = resultsDir()): Promise<string[]> {
  const plots = await renderPlots({ latency: readPart(dir, "latency"), calls: readPart(dir, "calls"), scale: readPart(dir, "scale") });
  const written = plots.map((p) => {
    const file = path.join(dir, p.file);
    writeFileSync(file, `${p.svg}\n`);
    return file;
  });
  const summary = path.join(dir, "summary.md");
  if (existsSync(summary)) {
    writeFileSync(summary, withPlotsSection(readFileSync(summary, "utf8"), plots));
    written.push(summary);
  }
  return written;
}

if (require.main === module) {
  writePlots()
    .then((files) => process.stdout.write(`wrote ${files.map((f) => path.relative(process.cwd(), f)).join(", ") || "nothing (no results)"}\n`))
    .catch((err: unknown) => {
      process.stderr.write(`bench plots failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    });
}
