/**
 * How big a RemoteFile's text `content` may be (limits and why: provider/defaults.ts). Text content lives in the
 * state and in the CLI's memory; a `source` file is streamed and only its SHA-256 is kept.
 */
import { CONTENT_MAX_BYTES, CONTENT_WARN_BYTES } from "../defaults";

function mib(bytes: number): string {
    return `${(bytes / (1 << 20)).toFixed(1).replace(/\.0$/, "")} MiB`;
}

/** The warning for a `content` of `bytes` bytes (named `resource`), or undefined when it is small enough. */
export function contentSizeWarning(resource: string, bytes: number): string | undefined {
    if (bytes <= CONTENT_WARN_BYTES || bytes > CONTENT_MAX_BYTES) {
        return undefined;
    }
    return (
        `${resource}: \`content\` is ${mib(bytes)}; text content is kept in the state and in the CLI's memory, so ` +
        `above ${mib(CONTENT_WARN_BYTES)} give the bytes as a file with \`source\` instead (streamed, only its SHA-256 is kept); ` +
        `above ${mib(CONTENT_MAX_BYTES)} it is refused.`
    );
}

/** Why check refuses a `content` of `bytes` bytes, or undefined. */
export function contentSizeProblem(bytes: number): string | undefined {
    if (bytes <= CONTENT_MAX_BYTES) {
        return undefined;
    }
    return `is ${mib(bytes)}, above the ${mib(CONTENT_MAX_BYTES)} limit for text kept in the state: write it to a file and give its path as \`source\` (streamed, only its SHA-256 is kept)`;
}
