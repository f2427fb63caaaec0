/**
 * The program-time side of a RemoteFile `source` file's line diff: its text, when it is small UTF-8 text, is kept
 * in the inputs (`sourceText`) so that `pulumi preview --diff` can show what changed in it, as for `content`.
 */
import * as fs from "node:fs/promises";
import { SOURCE_TEXT_HEADER, TEXT_DIFF_MAX_BYTES } from "../provider/defaults";

/**
 * SOURCE_TEXT_HEADER and the text of the file at `abs`, or undefined when it is larger than TEXT_DIFF_MAX_BYTES,
 * not UTF-8, holds a NUL byte (binary), or cannot be read (check reports a missing file).
 */
export async function readSourceText(abs: string): Promise<string | undefined> {
    try {
        const st = await fs.stat(abs);
        if (!st.isFile() || st.size > TEXT_DIFF_MAX_BYTES) {
            return undefined;
        }
        const bytes = await fs.readFile(abs);
        if (bytes.length > TEXT_DIFF_MAX_BYTES || bytes.includes(0)) {
            return undefined;
        }
        return SOURCE_TEXT_HEADER + new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
        return undefined;
    }
}
