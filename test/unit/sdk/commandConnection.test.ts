/**
 * One connection for our resources and `@pulumi/command`'s `remote.Command` (issue 10 item 1, issue 19 item 6),
 * proven by the compiler both ways: the assignments below do not compile if either package's connection type stops
 * accepting the other's. The `@ts-expect-error` lines fail the build if they stop being errors: `knownHosts`,
 * `sudo` (and our other additions) are ours only, and @pulumi/command refuses them, printing the object, key
 * included; so the README recommends `commandConnection()`, whose output is exactly @pulumi/command's fields.
 * The engine run of both packages side by side, with the real plugin, is test/integration/commandConnection.test.ts.
 */
import * as assert from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { types } from "@pulumi/command";
import type * as pulumi from "@pulumi/pulumi";
import { isFiledropError } from "../../../provider/errors";
import { connectionFieldFailures, type SameKeys } from "../../../provider/plan/knownKeys";
import { fingerprintOf, keyBlobOf } from "../../../provider/trust/hostKeys";
import {
    type CommandProxyConnection,
    type commandConnection,
    commandConnectionOf,
    type CommandConnection as HelperOutput,
} from "../../../sdk/commandConnection";
import type { ConnectionArgs } from "../../../sdk/connection";

type CommandConnection = types.input.remote.ConnectionArgs;

/** A connection as a user writes it once for both packages: hostKey as an OpenSSH key line. */
const shared = {
    host: "10.0.0.5",
    port: 22,
    user: "deploy",
    privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\n…",
    hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOaa deploy@example",
    perDialTimeout: 15,
    dialErrorLimit: 10,
    proxy: { host: "bastion.example", port: 22, user: "jump", agentSocketPath: "/run/user/1000/ssh-agent.sock" },
};

// Ours accepted where @pulumi/command wants its ConnectionArgs, and the other way round.
const ours: ConnectionArgs = shared;
const theirs: CommandConnection = shared;
const oursFromTheirs: ConnectionArgs = theirs;
const theirsFromOurs: CommandConnection = ours;

/** Every field of @pulumi/command's ConnectionArgs is one of ours, proxy included. */
type MissingInOurs = Exclude<keyof CommandConnection, keyof ConnectionArgs>;
const noneMissing: [MissingInOurs] extends [never] ? true : never = true;

const commandHasNoKnownHosts: CommandConnection = {
    host: "h",
    // @ts-expect-error: @pulumi/command has no knownHosts; a shared object pins with hostKey
    knownHosts: "/home/me/.ssh/known_hosts",
};
const commandHasNoProtocol: CommandConnection = {
    host: "h",
    // @ts-expect-error: FTPS is ours alone
    protocol: "ftps",
};
const commandHasNoSudo: CommandConnection = {
    host: "h",
    // @ts-expect-error: sudo is ours alone
    sudo: true,
};

/** commandConnection() gives exactly @pulumi/command's fields, and its output is accepted as that connection. */
const helperKeys: SameKeys<HelperOutput, CommandConnection> = true;
const helperProxyKeys: SameKeys<CommandProxyConnection, types.input.remote.ProxyConnectionArgs> = true;
const helperAccepted: pulumi.Input<CommandConnection> = null as unknown as ReturnType<typeof commandConnection>;

describe("sdk: one connection object for pulumi-filedrop and @pulumi/command", function () {
    it("the shared object's fields are all known to our check (none refused, none unknown)", function () {
        void [oursFromTheirs, theirsFromOurs, noneMissing, commandHasNoKnownHosts, commandHasNoProtocol];
        void [commandHasNoSudo, helperKeys, helperProxyKeys, helperAccepted];
        const { privateKey, ...publicPart } = shared;
        assert.deepStrictEqual(connectionFieldFailures(publicPart, { privateKey }), []);
    });

    it("a field of @pulumi/command we do not know would be refused by name, not ignored", function () {
        const failures = connectionFieldFailures({ host: "h", hostkey: "x" }, {});
        assert.deepStrictEqual(
            failures.map((f) => f.property),
            ["connection.hostkey"],
        );
    });
});

describe("sdk: commandConnection() hands @pulumi/command only its fields, with a host key it checks", function () {
    let dir: string;
    let keyLine: string;
    let ecdsaLine: string;
    let bastionLine: string;
    let knownHosts: string;
    const key = "-----BEGIN OPENSSH PRIVATE KEY-----\nsecret\n-----END OPENSSH PRIVATE KEY-----\n";

    before(function () {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "command-connection-"));
        const make = (name: string, type: string) => {
            execFileSync("ssh-keygen", ["-q", "-t", type, "-N", "", "-f", path.join(dir, name)]);
            return fs
                .readFileSync(path.join(dir, `${name}.pub`), "utf8")
                .trim()
                .split(" ")
                .slice(0, 2)
                .join(" ");
        };
        keyLine = make("host", "ed25519");
        ecdsaLine = make("hostecdsa", "ecdsa");
        bastionLine = make("bastion", "ed25519");
        knownHosts = path.join(dir, "known_hosts");
        // The ECDSA key first: the ed25519 one is still the one handed over (the strongest).
        fs.writeFileSync(
            knownHosts,
            `[10.0.0.5]:2222 ${ecdsaLine}\n[10.0.0.5]:2222 ${keyLine}\nbastion.example ${bastionLine}\n`,
        );
        // The same file hashed by ssh-keygen -H, as Debian writes it.
        fs.copyFileSync(knownHosts, path.join(dir, "hashed"));
        execFileSync("ssh-keygen", ["-H", "-f", path.join(dir, "hashed")], { stdio: "ignore" });
    });

    after(function () {
        fs.rmSync(dir, { recursive: true, force: true });
    });

    const ours = () => ({
        host: "10.0.0.5",
        port: 2222,
        user: "deploy",
        privateKey: key,
        knownHosts,
        sudo: true,
        maxSessions: 4,
        proxy: { host: "bastion.example", user: "jump", password: "pw", knownHosts, insecureAcceptAnyHostKey: false },
    });

    it("keeps only @pulumi/command's fields, and turns knownHosts into the hostKey line it checks", function () {
        assert.deepStrictEqual(commandConnectionOf(ours()), {
            host: "10.0.0.5",
            port: 2222,
            user: "deploy",
            privateKey: key,
            hostKey: keyLine,
            proxy: { host: "bastion.example", user: "jump", password: "pw", hostKey: bastionLine },
        });
    });

    it("reads hashed known_hosts entries, and maps a SHA256: fingerprint to its key line", function () {
        const hashed = path.join(dir, "hashed");
        assert.strictEqual(commandConnectionOf({ ...ours(), knownHosts: hashed }).hostKey, keyLine);
        const ecdsaFingerprint = fingerprintOf(keyBlobOf(ecdsaLine)!);
        assert.strictEqual(commandConnectionOf({ ...ours(), hostKey: ecdsaFingerprint }).hostKey, ecdsaLine);
    });

    it("passes a key-line hostKey through and fills in our default user (@pulumi/command's is root)", function () {
        const { user: _, knownHosts: __, proxy: ___, ...rest } = ours();
        const out = commandConnectionOf({ ...rest, hostKey: `${keyLine} me@host` });
        assert.strictEqual(out.hostKey, `${keyLine} me@host`);
        assert.strictEqual(out.user, process.env.USER ?? "root");
    });

    it("refuses, naming the host and how to pin it, when no host key can be handed over", function () {
        const unknownHost = () => commandConnectionOf({ ...ours(), host: "10.9.9.9" });
        assert.throws(unknownHost, (e: unknown) => {
            assert.ok(isFiledropError(e) && e.code === "HOST_KEY_UNKNOWN");
            assert.match(
                e.message,
                /commandConnection: the connection to 10\.9\.9\.9 needs its host key as an OpenSSH public key line .* has no key for \[10\.9\.9\.9\]:2222; set `hostKey` to the server's key line \(`ssh-keyscan -p 2222 10\.9\.9\.9`/,
            );
            assert.ok(!e.message.includes("secret"), "no key text in the message");
            return true;
        });
        const wrongPin = () => commandConnectionOf({ ...ours(), hostKey: `SHA256:${"A".repeat(43)}` });
        assert.throws(wrongPin, /has no key SHA256:A{43} for \[10\.0\.0\.5\]:2222/);
        const bastion = () => commandConnectionOf({ ...ours(), proxy: { host: "other.example", knownHosts } });
        assert.throws(bastion, /the bastion other\.example needs its host key/);
    });

    it("hands over no hostKey only when host keys are explicitly not checked", function () {
        const out = commandConnectionOf({ host: "h", password: "pw", insecureAcceptAnyHostKey: true });
        assert.deepStrictEqual(Object.keys(out).sort(), ["host", "password", "user"]);
    });

    it("refuses an FTP connection: @pulumi/command runs commands over SSH", function () {
        assert.throws(
            () => commandConnectionOf({ protocol: "ftps", host: "files.example", password: "pw" }),
            (e: unknown) => isFiledropError(e) && e.code === "UNSUPPORTED" && /is ftps; give it an SSH/.test(e.message),
        );
    });
});
