/**
 * bench/plots.ts: the SVGs `npm run bench` draws from its JSON results are well-formed XML (parsed with
 * a strict XML parser) and show the series present in the results — including ones the module does not
 * know — and nothing for parts that were not run. The summary gets one plots section, however often the
 * plots are redrawn.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { renderPlots, withPlotsSection, writePlots } from "../../bench/plots";

// sax is the strict XML parser xml2js uses (a dependency of @alicloud/openapi-client); it ships no types.
const sax = require("sax") as {
  parser(strict: boolean): { onerror: (e: Error) => void; ontext: (t: string) => void; onopentag: (tag: { name: string }) => void; write(s: string): { close(): void } };
};

/** The element names and the text of a well-formed SVG document; throws on any XML error. */
function parseSvg(svg: string): { root: string; texts: string[] } {
  const parser = sax.parser(true);
  const texts: string[] = [];
  let root: string | undefined;
  parser.onerror = (e) => {
    throw e;
  };
  parser.ontext = (t) => {
    if (t.trim() !== "") texts.push(t.trim());
  };
  parser.onopentag = (tag) => {
    root ??= tag.name;
  };
  parser.write(svg).close();
  return { root: root ?? "", texts };
}

const row = (resource: string, settleMs: number, poller: string, ratioMedian: number | null, callsMedian: number) => ({ resource, settleMs, poller, samples: 2, ratioMedian, callsMedian });
const release = {
  pollers: [{ name: "ours" }, { name: "reference" }],
  summary: [
    row("eip", 500, "ours", 1.04, 7),
    row("eip", 2000, "ours", 1.11, 15),
    row("eip", 500, "reference", 10.01, 3),
    row("eip", 2000, "reference", 2.5, 3),
    // a poller this module has no label for (e.g. a read coalescer's): plotted under its own name
    row("eip", 500, "coalesced", 1.05, 2),
    row("allocation", 0, "ours", null, 3),
    row("allocation", 500, "ours", 1.02, 3),
    { resource: "eip", settleMs: 5000, poller: "ours" }, // no figures: left out
  ],
};
const scale = {
  perSecond: 20,
  steps: [
    { size: 50, throttled: true, up: { calls: 100 }, destroy: { calls: 164 } },
    { size: 100, throttled: true, up: { calls: 230 }, destroy: { calls: 338 } },
    { size: 100, throttled: false, up: { calls: 200 }, destroy: { calls: 300 } },
  ],
};

test("each plot is a well-formed SVG naming its series, panels and axes", async () => {
  const plots = await renderPlots({ latency: release, calls: release, scale });
  expect(plots.map((p) => p.file)).toEqual(["release-latency.svg", "calls-per-release.svg", "calls-per-object.svg"]);
  const texts = Object.fromEntries(
    plots.map((p) => {
      const parsed = parseSvg(p.svg);
      expect(parsed.root).toBe("svg");
      return [p.file, parsed.texts];
    }),
  );
  for (const file of ["release-latency.svg", "calls-per-release.svg"]) {
    expect(texts[file]).toEqual(expect.arrayContaining(["ours (every 0.2 × time waited)", "reference (5 s, then 3–10 s)", "coalesced", "Anycast EIP", "IPAM pool allocation"]));
  }
  expect(texts["release-latency.svg"]).toEqual(expect.arrayContaining(["Release latency ÷ S", "latency ÷ S", "1.2"]));
  expect(texts["calls-per-release.svg"]).toEqual(expect.arrayContaining(["API calls per release", "0 (sync API)", "0.5 s", "2 s"]));
  expect(texts["calls-per-object.svg"]).toEqual(expect.arrayContaining(["up", "destroy", "20 requests/s per action", "no throttle", "50", "100", "API calls per resource"]));
});

test("parts that were not run, or rows without the figure, draw nothing", async () => {
  expect(await renderPlots({})).toEqual([]);
  expect((await renderPlots({ scale })).map((p) => p.file)).toEqual(["calls-per-object.svg"]);
  expect(await renderPlots({ latency: { summary: [row("allocation", 0, "ours", null, 3)] }, calls: { summary: "not rows" }, scale: { steps: [{ size: 0 }] } })).toEqual([]);
});

test("writePlots draws from a results folder and links the plots once from its summary", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-plots-"));
  try {
    writeFileSync(path.join(dir, "scale.json"), JSON.stringify(scale));
    writeFileSync(path.join(dir, "summary.md"), "# Benchmark results\n\nintro\n\n## Scale\n\ntable\n");
    const files = await writePlots(dir);
    expect(files.map((f) => path.basename(f))).toEqual(["calls-per-object.svg", "summary.md"]);
    expect(parseSvg(readFileSync(path.join(dir, "calls-per-object.svg"), "utf8")).root).toBe("svg");
    const once = readFileSync(path.join(dir, "summary.md"), "utf8");
    expect(once).toBe(
      "# Benchmark results\n\nintro\n\n## Plots\n\nDrawn from the JSON files here by `npm run bench` (or `npm run bench:plots`, which only redraws them).\n\n" +
        "![API calls per resource vs. resources per run](calls-per-object.svg)\n\n## Scale\n\ntable\n",
    );
    await writePlots(dir);
    expect(readFileSync(path.join(dir, "summary.md"), "utf8")).toBe(once);
    expect(withPlotsSection(once, [])).toBe("# Benchmark results\n\nintro\n\n## Scale\n\ntable\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
