/**
 * What a user waits for: whole `pulumi` commands through the real CLI and the packed package, exactly as the tests
 * run them (test/harness), side by side in one run with Pulumi's own floor and with other tools (issue 13):
 *
 *   npx tsc -p tsconfig.json && node dist/bench/whole/main.js [--reps 3] [--only a,b] [--big-mib 1024] [--mid-mib 200] [--timeout 2400]
 *
 * Yardsticks: an empty-stack `pulumi up`, one dynamic resource whose provider does nothing (the floor of any stack
 * with a dynamic resource: the dynamic-provider host starts), and N (200) of them (up, and an unchanged preview). Rows: N RemoteFiles of 1 KiB (up, unchanged preview); a 1000-file RemoteTree (first up, and
 * the up after 3 edits, 2 adds, 1 delete) beside OpenSSH `sftp put -r`, lftp `mirror -R` and rclone `sync`; one
 * file of 200 MiB and of 1 GiB under `pulumi up` with the dynamic-provider process's peak memory (VmHWM, polled),
 * beside OpenSSH `sftp` (default cipher and aes128-gcm), lftp and rclone. Every result is verified by SHA-256 of
 * what is on the server (the sshd runs on this machine). Each row is a median of `--reps` runs; each run is a fresh
 * stack and a fresh remote folder. The machine is shared, so every repetition runs all groups (subjects and
 * yardsticks interleaved), forwards on even repetitions and backwards on odd ones: noise lands on both sides of a
 * ratio. Progress goes to stderr; the table and a one-line JSON summary to stdout. Not part of `npm test`.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { remoteFilesProgram } from "../../test/harness/programs";
import { TestStack } from "../../test/harness/stack";
import { dirsAndTreesProgram } from "../../test/harness/treePrograms";
import { getWorld, remoteDir, sshConnection, type World } from "../../test/harness/world";
import { argOf, log, median, writeRandomFile } from "../common";
import { editTree, makeTree } from "./benchTree";
import { runBench } from "./lifecycle";
import { type PeakSampler, samplePeak } from "./peakMemory";
import { emptyProgram, noopProgram } from "./programs";
import { installed, lftp, openSsh, rclone } from "./tools";
import { sameFile, sameTree } from "./verify";

const reps = Number(argOf("reps", "3"));
const only = argOf("only", "").split(",").filter(Boolean);
const midMib = Number(argOf("mid-mib", "200"));
const bigMib = Number(argOf("big-mib", "1024"));
const resources = Number(argOf("resources", "200"));
const timeoutS = Number(argOf("timeout", "2400"));

/** Samples per row key (seconds, or MiB for memory rows). */
const samples = new Map<string, number[]>();
function add(key: string, v: number): void {
    samples.set(key, [...(samples.get(key) ?? []), v]);
    log(`  ${key}: ${v.toFixed(2)}`);
}

let seq = 0;
function stack(w: World, name: string, program: string, settings: unknown): TestStack {
    const s = new TestStack(w, `bench-${name}-${++seq}`, program);
    s.setSettings(settings);
    return s;
}

/**
 * Runs `pulumi <cmd>` on the stack (selected beforehand, so only the command is timed) and records its seconds as
 * `key` and the dynamic-provider process's peak memory as `key.rss` (when one ran).
 */
async function timedRun(
    s: TestStack,
    cmd: "up" | "preview",
    key: string,
    expect?: (summary: Record<string, number>) => boolean,
): Promise<void> {
    await s.select();
    let sampler: PeakSampler | undefined;
    const t0 = performance.now();
    const r = await s.run(cmd, [], (pid) => (sampler = samplePeak(pid)));
    const secs = (performance.now() - t0) / 1000;
    const peak = sampler?.stop();
    if (r.code !== 0) {
        throw new Error(`${s.name}: pulumi ${cmd} failed (exit ${r.code}):\n${r.output}`);
    }
    if (expect && !expect(r.summary)) {
        throw new Error(`${s.name}: pulumi ${cmd} summary ${JSON.stringify(r.summary)} is not what was expected`);
    }
    add(key, secs);
    if (peak !== undefined) {
        add(`${key}.rss`, peak);
    }
}

const unchanged = (n: number) => (sum: Record<string, number>) =>
    (sum.same ?? 0) === n && Object.keys(sum).every((k) => k === "same");

interface Group {
    name: string;
    run(w: World, rep: number): Promise<void>;
}

function groups(w: World): Group[] {
    const conn = sshConnection(w);
    const work = path.join(w.dir, "bench-whole");
    fs.mkdirSync(work, { recursive: true });
    const files1k = path.join(work, "files1k");
    fs.mkdirSync(files1k, { recursive: true });
    for (let i = 0; i < resources; i++) {
        fs.writeFileSync(path.join(files1k, `f${i}.txt`), randomBytes(1024));
    }
    const all: Group[] = [
        {
            name: "empty",
            async run() {
                await timedRun(stack(w, "empty", emptyProgram, {}), "up", "empty.up");
            },
        },
        {
            name: "noop1",
            async run() {
                // The floor of any stack with one dynamic resource: what the RemoteTree rows pay before any work.
                await timedRun(
                    stack(w, "noop1", noopProgram, { count: 1 }),
                    "up",
                    "noop1.up",
                    (sum) => sum.create === 2,
                );
            },
        },
        {
            name: "noop",
            async run() {
                const s = stack(w, "noop", noopProgram, { count: resources });
                await timedRun(s, "up", "noop.up", (sum) => sum.create === resources + 1);
                await timedRun(s, "preview", "noop.preview", unchanged(resources + 1));
            },
        },
        {
            name: "files",
            async run() {
                const dest = remoteDir(w, "bench-files");
                const files = Array.from({ length: resources }, (_, i) => ({
                    name: `f${i}`,
                    path: path.join(dest, `f${i}.txt`),
                    source: path.join(files1k, `f${i}.txt`),
                }));
                const s = stack(w, "files", remoteFilesProgram, { connection: conn, files });
                await timedRun(s, "up", "files.up", (sum) => sum.create === resources + 1);
                await sameTree(files1k, dest, "RemoteFiles");
                await timedRun(s, "preview", "files.preview", unchanged(resources + 1));
            },
        },
        {
            name: "tree",
            async run(_w, rep) {
                const src = path.join(work, `tree-ours-${rep}`);
                makeTree(src);
                const dest = path.join(remoteDir(w, "bench-tree"), "site");
                const s = stack(w, "tree", dirsAndTreesProgram, {
                    connection: conn,
                    trees: [{ name: "site", source: src, destination: dest }],
                });
                await timedRun(s, "up", "tree.up", (sum) => sum.create === 2); // the stack and the tree
                await sameTree(src, dest, "RemoteTree first up");
                editTree(src);
                await timedRun(s, "up", "tree.inc", (sum) => sum.update === 1);
                await sameTree(src, dest, "RemoteTree incremental up");
            },
        },
        {
            name: "treeTools",
            async run(_w, rep) {
                const src = path.join(work, `tree-tools-${rep}`);
                makeTree(src);
                const o = path.join(remoteDir(w, "bench-tree-openssh"), "site");
                add("tree.openssh", openSsh(w, work, [`put -r ${src} ${o}`]) / 1000);
                await sameTree(src, o, "sftp put -r");
                const tools: [string, (dest: string) => number][] = [];
                if (installed("lftp")) {
                    tools.push(["lftp", (d) => lftp(w, `mirror -R --delete ${src} ${d}`)]);
                }
                if (installed("rclone")) {
                    tools.push(["rclone", (d) => rclone(w, work, ["sync", src, `:sftp:${d}`])]);
                }
                const dests = tools.map(([name]) => path.join(remoteDir(w, `bench-tree-${name}`), "site"));
                for (const [i, [name, f]] of tools.entries()) {
                    add(`tree.${name}.up`, f(dests[i]) / 1000);
                    await sameTree(src, dests[i], `${name} first`);
                }
                editTree(src);
                for (const [i, [name, f]] of tools.entries()) {
                    add(`tree.${name}.inc`, f(dests[i]) / 1000);
                    await sameTree(src, dests[i], `${name} incremental`);
                }
            },
        },
        {
            name: "large",
            async run() {
                for (const mib of [midMib, bigMib]) {
                    const src = path.join(work, `large-${mib}.bin`);
                    if (!fs.existsSync(src)) {
                        writeRandomFile(src, mib);
                    }
                    const dir = remoteDir(w, `bench-large-${mib}`);
                    const dest = path.join(dir, "big.bin");
                    const s = stack(w, `large${mib}`, remoteFilesProgram, {
                        connection: conn,
                        files: [{ name: "big", path: dest, source: src }],
                    });
                    await timedRun(s, "up", `large${mib}.up`);
                    if (
                        (samples.get(`large${mib}.up.rss`)?.length ?? 0) !==
                        (samples.get(`large${mib}.up`)?.length ?? 0)
                    ) {
                        throw new Error("no dynamic-provider process was seen under pulumi up");
                    }
                    await sameFile(src, dest, `RemoteFile of ${mib} MiB`);
                    fs.rmSync(dir, { recursive: true, force: true });
                }
                const src = path.join(work, `large-${bigMib}.bin`);
                const tools: [string, (dest: string) => number][] = [
                    ["sftp", (d) => openSsh(w, work, [`put ${src} ${d}`])],
                    ["sftpGcm", (d) => openSsh(w, work, [`put ${src} ${d}`], "aes128-gcm@openssh.com")],
                ];
                if (installed("lftp")) {
                    tools.push(["lftp", (d) => lftp(w, `put ${src} -o ${d}`)]);
                }
                if (installed("rclone")) {
                    tools.push(["rclone", (d) => rclone(w, work, ["copyto", src, `:sftp:${d}`])]);
                }
                for (const [name, f] of tools) {
                    const dir = remoteDir(w, `bench-large-${name}`);
                    const dest = path.join(dir, "big.bin");
                    add(`large${bigMib}.${name}`, f(dest) / 1000);
                    await sameFile(src, dest, `${name} put`);
                    fs.rmSync(dir, { recursive: true, force: true });
                }
            },
        },
    ];
    return only.length ? all.filter((g) => only.includes(g.name)) : all;
}

function med(key: string): number | undefined {
    const xs = samples.get(key);
    return xs?.length ? median(xs) : undefined;
}

function report(): void {
    const lines: string[] = [];
    const row = (what: string, key: string, floorKey?: string, target?: string, unit = "s") => {
        const xs = samples.get(key);
        if (!xs?.length) {
            return;
        }
        const m = median(xs);
        const f = floorKey ? med(floorKey) : undefined;
        const ratio = f ? `${(m / f).toFixed(2)}×` : "";
        lines.push(
            `| ${what.padEnd(60)} | ${xs
                .map((x) => x.toFixed(2))
                .join(" / ")
                .padEnd(
                    22,
                )} | ${`${m.toFixed(2)} ${unit}`.padEnd(11)} | ${(floorKey ?? "").padEnd(12)} | ${ratio.padEnd(6)} | ${(target ?? "").padEnd(8)} |`,
        );
    };
    lines.push(
        `| ${"what".padEnd(60)} | ${"runs".padEnd(22)} | ${"median".padEnd(11)} | ${"floor".padEnd(12)} | ${"ratio".padEnd(6)} | ${"target".padEnd(8)} |`,
    );
    lines.push(
        `|${"-".repeat(62)}|${"-".repeat(24)}|${"-".repeat(13)}|${"-".repeat(14)}|${"-".repeat(8)}|${"-".repeat(10)}|`,
    );
    row("empty-stack pulumi up (floor)", "empty.up");
    row("one no-op dynamic resource, up (floor of any dynamic resource)", "noop1.up", "empty.up");
    row(`${resources} no-op dynamic resources, up (floor)`, "noop.up");
    row(`${resources} no-op dynamic resources, unchanged preview (floor)`, "noop.preview");
    row(`${resources} RemoteFiles of 1 KiB, first up`, "files.up", "noop.up", "≤ 1.5×");
    row(`${resources} RemoteFiles, unchanged preview`, "files.preview", "noop.preview", "≤ 1.2×");
    row("RemoteTree 1000×4 KiB, first up", "tree.up", "empty.up", "≤ 2×");
    row("RemoteTree after 3 edits/2 adds/1 delete, up", "tree.inc", "empty.up", "≤ 1.6×");
    row("  RemoteTree first up / one no-op dynamic resource", "tree.up", "noop1.up");
    row("  RemoteTree incremental up / one no-op dynamic resource", "tree.inc", "noop1.up");
    row("  OpenSSH sftp put -r, first", "tree.openssh");
    row("  lftp mirror -R, first", "tree.lftp.up");
    row("  lftp mirror -R --delete, after the changes", "tree.lftp.inc");
    row("  rclone sync, first", "tree.rclone.up");
    row("  rclone sync, after the changes", "tree.rclone.inc");
    row(`provider peak memory, ${resources} no-op dynamic resources (floor)`, "noop.up.rss", undefined, "", "MiB");
    row(`provider peak memory, ${resources} RemoteFiles up`, "files.up.rss", "noop.up.rss", "≤ 100", "MiB");
    row("provider peak memory, RemoteTree first up", "tree.up.rss", "noop.up.rss", "≤ 100", "MiB");
    row(`provider peak memory, ${midMib} MiB file under up`, `large${midMib}.up.rss`, "noop.up.rss", "≤ 100", "MiB");
    row(`provider peak memory, ${bigMib} MiB file under up`, `large${bigMib}.up.rss`, "noop.up.rss", "≤ 100", "MiB");
    row(`one ${midMib} MiB RemoteFile, up`, `large${midMib}.up`);
    row(`one ${bigMib} MiB RemoteFile, up`, `large${bigMib}.up`);
    row(`  OpenSSH sftp put ${bigMib} MiB, default cipher`, `large${bigMib}.sftp`);
    row(`  OpenSSH sftp put ${bigMib} MiB, aes128-gcm`, `large${bigMib}.sftpGcm`);
    row(`  lftp put ${bigMib} MiB`, `large${bigMib}.lftp`);
    row(`  rclone copyto ${bigMib} MiB`, `large${bigMib}.rclone`);
    const big = med(`large${bigMib}.up`);
    const extra: string[] = [];
    // Above the empty stack (the issue's yardstick), and above one no-op dynamic resource (the host's start is
    // Pulumi's, not the transfer's).
    for (const [floorKey, floorName] of [
        ["empty.up", "the empty-stack floor"],
        ["noop1.up", "one no-op dynamic resource"],
    ]) {
        const floor = med(floorKey);
        if (big === undefined || floor === undefined) {
            continue;
        }
        const ours = (bigMib * 1.048576) / (big - floor);
        extra.push(`${bigMib} MiB RemoteFile above ${floorName}: ${ours.toFixed(0)} MB/s (verified, atomic)`);
        for (const [k, name] of [
            ["sftp", "OpenSSH sftp default cipher"],
            ["sftpGcm", "OpenSSH sftp aes128-gcm"],
        ]) {
            const t = med(`large${bigMib}.${k}`);
            if (t !== undefined) {
                const theirs = (bigMib * 1.048576) / t;
                extra.push(`  vs ${name}: ${theirs.toFixed(0)} MB/s → ${(ours / theirs).toFixed(2)}× (target ≥ 1.0×)`);
            }
        }
    }
    console.log(
        `\nwhole commands, medians of ${reps} (s unless marked); every result verified by SHA-256 on the server`,
    );
    console.log("subjects and yardsticks interleaved in every repetition (order reversed on odd repetitions)\n");
    console.log(lines.join("\n"));
    if (extra.length) {
        console.log(`\n${extra.join("\n")}`);
    }
    console.log(
        `\n${JSON.stringify(Object.fromEntries([...samples].map(([k, xs]) => [k, { median: median(xs), runs: xs }])))}`,
    );
}

async function main(): Promise<void> {
    const deadline = Date.now() + timeoutS * 1000;
    const w = await getWorld();
    const gs = groups(w);
    for (let rep = 0; rep < reps; rep++) {
        const order = rep % 2 === 0 ? gs : [...gs].reverse();
        for (const g of order) {
            if (Date.now() > deadline) {
                throw new Error(`time box of ${timeoutS}s exceeded`);
            }
            log(`rep ${rep + 1}/${reps}: ${g.name}`);
            await g.run(w, rep);
        }
    }
    report();
}

runBench(main, () => {
    if (samples.size) {
        report();
    }
});
