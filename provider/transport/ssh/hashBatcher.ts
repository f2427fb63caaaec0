/**
 * Coalesces the remote hashes that resources running at the same time ask for into few commands (issue 13). Each
 * RemoteFile verifies one file; a deployment runs several at once on one pooled connection, and one `openssl`
 * process per file (an exec channel, a shell and a process start on the server each) cost more than the hashing.
 * At most `running` commands run at once; paths asked for meanwhile wait and go together, up to `batch` per
 * command, into the next one. The first request of a quiet moment starts at once (after the current tick, so the
 * paths of one tick share a command): nothing waits for a timer.
 */
export class HashBatcher<R> {
    private readonly pending: { path: string; resolve: (r: R | undefined) => void; reject: (e: unknown) => void }[] =
        [];
    private inFlight = 0;
    private scheduled = false;

    /**
     * @param run hashes a batch of distinct paths; paths it could not hash are absent from its result
     * @param running commands at most at once
     * @param batch paths at most per command
     */
    constructor(
        private readonly run: (paths: readonly string[]) => Promise<Map<string, R>>,
        private readonly running: number,
        private readonly batch: number,
    ) {}

    /** The hashes of `paths` (absent: could not be hashed), computed together with those asked for meanwhile. */
    async hash(paths: readonly string[]): Promise<Map<string, R>> {
        // The promise executors run now: every path is queued before the pump is scheduled.
        const waits = paths.map(
            (path) => new Promise<R | undefined>((resolve, reject) => this.pending.push({ path, resolve, reject })),
        );
        this.schedule();
        const results = await Promise.all(waits);
        const out = new Map<string, R>();
        paths.forEach((p, i) => {
            const r = results[i];
            if (r !== undefined) {
                out.set(p, r);
            }
        });
        return out;
    }

    private schedule(): void {
        if (!this.scheduled) {
            this.scheduled = true;
            setImmediate(() => {
                this.scheduled = false;
                this.pump();
            });
        }
    }

    private pump(): void {
        while (this.inFlight < this.running && this.pending.length > 0) {
            const taken: typeof this.pending = [];
            const paths = new Set<string>();
            while (this.pending.length > 0 && (paths.size < this.batch || paths.has(this.pending[0].path))) {
                const w = this.pending.shift()!;
                taken.push(w);
                paths.add(w.path);
            }
            this.inFlight++;
            this.run([...paths])
                .then(
                    (m) => {
                        for (const w of taken) {
                            w.resolve(m.get(w.path));
                        }
                    },
                    (e: unknown) => {
                        for (const w of taken) {
                            w.reject(e);
                        }
                    },
                )
                .finally(() => {
                    this.inFlight--;
                    this.pump();
                });
        }
    }
}
