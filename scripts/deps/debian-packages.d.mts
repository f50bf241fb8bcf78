export interface Probe {
  onPath(name: string): boolean;
  exists(path: string): boolean;
  cjkFonts(): boolean;
}
export interface DebianNeed {
  what: string;
  packages: string[];
  present(probe: Probe): boolean;
}
export const FOR_INSTALL: DebianNeed[];
export const FOR_TEST: DebianNeed[];
export const systemProbe: Probe;
export function missingPackages(needs: readonly DebianNeed[], probe: Probe): string[];
export function aptCommands(packages: readonly string[]): Array<[string, string[]]>;
