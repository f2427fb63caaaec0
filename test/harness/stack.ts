/**
 * A Pulumi test stack: a program folder (Pulumi.yaml + index.js) under the world's programs folder, its own file
 * backend and PULUMI_HOME, driven with plain `pulumi preview/up/refresh/destroy` in that folder, exactly as a user
 * types them, with the world's line (engine.ts) first on PATH.
 *
 * The program reads its settings from `settings.json` beside it, which tests rewrite between runs to change
 * the desired state, like a user editing their program.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { pulumiEnv } from "./engine";
import type { World } from "./world";

type Command = "preview" | "up" | "refresh" | "destroy";

export interface RunResult {
    code: number;
    /** stdout and stderr together, as a user sees them. */
    output: string;
    /** The engine's change summary (e.g. {create: 2, same: 1}), from the summary event of the CLI's event log. */
    summary: Record<string, number>;
}

export class TestStack {
    public readonly dir: string;
    public readonly stateDir: string;
    public readonly passphrase = "test-passphrase-not-a-secret";
    /** Everything every command printed so far, for "no secret in the output" checks. */
    public readonly outputs: string[] = [];

    /** Variables added to every command's environment (e.g. pip settings for a Python program). */
    public readonly env: Record<string, string> = {};

    /**
     * `programSource` is a JavaScript program's index.js (the Pulumi.yaml is written for it), or every file of a
     * program in another language by its path in the program folder, Pulumi.yaml included.
     */
    constructor(
        private readonly world: World,
        public readonly name: string,
        programSource: string | Record<string, string>,
    ) {
        this.dir = path.join(world.programsDir, name);
        this.stateDir = path.join(world.dir, "state", name);
        fs.mkdirSync(this.dir, { recursive: true });
        fs.mkdirSync(this.stateDir, { recursive: true });
        fs.mkdirSync(path.join(this.dir, ".pulumi-home"), { recursive: true });
        const files =
            typeof programSource === "string"
                ? { "Pulumi.yaml": `name: ${name}\nruntime: nodejs\nmain: index.js\n`, "index.js": programSource }
                : programSource;
        for (const [rel, text] of Object.entries(files)) {
            fs.mkdirSync(path.dirname(path.join(this.dir, rel)), { recursive: true });
            fs.writeFileSync(path.join(this.dir, rel), text);
        }
    }

    /** Writes settings.json, which the program reads. */
    setSettings(settings: unknown): void {
        fs.writeFileSync(path.join(this.dir, "settings.json"), JSON.stringify(settings, null, 1));
    }

    /**
     * Runs `pulumi <command> --stack test --non-interactive` (and `--yes --skip-preview` for up/refresh/destroy) in
     * the program folder. The stack is created on first use with `pulumi stack select --create`. The change summary
     * comes from `--event-log`, the engine's own event stream (the Automation API reads the same), so the printed
     * output stays what a user sees (`started` gets the CLI's pid, for the bench's memory sampler). The CLI offers that flag only with PULUMI_DEBUG_COMMANDS=true (as the Automation
     * API sets it); that variable only lists debugging commands and changes nothing else a deployment does.
     */
    async run(command: Command, extra: string[] = [], started?: (pid: number) => void): Promise<RunResult> {
        if (!this.selected) {
            const sel = await this.spawnPulumi(["stack", "select", "--create", "test", "--non-interactive"]);
            if (sel.code !== 0) {
                this.outputs.push(sel.output);
                return { ...sel, summary: {} };
            }
            this.selected = true;
        }
        const events = path.join(this.dir, `.events-${++this.runs}.jsonl`);
        const args = [command, "--stack", "test", "--non-interactive", "--event-log", events];
        if (command !== "preview") {
            args.push("--yes", "--skip-preview");
        }
        const r = await this.spawnPulumi([...args, ...extra], started);
        this.outputs.push(r.output);
        return { ...r, summary: summaryOf(events) };
    }

    /** Creates (first time) and selects the stack now, so that a later run times only its command (the bench). */
    async select(): Promise<void> {
        if (!this.selected) {
            const sel = await this.spawnPulumi(["stack", "select", "--create", "test", "--non-interactive"]);
            if (sel.code !== 0) {
                throw new Error(`pulumi stack select failed (exit ${sel.code}):\n${sel.output}`);
            }
            this.selected = true;
        }
    }

    /** Any other `pulumi` command in the program folder, with the same environment (e.g. `state delete`). */
    async runPulumi(args: string[]): Promise<{ code: number; output: string }> {
        const r = await this.spawnPulumi(args);
        this.outputs.push(r.output);
        return r;
    }

    /**
     * Starts `pulumi <command>` like run (the stack must have run once), without waiting: for tests that kill a
     * deployment midway (see processTree.ts). `done` settles when the CLI exits.
     */
    start(command: Command): { pid: number; done: Promise<{ code: number; output: string }> } {
        const args = [command, "--stack", "test", "--non-interactive"];
        if (command !== "preview") {
            args.push("--yes", "--skip-preview");
        }
        let pid = 0;
        const done = this.spawnPulumi(args, (p) => (pid = p));
        return { pid, done };
    }

    private selected = false;
    private runs = 0;

    private spawnPulumi(args: string[], started?: (pid: number) => void): Promise<{ code: number; output: string }> {
        const env = pulumiEnv(this.world.line, {
            home: path.join(this.dir, ".pulumi-home"),
            stateDir: this.stateDir,
            passphrase: this.passphrase,
        });
        env.PULUMI_DEBUG_COMMANDS = "true";
        Object.assign(env, this.env);
        return new Promise((resolve) => {
            const child = spawn(path.join(this.world.line.engineBin, "pulumi"), args, { cwd: this.dir, env });
            started?.(child.pid ?? 0);
            let output = "";
            child.stdout.on("data", (d) => (output += d));
            child.stderr.on("data", (d) => (output += d));
            child.on("error", (e) => (output += `${e.message}\n`));
            child.on("close", (code) => resolve({ code: code ?? 1, output }));
        });
    }

    /** Like run, but fails the test (with the output) when the command fails. */
    async ok(command: Command, extra: string[] = []): Promise<RunResult> {
        const r = await this.run(command, extra);
        if (r.code !== 0) {
            throw new Error(`pulumi ${command} failed (exit ${r.code}):\n${r.output}`);
        }
        return r;
    }

    /** The raw text of the stack's state file(s) in the file backend. */
    stateText(): string {
        const texts: string[] = [];
        const walk = (d: string) => {
            for (const e of fs.readdirSync(d, { withFileTypes: true })) {
                const p = path.join(d, e.name);
                if (e.isDirectory()) {
                    walk(p);
                } else if (/\.json(\.gz)?$|\.bak$/.test(e.name) && !e.name.endsWith(".gz")) {
                    texts.push(fs.readFileSync(p, "utf8"));
                }
            }
        };
        walk(this.stateDir);
        return texts.join("\n");
    }

    /** The outputs of the stack's resources of a type, from the current state. */
    resources(type: string): { urn: string; outputs: Record<string, unknown> }[] {
        const file = findStackFile(this.stateDir, this.name);
        const state = JSON.parse(fs.readFileSync(file, "utf8"));
        return (state.checkpoint.latest?.resources ?? []).filter((r: { type: string }) => r.type === type);
    }
}

/** resourceChanges of the summary event in a CLI event log (one JSON event per line); {} if there is none. */
function summaryOf(eventLog: string): Record<string, number> {
    if (!fs.existsSync(eventLog)) {
        return {};
    }
    let summary: Record<string, number> = {};
    for (const line of fs.readFileSync(eventLog, "utf8").split("\n")) {
        if (line.includes('"summaryEvent"')) {
            summary = JSON.parse(line).summaryEvent.resourceChanges ?? {};
        }
    }
    return summary;
}

function findStackFile(stateDir: string, project: string): string {
    const p = path.join(stateDir, ".pulumi", "stacks", project, "test.json");
    if (!fs.existsSync(p)) {
        throw new Error(`no state file at ${p}`);
    }
    return p;
}
