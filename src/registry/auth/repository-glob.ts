/**
 * @module Repository globs for access rules (`team/*`, `**`): which repositories a rule of the
 * access file covers. The grammar is written out below in line comments, where a `**` followed
 * by `/` cannot end the comment.
 */
// Matched against a whole repository name split at `/`:
// - a literal character matches itself; patterns use the characters of repository names only
//   (`a-z 0-9 . _ - /`) plus `*`, so a typo such as `Team/*` is an error, not a rule that
//   silently never matches;
// - `*` inside a component matches any run of characters except `/`, the empty run included
//   (`team-*` matches `team-a`; `team/*` matches `team/a` but neither `team` nor `team/a/b`);
// - `**` must be a whole component. At the end (`team/**`, or `**` alone) it matches one or more
//   components, so `team/**` covers everything below `team` but not `team` itself; anywhere else
//   (`**/cache`, `a/**/b`) it matches zero or more components, so `a/**/b` matches `a/b` and
//   `a/x/y/b`. These are gitignore's rules.
import { BadDocumentError } from '../../errors/index.ts';

/** A compiled repository glob. */
export interface RepositoryGlob {
  /** The pattern as written. */
  readonly pattern: string;
  /** True when `repository` (a whole name such as `team/app`) is covered by the pattern. */
  test(repository: string): boolean;
}

const patternChars = /^[a-z0-9._\-/*]+$/;

/**
 * Compiles `pattern`; throws `BadDocumentError` at `where` (the rule's path in the access file)
 * when the pattern is empty, uses characters no repository name has, has an empty component, or
 * has a `**` that is not a whole component.
 *
 * @example
 * repositoryGlob('team/*').test('team/app'); // true
 * repositoryGlob('team/**').test('team/app/cache'); // true
 */
export function repositoryGlob(pattern: string, where = 'repository'): RepositoryGlob {
  if (!patternChars.test(pattern)) {
    throw new BadDocumentError(
      `repository pattern ${JSON.stringify(pattern)} may only use a-z 0-9 . _ - / and *`,
      where,
    );
  }
  const components = pattern.split('/');
  let source = '';
  components.forEach((component, i) => {
    const last = i === components.length - 1;
    if (component === '') {
      throw new BadDocumentError(`repository pattern ${JSON.stringify(pattern)} has an empty path component`, where);
    }
    if (component === '**') {
      source += last ? '[^/]+(?:/[^/]+)*' : '(?:[^/]+/)*';
      return;
    }
    if (component.includes('**')) {
      throw new BadDocumentError(
        `repository pattern ${JSON.stringify(pattern)}: "**" must be a whole path component`,
        where,
      );
    }
    source += component.split('*').map(escapeRegExp).join('[^/]*') + (last ? '' : '/');
  });
  const regexp = new RegExp(`^${source}$`);
  return { pattern, test: (repository) => regexp.test(repository) };
}

function escapeRegExp(literal: string): string {
  return literal.replace(/[.\-]/g, '\\$&');
}
