/**
 * One memory scenario in its own process, so its peak RSS is its own. Prints one JSON line:
 * `{scenario, bytes, seconds, maxRssMiB}`. Run by memory.ts.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as random from '../src/random/index.ts';
import * as stream from '../src/stream/index.ts';
import * as validate from '../src/validate/index.ts';
import { compressedToLayer } from '../src/partial/layer.ts';
import * as types from '../src/types/index.ts';
import { randomStream } from '../src/random/bytes.ts';

const [scenario = 'stream', sizeArg = '268435456', codec = 'gzip'] = process.argv.slice(2);
const size = Number(sizeArg);
const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
const mediaType = codec === 'zstd' ? types.OCILayerZStd : types.DockerLayer;
const t = performance.now();

switch (scenario) {
  case 'stream': {
    // stream.newLayer: compress a single pass of `size` random bytes, then read digest/diffID.
    const l = stream.newLayer(randomStream('mem', size), { compression: codec === 'zstd' ? 'zstd' : 'gzip' });
    await pipeline(await l.compressed(), sink());
    await Promise.all([l.digest(), l.diffID(), l.size()]);
    break;
  }
  case 'compress': {
    // partial.uncompressedToLayer: digest and size need a full compression pass.
    const l = random.layer(size, mediaType, { seed: 'mem' });
    await l.digest();
    break;
  }
  case 'decompress': {
    // partial.compressedToLayer over a compressed core: uncompressed() and diffID() decompress.
    const src = random.layer(size, mediaType, { seed: 'mem' });
    const l = compressedToLayer({
      digest: () => src.digest(),
      size: () => src.size(),
      mediaType: () => src.mediaType(),
      compressed: (o) => src.compressed(o),
    });
    await pipeline(await l.uncompressed(), sink());
    await l.diffID();
    break;
  }
  case 'validate': {
    await validate.layer(random.layer(size, mediaType, { seed: 'mem' }));
    break;
  }
  default:
    throw new Error(`unknown scenario ${scenario}`);
}

console.log(
  JSON.stringify({
    scenario,
    codec,
    bytes: size,
    seconds: Number(((performance.now() - t) / 1000).toFixed(1)),
    maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
