/** A remote entry in a few words for messages: its kind and owner ("a symlink owned by uid 1001"). */
import type { RemoteStat } from "./types";

export function describeEntry(st: RemoteStat): string {
    const kind = st.kind === "file" ? "a regular file" : st.kind === "other" ? "a special file" : `a ${st.kind}`;
    return st.uid === undefined ? kind : `${kind} owned by uid ${st.uid}`;
}
