/**
 * Removes `undefined` values (recursively) from handler results: the dynamic provider sends them as a protobuf
 * Struct, which rejects `undefined` ("Unexpected struct type").
 */
export function plain<T>(value: T): T {
    if (Array.isArray(value)) {
        return value.map(plain) as unknown as T;
    }
    if (value !== null && typeof value === "object" && !Buffer.isBuffer(value)) {
        return Object.fromEntries(
            Object.entries(value as Record<string, unknown>)
                .filter(([, v]) => v !== undefined)
                .map(([k, v]) => [k, plain(v)]),
        ) as T;
    }
    return value;
}
