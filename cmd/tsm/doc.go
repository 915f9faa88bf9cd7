// Command tsm is the Trusted Service Manager binary: `tsm demo` starts a TSM
// on SQLite in a temporary directory with simulated cards and runs a
// provisioning campaign; `tsm serve` serves the REST API (package tsm/api);
// `tsm token create|revoke|list` manages the API's bearer tokens and `tsm
// audit verify` checks the audit hash chain. It only wires flags,
// configuration, the logger and backends together; the work is in package
// tsm and below.
package main
