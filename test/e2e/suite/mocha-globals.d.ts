// The few mocha TDD globals the suite uses. Mocha is installed under test/e2e only (the root
// project does not depend on it), so its own typings are not visible to the root type-check.
declare function suite(title: string, fn: () => void): void;
/** `this.timeout(ms)` in a `function` body lifts mocha's 60 s limit for one test. */
declare function test(title: string, fn: (this: { timeout(ms: number): void }) => Promise<void> | void): void;
declare function suiteSetup(fn: (this: { timeout(ms: number): void }) => Promise<void> | void): void;
declare function teardown(fn: () => Promise<void> | void): void;
declare function suiteTeardown(fn: () => Promise<void> | void): void;
