/**
 * RemoteFile, RemoteDirectory, RemoteTree and RemoteDownload from a Python program (the SDK `pulumi package add` generates
 * from the plugin folder), through plain `pulumi`, over SFTP and FTPS: see test/harness/languageLifecycle.ts.
 */
import { describeLanguageLifecycle } from "../harness/languageLifecycle";

describeLanguageLifecycle("python");
