/**
 * @module Images in the Docker daemon (ggcr's `pkg/v1/daemon`): read one as an `Image` (its
 * `docker save` streamed to a temp file, never held in memory), write one (`docker load`,
 * skipped when the daemon already has it), tag one; over `DOCKER_HOST` with API version
 * negotiation, or through a `Client` of your own.
 *
 * @example
 * import * as daemon from 'containerregistry/daemon';
 * await daemon.write('example.com/app:dev', img);
 * await using back = await daemon.image('example.com/app:dev');
 */
export { image, type DaemonImage, type ImageOptions } from './image.ts';
export { write, tag, type WriteOptions } from './write.ts';
export type { DaemonOptions } from './options.ts';
export type { Client, HistoryItem, ImageInspect, PingResult, RequestOptions } from './client.ts';
export { newClient, EngineClient, API_VERSION, type ClientOptions } from './engine-client.ts';
export { parseDockerHost, DEFAULT_DOCKER_HOST, type EngineAddress, type DockerEnv, type TlsFiles } from './host.ts';
export { DaemonError, NotFoundError } from '../errors/index.ts';
