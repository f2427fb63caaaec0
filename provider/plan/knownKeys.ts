/**
 * The field names users may give (connection fields, each resource's arguments), and the check that refuses any
 * other name with the closest known one ("`connection.hostkey` is not a field …; did you mean `hostKey`?").
 * An unknown field is never ignored: a typo in a shared `connection` object would otherwise pass preview and fail
 * later with a misleading message, or, like `proxy`, silently connect another way than the user asked for.
 */
import { closest, distance } from "fastest-levenshtein";
import type { ConnectionInputs, CredentialInputs } from "../connection";
import type { CheckFailure } from "./checkInputs";

/** Every public connection field (the compiler insists on all of ConnectionInputs' keys). */
const PUBLIC_FIELDS: { readonly [K in keyof Required<ConnectionInputs>]: true } = {
    protocol: true,
    host: true,
    port: true,
    user: true,
    agentSocketPath: true,
    hostKey: true,
    knownHosts: true,
    insecureAcceptAnyHostKey: true,
    perDialTimeout: true,
    dialErrorLimit: true,
    ca: true,
    certFingerprint: true,
    insecureSkipTlsVerify: true,
    allowPlaintext: true,
    servername: true,
    maxSessions: true,
};

/** Every secret connection field (the compiler insists on all of CredentialInputs' keys). */
const SECRET_FIELDS: { readonly [K in keyof Required<CredentialInputs>]: true } = {
    password: true,
    privateKey: true,
    privateKeyPassword: true,
};

/** The connection fields kept visible in state. */
export const CONNECTION_PUBLIC_FIELDS = Object.keys(PUBLIC_FIELDS) as (keyof ConnectionInputs)[];
/** The connection fields always stored as secrets (the SDK moves them into `credentials`). */
export const CONNECTION_SECRET_FIELDS = Object.keys(SECRET_FIELDS) as (keyof CredentialInputs)[];
/** Every field a `connection` may have. */
export const CONNECTION_FIELDS: readonly string[] = [...CONNECTION_PUBLIC_FIELDS, ...CONNECTION_SECRET_FIELDS];

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
        "createParents",
        "onDelete",
        "symlinks",
        "validate",
    ],
    RemoteDirectory: ["connection", "path", "mode", "createParents", "onDelete"],
    RemoteTree: ["connection", "source", "destination", "include", "exclude", "modes", "prune", "createParents"],
    RemoteDownload: ["connection", "path", "maxSize", "encoding", "secret"],
} as const;

export type ResourceKind = keyof typeof RESOURCE_ARGS;

/** `true` when A and B have exactly the same keys, else `never`: lets the SDK prove its `…Args` match these lists. */
export type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never]
    ? true
    : never;

/** An object type with the argument names of `kind` as keys. */
export type ArgsOf<K extends ResourceKind> = Record<(typeof RESOURCE_ARGS)[K][number], unknown>;

/**
 * Fields known by name but refused, with why and what to do instead. `proxy` comes from `@pulumi/command`'s
 * ConnectionArgs (whose field names ours follow, so one object serves both): ignoring it would connect directly
 * instead of through the bastion.
 */
const REFUSED_CONNECTION_FIELDS: Readonly<Record<string, string>> = {
    proxy: 'is not supported yet: pulumi-filedrop cannot connect through a bastion (jump) host, and connecting directly instead would not be what you asked for; remove it and make the server reachable directly, e.g. through a tunnel (`ssh -L 2222:server:22 bastion`, then `host: "127.0.0.1"`, `port: 2222`)',
};

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
    return [...refused, ...unknown];
}

/** Unknown arguments of a resource, as the SDK reports them (`unknownArgs`, names only). */
export function argumentFailures(kind: ResourceKind, unknownArgs: readonly string[] | undefined): CheckFailure[] {
    return unknownFieldFailures(unknownArgs ?? [], RESOURCE_ARGS[kind], "");
}
