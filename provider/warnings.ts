/**
 * Warnings from the provider to the person running `pulumi up`/`destroy`. Pulumi's dynamic provider process has no
 * engine connection of its own; what it writes on stderr the CLI shows under the resource, so a warning is one
 * line there, starting with "warning: filedrop:".
 */

/** Every warning given in this process, newest last (tests read it; bounded). */
export const givenWarnings: string[] = [];

let sink: ((line: string) => void) | undefined;

/**
 * Sends warnings to `to` instead of stderr: the plugin face's stderr is not shown by the CLI, so it sends them to the
 * engine's log (provider/plugin/main.ts).
 */
export function sendWarningsTo(to: (line: string) => void): void {
    sink = to;
}

/** Tells the user something they should know that is not a failure (an adopted file, a file left in place). */
export function warn(message: string): void {
    givenWarnings.push(message);
    if (givenWarnings.length > 200) {
        givenWarnings.shift();
    }
    if (sink !== undefined) {
        sink(`filedrop: ${message}`);
    } else {
        process.stderr.write(`warning: filedrop: ${message}\n`);
    }
}
