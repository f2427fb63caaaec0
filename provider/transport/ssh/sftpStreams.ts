/**
 * Pipelined SFTP transfers. Speed notes (SPEC §7): writes are split into the server's maximum write length (255 KiB
 * on OpenSSH via limits@openssh.com) and many are kept in flight; reads for hashing are pipelined the same way.
 */
import { Readable } from "node:stream";
import type { SFTPWrapper } from "ssh2";
import { type FiledropError, isFiledropError } from "../../errors";
import { type SftpCalls, STATUS_EOF } from "./sftpCalls";

/**
 * Writes in flight are bounded by bytes as well as by count: past the server's channel window (2 MiB on OpenSSH)
 * more requests only queue inside ssh2 as extra copies, which costs memory and GC time, not speed. Measured by
 * bench/largeFile.ts (1 GiB, 255 KiB writes): 32 in flight 141-146 MiB peak RSS, 7.0-8.3 s; 16 in flight
 * 107-110 MiB, 5.4-5.9 s. Issue 22 (1 GiB in a process with @pulumi/pulumi loaded, as in the provider host, peak
 * above its idle RSS, 4 runs each, alternating): 16 in flight (4 MiB) +27-52 MiB, 8 in flight (2 MiB, the window)
 * +25-27 MiB at the same MB/s. ssh2 copies each write into a packet of its own at once (SFTP.js `write`); the
 * growth is those copies and the read chunks waiting for V8's GC (bench/whole/results/mem1g-1gib-inflight.txt).
 */
const MAX_BYTES_IN_FLIGHT = 2 << 20;
const MIN_WRITES_IN_FLIGHT = 4;
const MAX_WRITES_IN_FLIGHT = 64;
const READS_IN_FLIGHT = 16;

/** What ssh2 learnt about the server in its handshake (not in its typings). */
interface SftpInternals {
    _maxWriteLen?: number;
    _maxReadLen?: number;
    _extensions?: Record<string, string>;
}

/** The SFTP extensions the server announced. */
export function extensionsOf(sftp: SFTPWrapper): Record<string, string> {
    return (sftp as unknown as SftpInternals)._extensions ?? {};
}

/** How many writes of `maxLen` bytes (the server's maximum write length) are kept in flight at once. */
export function writesInFlightFor(maxLen: number): number {
    return Math.max(MIN_WRITES_IN_FLIGHT, Math.min(MAX_WRITES_IN_FLIGHT, Math.floor(MAX_BYTES_IN_FLIGHT / maxLen)));
}

/**
 * Streams `data` into the open `handle` from byte `start` on (0, or where a resumed upload continues), with many
 * writes in flight, fsyncs where offered, closes; returns the bytes written by this call.
 */
export async function writePipelined(
    calls: SftpCalls,
    sftp: SFTPWrapper,
    path: string,
    handle: Buffer,
    data: Readable,
    start = 0,
): Promise<number> {
    const maxLen = (sftp as unknown as SftpInternals)._maxWriteLen ?? 32768;
    const writesInFlight = writesInFlightFor(maxLen);
    let offset = start;
    let inFlight = 0;
    let failure: unknown;
    let wake: (() => void) | undefined;
    const settled = () => {
        inFlight = Math.max(0, inFlight - 1);
        wake?.();
    };
    // Writes in flight when the connection drops may never be answered: give up on all of them.
    const unwatch = calls.watch((e: FiledropError) => {
        failure = e;
        inFlight = 0;
        wake?.();
    });
    try {
        if (calls.closed) {
            throw calls.lost("write", path);
        }
        for await (const chunk of data as AsyncIterable<Buffer>) {
            for (let off = 0; off < chunk.length; off += maxLen) {
                const len = Math.min(maxLen, chunk.length - off);
                while (inFlight >= writesInFlight && failure === undefined) {
                    await new Promise<void>((r) => (wake = r));
                }
                if (failure !== undefined) {
                    throw failure;
                }
                inFlight++;
                sftp.write(handle, chunk, off, len, offset, (err) => {
                    if (err && failure === undefined) {
                        failure = err;
                    }
                    settled();
                });
                offset += len;
            }
        }
        while (inFlight > 0) {
            await new Promise<void>((r) => (wake = r));
        }
        if (failure !== undefined) {
            throw failure;
        }
        if (extensionsOf(sftp)["fsync@openssh.com"]) {
            await calls.call("write", path, (cb) => sftp.ext_openssh_fsync(handle, cb as never));
        }
    } catch (e) {
        while (inFlight > 0) {
            await new Promise<void>((r) => (wake = r));
        }
        await calls.call("close", path, (cb) => sftp.close(handle, cb)).catch(() => undefined);
        throw isFiledropError(e) ? e : calls.fail("write", path, e);
    } finally {
        unwatch();
    }
    await calls.call("close", path, (cb) => sftp.close(handle, cb));
    return offset - start;
}

/** A stream of the open `handle`'s bytes, with many reads in flight; closes the handle at the end. */
export function readPipelined(calls: SftpCalls, sftp: SFTPWrapper, path: string, handle: Buffer): Readable {
    const maxLen = (sftp as unknown as SftpInternals)._maxReadLen ?? 32768;
    async function* chunks(): AsyncGenerator<Buffer> {
        let next = 0;
        let eof = false;
        const pending: Promise<Buffer>[] = [];
        const issue = () => {
            const pos = next;
            next += maxLen;
            pending.push(
                new Promise<Buffer>((resolve, reject) => {
                    const buf = Buffer.allocUnsafe(maxLen);
                    sftp.read(handle, buf, 0, maxLen, pos, (err, n) => {
                        // ssh2 reports end of file as an error with code 1 (EOF) or as 0 bytes read.
                        if (err && (err as { code?: unknown }).code !== STATUS_EOF) {
                            reject(calls.fail("read", path, err));
                        } else {
                            resolve(buf.subarray(0, err ? 0 : n));
                        }
                    });
                }),
            );
        };
        try {
            for (let i = 0; i < READS_IN_FLIGHT; i++) {
                issue();
            }
            while (pending.length > 0) {
                const buf = await pending.shift()!;
                if (buf.length === 0) {
                    eof = true;
                }
                if (!eof) {
                    yield buf;
                    issue();
                }
            }
        } finally {
            await Promise.allSettled(pending);
            await new Promise((r) => sftp.close(handle, r));
        }
    }
    return Readable.from(chunks(), { objectMode: false });
}
