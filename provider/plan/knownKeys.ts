/**
 * The field names users may give (connection fields, each resource's arguments), and the check that refuses any
 * other name with the closest known one ("`connection.hostkey` is not a field …; did you mean `hostKey`?").
 * An unknown field is never ignored: a typo in a shared `connection` object would otherwise pass preview and fail
 * later with a misleading message, or, like `proxy`, silently connect another way than the user asked for.
 */
import { closest, distance } from "fastest-levenshtein";
import type { CheckFailure } from "../checkFailure";
import type { ConnectionInputs, CredentialInputs, ProxyCredentialInputs, ProxyInputs } from "../connection";

/** Every public field of `connection.proxy` (the bastion). */
const PROXY_PUBLIC: { readonly [K in keyof Required<ProxyInputs>]: true } = {
    host: true,
    port: true,
    user: true,
    agentSocketPath: true,
    hostKey: true,
    knownHosts: true,
    insecureAcceptAnyHostKey: true,
    perDialTimeout: true,
    dialErrorLimit: true,
};

/** Every secret field of `connection.proxy`. */
const PROXY_SECRET: { readonly [K in keyof Required<ProxyCredentialInputs>]: true } = {
    password: true,
    privateKey: true,
    privateKeyPassword: true,
};

/** Every public connection field (the compiler insists on all of ConnectionInputs' keys). */
const PUBLIC_FIELDS: { readonly [K in keyof Required<ConnectionInputs>]: true } = {
    protocol: true,
    ...PROXY_PUBLIC,
    ca: true,
    certFingerprint: true,
    insecureSkipTlsVerify: true,
    allowPlaintext: true,
    servername: true,
    maxSessions: true,
    proxy: true,
    sudo: true,
};

/** Every secret connection field (the compiler insists on all of CredentialInputs' keys). */
const SECRET_FIELDS: { readonly [K in keyof Required<CredentialInputs>]: true } = {
    ...PROXY_SECRET,
    proxy: true,
};

/** The `proxy` fields kept visible in state. */
export const PROXY_PUBLIC_FIELDS = Object.keys(PROXY_PUBLIC) as (keyof ProxyInputs)[];
/** The `proxy` fields always stored as secrets (the SDK moves them into `credentials.proxy`). */
export const PROXY_SECRET_FIELDS = Object.keys(PROXY_SECRET) as (keyof ProxyCredentialInputs)[];

/** The connection fields kept visible in state. */
export const CONNECTION_PUBLIC_FIELDS = Object.keys(PUBLIC_FIELDS) as (keyof ConnectionInputs)[];
/** The connection fields always stored as secrets (the SDK moves them into `credentials`). */
export const CONNECTION_SECRET_FIELDS = Object.keys(SECRET_FIELDS) as (keyof CredentialInputs)[];
/** Every field a `connection` may have. */
export const CONNECTION_FIELDS: readonly string[] = [
    ...new Set<string>([...CONNECTION_PUBLIC_FIELDS, ...CONNECTION_SECRET_FIELDS]),
];
/** `proxy` is the one field with parts on both sides: the SDK splits it field by field. */
export const SPLIT_CONNECTION_FIELDS: readonly string[] = ["proxy"];

/** The arguments of each resource, as users write them (the SDK asserts these match its `…Args` interfaces). */
export const RESOURCE_ARGS = {
    RemoteFile: [
        "connection",
        "path",
        "content",
        "source",
        "mode",
        "uid",
        "gid",
        "owner",
        "group",
        "createParents",
        "onDelete",
        "symlinks",
        "validate",
        "validateInPlace",
        "checkTimeout",
    ],
    RemoteDirectory: ["connection", "path", "mode", "owner", "group", "createParents", "onDelete"],
    RemoteTree: [
        "connection",
        "source",
        "destination",
        "include",
        "exclude",
        "modes",
        "owner",
        "group",
        "prune",
        "createParents",
    ],
    RemoteDownload: ["connection", "path", "maxSize", "encoding", "secret"],
} as const;

export type ResourceKind = keyof typeof RESOURCE_ARGS;

/** `true` when A and B have exactly the same keys, else `never`: lets the SDK prove its `…Args` match these lists. */
export type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never]
    ? true
    : never;

/** An object type with the argument names of `kind` as keys. */
export type ArgsOf<K extends ResourceKind> = Record<(typeof RESOURCE_ARGS)[K][number], unknown>;

/** Fields known by name but refused, with why and what to do instead (none today; `proxy` was, until issue 10). */
const REFUSED_CONNECTION_FIELDS: Readonly<Record<string, string>> = {};

/**
 * The known name the user most likely meant: the same name in other letter case, else the nearest by edit
 * distance when it is close enough to be a typo (at most a third of the name's letters, at least 2), else none.
 */
export function closestField(name: string, known: readonly string[]): string | undefined {
    const sameCase = known.find((k) => k.toLowerCase() === name.toLowerCase());
    if (sameCase !== undefined) {
        return sameCase;
    }
    if (known.length === 0) {
        return undefined;
    }
    const best = closest(name, known);
    return distance(name, best) <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** One failure per name of `given` that is not in `known`, naming the closest known one (or listing them all). */
export function unknownFieldFailures(
    given: readonly string[],
    known: readonly string[],
    where: string,
): CheckFailure[] {
    return given
        .filter((name) => !known.includes(name))
        .map((name) => {
            const property = where === "" ? name : `${where}.${name}`;
            const near = closestField(name, known);
            const what = where === "" ? "an argument of this resource" : `a field of \`${where}\``;
            const hint =
                near !== undefined
                    ? `did you mean \`${near}\`?`
                    : `the known ones are ${known.map((k) => `\`${k}\``).join(", ")}`;
            return { property, reason: `is not ${what}; ${hint}` };
        });
}

/**
 * Unknown or refused fields of a connection. `publicPart` and `secretPart` are the two halves the SDK splits the
 * user's object into (an unknown field goes to the secret half, so a mistyped `privatekey` is never shown or
 * stored in clear); values that are not yet known (preview) are skipped by the caller.
 */
export function connectionFieldFailures(
    publicPart: object | undefined,
    secretPart: object | undefined,
): CheckFailure[] {
    const names = [...new Set([...Object.keys(publicPart ?? {}), ...Object.keys(secretPart ?? {})])];
    const refused = names
        .filter((n) => REFUSED_CONNECTION_FIELDS[n] !== undefined)
        .map((n) => ({ property: `connection.${n}`, reason: REFUSED_CONNECTION_FIELDS[n] }));
    const unknown = unknownFieldFailures(
        names.filter((n) => REFUSED_CONNECTION_FIELDS[n] === undefined),
        CONNECTION_FIELDS,
        "connection",
    );
    const proxyNames = [
        ...new Set([...Object.keys(proxyPart(publicPart) ?? {}), ...Object.keys(proxyPart(secretPart) ?? {})]),
    ];
    const proxyUnknown = unknownFieldFailures(
        proxyNames,
        [...PROXY_PUBLIC_FIELDS, ...PROXY_SECRET_FIELDS],
        "connection.proxy",
    );
    return [...refused, ...unknown, ...proxyUnknown];
}

/** The `proxy` object of one half of a connection, when it is an object. */
function proxyPart(part: object | undefined): object | undefined {
    const p = (part as { proxy?: unknown } | undefined)?.proxy;
    return typeof p === "object" && p !== null ? p : undefined;
}

/** Unknown arguments of a resource, as the SDK reports them (`unknownArgs`, names only). */
export function argumentFailures(kind: ResourceKind, unknownArgs: readonly string[] | undefined): CheckFailure[] {
    return unknownFieldFailures(unknownArgs ?? [], RESOURCE_ARGS[kind], "");
}
