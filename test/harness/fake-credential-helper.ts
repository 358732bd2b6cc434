/**
 * @module Real programs for credential tests: a `docker-credential-<name>` that speaks the
 * helper protocol over a JSON file, and any other small Node script (a fake `gcloud`, a kubeconfig
 * exec plugin) written into a bin folder to put on PATH. Each logs how it was called.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Writes `bin/<name>` as an executable Node script with `body` (CommonJS) after a shebang. */
export async function writeScript(binDir: string, name: string, body: string): Promise<string> {
  await mkdir(binDir, { recursive: true });
  const path = join(binDir, name);
  await writeFile(path, `#!${process.execPath}\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

/** A fake helper's state: where it keeps credentials and how it was called. */
export interface FakeHelper {
  /** `docker-credential-<name>`'s folder, to put first on PATH. */
  readonly binDir: string;
  /** Variables the helper needs (`FAKE_HELPER_DIR`) plus `PATH`. */
  readonly env: Record<string, string>;
  /** Every call so far, in order. */
  calls(): Promise<{ action: string; input: string }[]>;
  /** What the helper holds: server URL → `{ Username, Secret }`. */
  stored(): Promise<Record<string, { ServerURL: string; Username: string; Secret: string }>>;
  /** Puts credentials in the helper's store directly. */
  seed(serverURL: string, username: string, secret: string): Promise<void>;
}

const helperBody = `
const fs = require('node:fs');
const path = require('node:path');
const dir = process.env.FAKE_HELPER_DIR;
const action = process.argv[2];
const input = fs.readFileSync(0, 'utf8');
fs.appendFileSync(path.join(dir, 'calls.log'), JSON.stringify({ action, input }) + '\\n');
const db = path.join(dir, 'store.json');
const store = fs.existsSync(db) ? JSON.parse(fs.readFileSync(db, 'utf8')) : {};
const save = () => fs.writeFileSync(db, JSON.stringify(store));
const notFound = () => { process.stdout.write('credentials not found in native keychain\\n'); process.exit(1); };
if (input === 'locked.example') { process.stdout.write('error: the keyring is locked\\n'); process.exit(1); }
if (input === 'slow.example') { setTimeout(() => {}, 60000); return; }
switch (action) {
  case 'get':
    if (!store[input]) notFound();
    process.stdout.write(JSON.stringify(store[input]) + '\\n');
    break;
  case 'store': {
    const c = JSON.parse(input);
    store[c.ServerURL] = c;
    save();
    break;
  }
  case 'erase':
    if (!store[input]) notFound();
    delete store[input];
    save();
    break;
  case 'list': {
    const out = {};
    for (const [k, v] of Object.entries(store)) out[k] = v.Username;
    process.stdout.write(JSON.stringify(out));
    break;
  }
  default:
    process.stdout.write('unknown action ' + action + '\\n');
    process.exit(1);
}
`;

/** Installs `docker-credential-<name>` under `root/bin`, keeping its state in `root/<name>-state`. */
export async function installFakeHelper(root: string, name = 'fake'): Promise<FakeHelper> {
  const binDir = join(root, 'bin');
  const stateDir = join(root, `${name}-state`);
  await mkdir(stateDir, { recursive: true });
  await writeScript(binDir, `docker-credential-${name}`, helperBody);
  const db = join(stateDir, 'store.json');
  const stored = async () => {
    try {
      return JSON.parse(await readFile(db, 'utf8')) as Record<string, { ServerURL: string; Username: string; Secret: string }>;
    } catch {
      return {};
    }
  };
  return {
    binDir,
    env: { FAKE_HELPER_DIR: stateDir, PATH: binDir },
    async calls() {
      const text = await readFile(join(stateDir, 'calls.log'), 'utf8').catch(() => '');
      return text
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { action: string; input: string });
    },
    stored,
    async seed(serverURL, username, secret) {
      const s = await stored();
      s[serverURL] = { ServerURL: serverURL, Username: username, Secret: secret };
      await writeFile(db, JSON.stringify(s));
    },
  };
}
