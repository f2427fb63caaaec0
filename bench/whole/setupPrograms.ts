/**
 * The programs of the setups bench (setups.ts), each in JavaScript and in TypeScript with the same statements, so that
 * the language is the only difference between a pair: N RemoteFiles of one connection (no stack outputs, as a user
 * deploying files writes it), and N no-op dynamic resources of 1 KiB input (Pulumi's floor). Both read settings.json.
 */

const filesBody = (ts: boolean) => `
const s = JSON.parse(fs.readFileSync(path.join(__dirname, "settings.json"), "utf8"));
const connection${ts ? ": ConnectionArgs" : ""} = { ...s.connection, privateKey: pulumi.secret(s.connection.privateKey) };
for (const f of s.files${ts ? " as { name: string; path: string; source: string }[]" : ""}) {
    new RemoteFile(f.name, { connection, path: f.path, source: f.source });
}
`;

/** settings: { connection: {host, port, user, privateKey, knownHosts | hostKey}, files: [{name, path, source}] }. */
export function filesProgram(ts: boolean): string {
    return ts
        ? `import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { RemoteFile, type ConnectionArgs } from "pulumi-filedrop";
${filesBody(true)}`
        : `const fs = require("fs");
const path = require("path");
const pulumi = require("@pulumi/pulumi");
const { RemoteFile } = require("pulumi-filedrop");
${filesBody(false)}
module.exports = {};
`;
}

/** settings: { count }. The same no-op provider as programs.ts's noopProgram. */
export function noopFilesProgram(ts: boolean): string {
    const t = (s: string) => (ts ? s : "");
    return `${
        ts
            ? `import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";`
            : `const fs = require("fs");
const path = require("path");
const pulumi = require("@pulumi/pulumi");`
    }
const s = JSON.parse(fs.readFileSync(path.join(__dirname, "settings.json"), "utf8"));
const provider${t(": pulumi.dynamic.ResourceProvider")} = {
    async create(inputs${t(": any")}) { return { id: inputs.name, outs: inputs }; },
    async diff(id${t(": string")}, olds${t(": any")}, news${t(": any")}) { return { changes: olds.content !== news.content }; },
    async update(id${t(": string")}, olds${t(": any")}, news${t(": any")}) { return { outs: news }; },
};
class Noop extends pulumi.dynamic.Resource {
    constructor(name${t(": string")}, props${t(": Record<string, unknown>")}) { super(provider, name, props, undefined, "bench", "Noop"); }
}
for (let i = 0; i < s.count; i++) new Noop("n" + i, { name: "n" + i, content: "x".repeat(1024) });
${ts ? "" : "module.exports = {};\n"}`;
}

/** The tsconfig.json `pulumi new typescript` writes (type-checked by ts-node, Pulumi's default). */
export const userTsconfig = {
    compilerOptions: {
        strict: true,
        outDir: "bin",
        target: "es2020",
        module: "commonjs",
        moduleResolution: "node",
        sourceMap: true,
        experimentalDecorators: true,
        pretty: true,
        noFallthroughCasesInSwitch: true,
        noImplicitReturns: true,
        forceConsistentCasingInFileNames: true,
    },
    files: ["index.ts"],
};
