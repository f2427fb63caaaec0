/**
 * The verified atomic upload, as it was imported before the stages moved to `ops/` (tests and benchmarks import
 * from here). New code imports from `ops/` directly.
 */

export { commitStaged } from "./ops/commit";
export { remoteSha256, remoteSha256Many } from "./ops/remoteHash";
export { abandon, stageUpload } from "./ops/stage";
export { isTemporaryName, sweepTemporaries, tempPrefix } from "./ops/temporaries";
export { FileUploadSpec, verifiedUpload } from "./ops/upload";
export { StagedUpload, UploadResult, UploadSpec } from "./ops/uploadSpec";
export { verifyStaged } from "./ops/verify";
