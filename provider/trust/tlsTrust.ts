/**
 * Decides whether to trust the TLS certificate an FTPS server presents, from the connection's `certFingerprint`
 * (a pin), `ca` (PEM) or the system CAs, and words the refusal. The handshake itself runs with Node's
 * `rejectUnauthorized: false` so that the certificate can be named in the message; the decision is made here,
 * right after the handshake and before any credential is sent.
 */
import type { ConnectionOptions, PeerCertificate, TLSSocket } from "node:tls";
import { type ConnectionInputs, endpointUrl } from "../connection";
import { FiledropError } from "../errors";

/** A SHA-256 fingerprint as 64 upper-case hex digits (colons and case removed). */
export function normalizeFingerprint(fp: string): string {
    return fp.replace(/:/g, "").trim().toUpperCase();
}

/** A fingerprint as Node and `openssl x509 -fingerprint -sha256` print it: `AB:CD:…`. */
export function formatFingerprint(fp: string): string {
    return normalizeFingerprint(fp).match(/.{2}/g)?.join(":") ?? fp;
}

/** TLS options for the control and data connections of this endpoint. */
export function tlsOptionsFor(c: ConnectionInputs): ConnectionOptions {
    return {
        ca: c.ca,
        servername: c.servername,
        // Verified by checkTlsPeer right after the handshake, so the refusal can name the certificate.
        rejectUnauthorized: false,
        minVersion: "TLSv1.2",
    };
}

const REASONS: Record<string, string> = {
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: "it is not signed by a trusted CA",
    UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "it is not signed by a trusted CA",
    SELF_SIGNED_CERT_IN_CHAIN: "its chain ends in a self-signed CA that is not trusted",
    DEPTH_ZERO_SELF_SIGNED_CERT: "it is self-signed",
    CERT_HAS_EXPIRED: "it has expired",
    CERT_NOT_YET_VALID: "it is not valid yet",
    ERR_TLS_CERT_ALTNAME_INVALID: "it was issued for another host name",
};

function describe(cert: PeerCertificate): string {
    const cn = (o: unknown) => (o as { CN?: string } | undefined)?.CN;
    const parts = [`SHA-256 ${cert.fingerprint256}`];
    if (cn(cert.subject)) parts.push(`subject CN=${cn(cert.subject)}`);
    if (cn(cert.issuer)) parts.push(`issuer CN=${cn(cert.issuer)}`);
    if (cert.valid_to) parts.push(`valid until ${cert.valid_to}`);
    return parts.join(", ");
}

/**
 * Checks the certificate of a TLS socket whose handshake has completed; undefined when trusted, else the error
 * to raise. `insecureSkipTlsVerify` accepts anything (the SDK warns about it).
 */
export function checkTlsPeer(c: ConnectionInputs, socket: TLSSocket): FiledropError | undefined {
    if (c.insecureSkipTlsVerify === true) {
        return undefined;
    }
    const where = endpointUrl(c);
    const cert = socket.getPeerCertificate();
    if (!cert?.fingerprint256) {
        return new FiledropError(
            "TLS_VERIFY_FAILED",
            `${where} presented no TLS certificate; the connection was closed before logging in.`,
        );
    }
    if (c.certFingerprint !== undefined) {
        if (normalizeFingerprint(c.certFingerprint) === normalizeFingerprint(cert.fingerprint256)) {
            return undefined;
        }
        return new FiledropError(
            "TLS_VERIFY_FAILED",
            `The TLS certificate of ${where} (${describe(cert)}) does not match \`certFingerprint\` ${formatFingerprint(c.certFingerprint)}; ` +
                "nothing was sent. If the server's certificate was replaced, update `certFingerprint`.",
        );
    }
    if (socket.authorized) {
        return undefined;
    }
    const code = String(socket.authorizationError ?? "unknown error");
    const reason = REASONS[code] ? `${REASONS[code]} (${code})` : code;
    return new FiledropError(
        "TLS_VERIFY_FAILED",
        `The TLS certificate of ${where} (${describe(cert)}) is not trusted: ${reason}; nothing was sent. ` +
            `Give the CA that signed it as \`ca\` (PEM), or pin this certificate with \`certFingerprint: "${cert.fingerprint256}"\`.`,
    );
}
