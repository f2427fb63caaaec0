/**
 * A fleet in one stack (issue 22, item 4): H hosts, each a RemoteTree of 50 files of 4 KiB and a RemoteFile, through
 * the real CLI and packed package, every fleet size in one sitting:
 *
 *   npx tsc -p tsconfig.json && node dist/bench/whole/fleet.js [--hosts 50,200] [--timeout 1800]
 *
 * Each "host" is a distinct loopback address 127.22.x.y (only 127.0.0.0/8) of one of ⌈H/16⌉ sshd processes (OpenSSH
 * accepts at most 16 ListenAddress sockets per sshd), each logging at VERBOSE, from which the logins per address
 * are counted. Per fleet size: `pulumi up` (all created, every host's files checked by SHA-256), then an unchanged
 * `preview` (no change, no login on any host); wall time, failures, logins per host (max and total), and the
 * dynamic-provider process's peak memory (VmHWM). Everything is bounded by `--timeout`. Not part of `npm test`.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { TestStack } from "../../test/harness/stack";
import { getWorld, onStopWorld, type World } from "../../test/harness/world";
import { argOf, log } from "../common";
import { type BenchSshd, connectionsPerAddress, startBenchSshd } from "./benchSshd";
import { sampleCpu } from "./cpuTimes";
import { runBench } from "./lifecycle";
import { type PeakSampler, samplePeak } from "./peakMemory";
import { sameFile, sameTree } from "./verify";

const sizes = argOf("hosts", "50,200").split(",").map(Number);
const timeoutS = Number(argOf("timeout", "1800"));
/** `--skip-checkpoints`: PULUMI_SKIP_CHECKPOINTS=true for the fleet's commands (the state is written at the end only). */
const skipCheckpoints = process.argv.includes("--skip-checkpoints");
const TREE_FILES = 50;
const PER_SSHD = 16;

/** One RemoteTree and one RemoteFile per entry of settings.hosts, each host its own connection. */
const fleetProgram = `
const fs = require("fs");
const path = require("path");
const pulumi = require("@pulumi/pulumi");
const { RemoteFile, RemoteTree } = require("pulumi-filedrop");
const s = JSON.parse(fs.readFileSync(path.join(__dirname, "settings.json"), "utf8"));
const privateKey = pulumi.secret(s.privateKey);
for (const h of s.hosts) {
    const connection = { host: h.host, port: h.port, user: s.user, privateKey, knownHosts: h.knownHosts };
    new RemoteTree(h.name + "-site", { connection, source: s.tree, destination: h.dir + "/site" });
    new RemoteFile(h.name + "-conf", { connection, path: h.dir + "/app.conf", source: s.file });
}
module.exports = {};
`;

interface Row {
    hosts: number;
    upS: number;
    previewS: number;
    failures: number;
    maxLogins: number;
    totalLogins: number;
    hostsWithoutLogin: number;
    previewLogins: number;
    peakMiB?: number;
    previewPeakMiB?: number;
    /** CPU seconds of `up` by process role (cpuTimes.ts). */
    upCpu: Record<string, number>;
    /** Bytes of the state file after `up`. */
    stateBytes: number;
}

async function timed(s: TestStack, cmd: "up" | "preview", deadline: number) {
    await s.select();
    let sampler: PeakSampler | undefined;
    let cpu: ReturnType<typeof sampleCpu> | undefined;
    const t0 = performance.now();
    const left = deadline - Date.now();
    const r = await Promise.race([
        s.run(cmd, [], (pid) => {
            sampler = samplePeak(pid);
            cpu = sampleCpu(pid, 200);
        }),
        new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error(`pulumi ${cmd} exceeded the time box`)), left).unref(),
        ),
    ]);
    const byRole = Object.entries(cpu?.stop() ?? {}).map(([k, ms]): [string, number] => [k, ms / 1000]);
    return { r, secs: (performance.now() - t0) / 1000, peak: sampler?.stop(), cpu: Object.fromEntries(byRole) };
}

function loginsOf(servers: BenchSshd[]): Map<string, number> {
    const out = new Map<string, number>();
    for (const s of servers) {
        for (const [a, n] of connectionsPerAddress(s.logFile)) {
            out.set(a, (out.get(a) ?? 0) + n);
        }
    }
    return out;
}

async function fleet(w: World, hosts: number, work: string, deadline: number): Promise<Row> {
    const dir = path.join(work, `fleet-${hosts}`);
    const addresses = Array.from({ length: hosts }, (_, i) => `127.22.${Math.floor(i / 250)}.${(i % 250) + 1}`);
    const servers: BenchSshd[] = [];
    for (let i = 0; i < hosts; i += PER_SSHD) {
        const s = await startBenchSshd(path.join(dir, `sshd-${i / PER_SSHD}`), {
            addresses: addresses.slice(i, i + PER_SSHD),
        });
        onStopWorld(() => s.stop());
        servers.push(s);
    }
    const tree = path.join(work, "tree");
    const file = path.join(work, "app.conf");
    const remote = addresses.map((_, i) => {
        const d = path.join(w.remoteRoot, `fleet-${hosts}`, `h${i}`);
        fs.mkdirSync(d, { recursive: true });
        fs.chownSync(d, w.uid, w.gid);
        return d;
    });
    fs.chownSync(path.dirname(remote[0]), w.uid, w.gid);
    const s = new TestStack(w, `fleet-${hosts}`, fleetProgram);
    if (skipCheckpoints) {
        s.env.PULUMI_SKIP_CHECKPOINTS = "true";
    }
    s.setSettings({
        user: servers[0].user,
        privateKey: servers[0].privateKey, // authorised on every server below
        tree,
        file,
        hosts: addresses.map((a, i) => {
            const sshd = servers[Math.floor(i / PER_SSHD)];
            return { name: `h${i}`, host: a, port: sshd.port, knownHosts: sshd.knownHostsPath, dir: remote[i] };
        }),
    });
    // One client key for the whole fleet, as a user has: authorise the first server's key on every server.
    for (const sv of servers.slice(1)) {
        fs.appendFileSync(path.join(path.dirname(sv.knownHostsPath), "authorized_keys"), `${pubOf(servers[0])}\n`);
    }
    log(`fleet of ${hosts}: pulumi up`);
    const up = await timed(s, "up", deadline);
    const failures = up.r.code === 0 ? 0 : (up.r.output.match(/error:/g) ?? []).length || 1;
    if (up.r.code === 0) {
        for (const [i, d] of remote.entries()) {
            await sameTree(tree, path.join(d, "site"), `host ${i} tree`);
            await sameFile(file, path.join(d, "app.conf"), `host ${i} file`);
        }
    } else {
        log(up.r.output.slice(-4000));
    }
    const afterUp = loginsOf(servers);
    log(`fleet of ${hosts}: unchanged pulumi preview`);
    const pv = await timed(s, "preview", deadline);
    if (pv.r.code !== 0 || Object.keys(pv.r.summary).some((k) => k !== "same")) {
        throw new Error(`fleet of ${hosts}: preview not unchanged: ${JSON.stringify(pv.r.summary)}\n${pv.r.output}`);
    }
    const afterPreview = loginsOf(servers);
    const previewLogins =
        [...afterPreview.values()].reduce((a, b) => a + b, 0) - [...afterUp.values()].reduce((a, b) => a + b, 0);
    for (const sv of servers) {
        await sv.stop();
    }
    const counts = addresses.map((a) => afterUp.get(a) ?? 0);
    return {
        hosts,
        upS: up.secs,
        previewS: pv.secs,
        failures,
        maxLogins: Math.max(...counts),
        totalLogins: counts.reduce((a, b) => a + b, 0),
        hostsWithoutLogin: counts.filter((n) => n === 0).length,
        previewLogins,
        peakMiB: up.peak,
        previewPeakMiB: pv.peak,
        upCpu: up.cpu,
        stateBytes: fs.statSync(path.join(s.stateDir, ".pulumi", "stacks", s.name, "test.json")).size,
    };
}

function pubOf(s: BenchSshd): string {
    return fs.readFileSync(`${s.privateKeyPath}.pub`, "utf8").trim();
}

async function main(): Promise<void> {
    const deadline = Date.now() + timeoutS * 1000;
    const w = await getWorld();
    const work = path.join(w.dir, "bench-fleet");
    const tree = path.join(work, "tree");
    for (let i = 0; i < TREE_FILES; i++) {
        const d = path.join(tree, `d${i % 5}`);
        fs.mkdirSync(d, { recursive: true });
        fs.writeFileSync(path.join(d, `f${i}.html`), randomBytes(4096));
    }
    fs.writeFileSync(path.join(work, "app.conf"), randomBytes(1024));
    const rows: Row[] = [];
    for (const h of sizes) {
        rows.push(await fleet(w, h, work, deadline));
        log(JSON.stringify(rows.at(-1)));
    }
    const f = (x: number | undefined, d = 2) => (x === undefined ? "–" : x.toFixed(d));
    const base = rows[0];
    console.log(
        [
            `fleet in one stack: per host a RemoteTree of ${TREE_FILES} × 4 KiB and a RemoteFile of 1 KiB; one run each`,
            "",
            "| hosts | resources | up s | up s per host | time ratio / host ratio vs first row | failures | logins per host (max) | logins total | hosts without login | unchanged preview s | logins during preview | provider peak MiB up / preview |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
            ...rows.map(
                (r) =>
                    `| ${r.hosts} | ${2 * r.hosts} (+ ${r.hosts * TREE_FILES} tree files) | ${f(r.upS)} | ${f(r.upS / r.hosts, 3)} | ${f(r.upS / base.upS / (r.hosts / base.hosts))} | ${r.failures} | ${r.maxLogins} | ${r.totalLogins} | ${r.hostsWithoutLogin} | ${f(r.previewS)} | ${r.previewLogins} | ${f(r.peakMiB, 0)} / ${f(r.previewPeakMiB, 0)} |`,
            ),
        ].join("\n"),
    );
    for (const r of rows) {
        const cpu = Object.entries(r.upCpu)
            .filter(([, v]) => v >= 0.1)
            .sort((a, b) => b[1] - a[1])
            .map(([k, v]) => `${k.trim()} ${v.toFixed(1)}`);
        console.log(`${r.hosts} hosts, up: CPU s ${cpu.join(", ")}; state file ${r.stateBytes} bytes`);
    }
    console.log(JSON.stringify(rows));
}

runBench(main);
