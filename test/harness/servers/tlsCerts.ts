/** Throwaway certificate authorities and server certificates (openssl), for the FTPS servers. */
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** A certificate and its key on disk. */
export interface CertFiles {
    readonly certPath: string;
    readonly keyPath: string;
    /** SHA-256 of the certificate, formatted like Node's `cert.fingerprint256` (AB:CD:…). */
    readonly fingerprint256: string;
}

function openssl(args: string[]): void {
    execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
}

function files(dir: string, name: string): CertFiles {
    const certPath = path.join(dir, `${name}.pem`);
    const keyPath = path.join(dir, `${name}.key`);
    fs.chmodSync(keyPath, 0o600);
    return { certPath, keyPath, fingerprint256: new X509Certificate(fs.readFileSync(certPath)).fingerprint256 };
}

/** A self-signed CA named `cn`, as dir/name.pem + dir/name.key. */
export function makeCa(dir: string, name: string, cn: string): CertFiles {
    openssl([
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-sha256",
        "-days",
        "3650",
        "-subj",
        `/CN=${cn}`,
        "-keyout",
        path.join(dir, `${name}.key`),
        "-out",
        path.join(dir, `${name}.pem`),
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    return files(dir, name);
}

/** A server certificate for 127.0.0.1 and localhost signed by `ca`, as dir/name.pem + dir/name.key. */
export function makeServerCert(dir: string, name: string, ca: CertFiles): CertFiles {
    const key = path.join(dir, `${name}.key`);
    const csr = path.join(dir, `${name}.csr`);
    const ext = path.join(dir, `${name}.ext`);
    openssl(["req", "-newkey", "rsa:2048", "-nodes", "-sha256", "-subj", "/CN=localhost", "-keyout", key, "-out", csr]);
    fs.writeFileSync(
        ext,
        [
            "basicConstraints=critical,CA:FALSE",
            "keyUsage=critical,digitalSignature,keyEncipherment",
            "extendedKeyUsage=serverAuth",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "",
        ].join("\n"),
    );
    openssl([
        "x509",
        "-req",
        "-in",
        csr,
        "-CA",
        ca.certPath,
        "-CAkey",
        ca.keyPath,
        "-CAcreateserial",
        "-days",
        "825",
        "-sha256",
        "-extfile",
        ext,
        "-out",
        path.join(dir, `${name}.pem`),
    ]);
    fs.rmSync(csr);
    fs.rmSync(ext);
    return files(dir, name);
}

/** The test PKI: one CA for every server, and an unrelated CA with a server certificate of its own. */
export interface TestPki {
    readonly dir: string;
    readonly ca: CertFiles;
    readonly server: CertFiles;
    readonly otherCa: CertFiles;
    readonly otherServer: CertFiles;
}

/** Makes the test PKI in `dir` (readable by the servers, keys 0600). */
export function makeTestPki(dir: string): TestPki {
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    const ca = makeCa(dir, "ca", "filedrop test CA");
    const otherCa = makeCa(dir, "other-ca", "filedrop OTHER test CA");
    const pki = {
        dir,
        ca,
        server: makeServerCert(dir, "server", ca),
        otherCa,
        otherServer: makeServerCert(dir, "other-server", otherCa),
    };
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith(".pem"))) {
        fs.chmodSync(path.join(dir, f), 0o644);
    }
    return pki;
}
