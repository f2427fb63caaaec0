/**
 * One large file over explicit FTPS, side by side with curl (SPEC §7, FTPS target):
 *
 *   node dist/bench/ftpsFile.js [--mib 200] [--runs 3] [--timeout 900]
 *
 * Starts throwaway FTP servers (scripts/servers/ftp.sh), writes a random source file of N MiB, and measures, in the
 * same run and in alternating order, the median of `--runs` uploads to ProFTPD (offers HASH) and to vsftpd (no
 * HASH) of:
 *   - `curl --ssl-reqd --cacert CA -T file ftp://127.0.0.1:PORT//abs/path` (explicit TLS, protected data channel),
 *   - our provider's real code path, `verifiedUpload` (provider/upload.ts) over `openFtps`
 *     (provider/transport/ftps.ts): streaming hash, size check, SHA-256 by `HASH` on ProFTPD or by reading the
 *     file back from vsftpd, chmod, atomic rename,
 *   - the same transport's `write` alone (no hashing, no verification, no rename), to show what verification costs.
 * Ours run in a child node process each time, so the child's peak RSS is the provider process's peak memory.
 *
 * MB/s are 10^6 bytes per second of wall time including connection set-up (curl: the whole process; ours:
 * connect + upload inside the child, node start-up excluded and reported apart). The target ratio (≥ 0.9× curl)
 * applies where the server offers HASH; the read-back figure (vsftpd) is reported separately, as SPEC §7 says.
 * Prints a table and a final one-line JSON summary. Everything it starts and writes is removed at the end, also
 * on failure or Ctrl-C.
 */
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { Readable } from "stream";

const ROOT = path.resolve(__dirname, "..", "..");
const MB = 1e6;
const MIB = 1 << 20;

type ServerKey = "proftpdExplicit" | "vsftpdExplicit";
const SERVER_KEYS: readonly ServerKey[] = ["proftpdExplicit", "vsftpdExplicit"];
const SHORT: Record<ServerKey, string> = { proftpdExplicit: "ProFTPD", vsftpdExplicit: "vsftpd" };

interface FtpServerInfo {
    host: string;
    port: number;
    protocol: string;
    software: string;
    hashAlgorithms: string[];
}

interface FtpInfo {
    user: string;
    password: string;
    uid: number;
    gid: number;
    caCertPath: string;
    servers: Record<string, FtpServerInfo>;
}

interface ChildJob {
    mode: "verified" | "write";
    host: string;
    port: number;
    user: string;
    password: string;
    caCertPath: string;
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
    verifiedBy?: string;
    tls?: string;
    phases: Record<string, number>;
}

interface Sample {
    seconds: number;
    mbps: number;
    transferMbps?: number;
    rssMiB?: number;
    wallSeconds?: number;
    verifiedBy?: string;
    tls?: string;
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
    const { openFtps } = require("../provider/transport/ftps") as typeof import("../provider/transport/ftps");
    const { verifiedUpload } = require("../provider/upload") as typeof import("../provider/upload");

    // Record the data connection's TLS version/cipher (and whether it resumed the control session) for the table.
    const tlsMod = require("tls") as typeof import("tls");
    let tlsDesc: string | undefined;
    const origConnect = tlsMod.connect;
    (tlsMod as { connect: unknown }).connect = function (...args: unknown[]) {
        const s = (origConnect as (...a: unknown[]) => import("tls").TLSSocket)(...args);
        s.once("secureConnect", () => {
            tlsDesc = `${s.getProtocol()} ${s.getCipher()?.name}${s.isSessionReused() ? " (resumed)" : ""}`;
        });
        return s;
    };

    const t0 = performance.now();
    const t = await openFtps(
        { protocol: "ftps", host: job.host, port: job.port, user: job.user, ca: fs.readFileSync(job.caCertPath, "utf8") },
        { password: job.password },
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
            const add = (name: string, s: number) => (phases[name] = (phases[name] ?? 0) + (performance.now() - s));
            return async (...args: unknown[]) => {
                const s = performance.now();
                let streamed = false;
                try {
                    const r = await (v as (...a: unknown[]) => unknown).apply(target, args);
                    if (prop === "read" && r instanceof Readable) {
                        // The read-back: count the time until the caller has consumed the stream, not just opened it.
                        streamed = true;
                        r.once("close", () => add("read", s));
                    }
                    return r;
                } finally {
                    if (!streamed) {
                        add(String(prop), s);
                    }
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
        verifiedBy,
        tls: tlsDesc,
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
    server: ServerKey;
    kind: "curl" | "verified" | "write";
    measure(target: string): Promise<Sample>;
}

async function main(): Promise<void> {
    const mib = Number(argOf("mib", "200"));
    const runs = Number(argOf("runs", "3"));
    const timeoutS = Number(argOf("timeout", "900"));
    if (!(mib > 0) || !(runs > 0)) {
        throw new Error("usage: node dist/bench/ftpsFile.js [--mib 200] [--runs 3] [--timeout 900]");
    }
    const deadline = Date.now() + timeoutS * 1000;
    const perRunTimeoutMs = Math.max(60_000, mib * 1000); // ≥ 1 MB/s or give up

    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "filedrop-bench-ftps-"));
    const ftpDir = path.join(tmp, "servers");
    let remoteDir: string | undefined;
    let serversStarted = false;
    const cleanup = () => {
        if (serversStarted) {
            try {
                execFileSync("bash", [path.join(ROOT, "scripts/servers/ftp.sh"), "stop", ftpDir], { stdio: "ignore", timeout: 30_000 });
            } catch {
                log(`could not stop the FTP servers in ${ftpDir}`);
            }
            serversStarted = false;
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
        log(`starting FTP servers in ${ftpDir}`);
        fs.mkdirSync(ftpDir);
        serversStarted = true; // stop is idempotent: also clean up after a half-finished start
        execFileSync("bash", [path.join(ROOT, "scripts/servers/ftp.sh"), "start", ftpDir], { stdio: ["ignore", "ignore", "inherit"], timeout: 600_000 });
        const ftp = JSON.parse(fs.readFileSync(path.join(ftpDir, "ftp.json"), "utf8")) as FtpInfo;

        // The remote folder, owned by the FTP user (remote and local share this machine).
        remoteDir = fs.mkdtempSync(path.join(os.tmpdir(), "filedrop-bench-ftps-remote-"));
        fs.chmodSync(remoteDir, 0o755);
        fs.chownSync(remoteDir, ftp.uid, ftp.gid);

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
        fs.chmodSync(tmp, 0o755);
        fs.chmodSync(source, 0o644);
        const size = mib * MIB;

        const checkSize = (name: string, target: string) => {
            const got = fs.statSync(target).size;
            if (got !== size) {
                throw new Error(`${name}: remote file has ${got} bytes, expected ${size}`);
            }
        };
        const curl = (key: ServerKey): Variant => ({
            name: `curl --ssl-reqd -T → ${SHORT[key]}`,
            server: key,
            kind: "curl",
            async measure(target) {
                const s = ftp.servers[key];
                const r = await run(
                    "curl",
                    ["-sS", "--ssl-reqd", "--cacert", ftp.caCertPath, "-T", source, `ftp://${s.host}:${s.port}/${target}`, "--user", `${ftp.user}:${ftp.password}`],
                    perRunTimeoutMs,
                );
                checkSize(this.name, target);
                return { seconds: r.wallMs / 1000, mbps: size / MB / (r.wallMs / 1000) };
            },
        });
        const ours = (key: ServerKey, mode: ChildJob["mode"]): Variant => ({
            name: `ours: ${mode === "verified" ? "verifiedUpload" : "transport write only"} → ${SHORT[key]}`,
            server: key,
            kind: mode,
            async measure(target) {
                const s = ftp.servers[key];
                const jobFile = path.join(tmp, "job.json");
                const job: ChildJob = { mode, host: s.host, port: s.port, user: ftp.user, password: ftp.password, caCertPath: ftp.caCertPath, source, target };
                fs.writeFileSync(jobFile, JSON.stringify(job), { mode: 0o600 });
                const r = await run(process.execPath, [__filename, "--child", jobFile], perRunTimeoutMs);
                const c = JSON.parse(r.stdout.trim().split("\n").pop()!) as ChildResult;
                if (c.bytes !== size) {
                    throw new Error(`${this.name}: wrote ${c.bytes} bytes, expected ${size}`);
                }
                checkSize(this.name, target);
                return {
                    seconds: c.totalMs / 1000,
                    mbps: size / MB / (c.totalMs / 1000),
                    transferMbps: size / MB / (c.uploadMs / 1000),
                    rssMiB: c.maxRssMiB,
                    wallSeconds: r.wallMs / 1000,
                    verifiedBy: c.verifiedBy,
                    tls: c.tls,
                    phases: c.phases,
                };
            },
        });
        const variants: Variant[] = [
            ...SERVER_KEYS.map((k) => curl(k)),
            ...SERVER_KEYS.map((k) => ours(k, "verified")),
            ...SERVER_KEYS.map((k) => ours(k, "write")),
        ];

        const samples = new Map<string, Sample[]>(variants.map((v) => [v.name, []]));
        for (let i = 0; i < runs; i++) {
            const order = i % 2 === 0 ? variants : [...variants].reverse();
            for (const v of order) {
                if (Date.now() > deadline) {
                    throw new Error(`time box of ${timeoutS}s exceeded`);
                }
                const target = path.join(remoteDir, "target.bin");
                for (const f of fs.readdirSync(remoteDir)) {
                    fs.rmSync(path.join(remoteDir, f), { force: true }); // every upload creates the file afresh
                }
                const s = await v.measure(target);
                samples.get(v.name)!.push(s);
                log(`run ${i + 1}/${runs} ${v.name}: ${s.mbps.toFixed(0)} MB/s${s.rssMiB !== undefined ? `, peak RSS ${s.rssMiB.toFixed(0)} MiB` : ""}${s.phases ? `, ${Object.entries(s.phases).map(([k, ms]) => `${k} ${ms.toFixed(0)} ms`).join(", ")}` : ""}`);
            }
        }
        for (const f of fs.readdirSync(remoteDir)) {
            fs.rmSync(path.join(remoteDir, f), { force: true });
        }

        // Report.
        const med = (name: string, f: (s: Sample) => number | undefined) => {
            const xs = samples.get(name)!.map(f).filter((x): x is number => x !== undefined);
            return xs.length ? median(xs) : undefined;
        };
        const rows = variants.map((v) => ({
            v,
            mbps: med(v.name, (s) => s.mbps)!,
            transfer: med(v.name, (s) => s.transferMbps),
            seconds: med(v.name, (s) => s.seconds)!,
            rss: v.kind !== "curl" ? Math.max(...samples.get(v.name)!.map((s) => s.rssMiB ?? 0)) : undefined,
            verifiedBy: samples.get(v.name)![0].verifiedBy,
            tls: samples.get(v.name)![0].tls,
            phases: Object.fromEntries(
                [...new Set(samples.get(v.name)!.flatMap((s) => Object.keys(s.phases ?? {})))].map((p) => [p, Math.round(med(v.name, (s) => s.phases?.[p]) ?? 0)]),
            ),
        }));
        const row = (key: ServerKey, kind: Variant["kind"]) => rows.find((r) => r.v.server === key && r.v.kind === kind)!;
        const per = Object.fromEntries(
            SERVER_KEYS.map((k) => {
                const c = row(k, "curl");
                const ver = row(k, "verified");
                const wr = row(k, "write");
                return [k, { curl: c, verified: ver, write: wr, ratio: ver.mbps / c.mbps, ratioWrite: wr.mbps / c.mbps, hash: ftp.servers[k].hashAlgorithms.includes("SHA-256") }];
            }),
        ) as Record<ServerKey, { curl: (typeof rows)[0]; verified: (typeof rows)[0]; write: (typeof rows)[0]; ratio: number; ratioWrite: number; hash: boolean }>;
        const pro = per.proftpdExplicit;
        const vs = per.vsftpdExplicit;
        const peakRss = Math.max(...rows.filter((r) => r.rss !== undefined).map((r) => r.rss!));

        const pad = (s: string, n: number) => s.padEnd(n);
        const lines = [
            `${pad("what", 44)} ${pad("MB/s", 7)} ${pad("transfer", 9)} ${pad("s", 6)} ${pad("peak RSS", 9)} ${pad("verified by", 16)} data TLS`,
            ...rows.map(
                (r) =>
                    `${pad(r.v.name, 44)} ${pad(r.mbps.toFixed(0), 7)} ${pad(r.transfer !== undefined ? r.transfer.toFixed(0) : "", 9)} ${pad(r.seconds.toFixed(2), 6)} ${pad(r.rss !== undefined ? `${r.rss.toFixed(0)} MiB` : "", 9)} ${pad(r.v.kind === "curl" ? "(none)" : r.v.kind === "write" ? "(none)" : r.verifiedBy ?? "?", 16)} ${r.tls ?? ""}`,
            ),
        ];
        process.stdout.write(
            [
                `One ${mib} MiB file over explicit FTPS, loopback, ${os.cpus().length} cores, medians of ${runs} (alternating order); MB = 10^6 bytes.`,
                `MB/s: wall time incl. connect + TLS + login (curl: the whole process; ours: connect + upload in the child, node start-up excluded). transfer: after connect.`,
                ...lines,
                `ProFTPD (HASH ${pro.hash ? "offered" : "NOT offered"}): ours verified / curl ${pro.ratio.toFixed(2)} (target >= 0.9); write only / curl ${pro.ratioWrite.toFixed(2)}`,
                `vsftpd (no HASH, read-back, reported separately): ours verified / curl ${vs.ratio.toFixed(2)}; write only / curl ${vs.ratioWrite.toFixed(2)}`,
                `ours peak RSS: ${peakRss.toFixed(0)} MiB (target < 150)`,
                `median phases of the verified upload (ms): ProFTPD ${JSON.stringify(pro.verified.phases)}; vsftpd ${JSON.stringify(vs.verified.phases)}`,
                "",
            ].join("\n"),
        );
        const summary = {
            bench: "ftpsFile",
            mib,
            runs,
            mbps: {
                curlProftpd: Math.round(pro.curl.mbps),
                curlVsftpd: Math.round(vs.curl.mbps),
                oursProftpdVerified: Math.round(pro.verified.mbps),
                oursVsftpdReadBack: Math.round(vs.verified.mbps),
                oursProftpdWriteOnly: Math.round(pro.write.mbps),
                oursVsftpdWriteOnly: Math.round(vs.write.mbps),
            },
            ratioProftpdVerifiedToCurl: Number(pro.ratio.toFixed(3)),
            ratioTarget: 0.9,
            ratioMet: pro.hash && pro.ratio >= 0.9,
            ratioVsftpdReadBackToCurl: Number(vs.ratio.toFixed(3)),
            peakRssMiB: Math.round(peakRss),
            peakRssTargetMiB: 150,
            peakRssMet: peakRss < 150,
            verifiedBy: { proftpd: pro.verified.verifiedBy, vsftpd: vs.verified.verifiedBy },
            dataTls: pro.verified.tls,
            phasesMs: { proftpd: pro.verified.phases, vsftpd: vs.verified.phases },
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
