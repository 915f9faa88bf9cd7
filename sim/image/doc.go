// Package image holds the complete persistent state of one simulated card —
// card life cycle, GlobalPlatform registry (load files, applications,
// security domains), key sets, counters, applet storage — as one value, and
// stores it as one versioned file.
//
// The card manager (package sim) never mutates a committed State: every
// state-changing command works on a Clone and either commits the clone or
// drops it, so a command is applied completely or not at all, like a real
// card's transaction mechanism. File commits write a new file, fsync it,
// rename it over the old one and fsync the directory (see File.Commit), so
// power loss leaves either the old or the new image on disk.
//
// On the card path (reader → channel → command) this package sits at the very
// bottom of the simulator: it knows nothing about APDUs.
package image
