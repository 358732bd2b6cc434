/**
 * The fastest registry a client could push to and pull from, for `bench/registry.ts`: uploads are
 * read and thrown away (no hashing, no disk), manifests are kept in memory, and blobs are served
 * straight from the benchmark's OCI layout (page cache). No real server can beat it, so skopeo's
 * time against it is the floor of the push and pull times on this machine: what is left is the
 * client's own work. It checks nothing and must never serve anything but this benchmark.
 * `node dist/bench/floor-registry.js PORT LAYOUT_DIR`
 */
import { createReadStream, statSync } from 'node:fs';
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import { join } from 'node:path';

const [port, layout] = [Number(process.argv[2]), process.argv[3]!];
const manifests = new Map<string, { type: string; bytes: Buffer; digest: string }>();

function answer(res: ServerResponse, status: number, headers: Record<string, string | number> = {}, body?: Buffer): void {
  res.writeHead(status, { 'Content-Length': body?.length ?? 0, ...headers });
  res.end(body);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://floor');
  const chunks: Buffer[] = [];
  let received = 0;
  const keep = /\/manifests\//.test(url.pathname);
  req.on('data', (c: Buffer) => {
    received += c.length;
    if (keep) chunks.push(c);
  });
  req.on('end', () => {
    const path = url.pathname;
    let m: RegExpExecArray | null;
    if (path === '/v2/') return answer(res, 200, { 'Content-Type': 'application/json' }, Buffer.from('{}'));
    if ((m = /^\/v2\/(.+)\/blobs\/uploads\/?$/.exec(path)) && req.method === 'POST') {
      return answer(res, 202, { Location: `/v2/${m[1]}/blobs/uploads/${randomUUID()}`, Range: '0-0' });
    }
    if ((m = /^\/v2\/(.+)\/blobs\/uploads\/[^/]+$/.exec(path))) {
      if (req.method === 'PATCH') return answer(res, 202, { Location: path, Range: `0-${Math.max(0, received - 1)}` });
      const digest = url.searchParams.get('digest') ?? '';
      if (req.method === 'PUT') return answer(res, 201, { Location: `/v2/${m[1]}/blobs/${digest}`, 'Docker-Content-Digest': digest });
    }
    if ((m = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/.exec(path))) {
      // A push asks with HEAD whether a blob is there: never, so every blob is uploaded. A pull GETs.
      if (req.method === 'HEAD') return answer(res, 404);
      const file = join(layout, 'blobs', 'sha256', m[2]!.slice(7));
      let size: number;
      try {
        size = statSync(file).size;
      } catch {
        return answer(res, 404);
      }
      res.writeHead(200, { 'Content-Length': size, 'Content-Type': 'application/octet-stream', 'Docker-Content-Digest': m[2]! });
      return void createReadStream(file, { highWaterMark: 1024 * 1024 }).pipe(res);
    }
    if ((m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path))) {
      const key = `${m[1]}@${m[2]}`;
      if (req.method === 'PUT') {
        const bytes = Buffer.concat(chunks);
        const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
        const entry = { type: String(req.headers['content-type'] ?? ''), bytes, digest };
        manifests.set(key, entry).set(`${m[1]}@${digest}`, entry);
        return answer(res, 201, { Location: path, 'Docker-Content-Digest': digest });
      }
      const found = manifests.get(key);
      if (!found) return answer(res, 404);
      const headers = { 'Content-Type': found.type, 'Docker-Content-Digest': found.digest };
      return req.method === 'HEAD' ? (res.writeHead(200, { ...headers, 'Content-Length': found.bytes.length }), res.end()) : answer(res, 200, headers, found.bytes);
    }
    answer(res, 404);
  });
});
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
