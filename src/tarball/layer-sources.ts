/**
 * @module The layers of one manifest.json entry, with what its `LayerSources` says about each.
 *
 * `LayerSources` (keyed by diffID) has two different uses in the wild. ggcr and Docker < 25 record
 * foreign / non-distributable layers there: the descriptor (with its `urls`) goes into the
 * manifest as is, because the blob must not be pushed. Docker ≥ 25 records *every* layer there,
 * as the descriptor of the blob it stored under `blobs/sha256/` (`application/vnd.oci.image.layer.v1.tar`,
 * digest = diffID): that is no foreign layer at all, only a statement about the file. ggcr
 * ignores entries with uncompressed media types as a workaround (its #1870). We tell the two
 * apart by distributability: non-distributable descriptors are foreign layers; distributable ones
 * are checked against the file (size now, digest when it is read) and otherwise do not change
 * the image. In a Docker ≥ 25 archive the OCI form (index.json) is read instead, which keeps
 * Docker's own manifest with those very descriptors.
 */
import { BadDocumentError } from '../errors/index.ts';
import * as types from '../types/index.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import type { Hash } from '../v1/hash.ts';
import type { TarballDescriptor } from './manifest.ts';

/** One layer of a classic image: its file, diffID and what LayerSources says of it. */
export interface ClassicLayer {
  /** Position in the image, base first. */
  readonly index: number;
  /** The file's name in the archive, as manifest.json gives it. */
  readonly file: string;
  readonly size: number;
  readonly diffID: Hash;
  /** A foreign (non-distributable) layer's descriptor, used verbatim in the manifest. */
  readonly foreign?: Descriptor;
  /** Docker ≥ 25's description of the stored file, checked against it. */
  readonly stored?: Descriptor;
  /** Which manifest.json entry of which archive, for messages. */
  readonly where: string;
}

/**
 * Pairs each layer file with its diffID and LayerSources entry. Throws BadDocumentError when a
 * stored-file description disagrees with the file's size, or (for an uncompressed one) with
 * the diffID, naming the layer.
 */
export function layerSourcesFor(entry: TarballDescriptor, diffIDs: readonly Hash[], sizes: readonly number[], where: string): ClassicLayer[] {
  return entry.Layers.map((file, index): ClassicLayer => {
    const diffID = diffIDs[index]!;
    const size = sizes[index]!;
    const base = { index, file, size, diffID, where };
    const desc = entry.LayerSources?.[diffID.toString()];
    if (desc === undefined) return base;
    if (!types.isDistributable(desc.mediaType)) return { ...base, foreign: desc };
    const what = `LayerSources[${JSON.stringify(diffID.toString())}] of ${where}`;
    if (desc.size !== size) {
      throw new BadDocumentError(`${what} says layer ${index} is ${desc.size} bytes, but ${JSON.stringify(file)} is ${size}`);
    }
    if (types.isUncompressedLayer(desc.mediaType) && !desc.digest.equals(diffID)) {
      throw new BadDocumentError(`${what} describes an uncompressed layer with digest ${desc.digest}, which is not its diffID`);
    }
    return { ...base, stored: desc };
  });
}
