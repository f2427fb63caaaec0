/**
 * One budget of channels per SSH connection, shared by the SFTP session and the exec channels (`validate`, the
 * server-side hasher). sshd counts every session channel against `MaxSessions` (default 10) and says nothing of the
 * limit up front; it refuses a channel beyond it ("open failed"). A refusal while other channels of ours are open
 * means the limit was reached, not that the server runs no commands: the budget shrinks to what the server
 * allowed, and the command waits for a channel to close instead of failing. Only a refusal with no other channel
 * of ours open (beyond the ones held for the connection's life) is final.
 */
/** Retries of a refused channel at a count that worked before (the server frees a closed one a moment later). */
const LATE_CLOSE_RETRIES = 10;
const LATE_CLOSE_PAUSE_MS = 25;

export class ChannelBudget {
    private inUse: number;
    private limit: number;
    private readonly waiters: (() => void)[] = [];
    /** Told each time a caller starts to wait (see `onWait`). */
    private readonly watchers = new Set<() => void>();
    /** Most channels (held included) that were open at once, each opened fine. */
    private proven = 0;

    /**
     * @param limit channels at most, counting the held ones (the server's MaxSessions, when known)
     * @param held channels kept open for the connection's life (the SFTP session)
     */
    constructor(
        limit: number,
        private readonly held = 0,
    ) {
        this.inUse = held;
        this.limit = Math.max(limit, held + 1);
    }

    /** True when a caller waits for a channel. */
    get contended(): boolean {
        return this.waiters.length > 0;
    }

    /**
     * Calls `listener` each time a caller starts to wait for a channel (`contended` is then true), so that a holder
     * of a channel it could spare (an idle SFTP session) gives it back at once. Returns what stops the calls.
     */
    onWait(listener: () => void): () => void {
        this.watchers.add(listener);
        return () => {
            this.watchers.delete(listener);
        };
    }

    /** The current limit, counting the held channels (lowered when the server refused more). */
    get channels(): number {
        return this.limit;
    }

    /**
     * Runs `use` (which opens one channel and closes it before it settles) once a channel is free. When the server
     * refuses the channel (`refused(e)`) while other channels of ours are open, the limit drops and `use` runs again
     * after one of them closes.
     */
    async run<T>(use: () => Promise<T>, refused: (e: unknown) => boolean): Promise<T> {
        let lateRetries = 0;
        for (;;) {
            while (this.inUse >= this.limit) {
                const turn = new Promise<void>((r) => this.waiters.push(r));
                for (const watcher of [...this.watchers]) {
                    watcher();
                }
                await turn;
            }
            this.inUse++;
            let pause = 0;
            try {
                const opened = this.inUse;
                const result = await use();
                this.proven = Math.max(this.proven, opened);
                return result;
            } catch (e) {
                if (!refused(e)) {
                    throw e;
                }
                if (this.inUse - 1 - this.held > 0) {
                    // Others of ours are open: the server's limit is below what we tried.
                    this.limit = this.inUse - 1;
                } else if (this.inUse <= this.proven && lateRetries < LATE_CLOSE_RETRIES) {
                    // This many channels worked before: the server has not yet freed one that just closed (sshd
                    // frees a session after it processed our close, possibly after an open sent right behind it).
                    lateRetries++;
                    pause = LATE_CLOSE_PAUSE_MS * lateRetries;
                } else {
                    throw e;
                }
            } finally {
                this.inUse--;
                for (const wake of this.waiters.splice(0)) {
                    wake();
                }
            }
            if (pause > 0) {
                await new Promise<void>((r) => setTimeout(r, pause));
            }
        }
    }
}
