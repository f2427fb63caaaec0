/**
 * Runs a Pulumi program folder through the real Pulumi CLI: `preview`, `up`, `refresh` or `destroy`.
 *
 *   node dist/scripts/run-program.js <preview|up|refresh|destroy> --cwd DIR --stack NAME [--engine BIN] [--diff]
 *
 * The CLI is the one scripts/engine.sh builds. Where that folder also holds `pulumi-language-nodejs`, this is a
 * plain `pulumi <command>`. Where the Go module proxy does not serve the language host (see engine.sh), the program
 * runs through Pulumi's Automation API inline mode: @pulumi/pulumi serves the language runtime in this process and
 * the same CLI attaches to it with `--client`. Either way the engine, the state backend and the dynamic provider
 * plugin are Pulumi's own; this file only loads `main` from Pulumi.yaml the way `pulumi-language-nodejs` would.
 *
 * The backend is a local file backend; PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE and PULUMI_HOME are taken from
 * the environment (the callers set them to scratch folders). Output streams to stdout; the last line is
 * `FILEDROP_RESULT <json>` with the change summary, for scripts and tests.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

type Command = "preview" | "up" | "refresh" | "destroy";

interface Options {
    command: Command;
    cwd: string;
    stack: string;
    engine: string;
    diff: boolean;
    expectNoChanges: boolean;
}

function parseArgs(argv: string[]): Options {
    const [command, ...rest] = argv;
    if (!["preview", "up", "refresh", "destroy"].includes(command)) {
        throw new Error(`usage: run-program <preview|up|refresh|destroy> --cwd DIR --stack NAME [--engine BIN]`);
    }
    const opt = (name: string): string | undefined => {
        const i = rest.indexOf(name);
        return i >= 0 ? rest[i + 1] : undefined;
    };
    const engine = opt("--engine") ?? process.env.FILEDROP_ENGINE_BIN;
    if (!engine) {
        throw new Error("no engine: pass --engine or set FILEDROP_ENGINE_BIN (scripts/engine.sh prints it)");
    }
    return {
        command: command as Command,
        cwd: path.resolve(opt("--cwd") ?? "."),
        stack: opt("--stack") ?? "dev",
        engine: path.resolve(engine),
        diff: rest.includes("--diff"),
        expectNoChanges: rest.includes("--expect-no-changes"),
    };
}

/** A top-level scalar of Pulumi.yaml (`name`, `main`). */
function projectSetting(cwd: string, key: string): string | undefined {
    const yaml = fs.readFileSync(path.join(cwd, "Pulumi.yaml"), "utf8");
    return new RegExp(`^${key}:\\s*["']?([^"'\\n]+?)["']?\\s*$`, "m").exec(yaml)?.[1];
}

/** `main` from Pulumi.yaml, resolved like the Node.js language host does (file, or folder with index). */
function programEntry(cwd: string): string {
    const main = projectSetting(cwd, "main") ?? ".";
    const target = path.resolve(cwd, main);
    for (const candidate of [target, `${target}.ts`, `${target}.js`, path.join(target, "index.ts"), path.join(target, "index.js")]) {
        if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) {
            return candidate;
        }
    }
    throw new Error(`Pulumi.yaml in ${cwd} names main '${main}', which has no index.ts or index.js`);
}

function engineEnv(o: Options): NodeJS.ProcessEnv {
    return {
        ...process.env,
        PATH: `${o.engine}${path.delimiter}${process.env.PATH ?? ""}`,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    };
}

/** Plain CLI mode: the language host is installed next to the CLI. */
function runCli(o: Options): number {
    const args = [o.command, "--stack", o.stack, "--non-interactive"];
    if (o.command !== "preview") {
        args.push("--yes", "--skip-preview");
    }
    if (o.diff) {
        args.push("--diff");
    }
    if (o.expectNoChanges) {
        args.push("--expect-no-changes");
    }
    const r = spawnSync(path.join(o.engine, "pulumi"), args, { cwd: o.cwd, stdio: "inherit", env: engineEnv(o) });
    return r.status ?? 1;
}

/** Inline mode: @pulumi/pulumi's own language runtime in this process, the CLI attached with --client. */
async function runInline(o: Options): Promise<number> {
    const env = engineEnv(o);
    Object.assign(process.env, env);
    // The Automation API and the program must share one copy of @pulumi/pulumi: take it from the program's folder.
    const auto = require(require.resolve("@pulumi/pulumi/automation", { paths: [o.cwd] }));
    const entry = programEntry(o.cwd);
    if (entry.endsWith(".ts")) {
        require(require.resolve("ts-node", { paths: [o.cwd, __dirname] })).register({
            transpileOnly: true,
            compilerOptions: { module: "commonjs", target: "es2020", esModuleInterop: true },
        });
    }
    const program = async () => {
        process.chdir(o.cwd);
        const exported = require(entry);
        const value = typeof exported?.default === "function" ? await exported.default() : exported;
        return value && typeof value === "object" ? { ...value } : {};
    };
    const pulumiCommand = await auto.PulumiCommand.get({ root: path.dirname(o.engine), skipVersionCheck: true });
    const stack = await auto.LocalWorkspace.createOrSelectStack(
        { stackName: o.stack, projectName: projectSetting(o.cwd, "name"), program },
        { workDir: o.cwd, pulumiCommand, envVars: env as Record<string, string> },
    );
    const common = { onOutput: (s: string) => process.stdout.write(s), diff: o.diff };
    let summary: unknown;
    switch (o.command) {
        case "preview": {
            const r = await stack.preview({ ...common, expectNoChanges: o.expectNoChanges });
            summary = r.changeSummary;
            break;
        }
        case "up": {
            const r = await stack.up({ ...common, expectNoChanges: o.expectNoChanges });
            summary = r.summary.resourceChanges;
            break;
        }
        case "refresh": {
            const r = await stack.refresh({ ...common, expectNoChanges: o.expectNoChanges });
            summary = r.summary.resourceChanges;
            break;
        }
        case "destroy": {
            const r = await stack.destroy(common);
            summary = r.summary.resourceChanges;
            break;
        }
    }
    process.stdout.write(`\nFILEDROP_RESULT ${JSON.stringify(summary ?? {})}\n`);
    return 0;
}

async function main(): Promise<void> {
    const o = parseArgs(process.argv.slice(2));
    const inline = !fs.existsSync(path.join(o.engine, "pulumi-language-nodejs"));
    let code: number;
    try {
        code = inline ? await runInline(o) : runCli(o);
    } catch (e) {
        // The Automation API's CommandError carries the CLI's stderr; print it and fail like the CLI would.
        const err = e as { stderr?: string; message?: string };
        process.stderr.write(`${err.stderr ?? err.message ?? String(e)}\n`);
        code = 1;
    }
    process.exit(code);
}

void main();
