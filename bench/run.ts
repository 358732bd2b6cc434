/**
 * `npm run bench`: every benchmark in one run. Figures are ratios against the peers measured in
 * the same run; write them into the closing note of the issue they belong to.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

for (const [name, args] of [
  ['throughput.js', []],
  ['memory.js', process.argv.slice(2)],
] as const) {
  console.log(`\n## ${name}\n`);
  execFileSync(process.execPath, [fileURLToPath(new URL(`./${name}`, import.meta.url)), ...args], { stdio: 'inherit' });
}
