/**
 * Connections pooled per endpoint inside one provider process (one deployment): every resource to the same
 * (protocol, host, port, user, trust settings, credentials) shares one connection, with at most `maxSessions`
 * operations at once on it, so hundreds of resources never trip OpenSSH's MaxStartups. Transient failures
 * (refused, reset, timeout) are retried with exponential backoff, a bounded number of times; authentication and
 * host-key failures never are. An idle connection is kept while operations run on others (a host's resources are
 * seconds to minutes apart in a big stack: its RemoteFile done early, its RemoteTree started once the program hashed the
 * tree), up to IDLE_KEEP_MAX_MS and at most IDLE_KEPT_MAX of them; all close IDLE_CLOSE_MS after the last operation
 * of the process ends, as each used to after its own, so the provider process can exit as soon as before.
 */
import { type ConnectionInputs, type CredentialInputs, endpointKey, endpointUrl } from "../connection";
import {
    DEFAULT_DIAL_ERROR_LIMIT,
    DEFAULT_MAX_SESSIONS,
    DIAL_BACKOFF_FIRST_MS,
    DIAL_BACKOFF_MAX_MS,
    IDLE_CLOSE_MS,
    IDLE_KEEP_MAX_MS,
    IDLE_KEPT_MAX,
    OPERATION_ATTEMPTS,
} from "../defaults";
import { progress } from "../engineReport";
import { FiledropError, isFiledropError, messageOf } from "../errors";
import { openTransport } from "./open";
import type { Transport } from "./types";

interface Entry {
    transport?: Promise<Transport>;
    active: number;
    waiters: (() => void)[];
    idle?: NodeJS.Timeout;
}

const entries = new Map<string, Entry>();

/** The entries with no operation running or waiting, least recently used first. */
const idleEntries = new Map<string, Entry>();

/** Operations holding a connection, over all entries; at 0, `allIdle` closes every idle connection. */
let running = 0;
let allIdle: NodeJS.Timeout | undefined;

/** Set by {@link abortAll}: why no connection may be opened any more in this process. */
let aborted: string | undefined;

/** Counters, for tests and logs. */
export const poolStats = { connectionsOpened: 0, connectAttempts: 0, operationRetries: 0 };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function connectWithRetry(c: ConnectionInputs, creds: CredentialInputs): Promise<Transport> {
    const limit =
        c.dialErrorLimit === undefined
            ? DEFAULT_DIAL_ERROR_LIMIT
            : c.dialErrorLimit < 0
              ? Infinity
              : Math.max(1, c.dialErrorLimit);
    for (let attempt = 1; ; attempt++) {
        refuseIfAborted();
        poolStats.connectAttempts++;
        try {
            const t = await openTransport(c, creds);
            poolStats.connectionsOpened++;
            return t;
        } catch (e) {
            if (!(isFiledropError(e) && e.transient) || attempt >= limit) {
                if (attempt > 1 && isFiledropError(e)) {
                    e.message = `${e.message.replace(/\.$/, "")}; gave up after ${attempt} attempts (\`dialErrorLimit\` sets how many).`;
                }
                throw e;
            }
            const delay =
                Math.min(DIAL_BACKOFF_FIRST_MS * 2 ** (attempt - 1), DIAL_BACKOFF_MAX_MS) * (0.75 + Math.random() / 2);
            const of = limit === Infinity ? "" : `/${limit}`;
            progress(
                `Connecting to ${endpointUrl(c)}: attempt ${attempt}${of} failed, next in ${(delay / 1000).toFixed(1)} s; \`dialErrorLimit\` sets this`,
            );
            await sleep(delay);
        }
    }
}

async function acquire(
    key: string,
    c: ConnectionInputs,
    creds: CredentialInputs,
): Promise<{ entry: Entry; transport: Transport }> {
    let entry = entries.get(key);
    if (!entry) {
        entry = { active: 0, waiters: [] };
        entries.set(key, entry);
    }
    const max = c.maxSessions ?? DEFAULT_MAX_SESSIONS;
    while (entry.active >= max) {
        await new Promise<void>((r) => entry!.waiters.push(r));
    }
    entry.active++;
    running++;
    if (allIdle) {
        clearTimeout(allIdle);
        allIdle = undefined;
    }
    idleEntries.delete(key);
    if (entry.idle) {
        clearTimeout(entry.idle);
        entry.idle = undefined;
    }
    try {
        let current = entry.transport ? await entry.transport.catch(() => undefined) : undefined;
        if (!current || current.closed) {
            entry.transport = connectWithRetry(c, creds);
            current = await entry.transport;
        }
        return { entry, transport: current };
    } catch (e) {
        entry.transport = undefined;
        release(key, entry);
        throw e;
    }
}

/** Closes an idle entry's connection and forgets the entry (a later operation opens a new one). */
function closeIdle(key: string, entry: Entry): void {
    clearTimeout(entry.idle);
    entry.idle = undefined;
    idleEntries.delete(key);
    if (entries.get(key) === entry) {
        entries.delete(key);
    }
    void entry.transport?.then((t) => t.close()).catch(() => undefined);
}

function release(key: string, entry: Entry): void {
    entry.active--;
    running--;
    entry.waiters.shift()?.();
    if (entry.active === 0 && entry.waiters.length === 0) {
        idleEntries.set(key, entry);
        // Its own limit while others work; `allIdle` below closes it sooner once nothing runs.
        entry.idle = setTimeout(() => closeIdle(key, entry), IDLE_KEEP_MAX_MS);
        entry.idle.unref();
        for (const [k, e] of idleEntries) {
            if (idleEntries.size <= IDLE_KEPT_MAX) {
                break;
            }
            closeIdle(k, e);
        }
    }
    if (running === 0 && idleEntries.size > 0) {
        // The timers are unref'd: they never keep the process alive, only the open sockets do, until this fires.
        clearTimeout(allIdle);
        allIdle = setTimeout(() => {
            allIdle = undefined;
            for (const [k, e] of [...idleEntries]) {
                closeIdle(k, e);
            }
        }, IDLE_CLOSE_MS);
        allIdle.unref();
    }
}

/**
 * Runs `op` with a pooled connection to the endpoint. An operation that fails with a transient error (the
 * connection dropped) is run again on a fresh connection, up to 3 times in all: operations must be idempotent.
 */
export async function withTransport<T>(
    c: ConnectionInputs,
    creds: CredentialInputs,
    op: (t: Transport) => Promise<T>,
): Promise<T> {
    const key = endpointKey(c, creds);
    for (let attempt = 1; ; attempt++) {
        const { entry, transport } = await acquire(key, c, creds);
        try {
            return await op(transport);
        } catch (e) {
            const retry = isFiledropError(e) && e.transient && attempt < OPERATION_ATTEMPTS;
            if (retry || transport.closed) {
                entry.transport = undefined;
                void Promise.resolve(transport.close()).catch(() => undefined);
            }
            if (!retry) {
                throw e;
            }
            poolStats.operationRetries++;
            progress(
                `${endpointUrl(c)}: ${messageOf(e)}; running the operation again on a new connection (attempt ${attempt + 1}/${OPERATION_ATTEMPTS})`,
            );
        } finally {
            release(key, entry);
        }
    }
}

function refuseIfAborted(): void {
    if (aborted !== undefined) {
        throw new FiledropError("CONNECTION_LOST", aborted);
    }
}

/**
 * Stops every transfer of this process for good (the Pulumi engine is gone: provider/engineGone.ts): closes every
 * pooled connection, which fails the operations on them, and refuses new connections and retries with `reason`.
 * Returns what lifts the refusal again (for unit tests, which share one process).
 */
export function abortAll(reason: string): () => void {
    aborted = reason;
    const all = [...entries.values()];
    entries.clear();
    forgetIdle();
    for (const e of all) {
        void e.transport?.then((t) => t.close()).catch(() => undefined);
        for (const w of e.waiters.splice(0)) {
            w(); // a waiting operation goes on to connect, and is refused there
        }
    }
    return () => {
        aborted = undefined;
    };
}

/** Drops the idle bookkeeping (the caller closes the connections). */
function forgetIdle(): void {
    for (const e of idleEntries.values()) {
        clearTimeout(e.idle);
        e.idle = undefined;
    }
    idleEntries.clear();
    clearTimeout(allIdle);
    allIdle = undefined;
}

/** Closes every pooled connection (tests and benchmarks). */
export async function closeAll(): Promise<void> {
    const all = [...entries.values()];
    entries.clear();
    forgetIdle();
    await Promise.all(all.map(async (e) => (await e.transport?.catch(() => undefined))?.close()));
}
