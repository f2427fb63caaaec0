/**
 * Resume of a cut upload (issue 12 item 2) over SFTP, against an uncut upload of the same file:
 *
 *   node dist/bench/resume.js [--mib 1024] [--cut 0.5] [--timeout 900]
 *
 * Starts a throwaway sshd, writes a random source file of N MiB and its SHA-256 (as the program's plan has it), then
 * through the provider's real path (`withTransport` + `verifiedUpload`):
 *   1. an uncut upload, timed;
 *   2. the same upload through the dropping proxy (test/harness/dropProxy.ts), which cuts the connection once the
 *      client has sent `--cut` of the file's size; the pool retries on a new connection and the upload continues the
 *      temporary. Reports the bytes the retry sent (target: at most 55 % of the file) and the total time.
 * Both verify the whole file by SHA-256 on the server. Everything is removed at the end, also on failure or Ctrl-C.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ConnectionInputs, CredentialInputs } from "../provider/connection";
import { sha256OfFile } from "../provider/hashing";
import { verifiedUpload } from "../provider/ops/upload";
import { closeAll, withTransport } from "../provider/transport/pool";
import { DropProxy } from "../test/harness/dropProxy";
import { startSshd } from "../test/harness/servers/sshd";
import { argOf, log, MB, MIB, Scratch, writeRandomFile } from "./common";

async function main(): Promise<void> {
    const mib = Number(argOf("mib", "1024"));
    const cutShare = Number(argOf("cut", "0.5"));
    const timeoutS = Number(argOf("timeout", "900"));
    const timer = setTimeout(() => {
        process.stderr.write(`[bench] gave up after ${timeoutS} s\n`);
        process.exit(1);
    }, timeoutS * 1000);
    timer.unref();

    const scratch = new Scratch("filedrop-bench-", 0o755);
    try {
        const started = await startSshd(path.join(scratch.tmp, "sshd"));
        scratch.stopServersAtCleanup(() => started.stop(), "sshd");
        const id = (f: string) => Number(execFileSync("id", [f, started.user]).toString().trim());
        const remote = scratch.makeRemoteDir("filedrop-bench-remote-", { uid: id("-u"), gid: id("-g") });
        const source = path.join(scratch.tmp, "source.bin");
        writeRandomFile(source, mib);
        const size = mib * MIB;
        const { sha256 } = await sha256OfFile(source);
        const creds: CredentialInputs = { privateKey: fs.readFileSync(started.privateKeyPath, "utf8") };
        const upload = async (c: ConnectionInputs, target: string) => {
            const t0 = performance.now();
            const r = await withTransport(c, creds, (t) =>
                verifiedUpload(t, {
                    path: target,
                    open: () => fs.createReadStream(source, { highWaterMark: MIB }),
                    expectedSha256: sha256,
                    size,
                    createParents: false,
                }),
            );
            await closeAll();
            return { r, s: (performance.now() - t0) / 1000 };
        };

        // The baseline goes through the same proxy, never cut, so both runs pay for the extra hop alike.
        log(`uncut upload of ${mib} MiB (through the proxy, which never cuts it)`);
        const straight = await new DropProxy(started.port, []).start();
        let uncut: Awaited<ReturnType<typeof upload>>;
        try {
            uncut = await upload(
                { host: started.host, port: straight.port, user: started.user, hostKey: started.hostKeyFingerprint },
                path.join(remote, "uncut.bin"),
            );
        } finally {
            await straight.stop();
        }

        log(`upload cut after ${Math.round(cutShare * 100)} % of the bytes`);
        const proxy = await new DropProxy(started.port, [Math.round(cutShare * size)]).start();
        let cut: Awaited<ReturnType<typeof upload>>;
        try {
            cut = await upload(
                { host: started.host, port: proxy.port, user: started.user, hostKey: started.hostKeyFingerprint },
                path.join(remote, "cut.bin"),
            );
        } finally {
            await proxy.stop();
        }
        if (proxy.cutsMade !== 1) {
            throw new Error(`the proxy made ${proxy.cutsMade} cuts, expected 1`);
        }
        const summary = {
            mib,
            cutAt: cutShare,
            uncutSeconds: +uncut.s.toFixed(2),
            uncutMBps: +(size / MB / uncut.s).toFixed(1),
            cutTotalSeconds: +cut.s.toFixed(2),
            cutVsUncut: +(cut.s / uncut.s).toFixed(2),
            keptBytes: cut.r.resumedFrom,
            retrySentBytes: cut.r.bytesSent,
            retrySentShare: +((cut.r.bytesSent ?? size) / size).toFixed(3),
            verifiedBy: cut.r.verifiedBy,
            sha256Match: cut.r.sha256 === sha256 && uncut.r.sha256 === sha256,
        };
        log(
            `uncut ${summary.uncutSeconds} s (${summary.uncutMBps} MB/s); cut at ${summary.cutAt * 100} %: ${summary.cutTotalSeconds} s in all (${summary.cutVsUncut}x), the retry kept ${summary.keptBytes} bytes and sent ${summary.retrySentBytes} (${(summary.retrySentShare * 100).toFixed(1)} % of the file; target <= 55 %)`,
        );
        process.stdout.write(`${JSON.stringify(summary)}\n`);
    } finally {
        await scratch.dispose();
    }
}

main().catch((e) => {
    process.stderr.write(`[bench] failed: ${(e as Error).message}\n`);
    process.exit(1);
});
