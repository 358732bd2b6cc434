/**
 * @module What every cache layer wrapper shares: the facts of a layer (digest, diffID, size,
 * media type, descriptor, mount source) come from the layer it wraps; only the streams differ.
 */
import type { Readable } from 'node:stream';
import type { Repository } from '../name/index.ts';
import type { Hash } from '../v1/hash.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import type { Layer, StreamOptions } from '../v1/interfaces.ts';
import { descriptor, digestIsKnown } from '../partial/describe.ts';

/** A layer that answers every fact from `inner` and leaves its streams to the subclass. */
export abstract class WrappedLayer implements Layer {
  protected readonly inner: Layer;

  constructor(inner: Layer) {
    this.inner = inner;
  }

  /** A registry layer's mount source, kept so cross-repository pushes still mount. */
  get mountFrom(): Repository | undefined {
    return (this.inner as { mountFrom?: Repository }).mountFrom;
  }

  digest(): Promise<Hash> {
    return this.inner.digest();
  }
  diffID(): Promise<Hash> {
    return this.inner.diffID();
  }
  size(): Promise<number> {
    return this.inner.size();
  }
  mediaType(): Promise<string> {
    return this.inner.mediaType();
  }
  /** Passed on, so a cache wrapped in another looks up cached blobs only when that is cheap. */
  digestKnown(): boolean {
    return digestIsKnown(this.inner);
  }
  descriptor(): Promise<Descriptor> {
    return descriptor(this.inner);
  }

  abstract compressed(options?: StreamOptions): Promise<Readable>;
  abstract uncompressed(options?: StreamOptions): Promise<Readable>;
}
