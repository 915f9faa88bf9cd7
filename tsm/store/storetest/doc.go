// Package storetest is the conformance suite every tsm/store backend passes:
// Run exercises migrations, inventory, catalog, jobs (claims, leases, steps,
// key-slot reservations, campaigns, concurrency), the audit chain (including
// tamper detection) and API tokens against real databases the caller creates.
//
// A backend's test calls it with a function returning the DSN of a new, empty
// database (removed at the end of the test):
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) string {
//			return filepath.Join(t.TempDir(), "tsm.db")
//		})
//	}
//
// The backend package must be imported so store.Open knows its scheme, and its
// stores must expose DB() *sql.DB so the suite can tamper below the API.
package storetest
