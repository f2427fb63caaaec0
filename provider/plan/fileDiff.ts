/**
 * The diff rules of a remote file, computed locally from hashes (no network): what changed, and whether the
 * change is an update in place or a replace.
 */
import { ConnectionInputs, portOf, protocolOf } from "../connection";

/** The part of a diff result the engine reads. */
export interface DiffDecision {
    changes: boolean;
    replaces: string[];
    deleteBeforeReplace: boolean;
}

/** Inputs the location of a remote object depends on. */
export interface Located {
    connection: ConnectionInputs;
    path: string;
}

/**
 * Keys whose change means "another object": host, port, protocol, path. When the path stays the same, the new
 * object may well be the same remote file (a protocol or port change, or the host renamed to an alias of the same
 * server, which cannot be told from here): the old one is then deleted before the new one is written, or the old
 * resource's delete would remove the file its replacement just wrote.
 */
export function locationDiff(olds: Located, news: Located): { replaces: string[]; sameLocation: boolean } {
    const replaces: string[] = [];
    if (olds.connection.host !== news.connection.host) {
        replaces.push("connection.host");
    }
    if (portOf(olds.connection) !== portOf(news.connection)) {
        replaces.push("connection.port");
    }
    if (protocolOf(olds.connection) !== protocolOf(news.connection)) {
        replaces.push("connection.protocol");
    }
    if (olds.path !== news.path) {
        replaces.push("path");
    }
    const sameLocation = olds.path === news.path;
    return { replaces, sameLocation };
}

/** Stable JSON for comparing plain values (object key order does not matter). */
export function stableJson(v: unknown): string {
    return JSON.stringify(v, (_k, val) =>
        val && typeof val === "object" && !Array.isArray(val)
            ? Object.fromEntries(Object.entries(val).filter(([, x]) => x !== undefined).sort(([a], [b]) => a.localeCompare(b)))
            : val,
    );
}

/** Names of the keys whose values differ, among `keys`. */
export function changedKeys<T extends object>(olds: T, news: T, keys: (keyof T)[]): (keyof T)[] {
    return keys.filter((k) => stableJson(olds[k]) !== stableJson(news[k]));
}
