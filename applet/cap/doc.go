// Package cap reads, validates and writes Java Card CAP files and derives from
// them what a GlobalPlatform card is given: the Load File Data Block (the
// components in GlobalPlatform load order), its C4 wrapping and its hashes.
//
// It sits before the card path reader → channel → command: the host (gpcard)
// and the TSM turn a parsed [File] into INSTALL [for load] and LOAD commands,
// and the simulator (sim) parses the Load File Data Block it receives. The
// package does no I/O besides [Open], never logs and keeps no global state.
//
// Two physical forms are read: the JAR/ZIP form (.cap), in which each
// component is one entry named <path>/javacard/<Name>.cap or .capx, found by
// its tag byte rather than its name, and the raw IJC form, in which the
// components are concatenated. Compact CAP files of format 2.1, 2.2 and 2.3 and
// extended CAP files (format 2.3 with ACC_EXTENDED, several packages, u4 sizes)
// are supported; custom components (tags 128–255) are accepted and kept but
// are never part of a Load File Data Block.
//
// [Write] builds structurally valid CAP files from a [Spec], for tests and
// demos in any package.
//
// Facts: JCVM 3.1 §6 (components, Header, Directory, Applet, Import), GPCS
// 2.3.1 §11.6.2.3 and Appendix C.2 (Load File Data Block and its hash), and
// the load orders of GlobalPlatformPro and GPShell, summarised in
// shared/spec/vpcd-and-cap.md §4.
package cap
