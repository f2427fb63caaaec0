/**
 * A small set of FTP control connections behind one Transport.
 *
 * basic-ftp's Client runs one command at a time, while the pool (pool.ts) runs up to `maxSessions` operations at
 * once on one Transport. Rather than queueing them all on one connection, each Transport keeps up to
 * MAX_FTP_CONTROL_CONNECTIONS (defaults.ts) logged-in connections, opened on demand and lent to one operation at a time, so
 * uploads of many small files overlap. If the server refuses an extra connection (per-IP limits), the set keeps
 * the connections it has and operations wait for one of them instead.
 */
import { FiledropError } from "../../errors";
import type { FtpSession } from "./ftpsSession";

/** The most control connections one FTP Transport opens (see defaults.ts). */

/** Counters, for tests and logs: logged-in control connections opened, the first of each Transport included. */
export const ftpsStats = { controlConnectionsOpened: 0 };

export class FtpSessions {
    private readonly idle: FtpSession[] = [];
    private readonly live = new Set<FtpSession>();
    private readonly waiters: (() => void)[] = [];
    private opening = 0;
    private closedByUs = false;

    constructor(
        first: FtpSession,
        private max: number,
        private readonly open: () => Promise<FtpSession>,
        private readonly where: string,
    ) {
        this.live.add(first);
        this.idle.push(first);
        ftpsStats.controlConnectionsOpened++;
    }

    /** True once closed, or once every connection has dropped. */
    get closed(): boolean {
        return this.closedByUs || (this.opening === 0 && [...this.live].every((s) => s.client.closed));
    }

    /** Runs `f` with a connection of its own; `f` must not keep it past its promise. */
    async use<T>(f: (s: FtpSession) => Promise<T>): Promise<T> {
        const s = await this.acquire();
        try {
            return await f(s);
        } finally {
            this.release(s);
        }
    }

    private async acquire(): Promise<FtpSession> {
        for (;;) {
            if (this.closedByUs) {
                throw new FiledropError(
                    "CONNECTION_LOST",
                    `The connection to ${this.where} was closed; run the deployment again.`,
                    { transient: true },
                );
            }
            const s = this.idle.pop();
            if (s) {
                if (!s.client.closed) {
                    return s;
                }
                this.live.delete(s);
                continue;
            }
            if (this.live.size + this.opening < this.max) {
                this.opening++;
                try {
                    const fresh = await this.open();
                    ftpsStats.controlConnectionsOpened++;
                    this.live.add(fresh);
                    return fresh;
                } catch (e) {
                    if (this.live.size === 0) {
                        throw e;
                    }
                    // The server limits connections: make do with those already open.
                    this.max = Math.max(1, this.live.size);
                } finally {
                    this.opening--;
                }
                continue;
            }
            await new Promise<void>((r) => this.waiters.push(r));
        }
    }

    private release(s: FtpSession): void {
        if (s.client.closed || this.closedByUs) {
            this.live.delete(s);
            s.client.close();
        } else {
            this.idle.push(s);
        }
        this.waiters.shift()?.();
    }

    /** Closes every connection (also those in use: their operations fail). */
    close(): void {
        this.closedByUs = true;
        for (const s of this.live) {
            s.client.close();
        }
        this.live.clear();
        this.idle.length = 0;
        for (const w of this.waiters.splice(0)) {
            w();
        }
    }
}
