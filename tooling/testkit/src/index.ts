/**
 * `@switchyard/testkit`: real loopback servers and fixtures for Switchyard's tests and demo. Not published.
 */
export {};
