/**
 * A Pulumi test stack: a program folder (Pulumi.yaml + index.js) under the world's programs folder, its own file
 * backend and PULUMI_HOME, driven through the real CLI by scripts/run-program (dist/scripts/run-program.js).
 *
 * The program reads its settings from `settings.json` beside it, which tests rewrite between runs to change
 * the desired state, like a user editing their program.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPO, World } from "./world";

export interface RunResult {
    code: number;
    /** stdout and stderr together, as a user sees them. */
    output: string;
    /** The engine's change summary (e.g. {create: 2, same: 1}). */
    summary: Record<string, number>;
}

export class TestStack {
    public readonly dir: string;
    public readonly stateDir: string;
    public readonly passphrase = "test-passphrase-not-a-secret";
    /** Everything every command printed so far, for "no secret in the output" checks. */
    public readonly outputs: string[] = [];

    constructor(
        private readonly world: World,
        public readonly name: string,
        programSource: string,
    ) {
        this.dir = path.join(world.programsDir, name);
        this.stateDir = path.join(world.dir, "state", name);
        fs.mkdirSync(this.dir, { recursive: true });
        fs.mkdirSync(this.stateDir, { recursive: true });
        fs.mkdirSync(path.join(this.dir, ".pulumi-home"), { recursive: true });
        fs.writeFileSync(path.join(this.dir, "Pulumi.yaml"), `name: ${name}\nruntime: nodejs\nmain: index.js\n`);
        fs.writeFileSync(path.join(this.dir, "index.js"), programSource);
    }

    /** Writes settings.json, which the program reads. */
    setSettings(settings: unknown): void {
        fs.writeFileSync(path.join(this.dir, "settings.json"), JSON.stringify(settings, null, 1));
    }

    run(command: "preview" | "up" | "refresh" | "destroy", extra: string[] = []): Promise<RunResult> {
        const args = [path.join(REPO, "dist/scripts/run-program.js"), command, "--cwd", this.dir, "--stack", "test", "--engine", this.world.engineBin, ...extra];
        const env = {
            ...process.env,
            PULUMI_HOME: path.join(this.dir, ".pulumi-home"),
            PULUMI_BACKEND_URL: `file://${this.stateDir}`,
            PULUMI_CONFIG_PASSPHRASE: this.passphrase,
        };
        return new Promise((resolve) => {
            const child = spawn(process.execPath, args, { cwd: this.dir, env });
            let output = "";
            child.stdout.on("data", (d) => (output += d));
            child.stderr.on("data", (d) => (output += d));
            child.on("close", (code) => {
                this.outputs.push(output);
                const m = /FILEDROP_RESULT (\{.*\})/.exec(output);
                resolve({ code: code ?? 1, output, summary: m ? JSON.parse(m[1]) : {} });
            });
        });
    }

    /** Like run, but fails the test (with the output) when the command fails. */
    async ok(command: "preview" | "up" | "refresh" | "destroy", extra: string[] = []): Promise<RunResult> {
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

function findStackFile(stateDir: string, project: string): string {
    const p = path.join(stateDir, ".pulumi", "stacks", project, "test.json");
    if (!fs.existsSync(p)) {
        throw new Error(`no state file at ${p}`);
    }
    return p;
}
