/**
 * @module Verifying content against digests and sizes while it streams, and hashing streams
 * (ggcr's `internal/verify`).
 */
export { verifyStream, verifyOnce, verifiedAs, checksAs, sameBytesAs, SIZE_UNKNOWN, type VerifyOptions, type VerifiedAs } from './verify-stream.ts';
export { hashingStream, HashingStream } from './hashing-stream.ts';
export { verifyDescriptorData, type DescriptorWithData } from './descriptor-data.ts';
