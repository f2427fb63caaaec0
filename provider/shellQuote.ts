/** Quotes one argument for a POSIX shell: `it's` -> `'it'\''s'`. */
export function shellQuote(s: string): string {
    return `'${s.replace(/'/g, `'\\''`)}'`;
}
