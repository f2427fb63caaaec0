/**
 * One large file over SFTP, side by side with OpenSSH (SPEC §7, first target):
 *
 *   node dist/bench/largeFile.js [--mib 200] [--runs 3] [--timeout 600]
 *
 * Starts a throwaway sshd (test/harness/servers/sshd.ts), writes a random source file of N MiB, and measures, in the same
 * run and in alternating order, the median of `--runs` uploads of:
 *   - OpenSSH `sftp -b` batch `put` (default requests in flight, and `-R 64`; plus `-R 64 -c aes128-gcm`, the
 *     cipher ssh2 negotiates, for information),
 *   - our provider's real code path, `verifiedUpload` (provider/upload.ts) over `openSftp`
 *     (provider/transport/ssh/sftp.ts): streaming hash, size check, remote SHA-256 by ssh exec, atomic rename,
 *   - the same transport's `write` alone (no hashing, no verification, no rename), to show what verification costs.
 * Ours run in a child node process each time, so the child's peak RSS is the provider process's peak memory.
 *
 * MB/s are 10^6 bytes per second of wall time including connection set-up (OpenSSH: the whole `sftp` process;
 * ours: connect + upload inside the child, node start-up excluded and reported apart). Prints a table and a final
 * one-line JSON summary. Everything it starts and writes is removed at the end, also on failure or Ctrl-C.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type SshdInfo as FullSshdInfo, startSshd } from "../test/harness/servers/sshd";
import {
    type ChildResult as BaseChildResult,
    type Sample as BaseSample,
    benchMain,
    childSample,
    largeFileArgs,
    log,
    MIB,
    measureAlternating,
    medianPhases,
    ownerOf,
    rowFigures,
    run,
    runChild,
    Scratch,
    TABLE_HEAD,
    tableCells,
    type UploadJob,
    uploadInChild,
    wallSample,
    writeRandomFile,
} from "./common";

/** What the child needs of the sshd (its job file holds no password). */
type SshdInfo = Pick<FullSshdInfo, "host" | "port" | "user" | "privateKeyPath" | "knownHostsPath">;

interface ChildJob extends UploadJob {
    sshd: SshdInfo;
}

/** The child's report and a sample carry the negotiated SSH cipher too. */
type ChildResult = BaseChildResult & { cipher?: string };
type Sample = BaseSample & { cipher?: string };

/** The child (`--child JOBFILE`, see benchMain): one upload over SFTP through the provider's code, also recording the negotiated cipher. */
async function child(job: ChildJob): Promise<ChildResult> {
    // Record the negotiated cipher: wrap Client#connect before openSftp loads the same module instance.
    const ssh2 = require("ssh2") as typeof import("ssh2");
    let cipher: string | undefined;
    const proto = ssh2.Client.prototype as unknown as { connect: (cfg: unknown) => unknown };
    const origConnect = proto.connect;
    proto.connect = function (this: import("ssh2").Client, cfg: unknown) {
        this.on("handshake", (n: { cs?: { cipher?: string } }) => (cipher = n.cs?.cipher));
        return origConnect.call(this, cfg);
    };
    const { openSftp } = require("../provider/transport/ssh/sftp") as typeof import("../provider/transport/ssh/sftp");
    const base = await uploadInChild(job, () =>
        openSftp(
            { host: job.sshd.host, port: job.sshd.port, user: job.sshd.user, knownHosts: job.sshd.knownHostsPath },
            { privateKey: fs.readFileSync(job.sshd.privateKeyPath, "utf8") },
        ),
    );
    return { ...base, cipher };
}

interface Variant {
    name: string;
    kind: "openssh" | "ours";
    measure(target: string): Promise<Sample>;
}

/** The parent: sshd, source file, the five variants in alternating order, the table and the JSON summary. */
async function main(): Promise<void> {
    const { mib, runs, timeoutS, deadline, perRunTimeoutMs } = largeFileArgs("largeFile.js");

    const scratch = new Scratch("filedrop-bench-", 0o755); // the sshd user reads its authorized_keys in here
    const tmp = scratch.tmp;
    const sshdDir = path.join(tmp, "sshd");

    try {
        log(`starting sshd in ${sshdDir}`);
        const started = await startSshd(sshdDir);
        scratch.stopServersAtCleanup(() => started.stop(), "sshd");
        const sshd: SshdInfo = {
            host: started.host,
            port: started.port,
            user: started.user,
            privateKeyPath: started.privateKeyPath,
            knownHostsPath: started.knownHostsPath,
        };

        const remoteDir = scratch.makeRemoteDir("filedrop-bench-remote-", ownerOf(sshd.user));

        // The source: N MiB of random bytes.
        const source = path.join(tmp, "source.bin");
        writeRandomFile(source, mib);
        const size = mib * MIB;

        const batch = path.join(tmp, "batch");
        const opensshArgs = (extra: string[], target: string) => {
            fs.writeFileSync(batch, `put ${source} ${target}\n`);
            return [
                ...extra,
                "-o",
                "LogLevel=DEBUG1", // to read the negotiated cipher from stderr
                "-o",
                "BatchMode=yes",
                "-o",
                `UserKnownHostsFile=${sshd.knownHostsPath}`,
                "-o",
                "StrictHostKeyChecking=yes",
                "-o",
                "IdentitiesOnly=yes",
                "-i",
                sshd.privateKeyPath,
                "-P",
                String(sshd.port),
                "-b",
                batch,
                `${sshd.user}@${sshd.host}`,
            ];
        };
        const openssh = (name: string, extra: string[]): Variant => ({
            name,
            kind: "openssh",
            async measure(target) {
                const r = await run("sftp", opensshArgs(extra, target), perRunTimeoutMs);
                const got = fs.statSync(target).size;
                if (got !== size) {
                    throw new Error(`${name}: remote file has ${got} bytes, expected ${size}`);
                }
                const cipher = /cipher: ([^ ]+) MAC/.exec(r.stderr)?.[1];
                return { ...wallSample(size, r.wallMs), cipher };
            },
        });
        const ours = (name: string, mode: ChildJob["mode"]): Variant => ({
            name,
            kind: "ours",
            async measure(target) {
                const job: ChildJob = { mode, sshd, source, target };
                const { c, wallMs } = await runChild<ChildResult>(
                    __filename,
                    path.join(tmp, "job.json"),
                    job,
                    perRunTimeoutMs,
                );
                const got = fs.statSync(target).size;
                if (c.bytes !== size || got !== size) {
                    throw new Error(`${name}: wrote ${c.bytes} bytes, remote file has ${got}, expected ${size}`);
                }
                return { ...childSample(c, size, wallMs), cipher: c.cipher };
            },
        });
        const variants: Variant[] = [
            openssh("OpenSSH sftp put (default)", []),
            openssh("OpenSSH sftp put -R 64", ["-R", "64"]),
            openssh("OpenSSH sftp put -R 64 -c aes128-gcm", ["-R", "64", "-c", "aes128-gcm@openssh.com"]),
            ours("ours: verifiedUpload (hash+verify+rename)", "verified"),
            ours("ours: transport write only", "write"),
        ];

        const target = path.join(remoteDir, "target.bin");
        const rmTarget = () => fs.rmSync(target, { force: true }); // every upload creates the file afresh
        const samples = await measureAlternating(variants, {
            runs,
            deadline,
            timeoutS,
            target,
            before: rmTarget,
            after: rmTarget,
        });

        // Report.
        const native =
            (require("ssh2/lib/protocol/crypto") as { bindingAvailable?: boolean }).bindingAvailable === true;
        let cpuFeatures = false;
        try {
            require("cpu-features");
            cpuFeatures = true;
        } catch {
            // optional
        }
        const rows = variants.map((v) => ({
            name: v.name,
            ...rowFigures(samples.get(v.name)!, v.kind === "ours"),
            cipher: samples.get(v.name)![0].cipher,
        }));
        const opensshDefault = rows[0].mbps;
        const opensshR64 = rows[1].mbps;
        const bestOpenssh = Math.max(rows[0].mbps, rows[1].mbps);
        const verified = rows[3];
        const writeOnly = rows[4];
        const phases = medianPhases(samples.get(verified.name)!);

        const lines = [`${TABLE_HEAD}cipher`, ...rows.map((r) => `${tableCells(r.name, r)}${r.cipher ?? "?"}`)];
        process.stdout.write(
            [
                `One ${mib} MiB file over SFTP, loopback, ${os.cpus().length} cores, medians of ${runs} (alternating order); MB = 10^6 bytes.`,
                `MB/s: wall time incl. connect + auth (OpenSSH: the whole sftp process; ours: connect + upload in the child, node start-up excluded). transfer: after connect.`,
                ...lines,
                `ours verified / OpenSSH default: ${(verified.mbps / opensshDefault).toFixed(2)}  / OpenSSH -R 64: ${(verified.mbps / opensshR64).toFixed(2)}  (target >= 0.9)`,
                `ours verified peak RSS: ${verified.rss!.toFixed(0)} MiB (target < 150)`,
                `verification costs: ${((1 - verified.mbps / writeOnly.mbps) * 100).toFixed(0)}% of write-only throughput; median phases of the verified upload (ms): ${JSON.stringify(phases)}`,
                `ssh2 native crypto binding (sshcrypto.node): ${native ? "loaded" : "NOT loaded (pure-JS ciphers, about half the throughput)"}; cpu-features: ${cpuFeatures ? "present" : "absent"}`,
                "",
            ].join("\n"),
        );
        const summary = {
            bench: "largeFile",
            mib,
            runs,
            mbps: {
                opensshDefault: Math.round(opensshDefault),
                opensshR64: Math.round(opensshR64),
                opensshR64Aes128Gcm: Math.round(rows[2].mbps),
                oursVerified: Math.round(verified.mbps),
                oursWriteOnly: Math.round(writeOnly.mbps),
            },
            ratioVerifiedToOpenssh: Number((verified.mbps / bestOpenssh).toFixed(3)),
            ratioTarget: 0.9,
            ratioMet: verified.mbps / bestOpenssh >= 0.9,
            peakRssMiB: Math.round(Math.max(verified.rss!, writeOnly.rss!)),
            peakRssTargetMiB: 150,
            peakRssMet: Math.max(verified.rss!, writeOnly.rss!) < 150,
            verifiedBy: samples.get(verified.name)![0].verifiedBy,
            cipherOurs: verified.cipher,
            cipherOpenssh: rows[0].cipher,
            nativeCryptoBinding: native,
            phasesMs: phases,
        };
        process.stdout.write(`${JSON.stringify(summary)}\n`);
    } finally {
        await scratch.dispose();
    }
}

benchMain(main, child);
