/**
 * @module Per-registry TLS files in Docker's `certs.d` layout (ggcr #211): for a host
 * `r.example:5000`, `<dir>/r.example:5000/*.crt` are extra CAs and each `*.cert` with the `*.key`
 * of the same name is a client certificate, as dockerd, containerd and podman read them.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from '../../errors/index.ts';

/** What the directories hold for one host. */
export interface HostTls {
  readonly ca: readonly Buffer[];
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

async function listDir(dir: string): Promise<string[] | undefined> {
  try {
    return (await readdir(dir)).sort();
  } catch (err) {
    // A missing or unreadable directory means "nothing configured", as for Docker.
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES') return undefined;
    throw err;
  }
}

async function readHostDir(dir: string): Promise<HostTls | undefined> {
  const names = await listDir(dir);
  if (!names) return undefined;
  const ca: Buffer[] = [];
  let cert: Buffer | undefined;
  let key: Buffer | undefined;
  for (const name of names) {
    if (name.endsWith('.crt')) {
      ca.push(await readFile(join(dir, name)));
    } else if (name.endsWith('.cert') && cert === undefined) {
      const keyName = `${name.slice(0, -'.cert'.length)}.key`;
      if (!names.includes(keyName)) {
        throw new InvalidArgumentError(`client certificate ${join(dir, name)} has no key ${keyName} beside it`);
      }
      cert = await readFile(join(dir, name));
      key = await readFile(join(dir, keyName));
    } else if (name.endsWith('.key') && !names.includes(`${name.slice(0, -'.key'.length)}.cert`)) {
      throw new InvalidArgumentError(`client key ${join(dir, name)} has no certificate ${name.slice(0, -'.key'.length)}.cert beside it`);
    }
  }
  if (ca.length === 0 && cert === undefined) return undefined;
  return { ca, ...(cert && key ? { cert, key } : {}) };
}

/**
 * The TLS files for `hosts` (spellings of one host, e.g. `r.example` and `r.example:443`) across
 * `dirs`: CAs from every matching directory, the first client certificate found. Undefined when
 * there are none.
 */
export async function loadHostTls(dirs: readonly string[], hosts: readonly string[]): Promise<HostTls | undefined> {
  const ca: Buffer[] = [];
  let cert: Buffer | undefined;
  let key: Buffer | undefined;
  for (const dir of dirs) {
    for (const host of new Set(hosts)) {
      // A host name never contains a path separator; refuse one rather than read elsewhere.
      if (host.includes('/') || host.includes('\\') || host === '..' || host === '.') continue;
      const found = await readHostDir(join(dir, host));
      if (!found) continue;
      ca.push(...found.ca);
      if (cert === undefined && found.cert && found.key) {
        cert = found.cert;
        key = found.key;
      }
    }
  }
  if (ca.length === 0 && cert === undefined) return undefined;
  return { ca, ...(cert && key ? { cert, key } : {}) };
}

const cache = new Map<string, Promise<HostTls | undefined>>();

/**
 * {@link loadHostTls} for the host of `url`, memoised for the life of the process (transports
 * are made per repository; the files are read once). A failed read is not memoised.
 */
export function hostTlsFor(dirs: readonly string[], url: URL): Promise<HostTls | undefined> {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const hosts = [url.host, `${url.hostname}:${port}`];
  const key = `${dirs.join('\0')}\0${url.host}`;
  let p = cache.get(key);
  if (!p) {
    p = loadHostTls(dirs, hosts);
    p.catch(() => cache.delete(key));
    cache.set(key, p);
  }
  return p;
}
