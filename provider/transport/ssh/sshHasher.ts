/**
 * SHA-256 of remote files computed on the server over SSH exec: `openssl dgst -sha256` (about 5× faster than
 * coreutils `sha256sum` on our machines, SPEC §7), else `sha256sum`. Many files go in one command, so a tree of
 * 1000 files costs 10 channels, not 1000. Which hasher works is found once per connection.
 */
import { HASH_COMMAND_TIMEOUT_S } from "../../defaults";
import { progress } from "../../engineReport";
import { messageOf } from "../../errors";
import { shellQuote } from "../../shellQuote";
import type { ExecOptions, ExecResult } from "../types";
import { HashBatcher } from "./hashBatcher";

type HasherName = "openssl" | "sha256sum";

const COMMANDS: Record<HasherName, { command: string; method: string }> = {
    openssl: { command: "openssl dgst -sha256 -r", method: "ssh exec: openssl dgst -sha256" },
    sha256sum: { command: "sha256sum -b", method: "ssh exec: sha256sum" },
};

/** Files per command: keeps the command line far below ARG_MAX even for long paths. */
const BATCH = 100;

/** Hash commands at once per connection; what is asked for meanwhile waits and goes into the next one together. */
const HASH_COMMANDS_AT_ONCE = 2;

export class SshHasher {
    /** The working hasher; "none" once both were found missing on the server (exit 127). */
    private hasher: HasherName | "none" | undefined;

    /** Whether a fallback to reading back was already reported on this connection. */
    private reported = false;

    constructor(
        private readonly exec: (command: string, options?: ExecOptions) => Promise<ExecResult>,
        private readonly where: () => string,
    ) {}

    /** Says once per connection that files are verified by reading them back, and why; never silently. */
    private reportFallback(why: string): void {
        if (!this.reported) {
            this.reported = true;
            progress(
                `warning: ${this.where()} cannot hash files on the server (${why}); they are verified by reading them back (verifiedBy "read-back").`,
            );
        }
    }

    /** Hashes asked for by resources running at the same time go together into few commands (hashBatcher.ts). */
    private readonly batcher = new HashBatcher((paths) => this.hashNow(paths), HASH_COMMANDS_AT_ONCE, BATCH);

    /** Hashes that the server computed, by path; paths it could not hash are absent (the caller reads them back). */
    sha256Many(paths: readonly string[]): Promise<Map<string, { sha256: string; method: string }>> {
        return this.batcher.hash(paths);
    }

    private async hashNow(paths: readonly string[]): Promise<Map<string, { sha256: string; method: string }>> {
        const out = new Map<string, { sha256: string; method: string }>();
        for (let i = 0; i < paths.length && this.hasher !== "none"; i += BATCH) {
            const batch = paths.slice(i, i + BATCH);
            for (const [path, sha256] of await this.run(batch)) {
                out.set(path, { sha256, method: COMMANDS[this.hasher as HasherName].method });
            }
        }
        return out;
    }

    private async run(batch: readonly string[]): Promise<Map<string, string>> {
        const order: HasherName[] =
            this.hasher === undefined ? ["openssl", "sha256sum"] : this.hasher === "none" ? [] : [this.hasher];
        for (const h of order) {
            let r: ExecResult;
            try {
                // Time-limited: files a stopped command did not hash are read back (defaults.ts).
                r = await this.exec(`${COMMANDS[h].command} ${batch.map(shellQuote).join(" ")}`, {
                    timeoutMs: HASH_COMMAND_TIMEOUT_S * 1000,
                });
            } catch (e) {
                // The server refuses exec channels altogether (a limit is waited for, sshExec.ts): read back
                // instead, say so, and try exec again next time.
                this.reportFallback(messageOf(e));
                return new Map();
            }
            if (r.code === 127 || /not found/.test(r.stderr)) {
                continue;
            }
            this.hasher = h;
            return parse(r.stdout, batch);
        }
        if (this.hasher === undefined) {
            this.hasher = "none";
            this.reportFallback("neither openssl nor sha256sum was found");
        }
        return new Map();
    }
}

/** Parses `<hex> *<path>` lines (the format of both hashers with -r / -b), keeping only the asked paths. */
function parse(stdout: string, batch: readonly string[]): Map<string, string> {
    const asked = new Set(batch);
    const out = new Map<string, string>();
    for (const line of stdout.split("\n")) {
        const m = /^([0-9a-f]{64}) \*(.*)$/.exec(line);
        if (m && asked.has(m[2])) {
            out.set(m[2], m[1]);
        }
    }
    return out;
}
