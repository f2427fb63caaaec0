/**
 * Diff rules shared by the three resources, computed locally (no network): which input keys replace the resource,
 * which update it in place, and which are ignored. Each handler declares a rule for every key of its inputs (a
 * `KeyRules` table, checked by the compiler and by a unit test), so a new input can never be silently not diffed.
 */
import { type ConnectionInputs, type CredentialInputs, portOf, protocolOf } from "../connection";
import { hasCredential } from "./previewNotes";

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
 * How diff treats an input key: `"replace"` (another remote object), `"update"` (changed in place), `"ignore"`
 * (never a change by itself; the table says why next to the key), or `"custom"` (the handler compares it itself,
 * e.g. a mode in any spelling, or a manifest).
 */
export type KeyRule = "replace" | "update" | "ignore" | "custom";

/** A rule for every key of `T`, optional keys included. */
export type KeyRules<T> = { readonly [K in keyof Required<T>]: KeyRule };

/**
 * The rules of the connection keys every resource has: a changed host, port or protocol replaces (locationDiff
 * decides that), any other connection field or credential updates in place (without uploading anything). No
 * credential at all (a preview in a job without the deploy key) is no change: see diffByRules.
 */
export const CONNECTION_RULES = { connection: "update", credentials: "update" } as const satisfies Record<
    string,
    KeyRule
>;

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
            ? Object.fromEntries(
                  Object.entries(val)
                      .filter(([, x]) => x !== undefined)
                      .sort(([a], [b]) => a.localeCompare(b)),
              )
            : val,
    );
}

/** Names of the keys whose values differ, among `keys`. */
export function changedKeys<T extends object>(olds: T, news: T, keys: (keyof T)[]): (keyof T)[] {
    return keys.filter((k) => stableJson(olds[k]) !== stableJson(news[k]));
}

/** The keys of a rules table that have the given rule. */
export function keysWithRule<T>(rules: KeyRules<T>, rule: KeyRule): (keyof T)[] {
    return (Object.keys(rules) as (keyof T)[]).filter((k) => rules[k as keyof Required<T>] === rule);
}

/** The input keys of a rules table that `props` holds: what `read` hands back as `inputs`. */
export function inputsOf<T extends object>(rules: KeyRules<T>, props: T): Partial<T> {
    return Object.fromEntries(
        (Object.keys(rules) as (keyof T)[]).filter((k) => props[k] !== undefined).map((k) => [k, props[k]]),
    ) as Partial<T>;
}

/**
 * The diff of a resource at `olds.path` → `news.path`: `"replace"` keys and the connection's location replace,
 * `"update"` keys (and the handler's own `customChanges`) update. The old object is deleted first when the new one
 * may be the same remote object.
 */
export function diffByRules<T extends { connection: ConnectionInputs; credentials?: CredentialInputs }>(
    rules: KeyRules<T>,
    olds: T,
    news: T,
    location: { olds: string; news: string },
    customChanges: string[],
): DiffDecision {
    const loc = locationDiff(
        { connection: olds.connection, path: location.olds },
        { connection: news.connection, path: location.news },
    );
    const replaces = [
        ...loc.replaces.filter((k) => k !== "path"),
        ...changedKeys(olds, news, keysWithRule(rules, "replace")).map(String),
    ];
    const compared = keysWithRule(rules, "update").filter(
        (k) => k !== "credentials" || hasCredential(news.credentials),
    );
    const updates = [...changedKeys(olds, news, compared).map(String), ...customChanges];
    return {
        changes: replaces.length > 0 || updates.length > 0,
        replaces,
        deleteBeforeReplace: replaces.length > 0 && loc.sameLocation,
    };
}
