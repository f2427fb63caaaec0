/**
 * The preparation of a RemoteFile's content, shared by both faces (issue 21 item 2): what the provider diffs on is
 * the bytes' SHA-256 and size and where they are, never the bytes themselves. The TypeScript SDK calls these at
 * program time inside its Outputs; the plugin face in check. A preview of an unchanged stack reads local files only.
 */
import { sha256OfText } from "../hashing";
import { localPath, storedLocalPath } from "../localFiles";
import { UNKNOWN } from "../unknown";
import { contentSizeWarning } from "./contentSize";
import { readLocalSource } from "./sourceText";

/** What the provider is given for a file's content (RemoteFileInputs' content keys). */
export interface PreparedContent {
    content?: string;
    sourcePath?: string;
    sourceText?: string;
    sha256: string;
    size: number;
}

/** SHA-256 and size of text content; `warn` is told when it is large (check refuses it when far too large). */
export function textFacts(
    text: string,
    name: string,
    warn: (message: string) => void,
): { sha256: string; size: number } {
    const size = Buffer.byteLength(text);
    const warning = contentSizeWarning(name, size);
    if (warning !== undefined) {
        warn(warning);
    }
    return { sha256: sha256OfText(text), size };
}

/**
 * A local `source` file as the inputs keep it: its stored path (relative to the project's folder when below it), its
 * SHA-256 and size, and its text when small UTF-8 (for line diffs). A file that cannot be read gives an empty
 * SHA-256 (check reports it in one sentence).
 */
export async function sourceFileFacts(
    given: string,
    name: string,
): Promise<{ sourcePath: string; sourceText?: string; sha256: string; size: number }> {
    const stored = storedLocalPath(given);
    const read = await readLocalSource(localPath(stored), `Hashing ${stored} for ${name}`);
    return { sourcePath: stored, sourceText: read.text, sha256: read.sha256, size: read.size };
}

/**
 * The content keys of a RemoteFile from its `content` and `source` arguments as plain values (the plugin face): a
 * value not known yet (a preview) makes what depends on it unknown; neither or both given is left for check to
 * refuse in one sentence, as the SDK does.
 */
export async function preparedContent(
    content: unknown,
    source: unknown,
    name: string,
    warn: (message: string) => void,
): Promise<PreparedContent> {
    if (content !== undefined && source === undefined) {
        if (content === UNKNOWN || typeof content !== "string") {
            return { content: content as string, sha256: UNKNOWN, size: UNKNOWN as unknown as number };
        }
        return { content, ...textFacts(content, name, warn) };
    }
    if (source === undefined || content !== undefined) {
        return {
            content: content as string | undefined,
            sourcePath: source === undefined ? undefined : "(both given)",
            sha256: "",
            size: 0,
        };
    }
    if (source === UNKNOWN || typeof source !== "string") {
        const u = UNKNOWN as unknown as number;
        return { sourcePath: source as string, sourceText: UNKNOWN, sha256: UNKNOWN, size: u };
    }
    return sourceFileFacts(source, name);
}
