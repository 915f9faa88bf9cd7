// Command gpcard is the cardhost operator CLI for GlobalPlatform cards.
//
// This first version has one command, "gpcard cap info FILE [--json]", which
// parses and validates a CAP file (JAR or IJC form) and prints its packages,
// applets, imports and the size and hashes of its Load File Data Block.
//
// Exit codes: 0 success, 1 the operation failed (e.g. an invalid CAP file),
// 2 usage error (unknown command or flag, wrong number of arguments).
//
// main.go stays thin: commands are built by newRootCommand and run by run, so
// tests execute the CLI in process and later commands plug into the same root.
package main
