/**
 * Where an unchanged RemoteTree preview's time goes beyond one no-op dynamic resource's (issue 22), in one run:
 *
 *   npx tsc -p tsconfig.json && node dist/bench/whole/treePreview.js [--files 10000] [--reps 6] [--base d0a0571]
 *     [--profile]
 *
 * A tree of `--files` files of 4 KiB is put up once per arm (this tree's package; with `--base`, that commit's, as
 * treeScale.js installs it), beside one no-op dynamic resource. Then `--reps` rounds of unchanged previews, the no-op
 * and every arm in turn (order reversed on odd rounds, so the machine's noise lands on all): wall time and CPU
 * seconds per process role (/proc, cpuTimes.ts). Prints medians, and each arm's median of (its preview − the same
 * round's no-op preview). With `--profile`, one more round under the V8 CPU profiler (cpuProfiler.js): each arm's
 * program and provider self time by function, minus the no-op's, largest first. Not part of `npm test`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { lineEnv } from "../../test/harness/engine";
import { npmInstall, packCommit } from "../../test/harness/releasePackage";
import { TestStack } from "../../test/harness/stack";
import { dirsAndTreesProgram } from "../../test/harness/treePrograms";
import { getWorld, remoteDir, sshConnection } from "../../test/harness/world";
import { argOf, log, median } from "../common";
import { makeTree } from "./benchTree";
import { summarizeBy } from "./cpuProfile";
import { sampleCpu } from "./cpuTimes";
import { runBench } from "./lifecycle";
import { noopProgram } from "./programs";

const files = Number(argOf("files", "10000"));
const reps = Number(argOf("reps", "6"));
const base = argOf("base", "");
const profile = process.argv.includes("--profile");
/** A file to write one more round's engine log to (`-v=9 --logtostderr --logflow`), for its timeline. */
const engineLog = argOf("engine-log", "");

interface Arm {
    name: string;
    stack: TestStack;
}

/** Seconds of wall and of CPU per role of one unchanged `pulumi preview`. */
async function preview(s: TestStack): Promise<{ wall: number; cpu: Record<string, number> }> {
    await s.select();
    let cpu: ReturnType<typeof sampleCpu> | undefined;
    const t0 = performance.now();
    const r = await s.run("preview", [], (pid) => (cpu = sampleCpu(pid)));
    const wall = (performance.now() - t0) / 1000;
    const byRole = cpu!.stop();
    if (r.code !== 0 || Object.keys(r.summary).some((k) => k !== "same")) {
        throw new Error(`${s.name}: preview exit ${r.code}, ${JSON.stringify(r.summary)}:\n${r.output}`);
    }
    return { wall, cpu: Object.fromEntries(Object.entries(byRole).map(([k, ms]) => [k, ms / 1000])) };
}

/** Self ms by function of the program and provider processes profiled in `dir` (role -> function -> ms). */
function profiled(dir: string): Map<string, Map<string, number>> {
    const byRole = new Map<string, string[]>();
    for (const f of fs.readdirSync(dir)) {
        const role = f.split("-")[0];
        byRole.set(role, [...(byRole.get(role) ?? []), path.join(dir, f)]);
    }
    return new Map([...byRole].map(([role, fs]) => [role, summarizeBy(fs)]));
}

async function main(): Promise<void> {
    const w = await getWorld();
    const noop = new TestStack(w, "preview-noop", noopProgram);
    noop.setSettings({ count: 1 });
    await noop.run("up");
    const arms: Arm[] = [];
    const worlds = [{ name: "this", world: w }];
    if (base) {
        const programsDir = path.join(w.dir, `programs-base-${base.slice(0, 8)}`);
        npmInstall(programsDir, [packCommit(base), `@pulumi/pulumi@${w.line.pulumiVersion}`], lineEnv(w.line));
        worlds.push({ name: `base ${base.slice(0, 7)}`, world: { ...w, programsDir } });
    }
    for (const [i, { name, world }] of worlds.entries()) {
        const src = path.join(w.dir, `preview-tree-${i}`);
        makeTree(src, files);
        const s = new TestStack(world, `preview-tree-${i}`, dirsAndTreesProgram);
        const dest = path.join(remoteDir(w, `preview-tree-${i}`), "site");
        s.setSettings({ connection: sshConnection(w), trees: [{ name: "site", source: src, destination: dest }] });
        const r = await s.run("up");
        if (r.code !== 0) {
            throw new Error(`${name}: up failed:\n${r.output}`);
        }
        await preview(s); // the local hash cache settles (files newer than its racy window are hashed again)
        arms.push({ name, stack: s });
    }
    const rows = new Map<string, { wall: number[]; over: number[]; cpu: Record<string, number[]> }>();
    const row = (k: string) => rows.get(k) ?? rows.set(k, { wall: [], over: [], cpu: {} }).get(k)!;
    for (let rep = 0; rep < reps; rep++) {
        const order: [string, TestStack][] = [
            ["no-op", noop],
            ...arms.map((a): [string, TestStack] => [a.name, a.stack]),
        ];
        const got = new Map<string, Awaited<ReturnType<typeof preview>>>();
        for (const [name, s] of rep % 2 === 0 ? order : order.reverse()) {
            got.set(name, await preview(s));
            log(`rep ${rep + 1}/${reps} ${name}: ${got.get(name)!.wall.toFixed(2)} s`);
        }
        for (const [name, r] of got) {
            const x = row(name);
            x.wall.push(r.wall);
            x.over.push(r.wall - got.get("no-op")!.wall);
            for (const [role, s] of Object.entries(r.cpu)) {
                x.cpu[role] = [...(x.cpu[role] ?? []), s];
            }
        }
    }
    console.log(`\n### unchanged preview, ${files} files, medians of ${reps} alternating rounds (s)\n`);
    for (const [name, x] of rows) {
        const cpu = Object.entries(x.cpu)
            .map(([role, xs]): [string, number] => [role, median(xs)])
            .filter(([, s]) => s >= 0.05)
            .sort((a, b) => b[1] - a[1])
            .map(([role, s]) => `${role.split(" ")[0]} ${s.toFixed(2)}`);
        console.log(
            `${name.padEnd(14)} wall ${median(x.wall).toFixed(2)}  − no-op ${median(x.over).toFixed(2)}  CPU: ${cpu.join(", ")}`,
        );
        console.log(`${"".padEnd(14)} walls ${x.wall.map((v) => v.toFixed(2)).join(" ")}`);
    }
    if (engineLog) {
        const out: string[] = [];
        for (const [name, s] of [["no-op", noop] as const, ...arms.map((a) => [a.name, a.stack] as const)]) {
            const r = await s.run("preview", ["-v=9", "--logtostderr", "--logflow"]);
            out.push(`===== ${name}\n${r.output}`);
        }
        fs.writeFileSync(engineLog, out.join("\n"));
    }
    if (!profile) {
        return;
    }
    process.env.NODE_OPTIONS = `--require ${path.join(__dirname, "cpuProfiler.js")}`;
    const profiles = new Map<string, Map<string, Map<string, number>>>();
    for (const [name, s] of [["no-op", noop] as const, ...arms.map((a) => [a.name, a.stack] as const)]) {
        const dir = path.join(w.dir, `cpuprof-preview-${profiles.size}`);
        fs.mkdirSync(dir);
        process.env.FILEDROP_CPU_PROF_DIR = dir;
        await preview(s);
        profiles.set(name, profiled(dir));
    }
    delete process.env.NODE_OPTIONS;
    const floor = profiles.get("no-op")!;
    for (const a of arms) {
        for (const [role, fns] of profiles.get(a.name)!) {
            const f0 = floor.get(role) ?? new Map<string, number>();
            const total = (m: Map<string, number>) => [...m.values()].reduce((x, y) => x + y, 0);
            const idle = (m: Map<string, number>) => m.get("(idle) :0") ?? 0;
            console.log(
                `\n${a.name}, ${role}: ${(total(fns) - idle(fns)).toFixed(0)} ms busy (no-op ${(total(f0) - idle(f0)).toFixed(0)}); self ms over the no-op's:`,
            );
            const over = [...fns].map(([fn, ms]): [string, number] => [fn, ms - (f0.get(fn) ?? 0)]);
            for (const [fn, ms] of over.sort((x, y) => y[1] - x[1]).slice(0, 18)) {
                console.log(`  ${fn.slice(0, 90).padEnd(90)} ${ms.toFixed(0)}`);
            }
        }
    }
}

runBench(main);
