/**
 * The preparation of a resource's `connection` argument, shared by both faces (issue 21 item 2): the TypeScript SDK
 * calls it inside its Outputs at program time, the plugin face (provider/plugin/) in check. Pure: no I/O.
 */
import {
    CONNECTION_PUBLIC_FIELDS,
    CONNECTION_SECRET_FIELDS,
    PROXY_PUBLIC_FIELDS,
    PROXY_SECRET_FIELDS,
    RESOURCE_ARGS,
    type ResourceKind,
} from "./knownKeys";

/** Splits a user's `proxy` object: public fields to the first part, secret and unknown ones to the second. */
function splitProxy(p: unknown): [Record<string, unknown> | undefined, Record<string, unknown> | undefined] {
    if (typeof p !== "object" || p === null) {
        return [p as undefined, undefined];
    }
    const pub: Record<string, unknown> = {};
    const sec: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(p)) {
        if ((PROXY_PUBLIC_FIELDS as readonly string[]).includes(k)) {
            if (v !== undefined) {
                pub[k] = v;
            }
        } else if ((PROXY_SECRET_FIELDS as readonly string[]).includes(k)) {
            if (v !== undefined) {
                sec[k] = v;
            }
        } else {
            sec[k] = v === undefined ? null : v;
        }
    }
    return [pub, Object.keys(sec).length > 0 ? sec : undefined];
}

const isPublic = (k: string) => (CONNECTION_PUBLIC_FIELDS as readonly string[]).includes(k);
const isSecret = (k: string) => (CONNECTION_SECRET_FIELDS as readonly string[]).includes(k);

/** The public part of a user's connection object: what is kept visible in state (`connection`). */
export function publicConnection(c: Record<string, unknown>): Record<string, unknown> {
    const pub: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(c)) {
        if (k === "proxy") {
            if (v !== undefined) {
                pub.proxy = splitProxy(v)[0];
            }
        } else if (isPublic(k) && v !== undefined) {
            pub[k] = v;
        }
    }
    return pub;
}

/**
 * The secret part of a user's connection object (`credentials`, always a Pulumi secret). A field that is not a
 * known public one goes here, also when its value is `undefined` (as `null`): check refuses it by name (a typo such
 * as `hostkey` must not be dropped), and a mistyped secret such as `privatekey` is never shown or stored in clear.
 */
export function connectionCredentials(c: Record<string, unknown>): Record<string, unknown> {
    const creds: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(c)) {
        if (k === "proxy") {
            const secret = splitProxy(v)[1];
            if (secret !== undefined) {
                creds.proxy = secret;
            }
        } else if (isSecret(k) && v !== undefined) {
            creds[k] = v;
        } else if (!isPublic(k) && !isSecret(k)) {
            creds[k] = v === undefined ? null : v;
        }
    }
    return creds;
}

/**
 * The names of `args` that are not arguments of `kind`, for check to refuse by name (see knownKeys.ts); undefined
 * when there are none, so nothing is added to the inputs.
 */
export function unknownArgs(kind: ResourceKind, args: object): string[] | undefined {
    const known: readonly string[] = RESOURCE_ARGS[kind];
    const unknown = Object.keys(args).filter((k) => !known.includes(k));
    return unknown.length > 0 ? unknown : undefined;
}
