import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { DigestMismatchError, SizeMismatchError } from '../../errors/index.ts';
import { Hash } from '../../v1/hash.ts';
import { checksAs } from '../verify/index.ts';
import { pumpableStream, pumpOf, readablePump, verifiedBody, verifiedPump, withPump, type Pump } from './index.ts';

const data = Buffer.from('0123456789'.repeat(1000));
const digest = Hash.of(data);

/** A pump over `pieces`, each handed out from one reused buffer as a real socket pump does. */
function reusingPump(pieces: readonly Buffer[]): Pump {
  const buffer = Buffer.alloc(Math.max(...pieces.map((p) => p.length)));
  return async (sink) => {
    for (const p of pieces) {
      p.copy(buffer);
      sink(buffer.subarray(0, p.length));
      await new Promise((r) => setImmediate(r));
    }
  };
}

function split(b: Buffer, n: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += n) out.push(b.subarray(i, i + n));
  return out;
}

async function collect(pump: Pump): Promise<Buffer> {
  const got: Buffer[] = [];
  await pump((piece) => void got.push(Buffer.from(piece)));
  return Buffer.concat(got);
}

test('pumpOf: only a stream nobody has read, flowed or destroyed offers its pump', async () => {
  const fresh = () => withPump(Readable.from([data]), reusingPump([data]));
  assert.equal(pumpOf(Readable.from([data])), undefined, 'a plain stream has no pump');
  assert.equal(typeof pumpOf(fresh()), 'function');
  const read = fresh();
  for await (const _ of read) break;
  assert.equal(pumpOf(read), undefined, 'read');
  const flowing = fresh();
  flowing.resume();
  assert.equal(pumpOf(flowing), undefined, 'flowing');
  const destroyed = fresh();
  destroyed.destroy();
  assert.equal(pumpOf(destroyed), undefined, 'destroyed');
});

test('pumpableStream builds its stream only for a stream reader, and never when pumped', async () => {
  let built = 0;
  let abandoned = 0;
  const make = () =>
    pumpableStream({
      stream: () => (built++, Readable.from(split(data, 333))),
      pump: reusingPump(split(data, 333)),
      abandon: () => abandoned++,
    });
  const pumped = make();
  assert.deepEqual(await collect(pumpOf(pumped)!), data);
  assert.equal(built, 0, 'pumping built no stream');
  const streamed = make();
  const chunks: Buffer[] = [];
  for await (const c of streamed) chunks.push(c as Buffer);
  assert.deepEqual(Buffer.concat(chunks), data);
  assert.equal(built, 1);
  make().destroy();
  assert.equal(abandoned, 1, 'destroyed before use frees what is underneath');
});

test('verifiedPump: right bytes pass; the first byte too many stops it before the sink sees it', async () => {
  assert.deepEqual(await collect(verifiedPump(reusingPump(split(data, 4096)), { digest, size: data.length })), data);
  const longer = Buffer.concat([data, Buffer.from('x')]);
  let seen = 0;
  await assert.rejects(
    verifiedPump(reusingPump(split(longer, 4096)), { digest, size: data.length, what: 'layer L' })((p) => void (seen += p.length)),
    (err: unknown) => err instanceof SizeMismatchError && err.actual === data.length + 1 && /layer L/.test(err.message),
  );
  assert.ok(seen <= data.length, `the sink saw ${seen} bytes, no more than the descriptor allows`);
});

test('verifiedPump: a short or wrong body fails at the end, after beforeFail ran', async () => {
  const failed: string[] = [];
  const beforeFail = async (err: Error): Promise<void> => void failed.push(err.name);
  await assert.rejects(verifiedPump(reusingPump([data.subarray(1)]), { digest, size: data.length, beforeFail })(() => {}), SizeMismatchError);
  const other = Buffer.from(data).fill(0x41, 0, 1);
  await assert.rejects(verifiedPump(reusingPump([other]), { digest, size: data.length, beforeFail })(() => {}), DigestMismatchError);
  assert.deepEqual(failed, ['SizeMismatchError', 'DigestMismatchError']);
});

test('verifiedPump: a sink that throws stops the pump with its own error', async () => {
  const boom = new Error('disk full');
  await assert.rejects(
    verifiedPump(reusingPump(split(data, 100)), { digest, size: data.length })(() => {
      throw boom;
    }),
    (err) => err === boom,
  );
});

test('verifiedBody: pumpable and marked verified; read as a stream it is a verifying pipe', async () => {
  const body = verifiedBody(withPump(Readable.from([data]), reusingPump([data])), { digest, size: data.length });
  assert.ok(pumpOf(body), 'still pumpable');
  assert.ok(checksAs(body, { digest, size: data.length }), 'a writer need not hash it again');
  assert.deepEqual(await collect(pumpOf(body)!), data);
  const plain = verifiedBody(Readable.from([Buffer.from('wrong')]), { digest, size: 5 });
  await assert.rejects(
    (async () => {
      for await (const _ of plain) {
        // drain
      }
    })(),
    DigestMismatchError,
  );
});

test('verifiedPump: a sink that verifies the same digest itself spares the hash, never the size check', async () => {
  const wrong = Buffer.from(data).fill(0x41, 0, 1);
  const sinkVerifies = { digest, size: data.length };
  assert.deepEqual(await collect2(verifiedPump(reusingPump([wrong]), { digest, size: data.length }), { sinkVerifies }), wrong, 'the digest is the sink\'s to check');
  await assert.rejects(verifiedPump(reusingPump([wrong]), { digest, size: data.length })(() => {}, { sinkVerifies: { digest: Hash.of(Buffer.from('x')), size: data.length } }), DigestMismatchError, 'another digest: hashed here');
  await assert.rejects(verifiedPump(reusingPump([data, Buffer.from('x')]), { digest, size: data.length })(() => {}, { sinkVerifies }), SizeMismatchError);
});

async function collect2(pump: Pump, how: Parameters<Pump>[1]): Promise<Buffer> {
  const got: Buffer[] = [];
  await pump((piece) => void got.push(Buffer.from(piece)), how);
  return Buffer.concat(got);
}

test('readablePump: a plain stream\'s chunks go to the sink kept, in order; its error, a sink throw or an abort end it', async () => {
  const chunks = split(data, 700);
  const got: Buffer[] = [];
  const kept: boolean[] = [];
  await readablePump(Readable.from(chunks))((piece, k) => {
    got.push(piece);
    kept.push(k === true);
  });
  assert.deepEqual(Buffer.concat(got), data);
  assert.ok(kept.every(Boolean), 'every piece is the stream\'s own');
  const failing = new Readable({ read() {} });
  const failed = readablePump(failing)(() => {});
  failing.destroy(new Error('socket reset'));
  await assert.rejects(failed, /socket reset/);
  const boom = new Error('disk full');
  const source = Readable.from(chunks);
  await assert.rejects(
    readablePump(source)(() => {
      throw boom;
    }),
    (err) => err === boom,
  );
  assert.equal(source.destroyed, true, 'the stream is released');
  const reason = new Error('stopped');
  await assert.rejects(readablePump(new Readable({ read() {} }))(() => {}, { signal: AbortSignal.abort(reason) }), (err) => err === reason);
});

test('verifiedBody: any body is pumpable; a plain stream\'s bytes are checked on their way to the sink', async () => {
  const body = verifiedBody(Readable.from(split(data, 999)), { digest, size: data.length });
  assert.ok(pumpOf(body));
  assert.deepEqual(await collect(pumpOf(body)!), data);
  const wrong = verifiedBody(Readable.from([Buffer.from(data).fill(0x41, 0, 1)]), { digest, size: data.length });
  await assert.rejects(pumpOf(wrong)!(() => {}), DigestMismatchError);
});

test('readablePump: a stream closed before its end rejects instead of leaving the pump waiting', async () => {
  const body = new Readable({ read() {} });
  const pumping = readablePump(body)(() => {});
  body.push(Buffer.from('part'));
  body.destroy();
  await assert.rejects(pumping, { code: 'ERR_STREAM_PREMATURE_CLOSE' });
});
