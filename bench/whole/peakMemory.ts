/**
 * Peak memory of the dynamic-provider process under a running `pulumi` command: polls the command's process tree
 * (/proc) and keeps, for each process whose command line names Pulumi's `dynamic-provider` entry point, the
 * highest VmHWM (the kernel's own high-water mark of resident memory, so a peak between two polls is not missed as
 * long as the process is read once before it exits; polls are every 50 ms and providers live for the whole
 * deployment).
 */
import * as fs from "node:fs";
import { processTree } from "../../test/harness/processTree";

export interface PeakSampler {
    /** Stops polling; the highest VmHWM seen of any provider process (MiB), or undefined if none was seen. */
    stop(): number | undefined;
}

function read(file: string): string | undefined {
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        return undefined; // the process ended meanwhile
    }
}

/** Starts polling the processes under `rootPid`. */
export function samplePeak(rootPid: number): PeakSampler {
    const s = samplePeaks(rootPid);
    return { stop: () => s.stop().provider };
}

/** The program process: the node process Pulumi's language host starts to run the program. */
function isProgram(cmd: string): boolean {
    return cmd.includes("run.js") || cmd.includes("@pulumi/pulumi/cmd/run");
}

/** Like samplePeak, for the dynamic-provider process and the program process (issue 22): MiB each, when seen. */
export function samplePeaks(rootPid: number): { stop(): { provider?: number; program?: number } } {
    const peakKiB: { provider?: number; program?: number } = {};
    const poll = () => {
        for (const pid of processTree(rootPid)) {
            const cmd = read(`/proc/${pid}/cmdline`);
            const role = cmd?.includes("dynamic-provider") ? "provider" : cmd && isProgram(cmd) ? "program" : undefined;
            if (role === undefined) {
                continue;
            }
            const m = /VmHWM:\s+(\d+) kB/.exec(read(`/proc/${pid}/status`) ?? "");
            if (m) {
                peakKiB[role] = Math.max(peakKiB[role] ?? 0, Number(m[1]));
            }
        }
    };
    const timer = setInterval(poll, 50);
    return {
        stop() {
            clearInterval(timer);
            const mib = (k: number | undefined) => (k === undefined ? undefined : k / 1024);
            return { provider: mib(peakKiB.provider), program: mib(peakKiB.program) };
        },
    };
}
