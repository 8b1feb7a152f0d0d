#!/usr/bin/env node
// The repository is itself a Pulumi project (the demo), and the e2e fixture and examples run inside it.
// Their programs, and the serialized provider shim, load `pulumi-alicloud-release` by package name, as
// a user's project does. So after every build the package is installed into the repo's own
// node_modules as a real directory (package.json + dist/), not a symlink: Node resolves symlinks to
// real paths, and only a module whose real path is under node_modules is stored in state as a short
// `require(...)` rather than by value — the installed-package case this must reproduce. Idempotent.
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const target = path.join(root, "node_modules", "pulumi-alicloud-release");
const dist = path.join(root, "dist");
if (!fs.existsSync(dist)) {
  console.error("link-self: no dist/ yet; run the build first");
  process.exit(1);
}
fs.rmSync(target, { recursive: true, force: true });
fs.mkdirSync(target, { recursive: true });
fs.copyFileSync(path.join(root, "package.json"), path.join(target, "package.json"));
fs.cpSync(dist, path.join(target, "dist"), {
  recursive: true,
  // only what the package ships: no tests, benchmarks or source maps' sources
  filter: (src) => !/[\\/]dist[\\/](test|bench)([\\/]|$)/.test(src),
});
// npm install makes each bin executable; so does this copy (`npx pulumi-alicloud-release` runs it as a user's would).
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
for (const bin of Object.values(pkg.bin ?? {})) fs.chmodSync(path.join(target, bin), 0o755);
