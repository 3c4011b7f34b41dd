import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Integration tests open real sockets and real databases: give them room, and run files in
    // separate processes so that one file's servers never see another's.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
