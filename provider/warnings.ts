/**
 * Warnings from the provider to the person running `pulumi up`/`destroy`. Pulumi's dynamic provider process has no
 * engine connection of its own; what it writes on stderr the CLI shows under the resource, so a warning is one
 * line there, starting with "warning: filedrop:".
 */

/** Every warning given in this process, newest last (tests read it; bounded). */
export const givenWarnings: string[] = [];

/** Tells the user something they should know that is not a failure (an adopted file, a file left in place). */
export function warn(message: string): void {
    givenWarnings.push(message);
    if (givenWarnings.length > 200) {
        givenWarnings.shift();
    }
    process.stderr.write(`warning: filedrop: ${message}\n`);
}
