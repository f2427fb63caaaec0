/**
 * One large file over SFTP, side by side with OpenSSH (SPEC §7, first target):
 *
 *   node dist/bench/largeFile.js [--mib 200] [--runs 3] [--timeout 600]
 *
 * Starts a throwaway sshd (scripts/servers/sshd.sh), writes a random source file of N MiB, and measures, in the same
 * run and in alternating order, the median of `--runs` uploads of:
 *   - OpenSSH `sftp -b` batch `put` (default requests in flight, and `-R 64`; plus `-R 64 -c aes128-gcm`, the
 *     cipher ssh2 negotiates, for information),
 *   - our provider's real code path, `verifiedUpload` (provider/upload.ts) over `openSftp`
 *     (provider/transport/sftp.ts): streaming hash, size check, remote SHA-256 by ssh exec, atomic rename,
 *   - the same transport's `write` alone (no hashing, no verification, no rename), to show what verification costs.
 * Ours run in a child node process each time, so the child's peak RSS is the provider process's peak memory.
 *
 * MB/s are 10^6 bytes per second of wall time including connection set-up (OpenSSH: the whole `sftp` process;
 * ours: connect + upload inside the child, node start-up excluded and reported apart). Prints a table and a final
 * one-line JSON summary. Everything it starts and writes is removed at the end, also on failure or Ctrl-C.
 */
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";

const ROOT = path.resolve(__dirname, "..", "..");
const MB = 1e6;
const MIB = 1 << 20;

interface SshdInfo {
    host: string;
    port: number;
    user: string;
    privateKeyPath: string;
    knownHostsPath: string;
}

interface ChildJob {
    mode: "verified" | "write";
    sshd: SshdInfo;
    source: string;
    target: string;
}

interface ChildResult {
    bytes: number;
    connectMs: number;
    uploadMs: number;
    totalMs: number;
    maxRssMiB: number;
    vmHwmMiB?: number;
    cipher?: string;
    verifiedBy?: string;
    phases: Record<string, number>;
}

interface Sample {
    seconds: number;
    mbps: number;
    transferMbps?: number;
    rssMiB?: number;
    wallSeconds?: number;
    cipher?: string;
    verifiedBy?: string;
    phases?: Record<string, number>;
}

function argOf(name: string, dflt: string): string {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function log(msg: string): void {
    process.stderr.write(`[bench] ${msg}\n`);
}

// ---------------------------------------------------------------------------------------------------------------
// Child: one upload through the provider's code, reporting time and peak memory.
// ---------------------------------------------------------------------------------------------------------------

async function child(jobFile: string): Promise<void> {
    const job = JSON.parse(fs.readFileSync(jobFile, "utf8")) as ChildJob;
    // Record the negotiated cipher: wrap Client#connect before openSftp loads the same module instance.
    const ssh2 = require("ssh2") as typeof import("ssh2");
    let cipher: string | undefined;
    const proto = ssh2.Client.prototype as unknown as { connect: (cfg: unknown) => unknown };
    const origConnect = proto.connect;
    proto.connect = function (this: import("ssh2").Client, cfg: unknown) {
        this.on("handshake", (n: { cs?: { cipher?: string } }) => (cipher = n.cs?.cipher));
        return origConnect.call(this, cfg);
    };
    const { openSftp } = require("../provider/transport/sftp") as typeof import("../provider/transport/sftp");
    const { verifiedUpload } = require("../provider/upload") as typeof import("../provider/upload");

    const t0 = performance.now();
    const t = await openSftp(
        { host: job.sshd.host, port: job.sshd.port, user: job.sshd.user, knownHosts: job.sshd.knownHostsPath },
        { privateKey: fs.readFileSync(job.sshd.privateKeyPath, "utf8") },
    );
    const t1 = performance.now();
    // Time each transport call, to see where an upload spends its time.
    const phases: Record<string, number> = {};
    const timed = new Proxy(t, {
        get(target, prop, receiver) {
            const v = Reflect.get(target, prop, receiver);
            if (typeof v !== "function" || prop === "constructor") {
                return v;
            }
            return async (...args: unknown[]) => {
                const s = performance.now();
                try {
                    return await (v as (...a: unknown[]) => unknown).apply(target, args);
                } finally {
                    phases[String(prop)] = (phases[String(prop)] ?? 0) + (performance.now() - s);
                }
            };
        },
    });
    let bytes: number;
    let verifiedBy: string | undefined;
    const open = () => fs.createReadStream(job.source, { highWaterMark: MIB });
    if (job.mode === "verified") {
        const r = await verifiedUpload(timed, { path: job.target, open, createParents: false, mode: 0o644 });
        bytes = r.size;
        verifiedBy = r.verifiedBy;
    } else {
        bytes = await timed.write(job.target, open(), 0o644);
    }
    const t2 = performance.now();
    t.close();
    let vmHwmMiB: number | undefined;
    try {
        const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync("/proc/self/status", "utf8"));
        vmHwmMiB = m ? Number(m[1]) / 1024 : undefined;
    } catch {
        // not Linux
    }
    const result: ChildResult = {
        bytes,
        connectMs: t1 - t0,
        uploadMs: t2 - t1,
        totalMs: t2 - t0,
        maxRssMiB: process.resourceUsage().maxRSS / 1024,
        vmHwmMiB,
        cipher,
        verifiedBy,
        phases,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
}

// ---------------------------------------------------------------------------------------------------------------
// Parent.
// ---------------------------------------------------------------------------------------------------------------

/** Runs a command with a time limit; resolves with its output, rejects on non-zero exit or timeout. */
function run(cmd: string, args: string[], timeoutMs: number): Promise<{ stdout: string; stderr: string; wallMs: number }> {
    return new Promise((resolve, reject) => {
        const start = performance.now();
        const p = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        p.stdout.on("data", (d: Buffer) => out.push(d));
        p.stderr.on("data", (d: Buffer) => err.push(d));
        const timer = setTimeout(() => p.kill("SIGKILL"), timeoutMs);
        p.on("error", (e) => {
            clearTimeout(timer);
            reject(e);
        });
        p.on("close", (code, signal) => {
            clearTimeout(timer);
            const wallMs = performance.now() - start;
            const stdout = Buffer.concat(out).toString();
            const stderr = Buffer.concat(err).toString();
            if (code !== 0) {
                reject(new Error(`${cmd} exited ${code ?? signal}${signal === "SIGKILL" ? " (timed out)" : ""}: ${stderr.trim().split("\n").slice(-5).join(" | ")}`));
            } else {
                resolve({ stdout, stderr, wallMs });
            }
        });
    });
}

interface Variant {
    name: string;
    kind: "openssh" | "ours";
    measure(target: string): Promise<Sample>;
}

async function main(): Promise<void> {
    const mib = Number(argOf("mib", "200"));
    const runs = Number(argOf("runs", "3"));
    const timeoutS = Number(argOf("timeout", "900"));
    if (!(mib > 0) || !(runs > 0)) {
        throw new Error("usage: node dist/bench/largeFile.js [--mib 200] [--runs 3] [--timeout 900]");
    }
    const deadline = Date.now() + timeoutS * 1000;
    const perRunTimeoutMs = Math.max(60_000, mib * 1000); // ≥ 1 MB/s or give up

    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "filedrop-bench-"));
    fs.chmodSync(tmp, 0o755); // the sshd user reads its authorized_keys in here
    const sshdDir = path.join(tmp, "sshd");
    let remoteDir: string | undefined;
    let sshdStarted = false;
    const cleanup = () => {
        if (sshdStarted) {
            try {
                execFileSync("bash", [path.join(ROOT, "scripts/servers/sshd.sh"), "stop", sshdDir], { stdio: "ignore", timeout: 20_000 });
            } catch {
                log(`could not stop sshd in ${sshdDir}`);
            }
            sshdStarted = false;
        }
        for (const d of [remoteDir, tmp]) {
            if (d) {
                fs.rmSync(d, { recursive: true, force: true });
            }
        }
    };
    const onSignal = (sig: NodeJS.Signals) => {
        cleanup();
        process.exit(sig === "SIGINT" ? 130 : 143);
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);

    try {
        log(`starting sshd in ${sshdDir}`);
        execFileSync("bash", [path.join(ROOT, "scripts/servers/sshd.sh"), "start", sshdDir], { stdio: ["ignore", "ignore", "inherit"], timeout: 300_000 });
        sshdStarted = true;
        const sshd = JSON.parse(fs.readFileSync(path.join(sshdDir, "sshd.json"), "utf8")) as SshdInfo;

        // The remote folder, owned by the sshd user (remote and local share this machine).
        remoteDir = fs.mkdtempSync(path.join(os.tmpdir(), "filedrop-bench-remote-"));
        fs.chmodSync(remoteDir, 0o755);
        if (process.getuid?.() === 0) {
            const uid = Number(execFileSync("id", ["-u", sshd.user]).toString().trim());
            const gid = Number(execFileSync("id", ["-g", sshd.user]).toString().trim());
            fs.chownSync(remoteDir, uid, gid);
        }

        // The source: N MiB of random bytes, written in 1 MiB pieces (little memory) and left in the page cache.
        const source = path.join(tmp, "source.bin");
        log(`writing ${mib} MiB of random bytes to ${source}`);
        const fd = fs.openSync(source, "w");
        const buf = Buffer.allocUnsafe(MIB);
        for (let i = 0; i < mib; i++) {
            require("crypto").randomFillSync(buf);
            fs.writeSync(fd, buf);
        }
        fs.closeSync(fd);
        const size = mib * MIB;

        const batch = path.join(tmp, "batch");
        const opensshArgs = (extra: string[], target: string) => {
            fs.writeFileSync(batch, `put ${source} ${target}\n`);
            return [
                ...extra,
                "-o", "LogLevel=DEBUG1", // to read the negotiated cipher from stderr
                "-o", "BatchMode=yes",
                "-o", `UserKnownHostsFile=${sshd.knownHostsPath}`,
                "-o", "StrictHostKeyChecking=yes",
                "-o", "IdentitiesOnly=yes",
                "-i", sshd.privateKeyPath,
                "-P", String(sshd.port),
                "-b", batch,
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
                return { seconds: r.wallMs / 1000, mbps: size / MB / (r.wallMs / 1000), cipher };
            },
        });
        const ours = (name: string, mode: ChildJob["mode"]): Variant => ({
            name,
            kind: "ours",
            async measure(target) {
                const jobFile = path.join(tmp, "job.json");
                fs.writeFileSync(jobFile, JSON.stringify({ mode, sshd, source, target } satisfies ChildJob));
                const r = await run(process.execPath, [__filename, "--child", jobFile], perRunTimeoutMs);
                const c = JSON.parse(r.stdout.trim().split("\n").pop()!) as ChildResult;
                const got = fs.statSync(target).size;
                if (c.bytes !== size || got !== size) {
                    throw new Error(`${name}: wrote ${c.bytes} bytes, remote file has ${got}, expected ${size}`);
                }
                return {
                    seconds: c.totalMs / 1000,
                    mbps: size / MB / (c.totalMs / 1000),
                    transferMbps: size / MB / (c.uploadMs / 1000),
                    rssMiB: c.maxRssMiB,
                    wallSeconds: r.wallMs / 1000,
                    cipher: c.cipher,
                    verifiedBy: c.verifiedBy,
                    phases: c.phases,
                };
            },
        });
        const variants: Variant[] = [
            openssh("OpenSSH sftp put (default)", []),
            openssh("OpenSSH sftp put -R 64", ["-R", "64"]),
            openssh("OpenSSH sftp put -R 64 -c aes128-gcm", ["-R", "64", "-c", "aes128-gcm@openssh.com"]),
            ours("ours: verifiedUpload (hash+verify+rename)", "verified"),
            ours("ours: transport write only", "write"),
        ];

        const samples = new Map<string, Sample[]>(variants.map((v) => [v.name, []]));
        for (let i = 0; i < runs; i++) {
            const order = i % 2 === 0 ? variants : [...variants].reverse();
            for (const v of order) {
                if (Date.now() > deadline) {
                    throw new Error(`time box of ${timeoutS}s exceeded`);
                }
                const target = path.join(remoteDir, "target.bin");
                fs.rmSync(target, { force: true }); // every upload creates the file afresh
                const s = await v.measure(target);
                fs.rmSync(target, { force: true });
                samples.get(v.name)!.push(s);
                log(`run ${i + 1}/${runs} ${v.name}: ${s.mbps.toFixed(0)} MB/s${s.rssMiB !== undefined ? `, peak RSS ${s.rssMiB.toFixed(0)} MiB` : ""}${s.phases ? `, ${Object.entries(s.phases).map(([k, ms]) => `${k} ${ms.toFixed(0)} ms`).join(", ")}` : ""}`);
            }
        }

        // Report.
        const native = (require("ssh2/lib/protocol/crypto") as { bindingAvailable?: boolean }).bindingAvailable === true;
        let cpuFeatures = false;
        try {
            require("cpu-features");
            cpuFeatures = true;
        } catch {
            // optional
        }
        const med = (name: string, f: (s: Sample) => number | undefined) => {
            const xs = samples.get(name)!.map(f).filter((x): x is number => x !== undefined);
            return xs.length ? median(xs) : undefined;
        };
        const rows = variants.map((v) => ({
            name: v.name,
            mbps: med(v.name, (s) => s.mbps)!,
            transfer: med(v.name, (s) => s.transferMbps),
            seconds: med(v.name, (s) => s.seconds)!,
            rss: v.kind === "ours" ? Math.max(...samples.get(v.name)!.map((s) => s.rssMiB ?? 0)) : undefined,
            cipher: samples.get(v.name)![0].cipher,
        }));
        const opensshDefault = rows[0].mbps;
        const opensshR64 = rows[1].mbps;
        const bestOpenssh = Math.max(rows[0].mbps, rows[1].mbps);
        const verified = rows[3];
        const writeOnly = rows[4];
        const phaseNames = [...new Set(samples.get(verified.name)!.flatMap((s) => Object.keys(s.phases ?? {})))];
        const phases = Object.fromEntries(phaseNames.map((p) => [p, Math.round(med(verified.name, (s) => s.phases?.[p]) ?? 0)]));

        const pad = (s: string, n: number) => s.padEnd(n);
        const lines = [
            `${pad("what", 44)} ${pad("MB/s", 7)} ${pad("transfer", 9)} ${pad("s", 6)} ${pad("peak RSS", 9)} cipher`,
            ...rows.map(
                (r) =>
                    `${pad(r.name, 44)} ${pad(r.mbps.toFixed(0), 7)} ${pad(r.transfer !== undefined ? r.transfer.toFixed(0) : "", 9)} ${pad(r.seconds.toFixed(2), 6)} ${pad(r.rss !== undefined ? `${r.rss.toFixed(0)} MiB` : "", 9)} ${r.cipher ?? "?"}`,
            ),
        ];
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
        cleanup();
        process.removeListener("SIGINT", onSignal);
        process.removeListener("SIGTERM", onSignal);
    }
}

if (process.argv[2] === "--child") {
    child(process.argv[3]).then(
        () => process.exit(0),
        (e) => {
            process.stderr.write(`${(e as Error).stack ?? e}\n`);
            process.exit(1);
        },
    );
} else {
    main().catch((e) => {
        process.stderr.write(`[bench] failed: ${(e as Error).message}\n`);
        process.exit(1);
    });
}
