/**
 * What the YAML and Python programs deploy (yamlProgram.ts, pythonProgram.ts): on each server, a folder `www`
 * (RemoteDirectory) holding a page (RemoteFile, content from the `greeting` config value) and the program's local
 * `assets/` folder (RemoteTree), a config file that was on the server before (RemoteFile, adopted and restored on
 * destroy) and a download of the server's `motd.txt` (RemoteDownload). One server over SFTP (the world's OpenSSH),
 * one over explicit FTPS (vsftpd); the credential of each (private key, password) is a secret config value.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ftpServers, worldFtpServers } from "./ftpServers";
import { remoteDir, type World } from "./world";

export interface SiteServer {
    /** Prefix of the resource names and config keys of this server (`sftpPage`, `sftpSecret`). */
    prefix: "sftp" | "ftps";
    /** Connection fields written as they are in the program (nothing secret). */
    connection: Record<string, string | number>;
    /** The connection field given from the secret config value `<prefix>Secret`. */
    secretField: "privateKey" | "password";
    /** That secret's value (for `pulumi config set --secret`, and to look for it in the state and the output). */
    secret: string;
    /** A file the program reads into the connection's `ca` (FTPS). */
    caFile?: string;
    /** The remote folder of this server's resources (absolute, as the server sees it). */
    root: string;
}

/** The page's first and second content, set with `pulumi config set greeting`. */
export const GREETINGS = ["<h1>Hello from filedrop</h1>\n", "<h1>Hello again</h1>\n"];
/** The adopted file: what it held before the stack, what the stack writes. */
export const CONF = { before: "listen 8080\n", managed: "listen 80\n" };
export const MOTD = "Welcome to the test server\n";
/** The program's local assets/ folder (RemoteTree source), by path. */
export const ASSETS: Record<string, string> = { "app.css": "body { color: #333 }\n", "js/app.js": "console.log(1);\n" };

/** The resources one server gets, by name suffix, with their type tokens. */
export const SITE_RESOURCES = {
    Site: "filedrop:index:RemoteDirectory",
    Page: "filedrop:index:RemoteFile",
    Assets: "filedrop:index:RemoteTree",
    Conf: "filedrop:index:RemoteFile",
    Motd: "filedrop:index:RemoteDownload",
} as const;

/** Where the resources of a server land. */
export const sitePaths = (s: SiteServer) => ({
    www: path.join(s.root, "www"),
    page: path.join(s.root, "www", "index.html"),
    assets: path.join(s.root, "www", "assets"),
    conf: path.join(s.root, "app.conf"),
    motd: path.join(s.root, "motd.txt"),
});

/**
 * The two servers, each with a fresh remote root holding `app.conf` and `motd.txt` as a server would before the
 * stack (owned by the login user). Starts the FTP servers if needed.
 */
export async function siteServers(w: World, name: string): Promise<SiteServer[]> {
    await ftpServers();
    const ftp = worldFtpServers();
    const servers: SiteServer[] = [
        {
            prefix: "sftp",
            connection: {
                host: w.sshd.host,
                port: w.sshd.port,
                user: w.sshd.user,
                knownHosts: w.sshd.knownHostsPath,
            },
            secretField: "privateKey",
            secret: fs.readFileSync(w.sshd.privateKeyPath, "utf8"),
            root: remoteDir(w, `${name}-sftp`),
        },
        {
            prefix: "ftps",
            connection: {
                protocol: "ftps",
                host: ftp.vsftpdExplicit.host,
                port: ftp.vsftpdExplicit.port,
                user: ftp.user,
            },
            secretField: "password",
            secret: ftp.password,
            caFile: ftp.caCertPath,
            root: remoteDir(w, `${name}-ftps`),
        },
    ];
    for (const s of servers) {
        for (const [file, text] of [
            [sitePaths(s).conf, CONF.before],
            [sitePaths(s).motd, MOTD],
        ]) {
            fs.writeFileSync(file, text);
            fs.chownSync(file, w.uid, w.gid);
        }
    }
    return servers;
}

/** The program's local files besides its source: the assets/ folder the trees upload. */
export function assetFiles(): Record<string, string> {
    return Object.fromEntries(Object.entries(ASSETS).map(([rel, text]) => [path.join("assets", rel), text]));
}

/**
 * The plugin folder (the one holding PulumiPlugin.yaml) of the packed package installed in the world's programs
 * folder, relative to a program folder there: what a user names in Pulumi.yaml `packages:` or `pulumi package add`.
 */
export function installedPluginFolder(w: World): string {
    const pkg = path.join(w.programsDir, "node_modules", "pulumi-filedrop");
    const found: string[] = [];
    const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            if (e.isDirectory() && e.name !== "node_modules") {
                walk(path.join(d, e.name));
            } else if (e.name === "PulumiPlugin.yaml") {
                found.push(d);
            }
        }
    };
    walk(pkg);
    if (found.length !== 1) {
        throw new Error(`expected one PulumiPlugin.yaml in the installed package ${pkg}, found ${found.length}`);
    }
    return path.join("..", path.relative(w.programsDir, found[0]));
}
