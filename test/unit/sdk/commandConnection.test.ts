/**
 * One `connection` object for our resources and `@pulumi/command`'s `remote.Command` (issue 10 item 1), proven by
 * the compiler both ways: the assignments below do not compile if either package's connection type stops accepting
 * the other's. The `@ts-expect-error` lines fail the build if they stop being errors, so they prove what the README
 * says: `knownHosts` (and our other additions) are ours only, so a literal shared object must not carry them.
 * The engine run of both packages side by side is test/integration/command.sideBySide.test.ts.
 */
import * as assert from "node:assert";
import type { types } from "@pulumi/command";
import { connectionFieldFailures } from "../../../provider/plan/knownKeys";
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

describe("sdk: one connection object for pulumi-filedrop and @pulumi/command", function () {
    it("the shared object's fields are all known to our check (none refused, none unknown)", function () {
        void [oursFromTheirs, theirsFromOurs, noneMissing, commandHasNoKnownHosts, commandHasNoProtocol];
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
