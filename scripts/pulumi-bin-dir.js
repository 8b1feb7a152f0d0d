#!/usr/bin/env node
// Prints the directory that scripts/install-pulumi builds the Pulumi CLI into
// (same env var and default). Also usable from tests:
//   const { pulumiBinDir, pulumiRoot } = require("../scripts/pulumi-bin-dir.js");
//   // Automation API: PulumiCommand.get({ root: pulumiRoot() }) runs <root>/bin/pulumi.
"use strict";
const os = require("os");
const path = require("path");

// Keep in step with PULUMI_VERSION in scripts/install-pulumi.
const PULUMI_VERSION = "v3.274.1";

function pulumiRoot(env = process.env) {
  const tools =
    env.PULUMI_ALICLOUD_RELEASE_TOOLS || path.join(os.homedir(), ".cache", "pulumi-alicloud-release");
  return path.resolve(tools, `pulumi-${PULUMI_VERSION}`);
}

function pulumiBinDir(env = process.env) {
  return path.join(pulumiRoot(env), "bin");
}

module.exports = { PULUMI_VERSION, pulumiBinDir, pulumiRoot };

if (require.main === module) {
  process.stdout.write(pulumiBinDir() + "\n");
}
