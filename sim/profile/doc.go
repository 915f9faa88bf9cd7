// Package profile describes what a simulated card is made with: ATR, ISD AID,
// GlobalPlatform version, secure channel protocol and its "i" parameter,
// initial keys and their version number, CPLC, identification numbers,
// memory size, maximum command data length (FCI tag 9F65), extended length
// support, authentication failure limit, initial card life cycle and the
// preloaded load files.
//
// Profiles are JSON files. Three are embedded (see Names): the default
// "gp231-scp02-i15" (a GP 2.3.1 Java Card with SCP02 i=15 and the well-known
// test keys 40..4F under KVN FF, the factory key set convention
// GlobalPlatformPro prints as "(factory key)"), "gp231-scp02-i55" (SCP02 i=55,
// KVN 20) and "gp231-scp03-i70" (SCP03 i=70, AES-128, KVN 30; KVN ranges
// 20–2F for SCP02 and 30–3F for SCP03 follow the convention in
// shared/spec/gp-card.md §1.10). Load reads a profile file.
//
// The package is used by the simulator (sim) to build a new card's image; it
// does no card I/O.
package profile
