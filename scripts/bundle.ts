/**
 * `npm run build` (after tsc): bundles the compiled `crane` CLI into `dist/bin/` with esbuild,
 * the file npm's `bin` points at. One file per lazily loaded part (`--splitting`) instead of ~300
 * ES modules: Node resolves, reads and links each module separately, which measured 35–40 ms of a
 * `crane manifest` run (188 → 151 ms, bare `node` being 59 ms).
 *
 * undici is bundled as the CLI loads it: its agent and request API (`remote/transport/undici-core.ts`)
 * in one lazy chunk, its entry point (proxies, the Kubernetes API client) in another. zstd-napi is
 * native and stays external. The library itself (`dist/src`) is not bundled: importers get its
 * modules as they are.
 */
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${dist}bin`;

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: { crane: `${dist}src/cli/crane.js` },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['zstd-napi'],
  // CommonJS dependencies (commander, cli-progress) call `require` for Node's built-ins; an ES
  // module has none, so each chunk gets one.
  banner: { js: "import { createRequire as __craneCreateRequire } from 'node:module'; const require = __craneCreateRequire(import.meta.url);" },
  chunkNames: 'chunks/[name]-[hash]',
  // Class names stay as written (esbuild would rename clashing ones, e.g. InvalidArgumentError2),
  // since errors report `constructor.name`.
  keepNames: true,
  logLevel: 'warning',
  metafile: true,
});
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(`bundled crane into ${outdir} (${Object.keys(result.metafile.outputs).length} files, ${(bytes / 1024).toFixed(0)} KiB)`);
