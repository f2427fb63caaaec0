/**
 * A stack about to upload a large file through a cut-able connection (a DropProxy in front of the test sshd): its
 * one RemoteFile was first deployed as a small text, and the settings now name `size` random bytes from a local
 * file, so the next `up` uploads them over the existing file. For tests that interrupt that upload.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { remoteFilesProgram } from "./programs";
import { TestStack } from "./stack";
import { remoteDir, sshConnection, type World } from "./world";

/** The stack, the remote folder and target, the bytes it will upload, and the local file they come from. */
export interface BigUpload {
    readonly stack: TestStack;
    readonly root: string;
    readonly target: string;
    readonly payload: Buffer;
    readonly source: string;
}

/** Prepares stack `name` (remote folder of the same name) to upload `size` bytes to `big.bin` through `proxyPort`. */
export async function stagedBigUpload(w: World, name: string, proxyPort: number, size: number): Promise<BigUpload> {
    const root = remoteDir(w, name);
    const target = path.join(root, "big.bin");
    const payload = randomBytes(size);
    const source = path.join(fs.mkdtempSync(path.join(w.dir, `${name}-src-`)), "big.bin");
    fs.writeFileSync(source, payload);
    const connection = sshConnection(w, { port: proxyPort, knownHosts: undefined, hostKey: w.sshd.hostKeyFingerprint });
    const stack = new TestStack(w, name, remoteFilesProgram);
    stack.setSettings({ connection, files: [{ name: "big", path: target, content: "small first\n" }] });
    await stack.ok("up");
    stack.setSettings({ connection, files: [{ name: "big", path: target, sourceAsset: source }] });
    return { stack, root, target, payload, source };
}
