/**
 * @module The registry client (ggcr's `pkg/v1/remote`): read images, indexes, layers, tags,
 * catalogs and referrers; write images, indexes and blobs, with resumable uploads and progress.
 *
 * @example
 * import { remote } from 'containerregistry';
 * const img = await remote.image('127.0.0.1:5000/app:v1');
 * await remote.write('127.0.0.1:5000/app:v2', img);
 */
export { get, head, image, index, layer, type RemoteDescriptor } from './read.ts';
export { list, catalog, referrers, nextLink } from './list.ts';
export { write, writeIndex, writeLayer, multiWrite, put, tag, del as delete, del } from './write.ts';
export { uploadBlob, MONOLITHIC_LIMIT, type BlobSource, type UploadOptions, type UploadOutcome } from './upload.ts';
export { Puller, Pusher } from './session.ts';
export { Schema1Error, schema1BlobSums, type Schema1Image } from './schema1.ts';
export { platformMatches, pickChild } from './platform.ts';
export { DEFAULT_PLATFORM, DEFAULT_JOBS, DEFAULT_PAGE_SIZE, type RemoteOptions } from './options.ts';
