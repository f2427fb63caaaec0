/**
 * RemoteDownload's dynamic provider as a module of its own, whose `module.exports` is the provider object of index.ts.
 * Pulumi serializes a provider that is a module's exports under node_modules as one require of that module by
 * package name instead of the text of each method, so every resource's state holds a few hundred bytes instead of
 * 3 KB, twice (inputs and outputs), which the engine writes again on every step (issue 13).
 */
import { remoteDownloadProvider } from "../index";

export = remoteDownloadProvider;
