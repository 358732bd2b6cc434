/**
 * @module `crane registry serve` and `crane registry gc`: flags in, a running registry or a gc
 * report out. All the work is in `src/registry`.
 */
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import type { ProgramIO } from './program.ts';

/** `--address` forms: `:5000`, `host:port`, `[::1]:5000`, `5000`. crane's default is `:$PORT` or `:0`. */
export function parseAddress(address: string | undefined): { host: string; port: number } {
  const a = address ?? `:${process.env['PORT'] ?? '0'}`;
  if (/^\d+$/.test(a)) return { host: '127.0.0.1', port: Number(a) };
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d+)$/.exec(a);
  if (!m) throw new Error(`invalid --address ${JSON.stringify(a)}: want [host]:port`);
  // crane's ":port" listens on every interface; ours keeps that meaning when asked explicitly.
  const host = m[1] ?? (m[2] === undefined || m[2] === '' ? (a.startsWith(':') ? '0.0.0.0' : '127.0.0.1') : m[2]);
  return { host, port: Number(m[3]) };
}

export function registerRegistry(program: Command, io: ProgramIO): void {
  const reg = program.command('registry').description('Run a local registry, and collect its garbage');

  reg
    .command('serve')
    .description('Serve a registry (distribution-spec v1.1): on disk with --disk, else in memory')
    .option('--address <address>', 'address to listen on, [host]:port (default ":$PORT" or ":0")')
    .option('--disk <dir>', 'store blobs, manifests and uploads in this directory (persistent)')
    .option('--auth-config <file>', 'access file: users, htpasswd and who may pull/push/delete what')
    .option('--tls-cert <file>', 'TLS certificate (PEM)')
    .option('--tls-key <file>', 'TLS private key (PEM)')
    .option('--no-access-log', 'do not log a line per request to stderr')
    .action(async (opts: { address?: string; disk?: string; authConfig?: string; tlsCert?: string; tlsKey?: string; accessLog: boolean }) => {
      if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) throw new Error('--tls-cert and --tls-key go together');
      const { host, port } = parseAddress(opts.address);
      const tls = opts.tlsCert && opts.tlsKey ? { cert: await readFile(opts.tlsCert), key: await readFile(opts.tlsKey) } : undefined;
      const auth = opts.authConfig ? await (await import('./registry-auth.ts')).authFromConfig(opts.authConfig) : undefined;
      const { listen } = await import('../registry/server.ts');
      const running = await listen({
        host,
        port,
        ...(tls ? { tls } : {}),
        ...(opts.disk ? { storage: { disk: opts.disk } } : {}),
        ...(auth ?? {}),
        accessLog: opts.accessLog,
      });
      io.stderr(`serving on ${running.url}${opts.disk ? ` (disk: ${opts.disk})` : ' (in memory)'}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          io.stderr('shutting down\n');
          void running.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });

  reg
    .command('gc')
    .description('Remove blobs no manifest references (run with the server stopped)')
    .requiredOption('--disk <dir>', 'the registry directory')
    .option('--untagged', 'also remove manifests no tag reaches')
    .option('--dry-run', 'only list what would be removed')
    .action(async (opts: { disk: string; untagged?: boolean; dryRun?: boolean }) => {
      const { createDiskStorage } = await import('../registry/storage/index.ts');
      const storage = await createDiskStorage(opts.disk);
      try {
        const report = await storage.gc({ dryRun: opts.dryRun === true, untagged: opts.untagged === true });
        const verb = opts.dryRun ? 'would remove' : 'removed';
        for (const m of report.manifests) io.stdout(`${verb} manifest ${m}\n`);
        for (const b of report.blobs) io.stdout(`${verb} blob ${b}\n`);
        io.stderr(`${verb} ${report.manifests.length} manifests, ${report.blobs.length} blobs, ${report.bytes} bytes\n`);
      } finally {
        await storage.close();
      }
    });
}
