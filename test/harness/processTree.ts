/** The processes a test started, found by their parent ids, so that a test can SIGKILL a whole deployment. */
import * as fs from "node:fs";

/** `pid` and every process below it (children, grandchildren...), read from /proc. */
export function processTree(pid: number): number[] {
    const parentOf = new Map<number, number>();
    for (const name of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(name)) {
            continue;
        }
        try {
            // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses.
            const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
            const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
            parentOf.set(Number(name), ppid);
        } catch {
            // The process ended meanwhile.
        }
    }
    const tree = [pid];
    for (let i = 0; i < tree.length; i++) {
        for (const [child, parent] of parentOf) {
            if (parent === tree[i] && !tree.includes(child)) {
                tree.push(child);
            }
        }
    }
    return tree;
}

/** SIGKILLs `pid` and every process below it at once (none gets to clean up), like a power cut of the CI runner. */
export function killTree(pid: number): number[] {
    const tree = processTree(pid);
    for (const p of tree) {
        try {
            process.kill(p, "SIGKILL");
        } catch {
            // Already gone.
        }
    }
    return tree;
}
