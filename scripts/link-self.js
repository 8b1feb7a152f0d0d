#!/usr/bin/env node
// The repository is itself a Pulumi project (the demo). The serialized provider shim requires
// `pulumi-alicloud-release/runtime` by package name from the program directory, exactly as in a user's
// project, so the repo's own node_modules gets a link to the repo. Idempotent; run by `prepare`.
const fs = require("fs");
const path = require("path");
const root = path.resolve(__dirname, "..");
const link = path.join(root, "node_modules", "pulumi-alicloud-release");
try {
  const st = fs.lstatSync(link);
  if (st.isSymbolicLink() && path.resolve(path.dirname(link), fs.readlinkSync(link)) === root) process.exit(0);
  fs.rmSync(link, { recursive: true, force: true });
} catch {
  /* absent */
}
fs.mkdirSync(path.dirname(link), { recursive: true });
fs.symlinkSync("..", link, "dir");
