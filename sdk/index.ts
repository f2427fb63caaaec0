/**
 * pulumi-filedrop: remote files as declarative state, over SFTP and FTPS.
 * Every upload is verified (size and SHA-256) and atomic; host keys and certificates are verified by default.
 */
export { ConnectionArgs } from "./connection";
export { RemoteFile, RemoteFileArgs } from "./remoteFile";
export { FiledropError, FiledropErrorCode, isFiledropError } from "../provider/errors";
export { RemoteDirectory, RemoteDirectoryArgs } from "./remoteDirectory";
export { RemoteTree, RemoteTreeArgs } from "./remoteTree";
