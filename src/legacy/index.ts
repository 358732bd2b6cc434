/**
 * @module The legacy (v1) `docker save` archive writer (ggcr's `pkg/legacy` and
 * `pkg/legacy/tarball`): layer folders named by v1 IDs with `layer.tar`, `json` and `VERSION`,
 * plus `manifest.json` and `repositories`, for tools that still want that layout. Write-only.
 *
 * @example
 * import * as legacy from 'containerregistry/legacy';
 * await legacy.writeToFile('app.tar', Tag.parse('app:v1'), img);
 */
export { layerConfigFileType, marshalLayerConfigFile, type LayerConfigFile } from './config.ts';
export { v1LayerID } from './v1-layers.ts';
export { write, multiWrite, type LegacyWriteOptions } from './write.ts';
export { writeToFile, multiWriteToFile } from './write-file.ts';
