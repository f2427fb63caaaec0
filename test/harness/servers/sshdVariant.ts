import * as path from "node:path";
import { scratchDir } from "../world";
import { type Sshd, type SshdOptions, startSshd } from "./sshd";

let n = 0;

/**
 * An sshd with these options for the enclosing mocha `describe`: started in its `before`, stopped in its `after`.
 * `get()` is the running server (inside the describe's tests).
 */
export function sshdPerDescribe(options: SshdOptions, name: string): { get: () => Sshd } {
    let s: Sshd | undefined;
    before(async function () {
        s = await startSshd(path.join(scratchDir(), "servers", `variant-${name}-${n++}`), options);
    });
    after(async () => s?.stop());
    return { get: () => s! };
}
