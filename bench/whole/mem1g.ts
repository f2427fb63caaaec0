/**
 * Provider memory of one large verified SFTP upload, two builds side by side (issue 22 item 3b):
 *
 *   node dist/bench/whole/mem1g.js --base DIST_DIR [--mib 1024] [--runs 4] [--timeout 900]
 *
 * Starts the harness sshd and a random source of N MiB; then, alternating, runs one upload per fresh child node
 * process, once with this build (`dist/`) and once with the build in DIST_DIR (e.g. a copy of the base commit's
 * `dist/`). Each child loads @pulumi/pulumi (as the dynamic-provider host does), connects with openSftp, waits
 * 300 ms, reads VmRSS ("idle"), runs verifiedUpload (the plan's SHA-256 given, the 1 MiB read stream RemoteFile
 * opens), then reads VmHWM ("peak"). `above` = peak - idle, the figure of the target (≤ 20 MiB).
 * MB/s = 10^6 bytes per second of the upload (connect excluded). Prints one JSON line per run and a summary.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { startSshd } from "../../test/harness/servers/sshd";
import { argOf, benchMain, MIB, ownerOf, run, Scratch, writeRandomFile } from "../common";

interface Job {
    dist: string;
    host: string;
    port: number;
    user: string;
    privateKeyPath: string;
    knownHostsPath: string;
    source: string;
    target: string;
    /** The plan's SHA-256 of the source, computed by the parent (the program's work, not the provider's). */
    sha256: string;
}

interface Report {
    bytes: number;
    idle: number;
    peak: number;
    above: number;
    mbps: number;
    ms: number;
    cpuS: number;
    arrayBuffersAtPeak: number;
    mu: string;
    spaces: string;
}

function status(key: string): number {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(fs.readFileSync("/proc/self/status", "utf8"));
    return Number(m?.[1] ?? 0) / 1024;
}

/** Experiment: reads into `n` reused buffers (safe only while fewer than `n` chunks are buffered downstream). */
function ringReader(file: string, size: number, n: number): Readable {
    const fd = fs.openSync(file, "r");
    const ring = Array.from({ length: n }, () => Buffer.allocUnsafe(size));
    let i = 0;
    return new Readable({
        highWaterMark: 0,
        read() {
            const buf = ring[i++ % n];
            fs.read(fd, buf, 0, size, null, (err, got) => {
                if (err) {
                    this.destroy(err);
                } else {
                    this.push(got === 0 ? null : buf.subarray(0, got));
                }
            });
        },
        destroy(err, cb) {
            fs.close(fd, () => cb(err));
        },
    });
}

async function child(job: Job): Promise<Report> {
    require("@pulumi/pulumi");
    const { openSftp } = require(path.join(job.dist, "provider/transport/ssh/sftp"));
    const { verifiedUpload } = require(path.join(job.dist, "provider/ops/upload"));
    const t = await openSftp(
        { host: job.host, port: job.port, user: job.user, knownHosts: job.knownHostsPath },
        { privateKey: fs.readFileSync(job.privateKeyPath, "utf8") },
    );
    await sleep(300);
    const idle = status("VmRSS");
    let maxRss = 0;
    let arrayBuffersAtPeak = 0;
    const muMiB = (mu: NodeJS.MemoryUsage) =>
        [mu.rss, mu.heapTotal, mu.heapUsed, mu.external, mu.arrayBuffers].map((x) => Math.round(x / MIB)).join(",");
    const muIdle = muMiB(process.memoryUsage());
    const spaces = () =>
        require("node:v8")
            .getHeapSpaceStatistics()
            .map(
                (x: { space_name: string; space_size: number }) =>
                    `${x.space_name.replace("_space", "")}=${(x.space_size / MIB).toFixed(1)}`,
            )
            .join(" ");
    const spacesIdle = spaces();
    let muPeak = muIdle;
    const gc = (globalThis as { gc?: (o?: object) => void }).gc;
    const sampler = setInterval(
        () => {
            if (gc && process.env.MEM1G_GC_MS) {
                gc(process.env.MEM1G_GC_MINOR ? { type: "minor" } : undefined); // diagnostic only (node --expose-gc): how much of the peak is collectable garbage
            }
            const mu = process.memoryUsage();
            if (mu.rss > maxRss) {
                maxRss = mu.rss;
                arrayBuffersAtPeak = mu.arrayBuffers / MIB;
                muPeak = muMiB(mu);
            }
        },
        Number(process.env.MEM1G_GC_MS ?? 20),
    );
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await verifiedUpload(t, {
        path: job.target,
        open: () =>
            process.env.MEM1G_RING
                ? ringReader(job.source, Number(process.env.MEM1G_HWM ?? MIB), Number(process.env.MEM1G_RING))
                : fs.createReadStream(job.source, { highWaterMark: Number(process.env.MEM1G_HWM ?? MIB) }),
        expectedSha256: job.sha256,
        createParents: false,
        mode: 0o644,
    });
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    clearInterval(sampler);
    t.close();
    const peak = status("VmHWM");
    return {
        bytes: r.size,
        idle,
        peak,
        above: peak - idle,
        mbps: r.size / 1e6 / (ms / 1000),
        ms: Math.round(ms),
        cpuS: (cpu.user + cpu.system) / 1e6,
        arrayBuffersAtPeak: Math.round(arrayBuffersAtPeak),
        spaces: `idle ${spacesIdle} | end ${spaces()}`,
        mu: `rss,heapTotal,heapUsed,external,arrayBuffers MiB idle ${muIdle} at peak ${muPeak}`,
    };
}

async function main(): Promise<void> {
    const base = path.resolve(argOf("base", ""));
    const mine = path.resolve(__dirname, "..", "..");
    const mib = Number(argOf("mib", "1024"));
    const runs = Number(argOf("runs", "4"));
    const deadline = Date.now() + Number(argOf("timeout", "900")) * 1000;
    if (!fs.existsSync(path.join(base, "provider/ops/upload.js"))) {
        throw new Error("--base must name a built dist folder (with provider/ops/upload.js)");
    }
    const scratch = new Scratch("filedrop-mem1g-", 0o755);
    try {
        const sshd = await startSshd(path.join(scratch.tmp, "sshd"));
        scratch.stopServersAtCleanup(() => sshd.stop(), "sshd");
        const remoteDir = scratch.makeRemoteDir("filedrop-mem1g-remote-", ownerOf(sshd.user));
        const source = path.join(scratch.tmp, "source.bin");
        writeRandomFile(source, mib);
        const sha256 = createHash("sha256");
        for await (const chunk of fs.createReadStream(source, { highWaterMark: MIB })) {
            sha256.update(chunk as Buffer);
        }
        const planned = sha256.digest("hex");
        const target = path.join(remoteDir, "target.bin");
        const all: Record<string, Report[]> = { base: [], branch: [] };
        for (let i = 0; i < runs && Date.now() < deadline; i++) {
            const order: [string, string][] =
                i % 2 === 0
                    ? [
                          ["base", base],
                          ["branch", mine],
                      ]
                    : [
                          ["branch", mine],
                          ["base", base],
                      ];
            for (const [name, dist] of order) {
                fs.rmSync(target, { force: true });
                const { host, port, user, privateKeyPath, knownHostsPath } = sshd; // no password in the job file
                const job: Job = {
                    dist,
                    host,
                    port,
                    user,
                    privateKeyPath,
                    knownHostsPath,
                    source,
                    target,
                    sha256: planned,
                };
                const jobFile = path.join(scratch.tmp, "job.json");
                fs.writeFileSync(jobFile, JSON.stringify(job));
                const out = await run(
                    process.execPath,
                    [...(process.env.MEM1G_NODE_ARGS?.split(" ") ?? []), __filename, "--child", jobFile],
                    Math.max(10_000, deadline - Date.now()),
                );
                const c = JSON.parse(out.stdout.trim().split("\n").pop()!) as Report;
                if (c.bytes !== mib * MIB) {
                    throw new Error(`${name}: uploaded ${c.bytes} bytes`);
                }
                all[name].push(c);
                process.stdout.write(`${name} ${JSON.stringify(c)}\n`);
            }
        }
        const f = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(" / ");
        for (const [name, rs] of Object.entries(all)) {
            process.stdout.write(
                `SUMMARY ${name}: above idle ${f(rs.map((r) => r.above))} MiB; idle ${f(rs.map((r) => r.idle))}; ` +
                    `MB/s ${f(rs.map((r) => r.mbps))}; cpu s ${f(rs.map((r) => r.cpuS))}\n`,
            );
        }
    } finally {
        await scratch.cleanup();
    }
}

// The child returns its own report, not an upload ChildResult; benchMain only prints it as JSON.
benchMain<Job>(main, child as never);
