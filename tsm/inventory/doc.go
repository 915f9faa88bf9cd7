// Package inventory turns what a card reports about itself into the TSM's
// inventory snapshot (store.Card): identity (CIN, IIN, CPLC serial), the
// security domains with their key sets (KVN, key IDs, types, lengths — the
// card never reports key values, and KCVs come from the TSM's own records),
// load files and applications with versions and life cycles.
//
// It sits above the card session API: a job authenticates to the issuer
// security domain with gpcard, then Read asks the card with GET DATA (gpcard
// Info, plus CF for the key diversification data) and GET STATUS (gpcard
// Registry), and selects each supplementary security domain once to read its
// key information template (GET DATA E0). A job reads the snapshot at the
// start of every run, keeps it up to date as its steps change the card, and
// stores it under its lease with the run's last step outcome
// (store.StepResult.Card).
package inventory
