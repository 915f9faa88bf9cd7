// Package keystoretest is the conformance suite every keystore backend
// passes: Run imports published keys and checks session keys, pseudo-random
// challenges, diversification, KCVs and PUT KEY encryption against public
// vectors, opens SCP02 and SCP03 channels with the store's provider against
// recorded transcripts, and checks ceremony rejections, generation,
// persistence, deletion, closing and that no key ever shows in errors,
// String output or logs.
//
// Backends call Run from their tests with an Opener; the vectors are listed
// in testdata/README.md. The suite uses gpcard/scp/scptest for the scripted
// card.
package keystoretest
