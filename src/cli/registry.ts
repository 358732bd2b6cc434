/**
 * @module `crane registry serve` and `crane registry gc`: flags in, a running registry or a gc
 * report out. All the work is in `src/registry`.
 */
import { Option, type Command } from 'commander';
import { readFile } from 'node:fs/promises';
import type { ProgramIO } from './program.ts';

/**
 * `--address` forms: `:5000`, `host:port`, `[::1]:5000`, `5000`. Without it: 127.0.0.1 on `$PORT`
 * or any free port. crane listens on every interface by default (`:$PORT`), but this registry lets
 * anyone push and delete unless given an access file, so it stays on loopback unless `--address`
 * asks for more (`:5000` still means every interface, as in crane).
 */
export function parseAddress(address: string | undefined): { host: string; port: number } {
  if (address === undefined) {
    const env = process.env['PORT'] || '0';
    if (!/^\d{1,5}$/.test(env) || Number(env) > 65535) throw new Error(`invalid $PORT ${JSON.stringify(env)}: want a port number`);
    return { host: '127.0.0.1', port: Number(env) };
  }
  const a = address;
  if (/^\d+$/.test(a)) return { host: '127.0.0.1', port: Number(a) };
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d+)$/.exec(a);
  if (!m) throw new Error(`invalid --address ${JSON.stringify(a)}: want [host]:port`);
  // crane's ":port" listens on every interface; ours keeps that meaning when asked explicitly.
  const host = m[1] ?? (m[2] === undefined || m[2] === '' ? (a.startsWith(':') ? '0.0.0.0' : '127.0.0.1') : m[2]);
  return { host, port: Number(m[3]) };
}

/** Signals that stop the server gracefully: Ctrl-C, a service manager, a closed terminal. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export function registerRegistry(program: Command, io: ProgramIO): void {
  const reg = program.command('registry').description('Run a local registry, and collect its garbage');

  reg
    .command('serve')
    .description('Serve a registry (distribution-spec v1.1): on disk with --disk, else in memory')
    .option('--address <address>', 'address to listen on, [host]:port; ":port" is every interface (default 127.0.0.1, port $PORT or any free one)')
    .option('--disk <dir>', 'store blobs, manifests and uploads in this directory (persistent)')
    .addOption(new Option('--blobs-to-disk', 'deprecated: store in a temporary directory (use --disk)').hideHelp())
    .option('--auth-config <file>', 'access file: users, htpasswd and who may pull/push/delete what')
    .option('--tls-cert <file>', 'TLS certificate (PEM)')
    .option('--tls-key <file>', 'TLS private key (PEM)')
    .option('--no-access-log', 'do not log a line per request to stderr')
    .option('--no-referrers', 'answer the OCI 1.1 referrers API with 404, as older registries do (clients fall back to tags)')
    .action(async (opts: { address?: string; disk?: string; blobsToDisk?: boolean; authConfig?: string; tlsCert?: string; tlsKey?: string; accessLog: boolean; referrers: boolean }) => {
      if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) throw new Error('--tls-cert and --tls-key go together');
      if (opts.blobsToDisk && opts.disk) throw new Error('--disk and --blobs-to-disk can\'t be used together');
      const { host, port } = parseAddress(opts.address);
      const tls = opts.tlsCert && opts.tlsKey ? { cert: await readFile(opts.tlsCert), key: await readFile(opts.tlsKey) } : undefined;
      const auth = opts.authConfig ? await (await import('./registry-auth.ts')).authFromConfig(opts.authConfig) : undefined;
      // crane's deprecated --blobs-to-disk: a temporary directory, made once everything else has
      // been read, and removed at shutdown and at any exit.
      let temporary: string | undefined;
      if (opts.blobsToDisk) {
        const { mkdtemp } = await import('node:fs/promises');
        const { rmSync } = await import('node:fs');
        const { tmpdir } = await import('node:os');
        const { join } = await import('node:path');
        const dir = await mkdtemp(join(tmpdir(), 'crane-registry-'));
        temporary = dir;
        opts = { ...opts, disk: dir };
        process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
      }
      const { listen } = await import('../registry/server.ts');
      const running = await listen({
        host,
        port,
        ...(tls ? { tls } : {}),
        ...(opts.disk ? { storage: { disk: opts.disk } } : {}),
        ...(auth ?? {}),
        accessLog: opts.accessLog,
        referrers: opts.referrers,
      });
      // "serving on port N" is crane's line, which scripts wait for; the URL follows.
      io.stderr(`serving on port ${running.port} at ${running.url}${opts.disk ? ` (disk: ${opts.disk})` : ' (in memory)'}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          for (const signal of STOP_SIGNALS) process.off(signal, stop);
          io.stderr('shutting down\n');
          void running
            .close()
            .then(async () => {
              if (temporary) await (await import('node:fs/promises')).rm(temporary, { recursive: true, force: true });
            })
            .then(resolve);
        };
        for (const signal of STOP_SIGNALS) process.on(signal, stop);
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
