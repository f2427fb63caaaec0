/**
 * CPU time of every process under a running command, by role (the pulumi CLI, the language host, the program, the
 * dynamic-provider host, anything else): /proc/<pid>/stat's utime+stime, polled every 50 ms, the last value seen of
 * each process kept (a process's final 50 ms may be missed).
 */
import * as fs from "node:fs";
import { processTree } from "../../test/harness/processTree";

const TICK_MS = 10; // USER_HZ is 100 on Linux

function roleOf(cmd: string): string {
    if (cmd.includes("dynamic-provider")) {
        return "dynamic-provider host (node)";
    }
    if (cmd.includes("pulumi-language-nodejs")) {
        return "language host (Go)";
    }
    if (cmd.includes("run.js") || cmd.includes("@pulumi/pulumi/cmd/run")) {
        return "program (node)";
    }
    if (/(^|\/)pulumi\0/.test(cmd)) {
        return "pulumi CLI / engine (Go)";
    }
    return cmd.split("\0").slice(0, 2).join(" ").slice(0, 60);
}

/** Samples every `everyMs` (each sample reads /proc synchronously on this process's thread) and once more at stop. */
export function sampleCpu(rootPid: number, everyMs = 50): { stop(): Record<string, number> } {
    const last = new Map<number, { role: string; ms: number }>();
    const poll = () => {
        for (const pid of processTree(rootPid)) {
            try {
                const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
                const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
                const ms = (Number(f[11]) + Number(f[12])) * TICK_MS;
                const role = last.get(pid)?.role ?? roleOf(fs.readFileSync(`/proc/${pid}/cmdline`, "utf8"));
                last.set(pid, { role, ms });
            } catch {
                // ended meanwhile
            }
        }
    };
    const timer = setInterval(poll, everyMs);
    return {
        stop() {
            clearInterval(timer);
            poll();
            const out: Record<string, number> = {};
            for (const { role, ms } of last.values()) {
                out[role] = (out[role] ?? 0) + ms;
            }
            return out;
        },
    };
}
