/**
 * The handlers' methods as both faces serve them (the dynamic providers of provider/index.ts and the plugin of
 * provider/plugin/): transfers and removals go to the audit log (provider/audit/), failures are worded for the engine
 * (provider/engineReport.ts), refresh and destroy say how to change the state's connection, and the first configure
 * starts the lifeline that stops the transfers when the CLI is gone (provider/engineGone.ts). One copy for both.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { audited } from "../audit/audited";
import { configureAudit } from "../audit/auditLog";
import { exitWhenEngineGone } from "../engineGone";
import { fieldInReason, reported } from "../engineReport";
import { withStateConnectionAdvice } from "../errors";
import { abortAll } from "../transport/pool";

/** The handlers, by the name the faces know them by (the file name in provider/handlers/). */
export type HandlerName = "remoteFile" | "remoteDirectory" | "remoteTree" | "remoteDownload";

/** The methods every handler exports. */
interface Handler {
    check(olds: unknown, news: unknown): Promise<dynamic.CheckResult>;
    diff(id: string, olds: unknown, news: unknown): Promise<dynamic.DiffResult>;
    create(inputs: unknown): Promise<dynamic.CreateResult>;
    read(id: string, props: unknown): Promise<dynamic.ReadResult>;
    update(id: string, olds: unknown, news: unknown): Promise<dynamic.UpdateResult>;
    remove(id: string, props: unknown): Promise<unknown>;
}

/** Each handler, loaded when first used (a process serving one resource kind loads one handler). */
const HANDLERS: Record<HandlerName, () => Handler> = {
    remoteFile: () => require("../handlers/remoteFile"),
    remoteDirectory: () => require("../handlers/remoteDirectory"),
    remoteTree: () => require("../handlers/remoteTree"),
    remoteDownload: () => require("../handlers/remoteDownload"),
};

/** Why the transfers stopped, for whoever still listens (the engine that would show it is gone). */
export const ENGINE_GONE =
    "The Pulumi CLI is gone (killed, or it exited without stopping its provider), so filedrop stopped its transfers; run `pulumi up` again: it continues an interrupted upload where it stopped.";

/**
 * Configure, which runs first in every provider process: starts the lifeline and reads the audit log's setting
 * (`filedrop:auditLog`) from `config`.
 */
export function configureFace(config: { get(key: string): string | undefined } | undefined): void {
    exitWhenEngineGone(() => {
        abortAll(ENGINE_GONE);
    });
    configureAudit(config);
}

/** The methods of `handler`, wrapped as described above. */
export function methodsFor(handler: HandlerName) {
    const load = HANDLERS[handler];
    return {
        check: (olds: unknown, news: unknown): Promise<dynamic.CheckResult> =>
            reported(async () => {
                const r = await load().check(olds, news);
                return { ...r, failures: fieldInReason(r.failures) };
            }),
        diff: (id: string, olds: unknown, news: unknown): Promise<dynamic.DiffResult> =>
            reported(() => load().diff(id, olds, news)),
        create: (inputs: unknown): Promise<dynamic.CreateResult> =>
            audited(handler, "create", [inputs], () => load().create(inputs)),
        // Refresh and destroy connect with the state's connection: host-key advice says how to change that.
        read: (id: string, props: unknown): Promise<dynamic.ReadResult> =>
            reported(() =>
                audited(handler, "read", [id, props], () =>
                    load()
                        .read(id, props)
                        .catch((e: unknown) => Promise.reject(withStateConnectionAdvice(e, "refresh"))),
                ),
            ),
        update: (id: string, olds: unknown, news: unknown): Promise<dynamic.UpdateResult> =>
            audited(handler, "update", [id, olds, news], () => load().update(id, olds, news)),
        delete: (id: string, props: unknown): Promise<void> =>
            reported(() =>
                audited(handler, "delete", [id, props], () => load().remove(id, props))
                    .then(() => undefined)
                    .catch((e: unknown) => Promise.reject(withStateConnectionAdvice(e, "destroy"))),
            ),
    };
}
