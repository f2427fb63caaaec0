/** Shared set-up of the unit tests on the memory transport: a fresh server per test, installed as the opener. */
import * as assert from "node:assert";
import { createHash } from "node:crypto";
import type { ConnectionInputs } from "../../../provider/connection";
import type { RemoteFileInputs } from "../../../provider/handlers/remoteFile";
import { withTransport } from "../../../provider/transport/pool";
import type { Transport } from "../../../provider/transport/types";
import { MemoryServer } from "./memoryTransport";

let n = 0;

/** A new server, installed; a connection to it (unique host, so pooled connections never mix tests). */
export function freshServer(): {
    server: MemoryServer;
    connection: ConnectionInputs;
    credentials: { password: string };
} {
    const server = new MemoryServer().install();
    return {
        server,
        connection: { host: `mem-${process.pid}-${++n}`, user: "deploy" },
        credentials: { password: "pw" },
    };
}

/** Runs `op` on a pooled connection to the server of `connection`. */
export function onServer<T>(connection: ConnectionInputs, op: (t: Transport) => Promise<T>): Promise<T> {
    return withTransport(connection, { password: "pw" }, op);
}

export const sha = (b: string | Buffer) => createHash("sha256").update(b).digest("hex");

/** The names in a folder that are temporaries of ours. */
export function temporaries(server: MemoryServer, dir = "/"): string[] {
    return server.fs.tree(dir).filter((p) => /\.filedrop-[0-9a-f]{12}$/.test(p));
}

/**
 * Fails when `value` holds `undefined` anywhere: the dynamic provider sends handler results as a protobuf Struct,
 * which rejects it ("Unexpected struct type").
 */
export function assertStructSafe(value: unknown, where = "result"): void {
    if (value === undefined) {
        throw new Error(`${where} is undefined, which a protobuf Struct cannot carry`);
    }
    if (value !== null && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) {
            assertStructSafe(v, `${where}.${k}`);
        }
    }
}

/** What the engine does before create/diff: run `check` on the program's inputs, which must pass, and hand its inputs on. */
export async function checkedBy<I>(
    check: (olds: I, news: I) => Promise<{ inputs?: I; failures?: unknown[] }>,
    news: I,
    olds: I = news,
): Promise<I> {
    const r = await check(olds, news);
    assert.deepStrictEqual(r.failures, []);
    assertStructSafe(r.inputs, "check's inputs");
    return r.inputs!;
}

/** Runs a handler's `create`, checking that its result can cross to the engine. */
export async function createdBy<I, O>(
    create: (inputs: I) => Promise<{ id: string; outs?: O }>,
    inputs: I,
): Promise<{ id: string; outs: O }> {
    const r = await create(inputs);
    assertStructSafe(r, "create's result");
    return { id: r.id, outs: r.outs! };
}

/** A RemoteFile's inputs before check: `content` at `path` on the server of `f` (freshServer). */
export function remoteFileInputs(f: ReturnType<typeof freshServer>, path: string, content: string): RemoteFileInputs {
    return {
        connection: f.connection,
        credentials: f.credentials,
        path,
        content,
        sha256: sha(content),
        size: Buffer.byteLength(content),
    };
}
