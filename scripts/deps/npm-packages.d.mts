export function stalePackages(root: string): string[];
