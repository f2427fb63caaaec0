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
    let peakKiB: number | undefined;
    const poll = () => {
        for (const pid of processTree(rootPid)) {
            const cmd = read(`/proc/${pid}/cmdline`);
            if (cmd === undefined || !cmd.includes("dynamic-provider")) {
                continue;
            }
            const m = /VmHWM:\s+(\d+) kB/.exec(read(`/proc/${pid}/status`) ?? "");
            if (m) {
                peakKiB = Math.max(peakKiB ?? 0, Number(m[1]));
            }
        }
    };
    const timer = setInterval(poll, 50);
    return {
        stop() {
            clearInterval(timer);
            return peakKiB === undefined ? undefined : peakKiB / 1024;
        },
    };
}
