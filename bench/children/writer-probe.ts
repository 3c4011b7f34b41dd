import { monitorEventLoopDelay } from "node:perf_hooks";
import type { IngestWriter } from "../../gateway/pipeline/writer.ts";

/**
 * What a platform child watches besides its own latencies: the write backlog's peak (sampled
 * every 10 ms), the writer's flushes and how long the event loop was held (a synchronous store
 * append stalls MQTT and the API alike), each since the last `mark`.
 */
export class WriterProbe {
  private peakPending = 0;
  private flushesAtMark = 0;
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 10 });

  constructor(private readonly writer: () => IngestWriter | undefined) {
    this.loopDelay.enable();
    setInterval(() => {
      const pending = this.writer()?.stats.pending ?? 0;
      if (pending > this.peakPending) this.peakPending = pending;
    }, 10).unref();
  }

  mark(): void {
    this.peakPending = 0;
    this.loopDelay.reset();
    this.flushesAtMark = this.writer()?.stats.flushes ?? 0;
  }

  read(): { flushes: number; peakPending: number; eventLoopP99: number; eventLoopMax: number } {
    return {
      flushes: (this.writer()?.stats.flushes ?? 0) - this.flushesAtMark,
      peakPending: this.peakPending,
      eventLoopP99: Math.round(this.loopDelay.percentile(99) / 1e6),
      eventLoopMax: Math.round(this.loopDelay.max / 1e6),
    };
  }
}
