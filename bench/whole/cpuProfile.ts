/** Reads V8 .cpuprofile files and sums self time by package/area, and by function, for the profile report. */
import * as fs from "node:fs";

interface Node {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
}
interface Profile {
    nodes: Node[];
    samples: number[];
    timeDeltas: number[];
    startTime: number;
    endTime: number;
}

function areaOf(url: string, fn: string): string {
    if (!url) {
        return fn.startsWith("(") ? fn : "(native)";
    }
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (m) {
        if (m[1] === "pulumi-filedrop") {
            return `pulumi-filedrop ${/dist\/(\w+)/.exec(url)?.[1] ?? ""}`;
        }
        return m[1];
    }
    if (url.startsWith("node:")) {
        return "node internals";
    }
    return url.replace(/^file:\/\//, "").slice(-50);
}

/** Self time (ms) by area and the top functions of one process's profile chunks, plus their summed span. */
export function summarize(
    files: string[],
    top = 14,
): { wallMs: number; byArea: [string, number][]; byFn: [string, number][] } {
    const area = new Map<string, number>();
    const fns = new Map<string, number>();
    let wallMs = 0;
    for (const file of files) {
        const p = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
        wallMs += (p.endTime - p.startTime) / 1000;
        add(p, area, fns);
    }
    const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
    return { wallMs, byArea: sorted(area), byFn: sorted(fns) };
}

/** Self time (ms) of every function over one process's profile chunks, by "name file:line". */
export function summarizeBy(files: string[]): Map<string, number> {
    const fns = new Map<string, number>();
    for (const file of files) {
        add(JSON.parse(fs.readFileSync(file, "utf8")) as Profile, new Map(), fns);
    }
    return fns;
}

function add(p: Profile, area: Map<string, number>, fns: Map<string, number>): void {
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const self = new Map<number, number>();
    for (let i = 0; i < p.samples.length; i++) {
        self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
    }
    for (const [id, ms] of self) {
        const n = byId.get(id)!;
        const a = areaOf(n.callFrame.url, n.callFrame.functionName);
        area.set(a, (area.get(a) ?? 0) + ms);
        const f = `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.split("/").slice(-2).join("/")}:${n.callFrame.lineNumber + 1}`;
        fns.set(f, (fns.get(f) ?? 0) + ms);
    }
}
