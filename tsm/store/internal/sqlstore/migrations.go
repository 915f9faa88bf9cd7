package sqlstore

// migration is one schema change. IDs are UTC timestamps (YYYYMMDDhhmmss)
// plus a short name; they sort in application order.
type migration struct {
	ID    string
	Stmts []string // "{{blob}}" stands for Dialect.Blob
}

// migrations is the one ordered list for every backend. It is append-only:
// never edit or reorder a released entry; add a new one.
//
// Conventions that keep the SQL portable: identifiers, AIDs and hashes are
// upper-case hex in TEXT columns; timestamps are Unix microseconds in BIGINT;
// JSON documents are TEXT; byte strings that are not identifiers use {{blob}}.
var migrations = []migration{
	{ID: "20250601090000_inventory_catalog", Stmts: []string{
		`CREATE TABLE cards (
			cin TEXT PRIMARY KEY,
			iin TEXT NOT NULL DEFAULT '',
			cplc_serial TEXT NOT NULL DEFAULT '',
			cplc TEXT NOT NULL DEFAULT '',
			isd_aid TEXT NOT NULL DEFAULT '',
			life_cycle INTEGER NOT NULL CHECK (life_cycle BETWEEN 0 AND 255),
			created_at BIGINT NOT NULL,
			refreshed_at BIGINT NOT NULL)`,
		`CREATE INDEX cards_iin ON cards (iin)`,
		`CREATE INDEX cards_cplc_serial ON cards (cplc_serial)`,
		`CREATE TABLE card_domains (
			card_cin TEXT NOT NULL REFERENCES cards (cin) ON DELETE CASCADE,
			aid TEXT NOT NULL,
			life_cycle INTEGER NOT NULL,
			privileges TEXT NOT NULL DEFAULT '',
			associated_sd TEXT NOT NULL DEFAULT '',
			PRIMARY KEY (card_cin, aid))`,
		`CREATE TABLE card_keys (
			card_cin TEXT NOT NULL REFERENCES cards (cin) ON DELETE CASCADE,
			sd_aid TEXT NOT NULL,
			kvn INTEGER NOT NULL CHECK (kvn BETWEEN 0 AND 255),
			key_id INTEGER NOT NULL CHECK (key_id BETWEEN 0 AND 255),
			key_type INTEGER NOT NULL CHECK (key_type BETWEEN 0 AND 255),
			key_length INTEGER NOT NULL CHECK (key_length >= 0),
			kcv TEXT NOT NULL DEFAULT '',
			PRIMARY KEY (card_cin, sd_aid, kvn, key_id))`,
		`CREATE TABLE card_load_files (
			card_cin TEXT NOT NULL REFERENCES cards (cin) ON DELETE CASCADE,
			aid TEXT NOT NULL,
			ver_major INTEGER NOT NULL,
			ver_minor INTEGER NOT NULL,
			life_cycle INTEGER NOT NULL,
			associated_sd TEXT NOT NULL DEFAULT '',
			PRIMARY KEY (card_cin, aid))`,
		`CREATE TABLE card_applications (
			card_cin TEXT NOT NULL REFERENCES cards (cin) ON DELETE CASCADE,
			aid TEXT NOT NULL,
			load_file_aid TEXT NOT NULL DEFAULT '',
			life_cycle INTEGER NOT NULL,
			privileges TEXT NOT NULL DEFAULT '',
			associated_sd TEXT NOT NULL DEFAULT '',
			PRIMARY KEY (card_cin, aid))`,
		`CREATE TABLE packages (
			aid TEXT NOT NULL,
			ver_major INTEGER NOT NULL CHECK (ver_major BETWEEN 0 AND 255),
			ver_minor INTEGER NOT NULL CHECK (ver_minor BETWEEN 0 AND 255),
			name TEXT NOT NULL DEFAULT '',
			load_file_hash TEXT NOT NULL,
			hash_alg TEXT NOT NULL,
			size BIGINT NOT NULL CHECK (size > 0),
			dap_signature {{blob}},
			key_ref TEXT NOT NULL,
			sealed_key {{blob}},
			ciphertext {{blob}} NOT NULL,
			uploaded_by TEXT NOT NULL DEFAULT '',
			uploaded_at BIGINT NOT NULL,
			PRIMARY KEY (aid, ver_major, ver_minor))`,
		`CREATE TABLE package_applets (
			package_aid TEXT NOT NULL,
			ver_major INTEGER NOT NULL,
			ver_minor INTEGER NOT NULL,
			position INTEGER NOT NULL,
			aid TEXT NOT NULL,
			PRIMARY KEY (package_aid, ver_major, ver_minor, aid),
			FOREIGN KEY (package_aid, ver_major, ver_minor)
				REFERENCES packages (aid, ver_major, ver_minor) ON DELETE CASCADE)`,
	}},
	{ID: "20250601090100_jobs_campaigns", Stmts: []string{
		`CREATE TABLE campaigns (
			id TEXT PRIMARY KEY,
			name TEXT NOT NULL,
			plan TEXT NOT NULL,
			selection TEXT NOT NULL DEFAULT '',
			concurrency INTEGER NOT NULL CHECK (concurrency >= 1),
			created_at BIGINT NOT NULL)`,
		`CREATE TABLE jobs (
			id TEXT PRIMARY KEY,
			campaign_id TEXT REFERENCES campaigns (id),
			card_cin TEXT,
			selector TEXT NOT NULL DEFAULT '',
			plan TEXT NOT NULL,
			state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed', 'cancelled')),
			lease_worker TEXT,
			lease_token TEXT,
			lease_expires BIGINT,
			created_at BIGINT NOT NULL,
			updated_at BIGINT NOT NULL,
			CHECK (card_cin IS NOT NULL OR selector <> ''))`,
		`CREATE INDEX jobs_queue ON jobs (state, created_at)`,
		`CREATE INDEX jobs_campaign ON jobs (campaign_id, state)`,
		`CREATE TABLE job_steps (
			job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
			idx INTEGER NOT NULL CHECK (idx >= 0),
			kind TEXT NOT NULL,
			params TEXT NOT NULL DEFAULT '',
			state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed')),
			attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
			outcome TEXT NOT NULL DEFAULT '',
			error TEXT NOT NULL DEFAULT '',
			started_at BIGINT,
			finished_at BIGINT,
			PRIMARY KEY (job_id, idx))`,
		`CREATE TABLE key_slots (
			job_id TEXT NOT NULL REFERENCES jobs (id),
			card_cin TEXT NOT NULL,
			sd_aid TEXT NOT NULL,
			kvn INTEGER NOT NULL CHECK (kvn BETWEEN 0 AND 255),
			key_label TEXT NOT NULL UNIQUE,
			created_at BIGINT NOT NULL,
			PRIMARY KEY (job_id, card_cin, sd_aid, kvn))`,
	}},
	{ID: "20250601090200_audit_tokens", Stmts: []string{
		`CREATE TABLE audit_log (
			seq BIGINT PRIMARY KEY CHECK (seq >= 1),
			at BIGINT NOT NULL,
			actor TEXT NOT NULL,
			card_cin TEXT NOT NULL DEFAULT '',
			operation TEXT NOT NULL,
			details TEXT NOT NULL DEFAULT '',
			prev_hash TEXT NOT NULL,
			hash TEXT NOT NULL)`,
		`CREATE TABLE audit_head (
			id INTEGER PRIMARY KEY CHECK (id = 1),
			seq BIGINT NOT NULL,
			hash TEXT NOT NULL)`,
		`INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '')`,
		`CREATE TABLE api_tokens (
			id TEXT PRIMARY KEY,
			name TEXT NOT NULL UNIQUE,
			role TEXT NOT NULL,
			hash TEXT NOT NULL UNIQUE,
			created_at BIGINT NOT NULL,
			revoked_at BIGINT)`,
	}},
	// Claims read the queue in (state, created_at, id) order and stop at the
	// first runnable row (jobs_claim replaces jobs_queue); a reader station
	// claims by card.
	{ID: "20250615090000_claim_indexes", Stmts: []string{
		`CREATE INDEX jobs_claim ON jobs (state, created_at, id)`,
		`DROP INDEX jobs_queue`,
		`CREATE INDEX jobs_card ON jobs (card_cin, state)`,
	}},
}

// MigrationIDs returns the IDs of all migrations in application order.
func MigrationIDs() []string {
	ids := make([]string, len(migrations))
	for i, m := range migrations {
		ids[i] = m.ID
	}
	return ids
}
