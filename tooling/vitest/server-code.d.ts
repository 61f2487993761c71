export const SERVER_PACKAGES: string[];
export const SERVER_WORKSPACE: string[];
export const SERVER_TELLTALES: Array<[string, RegExp]>;
export function packageOf(path: string): string | null;
