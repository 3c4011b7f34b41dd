import { statfsSync } from "node:fs";
import { dirname } from "node:path";
import { StoreUnavailableError } from "../../domain/errors.ts";

/**
 * The free space the embedded store keeps on its disk (LANTERNE_MIN_FREE_MIB). DuckDB 1.5.5, when
 * it ran out of room in the middle of its write-ahead log, acknowledged later commits and then
 * dropped them when it replayed the log: under the reserve, writes are refused as retryable
 * (backpressure) before DuckDB can get there.
 */
/** Refuses a write while the disk under the database has less free space than its reserve. */
export class DiskRoom {
  private checkedAt = 0;
  private free = Number.POSITIVE_INFINITY;

  constructor(
    private readonly path: string,
    private readonly minFreeBytes: number | undefined,
  ) {}

  check(): void {
    const min = this.minFreeBytes;
    if (min === undefined || min <= 0 || this.path === ":memory:") return;
    // statfs is cheap but not free: once per 100 ms is enough, a transaction writes far less.
    const now = Date.now();
    if (now - this.checkedAt >= 100) {
      const stats = statfsSync(dirname(this.path));
      this.free = stats.bavail * stats.bsize;
      this.checkedAt = now;
    }
    if (this.free < min) {
      throw StoreUnavailableError(
        `DuckDB: the disk of ${this.path} has ${mib(this.free)} MiB free, under the reserve of ${mib(min)} MiB (LANTERNE_MIN_FREE_MIB)`,
      );
    }
  }
}

function mib(bytes: number): string {
  return (bytes / 1_048_576).toFixed(1);
}
