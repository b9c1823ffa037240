// The few mocha TDD globals the suite uses. Mocha is installed under test/e2e only (the root
// project does not depend on it), so its own typings are not visible to the root type-check.
declare function suite(title: string, fn: () => void): void;
declare function test(title: string, fn: () => Promise<void> | void): void;
declare function suiteSetup(fn: () => Promise<void> | void): void;
declare function teardown(fn: () => Promise<void> | void): void;
declare function suiteTeardown(fn: () => Promise<void> | void): void;
