/** Streaming SHA-256: hash bytes as they pass, so a file is read once for upload and hash together. */
import { createHash, type Hash } from "node:crypto";
import * as fs from "node:fs";
import { type Readable, Transform, type TransformCallback } from "node:stream";

/** A pass-through stream that hashes and counts what flows through it. */
export class HashingStream extends Transform {
    private readonly hash: Hash = createHash("sha256");
    public bytes = 0;

    override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
        this.hash.update(chunk);
        this.bytes += chunk.length;
        cb(null, chunk);
    }

    /** The hex digest; call once the stream has ended. */
    digest(): string {
        return this.hash.digest("hex");
    }
}

/** SHA-256 (hex) and byte count of everything a stream yields. */
export async function sha256OfStream(s: Readable): Promise<{ sha256: string; size: number }> {
    const hash = createHash("sha256");
    let size = 0;
    for await (const chunk of s as AsyncIterable<Buffer>) {
        hash.update(chunk);
        size += chunk.length;
    }
    return { sha256: hash.digest("hex"), size };
}

/** SHA-256 (hex) and size of a local file, read in 1 MiB chunks. */
export function sha256OfFile(path: string): Promise<{ sha256: string; size: number }> {
    return sha256OfStream(fs.createReadStream(path, { highWaterMark: 1 << 20 }));
}

/** SHA-256 (hex) of a string or buffer. */
export function sha256OfText(text: string | Buffer): string {
    return createHash("sha256").update(text).digest("hex");
}
