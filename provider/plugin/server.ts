/**
 * Serving the plugin with `@pulumi/pulumi/provider`'s `main`, with two RPCs of its server (provider/server.js,
 * 3.248) amended here:
 * - configure: the SDK's answers without looking at the configuration; ours reads the audit log's setting from it
 *   (`pulumi config set filedrop:auditLog …`, as the dynamic resources do) and starts the lifeline
 *   (providers/handlerMethods.ts), then answers as the SDK's does;
 * - read: `pulumi import` reads with no properties at all, which the SDK's read dereferences
 *   ("Cannot read properties of undefined (reading 'toJavaScript')"); they are given as empty here;
 * - diff: the SDK's forwards neither the old inputs nor a detailed diff; ours hands the provider the old inputs and
 *   sends its detailed diff (which input keys a preview shows: detailedDiff.ts), so that YAML and Python previews
 *   show what TypeScript ones show (a tree's `changes`, not its whole manifest).
 *
 * The SDK's server class is not exported, so the implementation object it hands gRPC is wrapped on its way in
 * (`Server.prototype.addService` of the very `@grpc/grpc-js` that `@pulumi/pulumi` loads).
 */
import { createRequire } from "node:module";
import type * as provider from "@pulumi/pulumi/provider";
import { configureFace } from "../providers/handlerMethods";

/** The parts of the configure request read here (pulumirpc.ConfigureRequest). */
interface ConfigureRequest {
    getVariablesMap(): { get(key: string): string | undefined };
    getArgs(): { toJavaScript(): Record<string, unknown> } | undefined;
}

/** The parts of the diff response set here (pulumirpc.DiffResponse). */
interface DiffResponse {
    setChanges(v: number): void;
    setReplacesList(v: string[]): void;
    setDeletebeforereplace(v: boolean): void;
    setHasdetaileddiff(v: boolean): void;
    setDiffsList(v: string[]): void;
    getDetaileddiffMap(): { set(k: string, v: unknown): void };
}

/** The parts of the read request amended here (pulumirpc.ReadRequest). */
interface ReadRequest {
    getProperties(): unknown;
    setProperties(v: unknown): void;
}

/** The parts of the diff request read here (pulumirpc.DiffRequest). */
interface DiffRequest {
    getId(): string;
    getUrn(): string;
    getOlds(): { toJavaScript(): Record<string, unknown> };
    getNews(): { toJavaScript(): Record<string, unknown> };
    getOldInputs(): { toJavaScript(): Record<string, unknown> } | undefined;
}

/** A provider whose diff also takes the old inputs and may answer with a detailed diff (provider.ts). */
export type DetailedProvider = Omit<provider.Provider, "diff"> & {
    diff(
        id: string,
        urn: string,
        olds: Record<string, unknown>,
        news: Record<string, unknown>,
        oldInputs: Record<string, unknown> | undefined,
    ): Promise<provider.DiffResult & { detailedDiff?: Record<string, DiffKind> }>;
};

/** The kinds of a property's change, as pulumirpc.PropertyDiff.Kind names them. */
export type DiffKind = "ADD" | "ADD_REPLACE" | "DELETE" | "DELETE_REPLACE" | "UPDATE" | "UPDATE_REPLACE";

type Callback = (err: unknown, value?: unknown) => void;
type Implementation = Record<string, unknown>;

/** The configuration as the engine sends it: `filedrop:auditLog` in the variables, or `auditLog` in the args. */
export function configOf(req: ConfigureRequest): { get(key: string): string | undefined } {
    const vars = req.getVariablesMap();
    const args = req.getArgs()?.toJavaScript() ?? {};
    return {
        get: (key) => {
            const v = vars.get(key) ?? args[key.replace(/^filedrop:/, "")];
            return typeof v === "string" ? v : undefined;
        },
    };
}

/** Starts the plugin's gRPC server (the port is printed on stdout for the engine). */
export async function serve(p: DetailedProvider, args: string[]): Promise<void> {
    const sdk = createRequire(require.resolve("@pulumi/pulumi/provider/server"));
    const grpc = sdk("@grpc/grpc-js") as {
        Server: { prototype: { addService: (service: unknown, impl: Implementation) => void } };
    };
    const provproto = sdk("../proto/provider_pb") as {
        ConfigureResponse: new () => Record<string, (v: boolean) => void>;
        DiffResponse: (new () => DiffResponse) & { DiffChanges: Record<string, number> };
        PropertyDiff: (new () => { setKind(k: number): void; setInputdiff(v: boolean): void }) & {
            Kind: Record<DiffKind, number>;
        };
    };
    const structproto = sdk("google-protobuf/google/protobuf/struct_pb") as { Struct: new () => unknown };
    const addService = grpc.Server.prototype.addService;
    grpc.Server.prototype.addService = function (this: unknown, service: unknown, impl: Implementation) {
        const ours = Object.create(impl) as Implementation;
        ours.configure = (call: { request: ConfigureRequest }, callback: Callback) => {
            try {
                configureFace(configOf(call.request));
                const resp = new provproto.ConfigureResponse();
                resp.setAcceptsecrets(true);
                resp.setAcceptresources(true);
                resp.setAcceptoutputs(true);
                callback(undefined, resp);
            } catch (e) {
                callback(e);
            }
        };
        const read = impl.read as (call: { request: ReadRequest }, callback: Callback) => unknown;
        ours.read = (call: { request: ReadRequest }, callback: Callback) => {
            if (call.request.getProperties() === undefined) {
                call.request.setProperties(new structproto.Struct());
            }
            return read.call(ours, call, callback);
        };
        ours.diff = async (call: { request: DiffRequest }, callback: Callback) => {
            try {
                const req = call.request;
                const r = await p.diff(
                    req.getId(),
                    req.getUrn(),
                    req.getOlds().toJavaScript(),
                    req.getNews().toJavaScript(),
                    req.getOldInputs()?.toJavaScript(),
                );
                const resp = new provproto.DiffResponse();
                const changes = r.changes === true ? "DIFF_SOME" : r.changes === false ? "DIFF_NONE" : "DIFF_UNKNOWN";
                resp.setChanges(provproto.DiffResponse.DiffChanges[changes]);
                if (r.replaces && r.replaces.length > 0) {
                    resp.setReplacesList(r.replaces);
                }
                if (r.deleteBeforeReplace) {
                    resp.setDeletebeforereplace(true);
                }
                if (r.detailedDiff !== undefined && Object.keys(r.detailedDiff).length > 0) {
                    resp.setHasdetaileddiff(true);
                    resp.setDiffsList(Object.keys(r.detailedDiff));
                    const map = resp.getDetaileddiffMap();
                    for (const [key, kind] of Object.entries(r.detailedDiff)) {
                        const d = new provproto.PropertyDiff();
                        d.setKind(provproto.PropertyDiff.Kind[kind]);
                        d.setInputdiff(true);
                        map.set(key, d);
                    }
                }
                callback(undefined, resp);
            } catch (e) {
                console.error(`${e}: ${(e as { stack?: string }).stack}`);
                callback(e);
            }
        };
        return addService.call(this, service, ours);
    };
    const { main } = require("@pulumi/pulumi/provider") as typeof provider;
    await main(p as provider.Provider, args);
}

/**
 * A writer to the engine's log at `addr` (the engine's own Log RPC, as `pulumi.log` uses in a program): a
 * `"warning"` is shown with the deployment's diagnostics, a `"status"` line only while it is current (ephemeral).
 * Never fails: a log that cannot be written is dropped.
 */
export function engineLog(addr: { host: string; port: number }): (kind: "warning" | "status", line: string) => void {
    const sdk = createRequire(require.resolve("@pulumi/pulumi/provider/server"));
    const grpc = sdk("@grpc/grpc-js") as { credentials: { createInsecure(): unknown } };
    const engrpc = sdk("../proto/engine_grpc_pb") as {
        EngineClient: new (a: string, c: unknown) => { log(req: unknown, cb: () => void): void };
    };
    const engproto = sdk("../proto/engine_pb") as {
        LogRequest: new () => {
            setSeverity(v: number): void;
            setMessage(v: string): void;
            setEphemeral(v: boolean): void;
        };
        LogSeverity: Record<"INFO" | "WARNING", number>;
    };
    const host = addr.host.includes(":") ? `[${addr.host}]` : addr.host;
    let client: { log(req: unknown, cb: () => void): void } | undefined;
    return (kind, line) => {
        try {
            client ??= new engrpc.EngineClient(`${host}:${addr.port}`, grpc.credentials.createInsecure());
            const req = new engproto.LogRequest();
            req.setSeverity(kind === "warning" ? engproto.LogSeverity.WARNING : engproto.LogSeverity.INFO);
            req.setMessage(line);
            req.setEphemeral(kind === "status");
            client.log(req, () => undefined);
        } catch {
            // Nobody to tell.
        }
    };
}
