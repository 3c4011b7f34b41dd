import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Integration tests open real sockets and real databases: give them room, and run files in
    // separate processes so that one file's servers never see another's.
    testTimeout: 30_000,
    // A platform's close waits for a rollup pass in flight, which on a busy 2-core machine (a CI
    // runner, the browser tests beside it) has taken over 30 s.
    hookTimeout: 90_000,
    pool: "forks",
  },
});
