import { createHash, type Hash } from "node:crypto";
import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";

/** A file of the bundle as the manifest lists it. */
export interface BundleFile {
  /** Relative to the bundle's folder, with "/" separators. */
  path: string;
  bytes: number;
  sha256: string;
  /** Records of a tabular or line-delimited file (its header not counted). */
  rows?: number;
}

/**
 * One file being written: bytes go to disk as they come, with backpressure (a write waits for
 * the stream to drain), and the SHA-256 and the size are computed on the way, so the manifest
 * never rereads a file and memory holds one chunk, not the file.
 */
export class FileSink {
  private readonly stream: WriteStream;
  private readonly hash: Hash = createHash("sha256");
  private bytes = 0;
  rows = 0;

  private constructor(
    readonly path: string,
    absolute: string,
  ) {
    this.stream = createWriteStream(absolute, { flags: "wx" });
  }

  static async open(root: string, path: string): Promise<FileSink> {
    const absolute = join(root, path);
    await mkdir(dirname(absolute), { recursive: true });
    const sink = new FileSink(path, absolute);
    await once(sink.stream, "open");
    return sink;
  }

  async write(chunk: string | Uint8Array): Promise<void> {
    const data = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    if (data.byteLength === 0) return;
    this.hash.update(data);
    this.bytes += data.byteLength;
    if (!this.stream.write(data)) await once(this.stream, "drain");
  }

  async close(): Promise<BundleFile> {
    this.stream.end();
    await once(this.stream, "finish");
    const file: BundleFile = { path: this.path, bytes: this.bytes, sha256: this.hash.digest("hex") };
    if (this.rows > 0) file.rows = this.rows;
    return file;
  }
}
