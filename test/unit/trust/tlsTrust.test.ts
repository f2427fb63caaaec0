/** TLS certificate decisions (trust/tlsTrust.ts), with stand-in sockets. */
import * as assert from "node:assert";
import type { TLSSocket } from "node:tls";
import type { ConnectionInputs } from "../../../provider/connection";
import { checkTlsPeer, formatFingerprint, normalizeFingerprint } from "../../../provider/trust/tlsTrust";

const FP = "50:E0:DF:3B:3C:34:DF:E3:9A:66:C6:86:EC:AA:6B:BF:F4:C5:78:93:7E:87:F5:ED:F9:A4:31:1C:19:02:2C:BA";
const c: ConnectionInputs = { protocol: "ftps", host: "10.0.0.5", user: "deploy" };

function socket(authorized: boolean, authorizationError?: string): TLSSocket {
    return {
        authorized,
        authorizationError,
        getPeerCertificate: () => ({
            fingerprint256: FP,
            subject: { CN: "files.example" },
            issuer: { CN: "Other CA" },
            valid_to: "Jan 1 00:00:00 2030 GMT",
        }),
    } as unknown as TLSSocket;
}

describe("tlsTrust", function () {
    it("normalizes and formats fingerprints", function () {
        assert.strictEqual(normalizeFingerprint(FP.toLowerCase()), FP.replace(/:/g, ""));
        assert.strictEqual(formatFingerprint(FP.replace(/:/g, "").toLowerCase()), FP);
    });

    it("trusts a certificate the CAs verified, and refuses another naming it and both fixes", function () {
        assert.strictEqual(checkTlsPeer(c, socket(true)), undefined);
        const e = checkTlsPeer(c, socket(false, "UNABLE_TO_VERIFY_LEAF_SIGNATURE"));
        assert.strictEqual(e?.code, "TLS_VERIFY_FAILED");
        assert.strictEqual(
            e?.message,
            `The TLS certificate of ftps://deploy@10.0.0.5:21 (SHA-256 ${FP}, subject CN=files.example, issuer CN=Other CA, valid until Jan 1 00:00:00 2030 GMT) is not trusted: ` +
                `it is not signed by a trusted CA (UNABLE_TO_VERIFY_LEAF_SIGNATURE); nothing was sent. Give the CA that signed it as \`ca\` (PEM), or pin this certificate with \`certFingerprint: "${FP}"\`.`,
        );
    });

    it("a pin decides alone, in any case and with or without colons", function () {
        assert.strictEqual(
            checkTlsPeer(
                { ...c, certFingerprint: FP.replace(/:/g, "").toLowerCase() },
                socket(false, "DEPTH_ZERO_SELF_SIGNED_CERT"),
            ),
            undefined,
        );
        const e = checkTlsPeer({ ...c, certFingerprint: "AB".repeat(32) }, socket(true));
        assert.strictEqual(e?.code, "TLS_VERIFY_FAILED");
        assert.match(
            e!.message,
            /does not match `certFingerprint` AB:AB:.*; nothing was sent\. If the server's certificate was replaced, update `certFingerprint`\./,
        );
    });

    it("insecureSkipTlsVerify accepts anything", function () {
        assert.strictEqual(
            checkTlsPeer({ ...c, insecureSkipTlsVerify: true }, socket(false, "CERT_HAS_EXPIRED")),
            undefined,
        );
    });
});
