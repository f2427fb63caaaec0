/**
 * pulumi-filedrop: remote files as declarative state, over SFTP and FTPS.
 * Every upload is verified (size and SHA-256) and atomic; host keys and certificates are verified by default.
 */

export { FiledropError, FiledropErrorCode, isFiledropError } from "../provider/errors";
export { CommandConnection, CommandProxyConnection, commandConnection } from "./commandConnection";
export { ConnectionArgs, ProxyConnectionArgs } from "./connection";
export { RemoteDirectory, RemoteDirectoryArgs } from "./remoteDirectory";
export { RemoteDownload, RemoteDownloadArgs } from "./remoteDownload";
export { RemoteFile, RemoteFileArgs } from "./remoteFile";
export { RemoteTree, RemoteTreeArgs } from "./remoteTree";
