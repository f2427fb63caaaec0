/**
 * Where the time of a 200-RemoteFile `pulumi up` goes (issue 13), beside the same number of no-op dynamic
 * resources, through the real CLI and packed package like the bench:
 *
 *   npx tsc -p tsconfig.json && node dist/bench/whole/profile.js [--resources 200] [--what files|tree|calls]
 *
 * Prints: wall time and CPU seconds per process role (engine, language host, program, provider host) of `up` and
 * of an unchanged `preview`, for ours and the no-op; the V8 CPU profile (the inspector, loaded by cpuProfiler.js through NODE_OPTIONS) of the
 * program and provider processes of a second `up`, summed by package and by function; the transport calls and
 * exec channels one RemoteFile create makes; the provider's module load time. Not part of `npm test`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { remoteFilesProgram } from "../../test/harness/programs";
import { TestStack } from "../../test/harness/stack";
import { dirsAndTreesProgram } from "../../test/harness/treePrograms";
import { getWorld, remoteDir, sshConnection, stopWorld, type World } from "../../test/harness/world";
import { argOf, log, median } from "../common";
import { editTree, editTreeScale, makeTree } from "./benchTree";
import { summarize } from "./cpuProfile";
import { sampleCpu } from "./cpuTimes";
import { noopProgram } from "./programs";

const resources = Number(argOf("resources", "200"));
let seq = 0;

async function measured(s: TestStack, cmd: "up" | "preview"): Promise<void> {
    await s.select();
    let cpu: ReturnType<typeof sampleCpu> | undefined;
    const t0 = performance.now();
    const r = await s.run(cmd, [], (pid) => (cpu = sampleCpu(pid)));
    const wall = (performance.now() - t0) / 1000;
    const byRole = cpu!.stop();
    if (r.code !== 0) {
        throw new Error(`pulumi ${cmd} failed:\n${r.output}`);
    }
    const total = Object.values(byRole).reduce((a, b) => a + b, 0);
    console.log(`\n${s.name} pulumi ${cmd}: wall ${wall.toFixed(2)} s, CPU ${(total / 1000).toFixed(2)} s`);
    for (const [role, ms] of Object.entries(byRole).sort((a, b) => b[1] - a[1])) {
        console.log(`  ${role.padEnd(40)} ${(ms / 1000).toFixed(2)} s`);
    }
}

function filesStack(w: World, src: string): TestStack {
    const dest = remoteDir(w, "profile-files");
    const s = new TestStack(w, `profile-files-${++seq}`, remoteFilesProgram);
    s.setSettings({
        connection: sshConnection(w),
        files: Array.from({ length: resources }, (_, i) => ({
            name: `f${i}`,
            path: path.join(dest, `f${i}.txt`),
            source: path.join(src, `f${i}.txt`),
        })),
    });
    return s;
}

/** Transport calls (and exec commands) of one RemoteFile create on a warm pooled connection, in this process. */
async function roundTrips(w: World, src: string): Promise<void> {
    const { SftpTransport } = require("../../provider/transport/ssh/sftpTransport");
    const counts: Record<string, number> = {};
    const proto = SftpTransport.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(proto)) {
        const f = Object.getOwnPropertyDescriptor(proto, name)?.value; // not the getters
        if (name === "constructor" || typeof f !== "function") {
            continue;
        }
        proto[name] = function (this: unknown, ...args: unknown[]) {
            counts[name] = (counts[name] ?? 0) + 1;
            return (f as (...a: unknown[]) => unknown).apply(this, args);
        };
    }
    const { create } = require("../../provider/handlers/remoteFile");
    const { closeAll } = require("../../provider/transport/pool");
    const conn = sshConnection(w) as Record<string, string>;
    const dest = remoteDir(w, "profile-rt");
    const inputs = (i: number) => ({
        connection: { host: conn.host, port: conn.port, user: conn.user, knownHosts: conn.knownHosts },
        credentials: { privateKey: conn.privateKey },
        path: path.join(dest, `f${i}.txt`),
        sourcePath: path.join(src, `f${i}.txt`),
        sha256: require("node:crypto")
            .createHash("sha256")
            .update(fs.readFileSync(path.join(src, `f${i}.txt`)))
            .digest("hex"),
        size: 1024,
        mode: "0644",
        createParents: true,
        symlinks: "follow",
    });
    await create(inputs(0)); // opens the connection
    for (const k of Object.keys(counts)) {
        delete counts[k];
    }
    const times: number[] = [];
    for (let i = 1; i <= 20; i++) {
        const t0 = performance.now();
        await create(inputs(i));
        times.push(performance.now() - t0);
    }
    await closeAll();
    const per = Object.entries(counts).map(([k, n]) => `${k} ${n / 20}`);
    console.log(
        `\none RemoteFile create, warm connection, one at a time (mean of 20): transport calls ${per.join(", ")}`,
    );
    console.log(`  median ${median(times).toFixed(1)} ms per create in this process`);
}

function moduleLoad(): void {
    const { execFileSync } = require("node:child_process");
    const ms: number[] = [];
    for (let i = 0; i < 5; i++) {
        ms.push(
            Number(
                execFileSync(
                    process.execPath,
                    [
                        "-e",
                        "const t=process.hrtime.bigint();require('./dist/provider/handlers/remoteFile');console.log(Number(process.hrtime.bigint()-t)/1e6)",
                    ],
                    { encoding: "utf8", cwd: path.resolve(__dirname, "../../..") },
                ).trim(),
            ),
        );
    }
    console.log(`\nprovider module load (handlers/remoteFile, fresh node, median of 5): ${median(ms).toFixed(1)} ms`);
}

/**
 * The same for a RemoteTree of `--files` (1000) files: first up, an unchanged preview (profiled), then the up after
 * the bench's edit (profiled; `--what tree`). With `--package <programs folder>`, that folder's installed package is
 * profiled instead of this tree's (an earlier commit's, as treeScale.js installs it).
 */
async function treeProfile(w: World): Promise<void> {
    const n = Number(argOf("files", "1000"));
    const pkg = argOf("package", "");
    const world = pkg ? { ...w, programsDir: pkg } : w;
    const src = path.join(w.dir, "profile-tree");
    makeTree(src, n);
    const s = new TestStack(world, `profile-tree-${++seq}`, dirsAndTreesProgram);
    s.setSettings({
        connection: sshConnection(w),
        trees: [{ name: "site", source: src, destination: path.join(remoteDir(w, "profile-tree"), "site") }],
    });
    const noop = new TestStack(w, `profile-noop-${++seq}`, noopProgram);
    noop.setSettings({ count: 1 });
    await measured(noop, "up");
    await measured(noop, "preview");
    await measured(s, "up");
    await measured(s, "preview");
    n === 1000 ? editTree(src) : editTreeScale(src, n);
    await measured(s, "up");
    const profDir = path.join(w.dir, "cpuprof-tree");
    process.env.NODE_OPTIONS = `--require ${path.join(__dirname, "cpuProfiler.js")}`;
    process.env.FILEDROP_CPU_PROF_DIR = profDir;
    for (const cmd of ["preview", "up"] as const) {
        if (cmd === "up") {
            editTreeScale(src, n, 1);
        }
        fs.rmSync(profDir, { recursive: true, force: true });
        fs.mkdirSync(profDir);
        await measured(s, cmd);
        report(profDir, `${n}-file tree, ${cmd === "up" ? "up after an edit" : "unchanged preview"} (profiled)`);
    }
    delete process.env.NODE_OPTIONS;
}

async function main(): Promise<void> {
    const w = await getWorld();
    if (argOf("what", "files") === "tree") {
        return treeProfile(w);
    }
    if (argOf("what", "files") === "calls") {
        const src = path.join(w.dir, "calls-src");
        fs.mkdirSync(src);
        for (let i = 0; i <= 20; i++) {
            fs.writeFileSync(path.join(src, `f${i}.txt`), require("node:crypto").randomBytes(1024));
        }
        return roundTrips(w, src);
    }
    const src = path.join(w.dir, "profile-src");
    fs.mkdirSync(src);
    for (let i = 0; i < resources; i++) {
        fs.writeFileSync(path.join(src, `f${i}.txt`), require("node:crypto").randomBytes(1024));
    }
    const noop = new TestStack(w, `profile-noop-${++seq}`, noopProgram);
    noop.setSettings({ count: resources });
    await measured(noop, "up");
    const files = filesStack(w, src);
    await measured(files, "up");
    await measured(noop, "preview");
    await measured(files, "preview");

    const profDir = path.join(w.dir, "cpuprof");
    fs.mkdirSync(profDir);
    const profiled = filesStack(w, src);
    await profiled.select();
    process.env.NODE_OPTIONS = `--require ${path.join(__dirname, "cpuProfiler.js")}`;
    process.env.FILEDROP_CPU_PROF_DIR = profDir;
    for (const cmd of ["up", "preview"] as const) {
        fs.rmSync(profDir, { recursive: true, force: true });
        fs.mkdirSync(profDir);
        log(`profiled ${cmd}`);
        await profiled.ok(cmd);
        report(profDir, cmd);
    }
    delete process.env.NODE_OPTIONS;
    await roundTrips(w, src);
    moduleLoad();
}

/** Prints the summed profile of each process (the chunks of one pid together). */
function report(profDir: string, cmd: string): void {
    const byPid = new Map<string, string[]>();
    for (const f of fs.readdirSync(profDir)) {
        const key = f.split("-").slice(0, 2).join("-");
        byPid.set(key, [...(byPid.get(key) ?? []), path.join(profDir, f)]);
    }
    for (const [key, files] of byPid) {
        const s = summarize(files);
        if (s.wallMs < 500) {
            continue; // the plugin shim's `node -e require.resolve`
        }
        console.log(`\n${cmd}: CPU profile of ${key}, ${(s.wallMs / 1000).toFixed(2)} s profiled; self time by area:`);
        for (const [a, ms] of s.byArea) {
            console.log(`  ${a.padEnd(50)} ${ms.toFixed(0)} ms`);
        }
        console.log("  top functions:");
        for (const [fn, ms] of s.byFn) {
            console.log(`    ${fn.slice(0, 90).padEnd(90)} ${ms.toFixed(0)} ms`);
        }
    }
}

main()
    .catch((e) => {
        process.stderr.write(`[profile] failed: ${(e as Error).stack ?? e}\n`);
        process.exitCode = 1;
    })
    .finally(() => stopWorld());
