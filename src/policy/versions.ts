/** definitionVersion patterns ("1.*.*", "2.4.0") against a set's `versions` list. */

export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((part) => Number.parseInt(part, 10));
  const pb = b.split(/[.-]/).map((part) => Number.parseInt(part, 10));
  for (let index = 0; index < 3; index += 1) {
    const diff = (pa[index] || 0) - (pb[index] || 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

export function versionMatches(pattern: string, version: string): boolean {
  const want = pattern.split(".");
  const have = version.split(".");
  return want.every((part, index) => part === "*" || part === have[index]);
}

/** The newest version matching the pattern, or undefined. No pattern means the newest. */
export function resolveVersion(pattern: string | undefined, versions: string[]): string | undefined {
  const candidates = versions.filter((version) => !pattern || versionMatches(pattern, version));
  return candidates.sort(compareVersions).reverse()[0];
}
