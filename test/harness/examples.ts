/**
 * The examples under examples/, run as users run them: the example's index.ts copied into a program folder of the
 * world (where the packed pulumi-filedrop and @pulumi/pulumi are installed), compiled by Pulumi's language host
 * with ts-node, configured with `pulumi config set`, and driven by plain `pulumi up/destroy` (stack.ts).
 * `@pulumi/command` (the devDependency's version, whose plugin engine.sh builds beside the CLI) is installed into
 * the programs folder on first use; typescript, ts-node and @types/node are linked from the repository's install.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { lineEnv } from "./engine";
import { REPO } from "./servers/paths";
import { TestStack } from "./stack";
import type { World } from "./world";

const prepared = new Set<string>();

/** Installs @pulumi/command and links the TypeScript tool chain into the programs folder, once per world. */
export function prepare(world: World): void {
    if (prepared.has(world.programsDir)) {
        return;
    }
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8"));
    const command = `@pulumi/command@${pkg.devDependencies["@pulumi/command"]}`;
    process.stderr.write(`[examples] installing ${command} into ${world.programsDir}\n`);
    // --ignore-scripts: its install script would download the plugin; the engine folder has it (engine.sh).
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", "--ignore-scripts", command], {
        cwd: world.programsDir,
        env: lineEnv(world.line),
        stdio: ["ignore", "ignore", "inherit"],
    });
    for (const m of ["typescript", "ts-node", "@types/node"]) {
        const link = path.join(world.programsDir, "node_modules", m);
        if (!fs.existsSync(link)) {
            fs.mkdirSync(path.dirname(link), { recursive: true });
            fs.symlinkSync(path.join(REPO, "node_modules", m), link);
        }
    }
    prepared.add(world.programsDir);
}

/**
 * A stack running examples/<example>/index.ts, with its stack selected and `config` set (secrets with --secret), in
 * a program folder (and state) named `stackName`.
 */
export async function exampleStack(
    world: World,
    example: string,
    config: Record<string, string>,
    secretConfig: Record<string, string> = {},
    stackName = `example-${example}`,
): Promise<TestStack> {
    prepare(world);
    // Its own program folder, state and config per name: two tests of one example in a run must not share them.
    const stack = new TestStack(world, stackName, "");
    fs.rmSync(path.join(stack.dir, "index.js"));
    fs.copyFileSync(path.join(REPO, "examples", example, "index.ts"), path.join(stack.dir, "index.ts"));
    fs.writeFileSync(path.join(stack.dir, "Pulumi.yaml"), `name: ${stack.name}\nruntime: nodejs\nmain: index.ts\n`);
    await must(stack, ["stack", "select", "--create", "test", "--non-interactive"]);
    await setConfig(stack, config, secretConfig);
    return stack;
}

/** `pulumi config set` for each entry (the secret ones with --secret). */
export async function setConfig(
    stack: TestStack,
    config: Record<string, string>,
    secretConfig: Record<string, string> = {},
): Promise<void> {
    for (const [k, v] of Object.entries(config)) {
        await must(stack, ["config", "set", "--stack", "test", "--", k, v]);
    }
    for (const [k, v] of Object.entries(secretConfig)) {
        await must(stack, ["config", "set", "--stack", "test", "--secret", "--", k, v]);
    }
}

async function must(stack: TestStack, args: string[]): Promise<void> {
    const r = await stack.runPulumi(args);
    if (r.code !== 0) {
        throw new Error(`pulumi ${args.join(" ")} failed (exit ${r.code}):\n${r.output}`);
    }
}
