/**
 * @module Our `docker load` tarballs read by the tools people use. An image is built here whose
 * one layer holds a tiny static ELF that prints "hello"; `docker load` of our tarball followed by
 * `docker run` prints it; `podman load` gets the same image ID; `skopeo inspect docker-archive:`
 * reports our config and our layers' diffIDs; `skopeo copy docker-archive: oci:` keeps them.
 * One private dockerd (vfs, no iptables) serves the file.
 */
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { findPeer } from '../harness/peers.ts';
import { describeResult, runCommand, type CommandResult } from '../harness/run-command.ts';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.ts';
import { startDockerd, type DockerDaemon } from '../harness/docker-daemon.ts';
import * as random from '../../src/random/index.ts';
import { Tag } from '../../src/name/index.ts';
import type { Image } from '../../src/v1/interfaces.ts';
import { createTarStream } from '../../src/internal/tar/index.ts';
import { layerFromFile } from '../../src/tarball/layer-file.ts';
import { multiWriteToFile, writeToFile } from '../../src/tarball/write-file.ts';
import { imageOf } from '../../src/tarball/write.test-fixtures.ts';

const sha256 = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/**
 * A complete static Linux executable that writes "hello\n" to stdout and exits 0: a 64-byte ELF
 * header, one 56-byte PT_LOAD program header mapping the whole file at 0x400000 read+execute, then
 * the machine code and the message. No libc, no sections; the kernel needs nothing else.
 */
function helloElf(arch: 'x64' | 'arm64'): Buffer {
  const message = Buffer.from('hello\n');
  const code =
    arch === 'x64'
      ? Buffer.from([
          0xb8, 0x01, 0x00, 0x00, 0x00, //       mov eax, 1         ; write
          0xbf, 0x01, 0x00, 0x00, 0x00, //       mov edi, 1         ; fd 1, stdout
          0x48, 0x8d, 0x35, 0x10, 0x00, 0x00, 0x00, // lea rsi, [rip+16] ; the message, 16 bytes past this instruction
          0xba, 0x06, 0x00, 0x00, 0x00, //       mov edx, 6         ; its length
          0x0f, 0x05, //                         syscall
          0xb8, 0x3c, 0x00, 0x00, 0x00, //       mov eax, 60        ; exit
          0x31, 0xff, //                         xor edi, edi       ; status 0
          0x0f, 0x05, //                         syscall
        ])
      : Buffer.concat(
          [
            0xd2800020, // movz x0, #1     ; fd 1, stdout
            0x100000e1, // adr  x1, #28    ; the message, 7 instructions past this one
            0xd28000c2, // movz x2, #6     ; its length
            0xd2800808, // movz x8, #64    ; write
            0xd4000001, // svc  #0
            0xd2800000, // movz x0, #0     ; status 0
            0xd2800ba8, // movz x8, #93    ; exit
            0xd4000001, // svc  #0
          ].map((word) => {
            const b = Buffer.alloc(4);
            b.writeUInt32LE(word);
            return b;
          }),
        );
  const base = 0x400000;
  const headers = 64 + 56;
  const size = headers + code.length + message.length;
  const elf = Buffer.alloc(size);
  // e_ident: magic, ELFCLASS64, little-endian, version 1, System V ABI; the rest is padding.
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]).copy(elf, 0);
  elf.writeUInt16LE(2, 16); // e_type: ET_EXEC
  elf.writeUInt16LE(arch === 'x64' ? 62 : 183, 18); // e_machine: EM_X86_64 or EM_AARCH64
  elf.writeUInt32LE(1, 20); // e_version
  elf.writeBigUInt64LE(BigInt(base + headers), 24); // e_entry: the first instruction
  elf.writeBigUInt64LE(64n, 32); // e_phoff: program headers follow the ELF header
  // e_shoff 0, e_flags 0 (left zero)
  elf.writeUInt16LE(64, 52); // e_ehsize
  elf.writeUInt16LE(56, 54); // e_phentsize
  elf.writeUInt16LE(1, 56); // e_phnum; e_shentsize, e_shnum, e_shstrndx stay 0: no sections
  elf.writeUInt32LE(1, 64); // p_type: PT_LOAD
  elf.writeUInt32LE(5, 68); // p_flags: PF_R | PF_X
  // p_offset 0: the whole file, headers included, is mapped
  elf.writeBigUInt64LE(BigInt(base), 80); // p_vaddr
  elf.writeBigUInt64LE(BigInt(base), 88); // p_paddr
  elf.writeBigUInt64LE(BigInt(size), 96); // p_filesz
  elf.writeBigUInt64LE(BigInt(size), 104); // p_memsz
  elf.writeBigUInt64LE(arch === 'x64' ? 0x1000n : 0x10000n, 112); // p_align: the page size (64 KiB covers every arm64 kernel)
  code.copy(elf, headers);
  message.copy(elf, headers + code.length);
  return elf;
}

const HELLO = Tag.parse('tarball-write.local/hello:v1');
const HELLO_ALSO = Tag.parse('tarball-write.local/hello:also');
const NOISE = Tag.parse('tarball-write.local/noise:v1');

interface Fixture {
  readonly dir: string;
  readonly hello: Image;
  readonly noise: Image;
  /** `HELLO` alone. */
  readonly single: string;
  /** `HELLO`, `HELLO_ALSO` (same image) and `NOISE`. */
  readonly multi: string;
}

let fixtureDir: string | undefined;
let built: Promise<Fixture> | undefined;

/** The images and tarballs, made once for the file with our writer. */
function fixture(): Promise<Fixture> {
  built ??= (async () => {
    const dir = (fixtureDir = await makeTempDir('tbw'));
    const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
    const elf = helloElf(arch);
    const layerTar = join(dir, 'hello-layer.tar');
    await pipeline(
      createTarStream([{ header: { name: 'hello', type: 'file', mode: 0o755, size: elf.length }, body: elf }]),
      createWriteStream(layerTar),
    );
    const layer = await layerFromFile(layerTar);
    const hello = await imageOf([layer], {
      architecture: arch === 'arm64' ? 'arm64' : 'amd64',
      config: { Entrypoint: ['/hello'] },
    });
    const noise = random.image(3000, 2, { seed: 'tarball-write-peers' });
    const single = join(dir, 'single.tar');
    const multi = join(dir, 'multi.tar');
    await writeToFile(single, HELLO, hello);
    await multiWriteToFile(multi, [
      [HELLO, hello],
      [HELLO_ALSO, hello],
      [NOISE, noise],
    ]);
    return { dir, hello, noise, single, multi };
  })();
  return built;
}

let daemon: Promise<DockerDaemon> | undefined;

after(async () => {
  const d = await daemon?.catch(() => undefined);
  await d?.stop();
  if (fixtureDir) await removeTempDir(fixtureDir);
});

async function dockerOk(docker: string, d: DockerDaemon, args: string[]): Promise<CommandResult> {
  const r = await runCommand(docker, args, { timeoutMs: 120_000, env: { ...d.env } });
  assert.equal(r.code, 0, `${describeResult(r)}\ndockerd log:\n${d.process.log().slice(-2000)}`);
  return r;
}

async function startDocker(t: TestContext): Promise<{ docker: string; d: DockerDaemon } | undefined> {
  const dockerd = findPeer(t, 'dockerd');
  if (!dockerd) return undefined;
  const docker = findPeer(t, 'docker');
  if (!docker) return undefined;
  const f = await fixture();
  daemon ??= (async () => {
    const engine = join(f.dir, 'engine');
    await mkdir(engine, { recursive: true });
    return startDockerd(dockerd, engine);
  })();
  return { docker, d: await daemon };
}

before(async () => {
  await fixture();
});

test('docker load of our tarball, then docker run prints hello', async (t) => {
  const started = await startDocker(t);
  if (!started) return;
  const { docker, d } = started;
  const f = await fixture();
  const load = await dockerOk(docker, d, ['load', '-i', f.single]);
  assert.match(load.stdout, new RegExp(`Loaded image: ${HELLO.toString().replaceAll('.', '\\.')}\\n`));
  const id = (await dockerOk(docker, d, ['image', 'inspect', '--format', '{{.Id}}', HELLO.toString()])).stdout.trim();
  assert.equal(id, (await f.hello.configName()).toString(), 'the image ID is our config digest');
  const run = await dockerOk(docker, d, ['run', '--rm', '--network', 'none', HELLO.toString()]);
  assert.equal(run.stdout, 'hello\n');
});

test('docker load of a multi-image tarball loads every tag', async (t) => {
  const started = await startDocker(t);
  if (!started) return;
  const { docker, d } = started;
  const f = await fixture();
  const load = await dockerOk(docker, d, ['load', '-i', f.multi]);
  for (const tag of [HELLO, HELLO_ALSO, NOISE]) assert.ok(load.stdout.includes(`Loaded image: ${tag}\n`), load.stdout);
  const id = (await dockerOk(docker, d, ['image', 'inspect', '--format', '{{.Id}}', NOISE.toString()])).stdout.trim();
  assert.equal(id, (await f.noise.configName()).toString());
  const run = await dockerOk(docker, d, ['run', '--rm', '--network', 'none', HELLO_ALSO.toString()]);
  assert.equal(run.stdout, 'hello\n');
});

test('podman load of our tarballs gives our image IDs under our tags', async (t) => {
  const podman = findPeer(t, 'podman');
  if (!podman) return;
  const f = await fixture();
  // podman refuses a runroot longer than 50 characters: hence the terse folder names.
  const root = join(f.dir, 'pm');
  const env = { TMPDIR: f.dir, REGISTRY_AUTH_FILE: join(f.dir, 'auth.json') };
  await writeFile(env.REGISTRY_AUTH_FILE, '{}');
  const global = [
    '--root', join(root, 'storage'),
    '--runroot', join(root, 'r'),
    '--tmpdir', join(root, 'tmp'),
    '--network-config-dir', join(root, 'networks'),
    '--storage-driver=vfs',
    '--cgroup-manager=cgroupfs',
    '--events-backend=file',
  ];
  const ok = async (args: string[]) => {
    const r = await runCommand(podman, [...global, ...args], { timeoutMs: 120_000, env });
    assert.equal(r.code, 0, describeResult(r));
    return r;
  };
  await ok(['load', '-i', f.single]);
  await ok(['load', '-i', f.multi]);
  const idOf = async (tag: Tag) => (await ok(['image', 'inspect', '--format', '{{.Id}}', tag.toString()])).stdout.trim();
  assert.equal(await idOf(HELLO), (await f.hello.configName()).hex);
  assert.equal(await idOf(HELLO_ALSO), (await f.hello.configName()).hex);
  assert.equal(await idOf(NOISE), (await f.noise.configName()).hex);
});

async function skopeoOk(skopeo: string, dir: string, args: string[]): Promise<CommandResult> {
  const r = await runCommand(skopeo, ['--insecure-policy', ...args], { timeoutMs: 60_000, env: { TMPDIR: dir } });
  assert.equal(r.code, 0, describeResult(r));
  return r;
}

test('skopeo inspect docker-archive: reports our config (digest and bytes) and our layers by diffID', async (t) => {
  const skopeo = findPeer(t, 'skopeo');
  if (!skopeo) return;
  const f = await fixture();
  const cases: [string, Image][] = [
    [`docker-archive:${f.single}`, f.hello],
    [`docker-archive:${f.multi}:${NOISE}`, f.noise],
  ];
  for (const [source, img] of cases) {
    const raw = JSON.parse((await skopeoOk(skopeo, f.dir, ['inspect', '--raw', source])).stdout) as {
      config: { digest: string };
      layers: { digest: string }[];
    };
    assert.equal(raw.config.digest, (await img.configName()).toString());
    // containers/image serves docker-archive layers uncompressed, so it names them by diffID.
    const diffIDs = (await img.configFile()).rootfs.diff_ids.map(String);
    assert.deepEqual(raw.layers.map((l) => l.digest), diffIDs);
    const configText: string = (await skopeoOk(skopeo, f.dir, ['inspect', '--config', '--raw', source])).stdout;
    assert.equal(configText, (await img.rawConfigFile()).toString());
  }
});

test('skopeo copy docker-archive: to oci: gives a layout whose layers are ours (same diffIDs)', async (t) => {
  const skopeo = findPeer(t, 'skopeo');
  if (!skopeo) return;
  const f = await fixture();
  const layout = join(f.dir, 'oci');
  await skopeoOk(skopeo, f.dir, ['copy', `docker-archive:${f.multi}:${NOISE}`, `oci:${layout}:noise`]);
  const blob = async (d: string) => {
    const bytes = await readFile(join(layout, 'blobs', ...d.split(':')));
    assert.equal(sha256(bytes), d, `blob ${d} holds what its name says`);
    return bytes;
  };
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  assert.equal(index.manifests.length, 1);
  const manifest = JSON.parse((await blob(index.manifests[0]!.digest)).toString()) as {
    config: { digest: string };
    layers: { digest: string; mediaType: string }[];
  };
  // skopeo rewrites the config as an OCI config and recompresses the layers it read uncompressed,
  // so digests change; what must survive is the filesystem: every layer's diffID.
  const config = JSON.parse((await blob(manifest.config.digest)).toString()) as { rootfs: { diff_ids: string[] } };
  const diffIDs = (await f.noise.configFile()).rootfs.diff_ids.map(String);
  assert.deepEqual(config.rootfs.diff_ids, diffIDs);
  const unpacked: string[] = [];
  for (const l of manifest.layers) {
    assert.equal(l.mediaType, 'application/vnd.oci.image.layer.v1.tar+gzip');
    unpacked.push(sha256(gunzipSync(await blob(l.digest))));
  }
  assert.deepEqual(unpacked, diffIDs);
});
