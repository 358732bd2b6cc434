/**
 * @module Test helpers: plain-object copies of a view that delegate every method to it, so a test
 * can spread one and override a method or two (a layer that lies about its digest, an image
 * whose layers come from elsewhere) without touching the original.
 */
import type { Image, Layer } from './interfaces.ts';

/** Every method of `l`, bound, as a plain object. */
export function delegateLayer(l: Layer): Layer {
  return {
    digest: () => l.digest(),
    diffID: () => l.diffID(),
    size: () => l.size(),
    mediaType: () => l.mediaType(),
    compressed: (o) => l.compressed(o),
    uncompressed: (o) => l.uncompressed(o),
  };
}

/** Every method of `img`, bound, as a plain object. */
export function delegateImage(img: Image): Image {
  return {
    layers: () => img.layers(),
    mediaType: () => img.mediaType(),
    size: () => img.size(),
    configName: () => img.configName(),
    configFile: () => img.configFile(),
    rawConfigFile: () => img.rawConfigFile(),
    digest: () => img.digest(),
    manifest: () => img.manifest(),
    rawManifest: () => img.rawManifest(),
    layerByDigest: (h) => img.layerByDigest(h),
    layerByDiffID: (h) => img.layerByDiffID(h),
  };
}
