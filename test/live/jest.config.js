/**
 * The live acceptance suite: run it with `npm run test:live` (it checks the settings, then runs this).
 * Its files end in `.live.ts`, so the root config (`*.test.ts`) never picks them up.
 */
/** @type {import('jest').Config} */
module.exports = {
  rootDir: "../..",
  testEnvironment: "node",
  roots: ["<rootDir>/test/live"],
  testMatch: ["**/*.live.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  testTimeout: 60000,
};
