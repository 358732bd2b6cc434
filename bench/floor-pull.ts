/**
 * The least work a single-threaded Node.js process can do to pull the benchmark image into an OCI layout, for
 * `bench/pull.ts`: raw sockets with no HTTP library, one 256 KiB read buffer per connection that
 * is reused for every read (Node's own reads allocate a fresh 64 KiB buffer each), sha256 and a
 * synchronous write straight from that buffer, then fdatasync and rename as a real pull must.
 * It speaks just enough HTTP/1.1 for a plain-HTTP registry that answers with Content-Length, so it
 * must never be used for anything but this benchmark. Its time shows how much of ours is spent
 * in Node's HTTP and stream machinery rather than in the work itself.
 * `node dist/bench/floor-pull.js HOST:PORT REPO:TAG LAYOUT_DIR`
 */
import { createHash } from 'node:crypto';
import { closeSync, fdatasync, mkdirSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';

const [host, ref, out] = [process.argv[2]!, process.argv[3]!, process.argv[4]!];
const [hostname, port] = host.split(':') as [string, string];
const [repo, tag] = ref.split(':') as [string, string];
const READ_BUFFER = 256 * 1024;
const ACCEPT = 'application/vnd.oci.image.manifest.v1+json,application/vnd.docker.distribution.manifest.v2+json';

/** GETs `path` and hands each body piece to `onBody` as a view of the reused read buffer. */
function get(path: string, onBody: (piece: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let head = '';
    let remaining = -1;
    const body = (piece: Buffer): void => {
      remaining -= piece.length;
      onBody(piece);
      if (remaining === 0) {
        socket.end();
        resolve();
      }
    };
    const onRead = (n: number, buf: Uint8Array): void => {
      const bytes = Buffer.from(buf.buffer, buf.byteOffset, n);
      if (remaining >= 0) return body(bytes);
      head += bytes.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      if (!head.startsWith('HTTP/1.1 200')) return reject(new Error(`GET ${path}: ${head.slice(0, head.indexOf('\r\n'))}`));
      const length = /\r\ncontent-length: *(\d+)/i.exec(head.slice(0, end));
      if (!length) return reject(new Error(`GET ${path}: no Content-Length`));
      remaining = Number(length[1]);
      const bodyStart = n - (head.length - end - 4);
      if (bodyStart < n) body(bytes.subarray(bodyStart));
    };
    const socket: Socket = connect({
      host: hostname,
      port: Number(port),
      onread: { buffer: Buffer.allocUnsafe(READ_BUFFER), callback: (n, buf) => (onRead(n, buf), true) },
    });
    socket.on('error', reject);
    socket.on('close', () => {
      if (remaining !== 0) reject(new Error(`GET ${path}: connection closed ${remaining < 0 ? 'before the headers' : `${remaining} bytes short`}`));
    });
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nAccept: ${ACCEPT}\r\n\r\n`);
  });
}

/** Fetches one blob into the layout: hash and write as it arrives, then sync, check and rename. */
async function blob(digest: string): Promise<void> {
  const hex = digest.slice('sha256:'.length);
  const final = join(out, 'blobs', 'sha256', hex);
  const tmp = `${final}.tmp`;
  const fd = openSync(tmp, 'w');
  const hash = createHash('sha256');
  await get(`/v2/${repo}/blobs/${digest}`, (piece) => {
    hash.update(piece);
    writeSync(fd, piece);
  });
  await new Promise<void>((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
  closeSync(fd);
  if (hash.digest('hex') !== hex) throw new Error(`${digest}: wrong digest`);
  renameSync(tmp, final);
}

mkdirSync(join(out, 'blobs', 'sha256'), { recursive: true });
const pieces: Buffer[] = [];
await get(`/v2/${repo}/manifests/${tag}`, (piece) => pieces.push(Buffer.from(piece)));
const manifest = Buffer.concat(pieces);
const parsed = JSON.parse(manifest.toString()) as { mediaType: string; config: { digest: string }; layers: { digest: string }[] };
const queue = [parsed.config.digest, ...parsed.layers.map((l) => l.digest)];
await Promise.all([0, 1, 2, 3].map(async () => {
  for (let d = queue.shift(); d !== undefined; d = queue.shift()) await blob(d);
}));
const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
writeFileSync(join(out, 'blobs', 'sha256', digest.slice(7)), manifest);
writeFileSync(join(out, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
writeFileSync(join(out, 'index.json'), JSON.stringify({
  schemaVersion: 2,
  manifests: [{ mediaType: parsed.mediaType, size: manifest.length, digest, annotations: { 'org.opencontainers.image.ref.name': tag } }],
}));
