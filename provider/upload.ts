/**
 * The verified atomic upload, as it was imported before the stages moved to `ops/` (tests and benchmarks import
 * from here). New code imports from `ops/` directly.
 */
export { verifiedUpload, FileUploadSpec } from "./ops/upload";
export { UploadResult, UploadSpec, StagedUpload } from "./ops/uploadSpec";
export { stageUpload, abandon } from "./ops/stage";
export { verifyStaged } from "./ops/verify";
export { commitStaged } from "./ops/commit";
export { remoteSha256, remoteSha256Many } from "./ops/remoteHash";
export { isTemporaryName, sweepTemporaries, tempPrefix } from "./ops/temporaries";
