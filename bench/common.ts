/**
 * What the benches share: flags, medians, logging, the child process that runs one upload through the provider's
 * code and reports its time and peak memory, the parent's runner (alternating order, time box), the scratch
 * folders and throwaway servers removed at the end (also on Ctrl-C), and the first columns of the result table.
 * Only what is the same in every bench that uses it lives here; each bench keeps its own variants and report.
 */
import { execFileSync, spawn } from "node:child_process";
import { randomFillSync } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { Readable } from "node:stream";
import type { Transport } from "../provider/transport/types";

/** The repository root (this file runs as dist/bench/*.js). */
export const ROOT = path.resolve(__dirname, "..", "..");
/** 10^6 bytes: the MB of every MB/s figure. */
export const MB = 1e6;
export const MIB = 1 << 20;

/** The value after `--name` on the command line, else `dflt`. */
export function argOf(name: string, dflt: string): string {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}

/** The median (the mean of the two middle values for an even count). */
export function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A progress line on stderr, so stdout holds only the results. */
export function log(msg: string): void {
    process.stderr.write(`[bench] ${msg}\n`);
}

/** The flags of a one-large-file bench: `[--mib 200] [--runs 3] [--timeout 900]`, with the limits they imply. */
export function largeFileArgs(script: string): {
    mib: number;
    runs: number;
    timeoutS: number;
    deadline: number;
    perRunTimeoutMs: number;
} {
    const mib = Number(argOf("mib", "200"));
    const runs = Number(argOf("runs", "3"));
    const timeoutS = Number(argOf("timeout", "900"));
    if (!(mib > 0) || !(runs > 0)) {
        throw new Error(`usage: node dist/bench/${script} [--mib 200] [--runs 3] [--timeout 900]`);
    }
    const deadline = Date.now() + timeoutS * 1000;
    const perRunTimeoutMs = Math.max(60_000, mib * 1000); // ≥ 1 MB/s or give up
    return { mib, runs, timeoutS, deadline, perRunTimeoutMs };
}

// ---------------------------------------------------------------------------------------------------------------
// Child: one upload through the provider's code, reporting time and peak memory.
// ---------------------------------------------------------------------------------------------------------------

/** What the parent asks a child to upload: `verified` is the real `verifiedUpload`, `write` the transport alone. */
export interface UploadJob {
    mode: "verified" | "write";
    source: string;
    target: string;
}

/** What a child reports (one JSON line on stdout); a bench may add fields of its own. */
export interface ChildResult {
    bytes: number;
    connectMs: number;
    uploadMs: number;
    totalMs: number;
    maxRssMiB: number;
    vmHwmMiB?: number;
    verifiedBy?: string;
    /** Time spent in each transport call (ms, summed over calls). */
    phases: Record<string, number>;
}

/**
 * Wraps a transport so that each call's time is added to `phases[name]`. For the calls named in `untilClosed` that
 * return a stream (the read-back), the time runs until the stream closes, i.e. until the caller has consumed it.
 */
export function timeCalls<T extends object>(
    t: T,
    phases: Record<string, number>,
    untilClosed: readonly string[] = [],
): T {
    return new Proxy(t, {
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
                    if (untilClosed.includes(String(prop)) && r instanceof Readable) {
                        streamed = true;
                        r.once("close", () => add(String(prop), s));
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
}

/** Peak memory of this process: maxRSS from the OS, and VmHWM where /proc says it (Linux). */
function peakMemory(): { maxRssMiB: number; vmHwmMiB?: number } {
    let vmHwmMiB: number | undefined;
    try {
        const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync("/proc/self/status", "utf8"));
        vmHwmMiB = m ? Number(m[1]) / 1024 : undefined;
    } catch {
        // not Linux
    }
    return { maxRssMiB: process.resourceUsage().maxRSS / 1024, vmHwmMiB };
}

/**
 * In the child: connects with `connect`, uploads `job.source` to `job.target` (1 MiB reads, mode 0644, no parents
 * created; verified uploads with the source's SHA-256 as the plan, like RemoteFile) with each transport call timed,
 * closes, and returns the times and the process's peak memory.
 */
export async function uploadInChild(
    job: UploadJob,
    connect: () => Promise<Transport>,
    untilClosed: readonly string[] = [],
): Promise<ChildResult> {
    const { verifiedUpload } = require("../provider/ops/upload") as typeof import("../provider/ops/upload");
    const { sha256OfFile } = require("../provider/hashing") as typeof import("../provider/hashing");
    // The plan's SHA-256, as RemoteFile's program computes it before the provider runs (not timed here).
    const planned = job.mode === "verified" ? (await sha256OfFile(job.source)).sha256 : undefined;
    const t0 = performance.now();
    const t = await connect();
    const t1 = performance.now();
    const phases: Record<string, number> = {};
    const timed = timeCalls(t, phases, untilClosed);
    let bytes: number;
    let verifiedBy: string | undefined;
    const open = () => fs.createReadStream(job.source, { highWaterMark: MIB });
    if (job.mode === "verified") {
        const r = await verifiedUpload(timed, {
            path: job.target,
            open,
            expectedSha256: planned,
            createParents: false,
            mode: 0o644,
        });
        bytes = r.size;
        verifiedBy = r.verifiedBy;
    } else {
        bytes = await timed.write(job.target, open(), 0o644);
    }
    const t2 = performance.now();
    t.close();
    const { maxRssMiB, vmHwmMiB } = peakMemory();
    return { bytes, connectMs: t1 - t0, uploadMs: t2 - t1, totalMs: t2 - t0, maxRssMiB, vmHwmMiB, verifiedBy, phases };
}

/**
 * The entry point: `--child JOBFILE` runs `child` on the job read from JOBFILE and prints its report as one JSON
 * line (exit 0, or 1 with the stack); anything else runs `main`.
 */
export function benchMain<J>(main: () => Promise<void>, child: (job: J) => Promise<ChildResult>): void {
    if (process.argv[2] === "--child") {
        const job = JSON.parse(fs.readFileSync(process.argv[3], "utf8")) as J;
        child(job).then(
            (result) => {
                process.stdout.write(`${JSON.stringify(result)}\n`);
                process.exit(0);
            },
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
}

// ---------------------------------------------------------------------------------------------------------------
// Parent.
// ---------------------------------------------------------------------------------------------------------------

/** Runs a command with a time limit; resolves with its output, rejects on non-zero exit or timeout. */
export function run(
    cmd: string,
    args: string[],
    timeoutMs: number,
): Promise<{ stdout: string; stderr: string; wallMs: number }> {
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
                reject(
                    new Error(
                        `${cmd} exited ${code ?? signal}${signal === "SIGKILL" ? " (timed out)" : ""}: ${stderr.trim().split("\n").slice(-5).join(" | ")}`,
                    ),
                );
            } else {
                resolve({ stdout, stderr, wallMs });
            }
        });
    });
}

/**
 * Runs `script` (the bench's own file) as a child, `--child JOBFILE`, on `job`, written to `jobFile` (with
 * `fileMode` if given), and returns the child's report (its last stdout line) and the child's whole wall time.
 */
export async function runChild<R extends ChildResult>(
    script: string,
    jobFile: string,
    job: object,
    timeoutMs: number,
    fileMode?: number,
): Promise<{ c: R; wallMs: number }> {
    fs.writeFileSync(jobFile, JSON.stringify(job), fileMode === undefined ? undefined : { mode: fileMode });
    const r = await run(process.execPath, [script, "--child", jobFile], timeoutMs);
    return { c: JSON.parse(r.stdout.trim().split("\n").pop()!) as R, wallMs: r.wallMs };
}

/** One measured upload. */
export interface Sample {
    /** Wall seconds (the reference tool: the whole process; ours: connect + upload inside the child). */
    seconds: number;
    mbps: number;
    /** Ours only: MB/s after connect. */
    transferMbps?: number;
    /** Ours only: the child's peak RSS. */
    rssMiB?: number;
    /** Ours only: the child process's whole wall time, node start-up included. */
    wallSeconds?: number;
    verifiedBy?: string;
    phases?: Record<string, number>;
}

/** The sample of a reference tool (OpenSSH, curl): `size` bytes in the process's wall time. */
export function wallSample(size: number, wallMs: number): Sample {
    return { seconds: wallMs / 1000, mbps: size / MB / (wallMs / 1000) };
}

/** The sample of one of ours, from the child's report. */
export function childSample(c: ChildResult, size: number, wallMs: number): Sample {
    return {
        seconds: c.totalMs / 1000,
        mbps: size / MB / (c.totalMs / 1000),
        transferMbps: size / MB / (c.uploadMs / 1000),
        rssMiB: c.maxRssMiB,
        wallSeconds: wallMs / 1000,
        verifiedBy: c.verifiedBy,
        phases: c.phases,
    };
}

/**
 * The owner to give the remote folder: the sshd login user's, when running as root (remote and local share this
 * machine); otherwise none (the folder is the runner's own).
 */
export function ownerOf(user: string): { uid: number; gid: number } | undefined {
    return process.getuid?.() === 0
        ? {
              uid: Number(execFileSync("id", ["-u", user]).toString().trim()),
              gid: Number(execFileSync("id", ["-g", user]).toString().trim()),
          }
        : undefined;
}

/** Writes `mib` MiB of random bytes to `file`, 1 MiB at a time (little memory; the file stays in the page cache). */
export function writeRandomFile(file: string, mib: number): void {
    log(`writing ${mib} MiB of random bytes to ${file}`);
    const fd = fs.openSync(file, "w");
    const buf = Buffer.allocUnsafe(MIB);
    for (let i = 0; i < mib; i++) {
        randomFillSync(buf);
        fs.writeSync(fd, buf);
    }
    fs.closeSync(fd);
}

/**
 * A bench's throwaway state: a local scratch folder, a remote folder (on this machine) and servers to stop, all
 * removed by `cleanup()`, which also runs on SIGINT/SIGTERM (then exit 130/143). `dispose()` cleans up and drops
 * the signal handlers, for a `finally`.
 */
export class Scratch {
    readonly tmp: string;
    remoteDir: string | undefined;
    private stop: { stop: () => Promise<void>; what: string } | undefined;
    private readonly onSignal = (sig: NodeJS.Signals) => {
        void this.cleanup().finally(() => process.exit(sig === "SIGINT" ? 130 : 143));
    };

    constructor(tmpPrefix: string, tmpMode?: number) {
        this.tmp = fs.mkdtempSync(path.join(os.tmpdir(), tmpPrefix));
        if (tmpMode !== undefined) {
            fs.chmodSync(this.tmp, tmpMode);
        }
        process.once("SIGINT", this.onSignal);
        process.once("SIGTERM", this.onSignal);
    }

    /** From now on, cleanup stops servers the harness started (test/harness/servers; `what` names them if that fails). */
    stopServersAtCleanup(stop: () => Promise<void>, what: string): void {
        this.stop = { stop, what };
    }

    /** Creates the remote folder, mode 0755, owned by `owner` if given. */
    makeRemoteDir(prefix: string, owner?: { uid: number; gid: number }): string {
        const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
        this.remoteDir = d;
        fs.chmodSync(d, 0o755);
        if (owner) {
            fs.chownSync(d, owner.uid, owner.gid);
        }
        return d;
    }

    async cleanup(): Promise<void> {
        if (this.stop) {
            const { stop, what } = this.stop;
            this.stop = undefined;
            try {
                await stop();
            } catch (e) {
                log(`could not stop ${what}: ${(e as Error).message}`);
            }
        }
        for (const d of [this.remoteDir, this.tmp]) {
            if (d) {
                fs.rmSync(d, { recursive: true, force: true });
            }
        }
    }

    async dispose(): Promise<void> {
        await this.cleanup();
        process.removeListener("SIGINT", this.onSignal);
        process.removeListener("SIGTERM", this.onSignal);
    }
}

/**
 * Measures each variant `runs` times, in alternating order (forwards, then backwards), into `target`;
 * `before`/`after` run around each measurement (to remove what the last one left). Throws past `deadline`.
 */
export async function measureAlternating<S extends Sample>(
    variants: readonly { name: string; measure(target: string): Promise<S> }[],
    o: { runs: number; deadline: number; timeoutS: number; target: string; before: () => void; after?: () => void },
): Promise<Map<string, S[]>> {
    const samples = new Map<string, S[]>(variants.map((v) => [v.name, []]));
    for (let i = 0; i < o.runs; i++) {
        const order = i % 2 === 0 ? variants : [...variants].reverse();
        for (const v of order) {
            if (Date.now() > o.deadline) {
                throw new Error(`time box of ${o.timeoutS}s exceeded`);
            }
            o.before();
            const s = await v.measure(o.target);
            o.after?.();
            samples.get(v.name)!.push(s);
            log(
                `run ${i + 1}/${o.runs} ${v.name}: ${s.mbps.toFixed(0)} MB/s${s.rssMiB !== undefined ? `, peak RSS ${s.rssMiB.toFixed(0)} MiB` : ""}${
                    s.phases
                        ? `, ${Object.entries(s.phases)
                              .map(([k, ms]) => `${k} ${ms.toFixed(0)} ms`)
                              .join(", ")}`
                        : ""
                }`,
            );
        }
    }
    return samples;
}

/** The median of `f` over the samples that have it, else undefined. */
export function medianOf<S>(samples: readonly S[], f: (s: S) => number | undefined): number | undefined {
    const xs = samples.map(f).filter((x): x is number => x !== undefined);
    return xs.length ? median(xs) : undefined;
}

/** A variant's table row figures: median MB/s, transfer MB/s and seconds; for ours, the highest peak RSS. */
export interface RowFigures {
    mbps: number;
    transfer: number | undefined;
    seconds: number;
    rss: number | undefined;
}

export function rowFigures(samples: readonly Sample[], ours: boolean): RowFigures {
    return {
        mbps: medianOf(samples, (s) => s.mbps)!,
        transfer: medianOf(samples, (s) => s.transferMbps),
        seconds: medianOf(samples, (s) => s.seconds)!,
        rss: ours ? Math.max(...samples.map((s) => s.rssMiB ?? 0)) : undefined,
    };
}

/** The median time of each transport call over the samples (ms, rounded). */
export function medianPhases(samples: readonly Sample[]): Record<string, number> {
    const names = [...new Set(samples.flatMap((s) => Object.keys(s.phases ?? {})))];
    return Object.fromEntries(names.map((p) => [p, Math.round(medianOf(samples, (s) => s.phases?.[p]) ?? 0)]));
}

export const pad = (s: string, n: number) => s.padEnd(n);

/** The table's first columns (what, MB/s, transfer, s, peak RSS), each followed by a space: the header... */
export const TABLE_HEAD = `${pad("what", 44)} ${pad("MB/s", 7)} ${pad("transfer", 9)} ${pad("s", 6)} ${pad("peak RSS", 9)} `;

/** ...and a row. */
export function tableCells(name: string, r: RowFigures): string {
    return `${pad(name, 44)} ${pad(r.mbps.toFixed(0), 7)} ${pad(r.transfer !== undefined ? r.transfer.toFixed(0) : "", 9)} ${pad(r.seconds.toFixed(2), 6)} ${pad(r.rss !== undefined ? `${r.rss.toFixed(0)} MiB` : "", 9)} `;
}
