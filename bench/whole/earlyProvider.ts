/**
 * The dynamic-provider host started early (sdk/providerStart.ts), with and without, alternating in one run:
 *
 *   npx tsc -p tsconfig.json && node dist/bench/whole/earlyProvider.js [--reps 6] [--only large,files,tree,noop1] [--big-mib 1024]
 *
 * "without" sets FILEDROP_NO_EARLY_PROVIDER=1 for the `pulumi` commands of that arm; the arms alternate in each
 * repetition (forwards on even, backwards on odd ones), so the machine's noise lands on both. Rows: one file of
 * `--big-mib` MiB (`up`), 200 RemoteFiles of 1 KiB (`up`, then an unchanged `preview`), a RemoteTree of 1000 × 4 KiB
 * (first `up`); and one no-op dynamic resource, which has no filedrop resource and so shows the noise between arms.
 * Each run is a fresh stack and remote folder; the large file is checked by SHA-256 on the server. Not part of
 * `npm test`.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { remoteFilesProgram } from "../../test/harness/programs";
import { TestStack } from "../../test/harness/stack";
import { dirsAndTreesProgram } from "../../test/harness/treePrograms";
import { getWorld, remoteDir, sshConnection } from "../../test/harness/world";
import { argOf, log, median, writeRandomFile } from "../common";
import { makeTree } from "./benchTree";
import { runBench } from "./lifecycle";
import { sameFile } from "./verify";

const reps = Number(argOf("reps", "6"));
const only = argOf("only", "large,files,tree,noop1").split(",");
const bigMib = Number(argOf("big-mib", "1024"));

const oneNoop = `
const pulumi = require("@pulumi/pulumi");
const provider = { async create(inputs) { return { id: "n0", outs: inputs }; } };
new pulumi.dynamic.Resource(provider, "n0", { content: "x".repeat(1024) });
module.exports = {};
`;

const samples = new Map<string, number[]>();

async function timed(s: TestStack, cmd: "up" | "preview", key: string): Promise<void> {
    await s.select();
    const t0 = performance.now();
    const r = await s.run(cmd);
    if (r.code !== 0) {
        throw new Error(`${s.name}: pulumi ${cmd} failed (exit ${r.code}):\n${r.output}`);
    }
    const secs = (performance.now() - t0) / 1000;
    samples.set(key, [...(samples.get(key) ?? []), secs]);
    log(`  ${key}: ${secs.toFixed(2)}`);
}

async function main(): Promise<void> {
    const w = await getWorld();
    const connection = sshConnection(w);
    const work = path.join(w.dir, "bench-early");
    const big = path.join(work, "big.bin");
    const small = path.join(work, "small");
    const tree = path.join(work, "tree");
    fs.mkdirSync(small, { recursive: true });
    writeRandomFile(big, bigMib);
    for (let i = 0; i < 200; i++) {
        fs.writeFileSync(path.join(small, `f${i}.txt`), randomBytes(512).toString("hex"));
    }
    makeTree(tree);
    let seq = 0;
    const stack = (name: string, program: string, settings: unknown) => {
        const s = new TestStack(w, `bench-early-${name}-${++seq}`, program);
        s.setSettings(settings);
        return s;
    };
    for (let rep = 0; rep < reps; rep++) {
        for (const arm of rep % 2 === 0 ? ["without", "with"] : ["with", "without"]) {
            log(`rep ${rep + 1}/${reps}: ${arm}`);
            if (arm === "without") {
                process.env.FILEDROP_NO_EARLY_PROVIDER = "1"; // TestStack passes process.env to pulumi
            } else {
                delete process.env.FILEDROP_NO_EARLY_PROVIDER;
            }
            if (only.includes("noop1")) {
                await timed(stack("noop1", oneNoop, {}), "up", `one no-op dynamic resource, up|${arm}`);
            }
            if (only.includes("large")) {
                const dest = path.join(remoteDir(w, "bench-early-large"), "big.bin");
                const s = stack("large", remoteFilesProgram, {
                    connection,
                    files: [{ name: "big", path: dest, source: big }],
                });
                await timed(s, "up", `one ${bigMib} MiB RemoteFile, up|${arm}`);
                await sameFile(big, dest, "RemoteFile");
                await s.run("destroy");
            }
            if (only.includes("files")) {
                const dir = remoteDir(w, "bench-early-files");
                const files = Array.from({ length: 200 }, (_, i) => ({
                    name: `f${i}`,
                    path: path.join(dir, `f${i}.txt`),
                    source: path.join(small, `f${i}.txt`),
                }));
                const s = stack("files", remoteFilesProgram, { connection, files });
                await timed(s, "up", `200 RemoteFiles, first up|${arm}`);
                await timed(s, "preview", `200 RemoteFiles, unchanged preview|${arm}`);
                await s.run("destroy");
            }
            if (only.includes("tree")) {
                const destination = path.join(remoteDir(w, "bench-early-tree"), "site");
                const s = stack("tree", dirsAndTreesProgram, {
                    connection,
                    trees: [{ name: "site", source: tree, destination }],
                });
                await timed(s, "up", `RemoteTree 1000 × 4 KiB, first up|${arm}`);
                await s.run("destroy");
            }
        }
    }
    delete process.env.FILEDROP_NO_EARLY_PROVIDER;
    const rows = [...new Set([...samples.keys()].map((k) => k.split("|")[0]))];
    const lines = [
        `medians of ${reps}, seconds (runs in order)`,
        "",
        "| what | without | with | saved |",
        "| --- | --- | --- | --- |",
    ];
    for (const r of rows) {
        const off = samples.get(`${r}|without`) ?? [];
        const on = samples.get(`${r}|with`) ?? [];
        const runs = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(" / ");
        lines.push(
            `| ${r} | ${median(off).toFixed(2)} (${runs(off)}) | ${median(on).toFixed(2)} (${runs(on)}) | ${(median(off) - median(on)).toFixed(2)} s |`,
        );
    }
    process.stdout.write(`${lines.join("\n")}\n`);
}

runBench(main);
