/**
 * The program-time side of a RemoteFile `source` file's line diff: its text, when it is small UTF-8 text, is kept
 * in the inputs (`sourceText`) so that `pulumi preview --diff` can show what changed in it, as for `content`.
 */
import * as fs from "node:fs/promises";
import { SOURCE_TEXT_HEADER, TEXT_DIFF_MAX_BYTES } from "../defaults";
import { sha256OfText } from "../hashing";
import { sha256OfFileShown } from "../progress/localHashing";

/**
 * SOURCE_TEXT_HEADER and the text of `bytes`, or undefined when they are larger than TEXT_DIFF_MAX_BYTES, not
 * UTF-8, or hold a NUL byte (binary).
 */
export function sourceTextOf(bytes: Buffer): string | undefined {
    if (bytes.length > TEXT_DIFF_MAX_BYTES || bytes.includes(0)) {
        return undefined;
    }
    try {
        return SOURCE_TEXT_HEADER + new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
        return undefined; // not UTF-8
    }
}

/**
 * One read of a local source file for the plan: its SHA-256 and size, and its text (sourceTextOf) when it is small
 * enough to keep. A small file is read whole, once, into a buffer of its size; a larger one is hashed in 1 MiB
 * chunks with progress lines labelled `label` (a 1 KiB file used to cost two reads and two 1 MiB buffers, which
 * for hundreds of files was much of the program's time: issue 13). A file that cannot be read gives an empty
 * SHA-256 and no text (check reports it in one sentence).
 */
export async function readLocalSource(
    abs: string,
    label: string,
): Promise<{ sha256: string; size: number; text?: string }> {
    try {
        const st = await fs.stat(abs);
        if (st.isFile() && st.size <= TEXT_DIFF_MAX_BYTES) {
            const bytes = await fs.readFile(abs);
            return { sha256: sha256OfText(bytes), size: bytes.length, text: sourceTextOf(bytes) };
        }
        return await sha256OfFileShown(abs, label, st.size);
    } catch {
        return { sha256: "", size: 0 };
    }
}
