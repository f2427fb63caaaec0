import { Readable } from "node:stream";

/** What `verifiedUpload` takes to write a short text to `p` (parent folders not created). */
export const textUpload = (p: string, text: string) => ({
    path: p,
    open: () => Readable.from([Buffer.from(text)]),
    createParents: false,
});
