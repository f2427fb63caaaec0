/** What /proc tells about processes: the descendants of a server, and whether a pid still runs. */
import * as fs from "node:fs";

interface ProcInfo {
    readonly pid: number;
    readonly ppid: number;
    readonly state: string;
}

function readStat(pid: number): ProcInfo | undefined {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        // The command name is in parentheses and may contain spaces: fields start after the last ")".
        const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        return { pid, state: rest[0], ppid: Number(rest[1]) };
    } catch {
        return undefined;
    }
}

function allProcesses(): ProcInfo[] {
    return fs
        .readdirSync("/proc")
        .filter((e) => /^\d+$/.test(e))
        .map((e) => readStat(Number(e)))
        .filter((p): p is ProcInfo => p !== undefined);
}

/** Every process below `pid` (its sessions and theirs), found by parent pid. */
export function descendants(pid: number): number[] {
    const procs = allProcesses();
    const out: number[] = [];
    let frontier = [pid];
    while (frontier.length > 0) {
        const next = procs.filter((p) => frontier.includes(p.ppid)).map((p) => p.pid);
        out.push(...next);
        frontier = next;
    }
    return out;
}

/** Whether `pid` runs (a zombie does not count: it has ended, its parent just has not collected it yet). */
export function isRunning(pid: number): boolean {
    const p = readStat(pid);
    return p !== undefined && p.state !== "Z";
}
