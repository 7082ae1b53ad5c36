import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // One Azurite for the whole run, started and stopped by the suite itself.
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // The suite mostly waits on Azurite, the local ML service and durable timers, not on the CPU:
    // three files at once on two cores (vitest's default here would be one).
    maxWorkers: 3,
    minWorkers: 1,
  },
});
