export function until<T>(probe: () => T | Promise<T>, done: (value: T) => boolean, ms: number, what: string, intervalMs?: number): Promise<T>;
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T>;
