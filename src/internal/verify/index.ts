/**
 * @module Verifying content against digests and sizes while it streams, and hashing streams
 * (ggcr's `internal/verify`).
 */
export { verifyStream, SIZE_UNKNOWN, type VerifyOptions } from './verify-stream.ts';
export { hashingStream, HashingStream } from './hashing-stream.ts';
export { verifyDescriptorData, type DescriptorWithData } from './descriptor-data.ts';
