/**
 * Packet capture on the loopback interface with tcpdump (installed by scripts/servers/install.sh), to show what
 * crosses the wire: start before the traffic, stop after it, search the raw capture for bytes.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ensureInstalled } from "./servers/installed";

/** Makes sure tcpdump is installed (scripts/servers/install.sh installs it with the servers); returns its path. */
export function ensureTcpdump(): string {
    ensureInstalled();
    try {
        return execFileSync("bash", ["-c", "command -v tcpdump"], { encoding: "utf8" }).trim();
    } catch {
        throw new Error("tcpdump is not available although scripts/servers/install.sh ran");
    }
}

/** A running capture. */
export class Capture {
    private constructor(
        private readonly child: ChildProcess,
        public readonly file: string,
    ) {}

    /**
     * Starts tcpdump on `lo` for TCP traffic to or from the given ports and port ranges (`[lo, hi]`), stopping by
     * itself after `maxSeconds`. Resolves once tcpdump is listening.
     */
    static async start(dir: string, ports: (number | [number, number])[], maxSeconds = 120): Promise<Capture> {
        const bin = ensureTcpdump();
        const file = path.join(dir, `capture-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.pcap`);
        const filter = ports
            .map((p) => (typeof p === "number" ? `port ${p}` : `portrange ${p[0]}-${p[1]}`))
            .join(" or ");
        // --immediate-mode: hand each packet over at once (libpcap's TPACKET_V3 ring otherwise holds packets for up to
        // a second, and a capture stopped sooner than that writes none of them); -U: write each packet as it arrives;
        // -s 0: whole packets; -Z root: do not drop privileges (file stays ours).
        const child = spawn(
            "timeout",
            [
                String(maxSeconds),
                bin,
                "-i",
                "lo",
                "--immediate-mode",
                "-U",
                "-s",
                "0",
                "-n",
                "-Z",
                "root",
                "-w",
                file,
                `tcp and (${filter})`,
            ],
            { stdio: ["ignore", "ignore", "pipe"] },
        );
        await new Promise<void>((resolve, reject) => {
            let err = "";
            const timer = setTimeout(() => reject(new Error(`tcpdump did not start: ${err}`)), 20000);
            child.stderr!.on("data", (d: Buffer) => {
                err += d.toString();
                if (/listening on/.test(err)) {
                    clearTimeout(timer);
                    resolve();
                }
            });
            child.once("exit", (code) => {
                clearTimeout(timer);
                reject(new Error(`tcpdump exited (${code}): ${err}`));
            });
        });
        return new Capture(child, file);
    }

    /** Stops the capture and returns the raw pcap bytes. */
    async stop(): Promise<Buffer> {
        // Give the last packets a moment to be written, then stop tcpdump (SIGINT makes it flush and exit).
        await new Promise((r) => setTimeout(r, 500));
        if (this.child.exitCode === null && this.child.signalCode === null) {
            const exited = new Promise<void>((r) => this.child.once("exit", () => r()));
            this.child.kill("SIGINT");
            await exited;
        }
        return fs.readFileSync(this.file);
    }
}
