/**
 * Serving the plugin with `@pulumi/pulumi/provider`'s `main`, with two RPCs of its server (provider/server.js,
 * 3.248) amended here:
 * - configure: the SDK's answers without looking at the configuration; ours reads the audit log's setting from it
 *   (`pulumi config set filedrop:auditLog …`, as the dynamic resources do) and starts the lifeline
 *   (providers/handlerMethods.ts), then answers as the SDK's does;
 * - read: `pulumi import` reads with no properties at all, which the SDK's read dereferences
 *   ("Cannot read properties of undefined (reading 'toJavaScript')"); they are given as empty here.
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

/** The parts of the read request amended here (pulumirpc.ReadRequest). */
interface ReadRequest {
    getProperties(): unknown;
    setProperties(v: unknown): void;
}

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
export async function serve(p: provider.Provider, args: string[]): Promise<void> {
    const sdk = createRequire(require.resolve("@pulumi/pulumi/provider/server"));
    const grpc = sdk("@grpc/grpc-js") as {
        Server: { prototype: { addService: (service: unknown, impl: Implementation) => void } };
    };
    const provproto = sdk("../proto/provider_pb") as {
        ConfigureResponse: new () => Record<string, (v: boolean) => void>;
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
        return addService.call(this, service, ours);
    };
    const { main } = require("@pulumi/pulumi/provider") as typeof provider;
    await main(p, args);
}
