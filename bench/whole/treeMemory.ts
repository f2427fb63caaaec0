/**
 * A 50k-file RemoteTree's provider memory in our own code (issue 22), against the test sshd, without the engine:
 *
 *   npx tsc -p tsconfig.json && node dist/bench/whole/treeMemory.js [--files 50000]
 *
 * The parent makes the tree and the program's packed manifest (as sdk/remoteTree.ts sends it); each command then
 * runs in a fresh child process, as the dynamic-provider host does: it loads @pulumi/pulumi and the provider, takes
 * its floor (RSS after a GC), makes the host's calls — first `up`: check, create; unchanged `preview`: check,
 * diff; `up` after 10 edits + 2 adds + 1 delete: check, diff, update — each on its own JSON copy of the values (the
 * host deserialises each request), and reports its peak RSS (VmHWM) and the heap sampled every 5 ms above the floor.
 * With FILEDROP_BENCH_STEPS=1 each child also prints, on stderr, the heap around each step of the provider (which
 * step raises the peak). Each line also gives the command's time and the provider process's CPU time (user + system,
 * steadier than the time on a shared machine). Not a test and not part of `npm test`; the whole-command figures are treeScale.ts's.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { getServers, remoteDir, sshConnection, stopWorld } from "../../test/harness/world";
import { argOf, log } from "../common";
import { editTreeScale, makeTree } from "./benchTree";

const files = Number(argOf("files", "50000"));
const MiB = 1 << 20;
const mib = (n: number) => (n / MiB).toFixed(0).padStart(4);

type Values = Record<string, unknown>;
interface Handoff {
    command: "up" | "preview";
    news: Values;
    inputs?: Values;
    outs?: Values;
    id?: string;
}

/**
 * With FILEDROP_BENCH_STEPS=1: wraps the provider's steps (module exports, which the compiled code reads at each
 * call) so that each prints, on stderr, the heap on entry and on exit and the highest heap sampled in between:
 * which step raises the peak.
 */
function traceSteps(): void {
    const modules: Record<string, string[]> = {
        "../../provider/plan/manifestCodec": ["manifestOf", "encodeManifest"],
        "../../provider/plan/treeManifest": ["changesOf"],
        "../../provider/plan/storedSync": [
            "planStored",
            "foldersOfStored",
            "ownedAfter",
            "sameStored",
            "storedChanges",
        ],
        "../../provider/ops/treeRemove": ["sweepFolders", "removeFiles"],
        "../../provider/ops/treeOwnership": ["adoptExisting", "releaseFiles"],
        "../../provider/ops/treeUpload": ["filesReplaced", "uploadFiles"],
        "../../provider/ops/remoteDirs": ["ensureDirs"],
        "../../provider/handlers/plain": ["plain"],
        "../../provider/handlers/remoteTree": ["check", "diff", "update", "create"],
    };
    let peak = 0;
    setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().heapUsed);
    }, 2).unref();
    let depth = 0;
    const show = (name: string, before: number, top: number, t0: number) => {
        const now = process.memoryUsage().heapUsed;
        peak = Math.max(peak, now);
        process.stderr.write(
            `[steps] ${"  ".repeat(depth)}${name.padEnd(16)} heap ${mib(before)} -> ${mib(now)}  peak within ${mib(Math.max(top, now))}  ${(performance.now() - t0).toFixed(0)} ms\n`,
        );
    };
    for (const [m, names] of Object.entries(modules)) {
        const mod = require(m);
        for (const name of names.filter((n) => n in mod)) {
            const f = mod[name];
            mod[name] = (...args: unknown[]) => {
                const before = process.memoryUsage().heapUsed;
                const outer = peak;
                peak = before;
                const t0 = performance.now();
                depth++;
                const done = () => {
                    depth--;
                    show(name, before, peak, t0);
                    peak = Math.max(outer, peak);
                };
                const r = f(...args);
                if (r instanceof Promise) {
                    return r.finally(done);
                }
                done();
                return r;
            };
        }
    }
}

/**
 * With FILEDROP_BENCH_ALLOC=1 (or uncollected, or promoted: see below): samples every allocation of the command's calls, also of objects collected since
 * (what churns, not only what stays), and prints on stderr the functions that allocated most. Returns the stop.
 */
async function startAllocationSampling(): Promise<((command: string) => Promise<void>) | undefined> {
    const mode = process.env.FILEDROP_BENCH_ALLOC;
    if (mode !== "1" && mode !== "uncollected" && mode !== "promoted") {
        return undefined;
    }
    // "uncollected": only what no GC has freed yet when sampling stops (live, and the old space's garbage);
    // "promoted": what survived the young generation (live, and what only a full GC freed): the old space's churn.
    const all = mode === "1";
    const inspector: typeof import("node:inspector") = require("node:inspector");
    const session = new inspector.Session();
    session.connect();
    const post = (method: string, params?: object) =>
        new Promise<any>((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))));
    await post("HeapProfiler.startSampling", {
        samplingInterval: 16384,
        includeObjectsCollectedByMajorGC: all || mode === "promoted",
        includeObjectsCollectedByMinorGC: all,
    });
    let stopped: Promise<any> | undefined;
    const stopAt = Number(process.env.FILEDROP_BENCH_ALLOC_MS ?? 0);
    if (stopAt > 0) {
        setTimeout(() => (stopped = post("HeapProfiler.stopSampling")), stopAt).unref();
    }
    return async (command) => {
        const { profile } = await (stopped ?? post("HeapProfiler.stopSampling"));
        if (profile === undefined) {
            return;
        }
        session.disconnect();
        type Node = {
            callFrame: { functionName: string; url: string; lineNumber: number };
            selfSize: number;
            children: Node[];
        };
        const self = new Map<string, number>();
        const walk = (n: Node, stack: string[]) => {
            const at = `${n.callFrame.functionName || "(anonymous)"} ${path.basename(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
            const s = [...stack, at];
            if (n.selfSize > 0) {
                const key = s.slice(-3).join(" < ");
                self.set(key, (self.get(key) ?? 0) + n.selfSize);
            }
            for (const c of n.children) {
                walk(c, s);
            }
        };
        walk(profile.head, []);
        const total = [...self.values()].reduce((a, b) => a + b, 0);
        process.stderr.write(`[alloc] ${command}: ${mib(total)} MiB allocated in all (sampled)\n`);
        for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) {
            process.stderr.write(`[alloc] ${mib(v)} ${k.split(" < ").reverse().join(" < ")}\n`);
        }
    };
}

/** The child: one command's calls, as the host makes them; prints a JSON line with the figures and the results. */
async function child(file: string): Promise<void> {
    require("@pulumi/pulumi");
    const tree = require("../../provider/handlers/remoteTree");
    const { closeAll } = require("../../provider/transport/pool");
    const h: Handoff = JSON.parse(fs.readFileSync(file, "utf8"));
    if (process.env.FILEDROP_BENCH_STEPS === "1") {
        traceSteps();
    }
    const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
    gc();
    gc();
    const floor = process.memoryUsage();
    let heap = 0;
    const timer = setInterval(() => {
        heap = Math.max(heap, process.memoryUsage().heapUsed);
    }, 5);
    const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v));
    const sampling = await startAllocationSampling();
    const snapshotAt = Number(process.env.FILEDROP_BENCH_SNAPSHOT_MS ?? 0);
    if (snapshotAt > 0 && h.outs === undefined) {
        // A heap snapshot in the middle of the create (what is alive then), for a heap viewer.
        setTimeout(
            () => process.stderr.write(`[snapshot] ${require("node:v8").writeHeapSnapshot()}\n`),
            snapshotAt,
        ).unref();
    }
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const checked = (await tree.check(copy(h.inputs ?? {}), copy(h.news))).inputs;
    let outs = h.outs;
    let id = h.id;
    if (h.outs === undefined) {
        ({ id, outs } = await tree.create(copy(checked)));
    } else {
        const d = await tree.diff(h.id, copy(h.outs), copy(checked));
        if ((h.command === "preview") === (d.changes === true)) {
            throw new Error(`${h.command}: diff says changes=${d.changes}`);
        }
        if (h.command === "up") {
            outs = (await tree.update(h.id, copy(h.outs), copy(checked))).outs;
        }
    }
    heap = Math.max(heap, process.memoryUsage().heapUsed);
    clearInterval(timer);
    await sampling?.(h.command);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    await closeAll();
    const peakRss = process.resourceUsage().maxRSS * 1024;
    fs.writeFileSync(
        file,
        JSON.stringify({
            inputs: checked,
            outs,
            id,
            floor: floor.rss,
            rss: peakRss - floor.rss,
            heap: heap - floor.heapUsed,
            ms,
            cpuMs: (cpu.user + cpu.system) / 1000,
        }),
    );
}

async function main(): Promise<void> {
    const { buildManifest } = require("../../provider/plan/treeSource");
    const codec = require("../../provider/plan/manifestCodec");
    const w = await getServers();
    const conn = sshConnection(w) as Record<string, string>;
    const src = fs.mkdtempSync(path.join(w.dir, "memory-src-"));
    makeTree(src, files);
    const common = {
        connection: { host: conn.host, port: conn.port, user: conn.user, knownHosts: conn.knownHosts },
        credentials: { privateKey: conn.privateKey },
        sourceDir: src,
        destination: path.join(remoteDir(w, "memory"), "site"),
        prune: true,
        createParents: true,
    };
    const program = async (preview: boolean) => ({
        ...common,
        manifest: codec.encodeManifest((await buildManifest(src, {})).manifest),
        preview,
    });
    const file = path.join(w.dir, "memory-handoff.json");
    let state: Partial<Handoff> = {};
    const rows: string[] = [];
    const run = async (name: string, command: Handoff["command"]) => {
        fs.writeFileSync(file, JSON.stringify({ ...state, command, news: await program(command === "preview") }));
        execFileSync(process.execPath, [...process.execArgv, "--expose-gc", __filename, "--child", file], {
            stdio: "inherit",
        });
        const r = JSON.parse(fs.readFileSync(file, "utf8"));
        const line = `${name.padEnd(38)} peak RSS +${mib(r.rss)}  peak heap +${mib(r.heap)}  (floor RSS ${mib(r.floor)}; ${(r.ms / 1000).toFixed(1)} s, CPU ${(r.cpuMs / 1000).toFixed(1)} s)`;
        log(line);
        rows.push(line);
        if (command === "up") {
            state = { inputs: r.inputs, outs: r.outs, id: r.id };
        }
    };
    await run("first up (check, create)", "up");
    await run("unchanged preview (check, diff)", "preview");
    editTreeScale(src, files);
    await run("incremental up (check, diff, update)", "up");
    console.log(
        `\nRemoteTree provider memory, ${files} files of 4 KiB, above a fresh process's floor (MiB)\n${rows.join("\n")}`,
    );
}

const childFile = argOf("child", "");
if (childFile !== "") {
    child(childFile).catch((e) => {
        console.error(e);
        process.exitCode = 1;
    });
} else {
    main()
        .catch((e) => {
            console.error(e);
            process.exitCode = 1;
        })
        .finally(() => stopWorld());
}
