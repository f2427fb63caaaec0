/**
 * 200 RemoteFiles on the setup of issue 22 (item 3) beside the bench's usual one and Pulumi's floor, in one run, with
 * each difference alone, to find which one costs the time:
 *
 *   npx tsc -p tsconfig.json && node dist/bench/whole/setups.js [--reps 3] [--resources 200] [--only usual,slow,…] [--timeout 2400]
 *
 * Setups (every one: `pulumi up` of N RemoteFiles of 1 KiB, then an unchanged `preview`; a fresh stack and remote
 * folder each time, every file checked by SHA-256 on the server):
 *   usual       JavaScript program, the harness's login user, `knownHosts` file, sshd like the harness's (internal-sftp, UsePAM no)
 *   slow        TypeScript program run by ts-node as Pulumi runs it (type-checked, `pulumi new`'s tsconfig), root,
 *               `knownHosts` file, a stock sshd (UsePAM yes, …) with `Subsystem sftp internal-sftp`
 *   ts, root, hostKey, sftpServer, stock: the usual setup with that one difference (hostKey: the key pinned
 *               instead of a knownHosts file; sftpServer: OpenSSH's sftp-server program instead of internal-sftp;
 *               stock: UsePAM yes and Debian's other defaults)
 *   tsNoCheck   the slow setup with `PULUMI_NODEJS_TRANSPILE_ONLY=true` (what a user can set)
 * Floors: N no-op dynamic resources of 1 KiB input, in JavaScript (`noop`) and in TypeScript (`noopTs`).
 * Groups run forwards on even repetitions and backwards on odd ones. CPU seconds per process role are recorded too.
 * Not part of `npm test`.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { TestStack } from "../../test/harness/stack";
import { getWorld, onStopWorld, REPO, type World } from "../../test/harness/world";
import { argOf, log, median } from "../common";
import { type BenchSshd, startBenchSshd } from "./benchSshd";
import { sampleCpu } from "./cpuTimes";
import { runBench } from "./lifecycle";
import { type PeakSampler, samplePeak } from "./peakMemory";
import { filesProgram, noopFilesProgram, userTsconfig } from "./setupPrograms";
import { sameTree } from "./verify";

const reps = Number(argOf("reps", "3"));
const resources = Number(argOf("resources", "200"));
const timeoutS = Number(argOf("timeout", "2400"));
const only = argOf("only", "").split(",").filter(Boolean);

interface Setup {
    name: string;
    ts: boolean;
    root: boolean;
    trust: "knownHosts" | "hostKey";
    server: "harness" | "stock" | "sftpServer";
    env?: Record<string, string>;
}

const SETUPS: Setup[] = [
    { name: "usual", ts: false, root: false, trust: "knownHosts", server: "harness" },
    { name: "slow", ts: true, root: true, trust: "knownHosts", server: "stock" },
    { name: "ts", ts: true, root: false, trust: "knownHosts", server: "harness" },
    { name: "root", ts: false, root: true, trust: "knownHosts", server: "harness" },
    { name: "hostKey", ts: false, root: false, trust: "hostKey", server: "harness" },
    { name: "sftpServer", ts: false, root: false, trust: "knownHosts", server: "sftpServer" },
    { name: "stock", ts: false, root: false, trust: "knownHosts", server: "stock" },
    {
        name: "tsNoCheck",
        ts: true,
        root: true,
        trust: "knownHosts",
        server: "stock",
        env: { PULUMI_NODEJS_TRANSPILE_ONLY: "true" },
    },
];

const samples = new Map<string, number[]>();
function add(key: string, v: number): void {
    samples.set(key, [...(samples.get(key) ?? []), v]);
    log(`  ${key}: ${v.toFixed(2)}`);
}

let seq = 0;
function stack(w: World, name: string, ts: boolean, program: string, settings: unknown): TestStack {
    const s = new TestStack(w, `setups-${name}-${++seq}`, program);
    if (ts) {
        fs.rmSync(path.join(s.dir, "index.js"));
        fs.writeFileSync(path.join(s.dir, "index.ts"), program);
        fs.writeFileSync(path.join(s.dir, "tsconfig.json"), JSON.stringify(userTsconfig, null, 4));
        fs.writeFileSync(path.join(s.dir, "Pulumi.yaml"), `name: ${s.name}\nruntime: nodejs\nmain: index.ts\n`);
    }
    s.setSettings(settings);
    return s;
}

/** Links the TypeScript tool chain into the programs folder, as `pulumi new typescript` installs it. */
function linkTypeScript(w: World): void {
    for (const m of ["typescript", "ts-node", "@types/node"]) {
        const link = path.join(w.programsDir, "node_modules", m);
        if (!fs.existsSync(link)) {
            fs.mkdirSync(path.dirname(link), { recursive: true });
            fs.symlinkSync(path.join(REPO, "node_modules", m), link);
        }
    }
}

async function timedRun(s: TestStack, cmd: "up" | "preview", key: string, env: Record<string, string> = {}) {
    await s.select();
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env); // TestStack passes process.env to pulumi
    let sampler: PeakSampler | undefined;
    let cpu: ReturnType<typeof sampleCpu> | undefined;
    const t0 = performance.now();
    const r = await s.run(cmd, [], (pid) => {
        sampler = samplePeak(pid);
        cpu = sampleCpu(pid);
    });
    const secs = (performance.now() - t0) / 1000;
    for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) {
            delete process.env[k];
        } else {
            process.env[k] = v;
        }
    }
    const peak = sampler?.stop();
    const byRole = cpu?.stop() ?? {};
    if (r.code !== 0) {
        throw new Error(`${s.name}: pulumi ${cmd} failed (exit ${r.code}):\n${r.output}`);
    }
    const expected = cmd === "up" ? "create" : "same";
    if (r.summary[expected] !== resources + 1) {
        throw new Error(`${s.name}: pulumi ${cmd} summary ${JSON.stringify(r.summary)}`);
    }
    add(key, secs);
    if (peak !== undefined) {
        add(`${key}.rss`, peak);
    }
    for (const [role, ms] of Object.entries(byRole)) {
        if (role.includes("(")) {
            samples.set(`${key}.cpu.${role}`, [...(samples.get(`${key}.cpu.${role}`) ?? []), ms / 1000]);
        }
    }
}

async function main(): Promise<void> {
    const deadline = Date.now() + timeoutS * 1000;
    const w = await getWorld();
    linkTypeScript(w);
    const work = path.join(w.dir, "bench-setups");
    const src = path.join(work, "files1k");
    fs.mkdirSync(src, { recursive: true });
    for (let i = 0; i < resources; i++) {
        fs.writeFileSync(path.join(src, `f${i}.txt`), randomBytes(1024));
    }
    const servers: Record<Setup["server"], BenchSshd> = {
        harness: await startBenchSshd(path.join(work, "sshd-harness")),
        stock: await startBenchSshd(path.join(work, "sshd-stock"), { stock: true, logLevel: "INFO" }),
        sftpServer: await startBenchSshd(path.join(work, "sshd-sftp-server"), { sftp: "sftp-server" }),
    };
    for (const s of Object.values(servers)) {
        onStopWorld(() => s.stop());
    }
    const remoteFolder = (root: boolean, name: string) => {
        const d = path.join(w.remoteRoot, `${name}-${++seq}`);
        fs.mkdirSync(d);
        if (!root) {
            fs.chownSync(d, w.uid, w.gid);
        }
        return d;
    };
    const groups: { name: string; run(): Promise<void> }[] = [
        ...[false, true].map((ts) => {
            const name = ts ? "noopTs" : "noop";
            return {
                name,
                async run() {
                    const s = stack(w, name, ts, noopFilesProgram(ts), { count: resources });
                    await timedRun(s, "up", `${name}.up`);
                    await timedRun(s, "preview", `${name}.preview`);
                },
            };
        }),
        ...SETUPS.map((setup) => ({
            name: setup.name,
            async run() {
                const sshd = servers[setup.server];
                const dest = remoteFolder(setup.root, setup.name);
                const connection = {
                    host: "127.0.0.1",
                    port: sshd.port,
                    user: setup.root ? "root" : sshd.user,
                    privateKey: sshd.privateKey,
                    ...(setup.trust === "knownHosts"
                        ? { knownHosts: sshd.knownHostsPath }
                        : { hostKey: sshd.hostPublicKey }),
                };
                const files = Array.from({ length: resources }, (_, i) => ({
                    name: `f${i}`,
                    path: path.join(dest, `f${i}.txt`),
                    source: path.join(src, `f${i}.txt`),
                }));
                const s = stack(w, setup.name, setup.ts, filesProgram(setup.ts), { connection, files });
                await timedRun(s, "up", `${setup.name}.up`, setup.env);
                await sameTree(src, dest, `${setup.name} RemoteFiles`);
                await timedRun(s, "preview", `${setup.name}.preview`, setup.env);
            },
        })),
    ];
    const chosen = only.length ? groups.filter((g) => only.includes(g.name)) : groups;
    for (let rep = 0; rep < reps; rep++) {
        for (const g of rep % 2 === 0 ? chosen : [...chosen].reverse()) {
            if (Date.now() > deadline) {
                throw new Error(`time box of ${timeoutS}s exceeded`);
            }
            log(`rep ${rep + 1}/${reps}: ${g.name}`);
            await g.run();
        }
    }
    report();
}

function med(key: string): number | undefined {
    const xs = samples.get(key);
    return xs?.length ? median(xs) : undefined;
}

function report(): void {
    const f = (x: number | undefined, d = 2) => (x === undefined ? "–" : x.toFixed(d));
    const lines = [
        `${resources} RemoteFiles of 1 KiB per setup, medians of ${reps} (runs in order); ratios to the no-op floor in the same language`,
        "",
        "| setup | up s (runs) | up / floor | preview s (runs) | preview / floor | program CPU up | provider CPU up | engine CPU up | provider peak MiB |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ];
    const runs = (k: string) => (samples.get(k) ?? []).map((x) => x.toFixed(2)).join(" / ");
    for (const name of ["noop", "noopTs", ...SETUPS.map((s) => s.name)]) {
        if (!samples.has(`${name}.up`)) {
            continue;
        }
        const ts = name === "noopTs" || SETUPS.find((s) => s.name === name)?.ts;
        const floor = ts ? "noopTs" : "noop";
        const up = med(`${name}.up`);
        const pv = med(`${name}.preview`);
        const fu = med(`${floor}.up`);
        const fp = med(`${floor}.preview`);
        const r = (a?: number, b?: number, of = floor) => (a !== undefined && b ? `${(a / b).toFixed(2)}× ${of}` : "–");
        lines.push(
            `| ${name} | ${f(up)} (${runs(`${name}.up`)}) | ${r(up, fu)}${ts ? ` (${r(up, med("noop.up"), "noop")})` : ""} | ${f(pv)} (${runs(`${name}.preview`)}) | ${r(pv, fp)}${ts ? ` (${r(pv, med("noop.preview"), "noop")})` : ""} | ${f(med(`${name}.up.cpu.program (node)`))} | ${f(med(`${name}.up.cpu.dynamic-provider host (node)`))} | ${f(med(`${name}.up.cpu.pulumi CLI / engine (Go)`))} | ${f(med(`${name}.up.rss`), 0)} |`,
        );
    }
    console.log(`\n${lines.join("\n")}`);
    console.log(
        `\n${JSON.stringify(Object.fromEntries([...samples].map(([k, xs]) => [k, { median: median(xs), runs: xs }])))}`,
    );
}

runBench(main, () => {
    if (samples.size) {
        report();
    }
});
