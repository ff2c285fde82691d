// Policy definition versions ("major.minor.patch", maybe with a suffix) and the patterns assignments and
// set references pin them with ("2.*.*", "1.2.*", "1.2.0").

function parts(version: string): number[] {
  return version
    .split("-")[0]
    .split(".")
    .map((part) => Number.parseInt(part, 10) || 0);
}

export function compareVersions(a: string, b: string): number {
  const left = parts(a);
  const right = parts(b);
  for (let index = 0; index < 3; index++) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

export function isVersionPattern(pattern: string): boolean {
  return /^\d+\.(\d+|\*)\.(\d+|\*)(-[A-Za-z0-9.]+)?$/.test(pattern);
}

export function matchesPattern(version: string, pattern: string): boolean {
  const wanted = pattern.split("-")[0].split(".");
  const actual = version.split("-")[0].split(".");
  return wanted.every((part, index) => part === "*" || part === actual[index]);
}

/** The newest of `versions` that `pattern` selects; the newest overall without a pattern. */
export function resolveVersion(versions: Iterable<string>, pattern?: string): string | undefined {
  const sorted = [...versions].sort(compareVersions);
  const matching = pattern === undefined ? sorted : sorted.filter((version) => matchesPattern(version, pattern));
  return matching.at(-1);
}

export function majorPattern(version: string): string {
  return `${version.split(".")[0]}.*.*`;
}
