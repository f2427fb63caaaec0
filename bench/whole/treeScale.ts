/**
 * Big trees (issue 22): a RemoteTree of N files of 4 KiB (100 per folder) under whole `pulumi` commands, beside
 * lftp and rclone on the same sshd and one no-op dynamic resource (the floor), optionally beside an earlier commit's
 * package in the same run:
 *
 *   npx tsc -p tsconfig.json && node dist/bench/whole/treeScale.js [--sizes 1000,10000] [--reps 1] [--base 1a9e991]
 *     [--tools lftp,rclone]
 *
 * For each size and arm (this tree's package; with `--base`, that commit's package too): first `up`, unchanged
 * `preview`, `up` after 10 edits + 2 adds + 1 delete, the state file's bytes (and per file), the provider's and the
 * program's peak memory (VmHWM). Yardsticks: `lftp mirror -R --parallel=8` and `rclone sync` (sftp backend), first
 * and after the same edit; one no-op dynamic resource's `up` and unchanged `preview`. Every result is verified by
 * SHA-256 on the server. Sizes run in turn; within a repetition the arms and yardsticks alternate order (reversed
 * on odd repetitions). 50,000 files take several minutes per arm: pass them in `--sizes` when wanted.
 * lftp and rclone come from Debian (`bash bench/whole/installTools.sh`); rows for a missing tool are left out.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { lineEnv } from "../../test/harness/engine";
import { npmInstall, packCommit } from "../../test/harness/releasePackage";
import { TestStack } from "../../test/harness/stack";
import { dirsAndTreesProgram } from "../../test/harness/treePrograms";
import { getWorld, remoteDir, sshConnection, type World } from "../../test/harness/world";
import { argOf, log, median } from "../common";
import { editTreeScale, makeTree } from "./benchTree";
import { runBench } from "./lifecycle";
import { samplePeaks } from "./peakMemory";
import { noopProgram } from "./programs";
import { installed, lftp, rclone } from "./tools";
import { sameTree } from "./verify";

const sizes = argOf("sizes", "1000,10000").split(",").map(Number);
const reps = Number(argOf("reps", "1"));
const base = argOf("base", "");
/** The yardsticks to run (`--tools lftp` leaves rclone out: its 10k first sync alone takes minutes). */
const yardsticks = argOf("tools", "lftp,rclone").split(",");

const samples = new Map<string, number[]>();
function add(key: string, v: number): void {
    samples.set(key, [...(samples.get(key) ?? []), v]);
    log(`  ${key}: ${v.toFixed(2)}`);
}
const med = (key: string) => {
    const xs = samples.get(key);
    return xs?.length ? median(xs) : undefined;
};

let seq = 0;

/** Times `pulumi <cmd>` (stack selected first) as `key`, with peak memory as `key.provider` / `key.program`. */
async function timed(
    s: TestStack,
    cmd: "up" | "preview",
    key: string,
    expect: (sum: Record<string, number>) => boolean,
) {
    await s.select();
    let sampler: ReturnType<typeof samplePeaks> | undefined;
    const t0 = performance.now();
    const r = await s.run(cmd, [], (pid) => (sampler = samplePeaks(pid)));
    const secs = (performance.now() - t0) / 1000;
    const peak = sampler?.stop();
    if (r.code !== 0 || !expect(r.summary)) {
        throw new Error(`${s.name}: pulumi ${cmd} exit ${r.code}, summary ${JSON.stringify(r.summary)}:\n${r.output}`);
    }
    add(key, secs);
    if (peak?.provider !== undefined) {
        add(`${key}.provider`, peak.provider);
    }
    if (peak?.program !== undefined) {
        add(`${key}.program`, peak.program);
    }
}

/** Bytes of the stack's state file in the file backend. */
function stateBytes(s: TestStack): number {
    return fs.statSync(path.join(s.stateDir, ".pulumi", "stacks", s.name, "test.json")).size;
}

interface Arm {
    name: string;
    /** For stack and folder names (no spaces). */
    slug: string;
    world: World;
}

async function treeArm(arm: Arm, n: number, rep: number, work: string): Promise<void> {
    const w = arm.world;
    const k = (what: string) => `${n}.${arm.name}.${what}`;
    const src = path.join(work, `tree-${n}-${arm.slug}-${rep}`);
    makeTree(src, n);
    const destDir = remoteDir(w, `scale-${n}-${arm.slug}`);
    const dest = path.join(destDir, "site");
    const s = new TestStack(w, `scale-${n}-${arm.slug}-${++seq}`, dirsAndTreesProgram);
    s.setSettings({ connection: sshConnection(w), trees: [{ name: "site", source: src, destination: dest }] });
    await timed(s, "up", k("up"), (sum) => sum.create === 2);
    await sameTree(src, dest, `${arm.name} first up`);
    add(k("state"), stateBytes(s));
    add(k("statePerFile"), stateBytes(s) / n);
    await timed(s, "preview", k("preview"), (sum) => sum.same === 2 && Object.keys(sum).length === 1);
    editTreeScale(src, n);
    await timed(s, "up", k("inc"), (sum) => sum.update === 1);
    await sameTree(src, dest, `${arm.name} incremental up`);
    add(k("stateAfterInc"), stateBytes(s));
    fs.rmSync(src, { recursive: true, force: true });
    fs.rmSync(destDir, { recursive: true, force: true });
}

async function toolsRun(w: World, n: number, rep: number, work: string): Promise<void> {
    const tools: [string, (src: string, dest: string) => number][] = [];
    if (installed("lftp") && yardsticks.includes("lftp")) {
        tools.push(["lftp", (src, d) => lftp(w, `mirror -R --delete --parallel=8 ${src} ${d}`)]);
    }
    if (installed("rclone") && yardsticks.includes("rclone")) {
        tools.push(["rclone", (src, d) => rclone(w, work, ["sync", src, `:sftp:${d}`])]);
    }
    for (const [name, f] of tools) {
        const src = path.join(work, `tools-${n}-${name}-${rep}`);
        makeTree(src, n);
        const destDir = remoteDir(w, `scale-${n}-${name}`);
        const dest = path.join(destDir, "site");
        add(`${n}.${name}.up`, f(src, dest) / 1000);
        await sameTree(src, dest, `${name} first`);
        editTreeScale(src, n);
        add(`${n}.${name}.inc`, f(src, dest) / 1000);
        await sameTree(src, dest, `${name} incremental`);
        fs.rmSync(src, { recursive: true, force: true });
        fs.rmSync(destDir, { recursive: true, force: true });
    }
}

async function floor(w: World, n: number): Promise<void> {
    const s = new TestStack(w, `scale-noop-${++seq}`, noopProgram);
    s.setSettings({ count: 1 });
    await timed(s, "up", `${n}.noop.up`, (sum) => sum.create === 2);
    await timed(s, "preview", `${n}.noop.preview`, (sum) => sum.same === 2);
}

function report(arms: Arm[]): void {
    const f = (v: number | undefined, d = 2) => (v === undefined ? "–" : v.toFixed(d));
    const out: string[] = [];
    for (const n of sizes) {
        const noopUp = med(`${n}.noop.up`);
        const noopPv = med(`${n}.noop.preview`);
        const lftpUp = med(`${n}.lftp.up`);
        const lftpInc = med(`${n}.lftp.inc`);
        out.push(`\n### ${n} files of 4 KiB (medians of ${reps}; s unless marked)\n`);
        out.push(
            `yardsticks: one no-op dynamic resource up ${f(noopUp)} / unchanged preview ${f(noopPv)}, provider ${f(med(`${n}.noop.up.provider`), 0)} MiB, program ${f(med(`${n}.noop.up.program`), 0)} MiB; lftp mirror -R --parallel=8 first ${f(lftpUp)} / after the edit ${f(lftpInc)}; rclone sync first ${f(med(`${n}.rclone.up`))} / after the edit ${f(med(`${n}.rclone.inc`))}\n`,
        );
        out.push(`| what | ${arms.map((a) => a.name).join(" | ")} | target |`);
        out.push(`| --- | ${arms.map(() => "---").join(" | ")} | --- |`);
        const row = (what: string, cell: (a: Arm) => string, target: string) =>
            out.push(`| ${what} | ${arms.map(cell).join(" | ")} | ${target} |`);
        const m = (a: Arm, what: string) => med(`${n}.${a.name}.${what}`);
        row("first up", (a) => f(m(a, "up")), "");
        row(
            "  (first up − no-op up) / lftp first",
            (a) => f(((m(a, "up") ?? Number.NaN) - (noopUp ?? Number.NaN)) / (lftpUp ?? Number.NaN)),
            "≤ 1.5",
        );
        row("unchanged preview", (a) => f(m(a, "preview")), "");
        row("  preview − no-op preview", (a) => f((m(a, "preview") ?? Number.NaN) - (noopPv ?? Number.NaN)), "≤ 1 s");
        row("up after 10 edits, 2 adds, 1 delete", (a) => f(m(a, "inc")), "");
        row(
            "  that up / (no-op up + 2 × lftp after the edit)",
            (a) => f((m(a, "inc") ?? Number.NaN) / ((noopUp ?? Number.NaN) + 2 * (lftpInc ?? Number.NaN))),
            "≤ 1",
        );
        row("state file bytes (after first up)", (a) => f(m(a, "state"), 0), "");
        row("  bytes per file", (a) => f(m(a, "statePerFile"), 0), "≤ 100");
        for (const [cmd, label] of [
            ["up", "first up"],
            ["preview", "preview"],
            ["inc", "incremental up"],
        ]) {
            row(
                `provider peak MiB, ${label} (− no-op provider)`,
                (a) =>
                    `${f(m(a, `${cmd}.provider`), 0)} (+${f((m(a, `${cmd}.provider`) ?? Number.NaN) - (med(`${n}.noop.up.provider`) ?? Number.NaN), 0)})`,
                cmd === "up" ? "≤ +50 at 50k" : "",
            );
            row(`program peak MiB, ${label}`, (a) => f(m(a, `${cmd}.program`), 0), "");
        }
    }
    console.log(out.join("\n"));
    for (const f of failures) {
        console.log(`\nFAILED: ${f}`);
    }
    console.log(
        `\n${JSON.stringify(Object.fromEntries([...samples].map(([k, xs]) => [k, { median: median(xs), runs: xs }])))}`,
    );
}

const arms: Arm[] = [];
const failures: string[] = [];

async function main(): Promise<void> {
    const w = await getWorld();
    arms.push({ name: "this", slug: "this", world: w });
    if (base) {
        const programsDir = path.join(w.dir, `programs-base-${base.slice(0, 8)}`);
        npmInstall(programsDir, [packCommit(base), `@pulumi/pulumi@${w.line.pulumiVersion}`], lineEnv(w.line));
        arms.push({ name: `base ${base.slice(0, 7)}`, slug: "base", world: { ...w, programsDir } });
    }
    const work = path.join(w.dir, "bench-scale");
    fs.mkdirSync(work, { recursive: true });
    for (const n of sizes) {
        for (let rep = 0; rep < reps; rep++) {
            const steps: [string, () => Promise<void>][] = [
                ["floor", () => floor(w, n)],
                ...arms.map(
                    (a) =>
                        [
                            a.name,
                            // A failure (e.g. a provider out of memory) is a figure too: recorded, and the run goes on.
                            () =>
                                treeArm(a, n, rep, work).catch((e: unknown) => {
                                    failures.push(`${n} files, ${a.name}: ${(e as Error).message.slice(0, 2000)}`);
                                    log(`FAILED ${failures.at(-1)}`);
                                }),
                        ] as [string, () => Promise<void>],
                ),
                ["tools", () => toolsRun(w, n, rep, work)],
            ];
            for (const [name, run] of rep % 2 === 0 ? steps : [...steps].reverse()) {
                log(`${n} files, rep ${rep + 1}/${reps}: ${name}`);
                await run();
            }
        }
    }
    report(arms);
}

runBench(main, () => {
    if (samples.size) {
        report(arms);
    }
});
