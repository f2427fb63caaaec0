/**
 * Issue 22 (1 GiB upload memory): SFTP writes in flight stay within the server's channel window (2 MiB), by count
 * for OpenSSH's 255 KiB writes and for the 32 KiB writes of servers that announce no limits, and every byte still
 * arrives in order.
 */
import * as assert from "node:assert";
import { Readable } from "node:stream";
import type { SFTPWrapper } from "ssh2";
import { SftpCalls } from "../../../../provider/transport/ssh/sftpCalls";
import { writePipelined, writesInFlightFor } from "../../../../provider/transport/ssh/sftpStreams";

const WINDOW = 2 << 20;

/** A stand-in for ssh2's SFTP session: answers each write a tick later and records the bytes in flight. */
function fakeSftp(maxWriteLen: number) {
    const got: Buffer[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const sftp = {
        _maxWriteLen: maxWriteLen,
        _extensions: {},
        write(_h: Buffer, buf: Buffer, off: number, len: number, _pos: number, cb: (err?: Error) => void) {
            got.push(Buffer.from(buf.subarray(off, off + len))); // ssh2 copies at once, so do we
            inFlight += len;
            maxInFlight = Math.max(maxInFlight, inFlight);
            setImmediate(() => {
                inFlight -= len;
                cb();
            });
        },
        close(_h: Buffer, cb: (err?: Error) => void) {
            setImmediate(cb);
        },
    };
    return { sftp: sftp as unknown as SFTPWrapper, got, maxInFlight: () => maxInFlight };
}

describe("transport/ssh/sftpStreams: writes in flight (issue 22)", function () {
    it("keeps at most the 2 MiB channel window in flight for OpenSSH's 255 KiB and for 32 KiB writes", function () {
        assert.strictEqual(writesInFlightFor(255 * 1024), 8);
        assert.strictEqual(writesInFlightFor(32 * 1024), 64);
        for (const len of [32 * 1024, 64 * 1024, 255 * 1024, 256 * 1024]) {
            assert.ok(
                writesInFlightFor(len) * len <= WINDOW,
                `${len}-byte writes: ${writesInFlightFor(len)} in flight`,
            );
        }
        assert.strictEqual(writesInFlightFor(1 << 20), 4, "very large writes still pipeline");
    });

    it("a 16 MiB stream in 1 MiB chunks: every byte in order, never more than 2 MiB in flight", async function () {
        const { sftp, got, maxInFlight } = fakeSftp(255 * 1024);
        const chunks = Array.from({ length: 16 }, (_, i) => Buffer.alloc(1 << 20, i));
        const n = await writePipelined(new SftpCalls("test:"), sftp, "/f", Buffer.from("h"), Readable.from(chunks));
        assert.strictEqual(n, 16 << 20);
        assert.ok(Buffer.concat(got).equals(Buffer.concat(chunks)));
        assert.ok(maxInFlight() <= WINDOW, `${maxInFlight()} bytes in flight`);
        assert.ok(maxInFlight() > WINDOW / 2, `${maxInFlight()} bytes in flight: still pipelined`);
    });
});
