/**
 * Pulumi's secrets on the wire of a provider plugin. The Node provider server (`@pulumi/pulumi/provider`) hands
 * values over as the engine sent them: a secret is an object `{ [SIG_KEY]: SECRET_SIG, value }`, at any depth. The
 * plugin face unwraps them before a handler sees them, remembers which properties were secret, and wraps them
 * again in everything it returns: the engine does not re-mark a provider's outputs itself.
 */

/** The key of Pulumi's signature on special values (secrets, assets, resource references). */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
/** The signature of a secret. */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Whether `v` is a wrapped secret. */
export function isSecretValue(v: unknown): v is { value: unknown } {
    return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** `v` as a wrapped secret (never wrapped twice; undefined stays undefined). */
export function secretOf(v: unknown): unknown {
    return v === undefined || isSecretValue(v) ? v : { [SIG_KEY]: SECRET_SIG, value: v };
}

/** `v` with every secret inside it unwrapped, and whether there was one. */
export function unwrapDeep(v: unknown): { value: unknown; secret: boolean } {
    if (isSecretValue(v)) {
        return { value: unwrapDeep(v.value).value, secret: true };
    }
    if (Array.isArray(v)) {
        const items = v.map(unwrapDeep);
        return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
    }
    if (typeof v === "object" && v !== null) {
        let secret = false;
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) {
            const u = unwrapDeep(x);
            out[k] = u.value;
            secret ||= u.secret;
        }
        return { value: out, secret };
    }
    return { value: v, secret: false };
}

/** An object of properties unwrapped, with the names of those that were (or held) a secret. */
export function unwrapProperties(props: Record<string, unknown> | undefined): {
    plain: Record<string, unknown>;
    secretKeys: Set<string>;
} {
    const plain: Record<string, unknown> = {};
    const secretKeys = new Set<string>();
    for (const [k, v] of Object.entries(props ?? {})) {
        const u = unwrapDeep(v);
        plain[k] = u.value;
        if (u.secret) {
            secretKeys.add(k);
        }
    }
    return { plain, secretKeys };
}

/** `props` with the properties named in `keys` wrapped as secrets. */
export function wrapProperties<T extends object>(props: T, keys: Iterable<string>): T {
    const out: Record<string, unknown> = { ...(props as Record<string, unknown>) };
    for (const k of keys) {
        if (out[k] !== undefined) {
            out[k] = secretOf(out[k]);
        }
    }
    return out as T;
}
