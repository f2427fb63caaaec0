/**
 * RemoteFile, RemoteDirectory, RemoteTree and RemoteDownload from a Pulumi YAML program (the plugin folder named under
 * `packages:` in Pulumi.yaml), through plain `pulumi`, over SFTP and FTPS: see test/harness/languageLifecycle.ts.
 */
import { describeLanguageLifecycle } from "../harness/languageLifecycle";

describeLanguageLifecycle("yaml");
