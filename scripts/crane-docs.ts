/**
 * `npm run docs`: writes docs/crane.md, the crane command reference, from the CLI itself.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderReference } from '../src/cli/reference.ts';

const target = fileURLToPath(new URL('../../docs/crane.md', import.meta.url));
writeFileSync(target, renderReference());
console.log(`wrote ${target}`);
