/**
 * @module The reference registry (CNCF distribution 2.8, Debian's `docker-registry`) started for
 * a test: a config written per instance into a temp folder, filesystem storage there, deletes
 * enabled, listening on a free 127.0.0.1 port (never Debian's default config, which listens on
 * all interfaces), with optional htpasswd or token auth.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startBackground, type BackgroundProcess } from './background-process.ts';
import { freePort } from './free-port.ts';
import { waitForHttp } from './wait-for.ts';

/** distribution's `auth.token` section: it trusts tokens signed by a key certified in `rootCertBundle`. */
export interface DistributionTokenAuth {
  /** The token endpoint's URL, e.g. `http://127.0.0.1:PORT/token`. */
  readonly realm: string;
  /** Must equal the tokens' `aud`. */
  readonly service: string;
  /** Must equal the tokens' `iss`. */
  readonly issuer: string;
  /** Path of a PEM file with the certificate(s) of the signing key. */
  readonly rootCertBundle: string;
}

/** Options for {@link startDistribution}. */
export interface DistributionOptions {
  /** htpasswd file path (bcrypt), or the token section. */
  readonly auth?: { readonly htpasswd: string } | { readonly token: DistributionTokenAuth };
}

/** A running distribution registry. */
export interface DistributionRegistry {
  /** `127.0.0.1:PORT`. */
  readonly host: string;
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly process: BackgroundProcess;
  stop(): Promise<void>;
}

/** Starts `docker-registry serve` (path from `findPeer`) with its state in `dir`; resolves when `/v2/` answers. */
export async function startDistribution(binary: string, dir: string, options: DistributionOptions = {}): Promise<DistributionRegistry> {
  const port = await freePort();
  const config = join(dir, 'registry.yml');
  // JSON is YAML: no quoting rules to get wrong for paths and URLs.
  const document: Record<string, unknown> = {
    version: 0.1,
    log: { level: 'info', accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: join(dir, 'storage') }, delete: { enabled: true } },
    http: { addr: `127.0.0.1:${port}`, secret: 'containerregistry-test' },
  };
  const auth = options.auth;
  if (auth && 'htpasswd' in auth) document['auth'] = { htpasswd: { realm: 'basic-realm', path: auth.htpasswd } };
  if (auth && 'token' in auth) {
    document['auth'] = {
      token: { realm: auth.token.realm, service: auth.token.service, issuer: auth.token.issuer, rootcertbundle: auth.token.rootCertBundle },
    };
  }
  await writeFile(config, JSON.stringify(document, null, 2));
  const proc = await startBackground(binary, ['serve', config], { logFile: join(dir, 'registry.log') });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(url, '/v2/', {
      statuses: [200, 401],
      what: 'distribution registry',
      givenUp: () => {
        const why = proc.exitReason();
        return why === undefined ? undefined : `it ended (${why}):\n${proc.log()}`;
      },
    });
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { host: `127.0.0.1:${port}`, url, process: proc, stop: () => proc.stop() };
}
