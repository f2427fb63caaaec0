/**
 * Where the audit log goes, and appending to it. The file is named by the stack config key `filedrop:auditLog`
 * (`pulumi config set filedrop:auditLog /var/log/filedrop/prod.jsonl`), else by the environment variable
 * `FILEDROP_AUDIT_LOG`; with neither, nothing is logged.
 *
 * How the provider learns the name: Pulumi's engine starts the dynamic provider with the CLI's environment (so the
 * variable is inherited) and calls the provider's `configure` with the whole stack configuration (verified with CLI
 * and SDK 3.248.0, also on `destroy`, which does not run the program), so the config key needs nothing from the
 * program. The config key wins over the variable: it is the stack's own choice.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { messageOf } from "../errors";
import { warn } from "../warnings";
import type { AuditRecord } from "./auditRecord";

/** The stack config key naming the audit log file. */
export const AUDIT_CONFIG_KEY = "filedrop:auditLog";
/** The environment variable naming the audit log file (when the config key is not set). */
export const AUDIT_ENV = "FILEDROP_AUDIT_LOG";

let fromConfig: string | undefined;

/** Takes the audit log's name from the stack configuration (the provider's `configure`). */
export function configureAudit(config: { get(key: string): string | undefined } | undefined): void {
    const v = config?.get(AUDIT_CONFIG_KEY);
    fromConfig = typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;
}

/** The audit log's absolute path, or undefined when auditing is off. A relative name is taken from the cwd. */
export function auditLogPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
    const name = fromConfig ?? (env[AUDIT_ENV]?.trim() || undefined);
    return name === undefined ? undefined : path.resolve(name);
}

let warned = false;

/**
 * Appends one JSON line per record. One `write` with `O_APPEND` per call, so lines of parallel resources (and of
 * several provider processes) never interleave. A log that cannot be written is warned about once and does not fail
 * the deployment: the transfer has happened, and failing now would leave it out of the state.
 */
export function appendAudit(records: readonly AuditRecord[], file = auditLogPath()): void {
    if (file === undefined || records.length === 0) {
        return;
    }
    try {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.appendFileSync(file, records.map((r) => `${JSON.stringify(r)}\n`).join(""), { mode: 0o600 });
    } catch (e) {
        if (!warned) {
            warned = true;
            warn(`cannot write the audit log ${file} (${messageOf(e)}); the deployment goes on without it.`);
        }
    }
}
