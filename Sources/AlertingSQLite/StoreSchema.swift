import Alerting
import GRDB

/// The state file's schema. Migrations are append-only: a released one is never edited, so a
/// state file from any release opens in any later one.
enum StoreSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: alerts, alert log, deliveries") { db in
            try db.execute(sql: """
                CREATE TABLE alerts (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    dedup_key TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    severity TEXT NOT NULL,
                    environment TEXT,
                    source TEXT,
                    summary TEXT NOT NULL,
                    status TEXT NOT NULL,
                    first_seen REAL NOT NULL,
                    last_seen REAL NOT NULL,
                    count INTEGER NOT NULL,
                    details TEXT NOT NULL,
                    links TEXT NOT NULL
                );
                -- At most one open alert per dedup key, whatever several processes do.
                CREATE UNIQUE INDEX alerts_open_dedup_key ON alerts(dedup_key) WHERE status != 'resolved';
                CREATE INDEX alerts_status ON alerts(status);
                CREATE TABLE alert_log (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    alert_id INTEGER NOT NULL REFERENCES alerts(id),
                    at REAL NOT NULL,
                    action TEXT NOT NULL,
                    change TEXT NOT NULL,
                    actor TEXT,
                    note TEXT,
                    summary TEXT
                );
                CREATE INDEX alert_log_alert ON alert_log(alert_id);
                CREATE TABLE deliveries (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    alert_id INTEGER NOT NULL,
                    channel TEXT NOT NULL,
                    recipient TEXT,
                    at REAL NOT NULL,
                    outcome TEXT NOT NULL,
                    reason TEXT,
                    provider_id TEXT,
                    attempts TEXT NOT NULL
                );
                CREATE INDEX deliveries_alert ON deliveries(alert_id);
                """)
        }
        migrator.registerMigration("v2: escalations and the delivery outbox") { db in
            try db.execute(sql: """
                CREATE TABLE escalations (
                    alert_id INTEGER PRIMARY KEY REFERENCES alerts(id),
                    policy TEXT NOT NULL,
                    route TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    due_at REAL NOT NULL,
                    started_at REAL NOT NULL,
                    acknowledged INTEGER NOT NULL DEFAULT 0
                );
                CREATE INDEX escalations_due ON escalations(due_at);
                -- Decided deliveries. pending: nobody holds it; claimed: a process holds it until
                -- lease_until; done: delivered or failed, outcome kept for the fallback rule.
                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    alert_id INTEGER NOT NULL,
                    channel TEXT NOT NULL,
                    recipient TEXT,
                    position INTEGER,
                    action TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    state TEXT NOT NULL DEFAULT 'pending',
                    lease_owner TEXT,
                    lease_until REAL,
                    not_before REAL,
                    outcome TEXT
                );
                CREATE INDEX outbox_state ON outbox(state);
                CREATE INDEX outbox_alert ON outbox(alert_id, position);
                """)
        }
        migrator.registerMigration("v3: silences") { db in
            try db.execute(sql: """
                CREATE TABLE silences (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    matchers TEXT NOT NULL,
                    starts_at REAL NOT NULL,
                    ends_at REAL NOT NULL,
                    comment TEXT,
                    created_by TEXT
                );
                CREATE INDEX silences_end ON silences(ends_at);
                ALTER TABLE escalations ADD COLUMN silenced INTEGER NOT NULL DEFAULT 0;
                """)
        }
        migrator.registerMigration("v4: heartbeats") { db in
            try db.execute(sql: """
                CREATE TABLE heartbeats (
                    name TEXT PRIMARY KEY,
                    last_beat REAL,
                    first_seen REAL NOT NULL
                );
                """)
        }
        migrator.registerMigration("v5: one escalation per alert and route (continue: true)") { db in
            try db.execute(sql: """
                CREATE TABLE escalations_by_route (
                    alert_id INTEGER NOT NULL REFERENCES alerts(id),
                    policy TEXT NOT NULL,
                    route TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    due_at REAL NOT NULL,
                    started_at REAL NOT NULL,
                    acknowledged INTEGER NOT NULL DEFAULT 0,
                    silenced INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (alert_id, route)
                );
                INSERT INTO escalations_by_route SELECT alert_id, policy, route, position, due_at, started_at, acknowledged, silenced FROM escalations;
                DROP TABLE escalations;
                ALTER TABLE escalations_by_route RENAME TO escalations;
                CREATE INDEX escalations_due ON escalations(due_at);
                ALTER TABLE outbox ADD COLUMN route TEXT;
                """)
        }
        migrator.registerMigration("v6: storm control") { db in
            try db.execute(sql: """
                -- Which alerts paged which contact when, for storm control's window.
                CREATE TABLE contact_pages (
                    contact TEXT NOT NULL,
                    alert_id INTEGER NOT NULL,
                    at REAL NOT NULL
                );
                CREATE INDEX contact_pages_contact ON contact_pages(contact, at);
                -- Pages held back by storm control until their contact's digest goes out.
                CREATE TABLE storm_held (
                    contact TEXT NOT NULL,
                    alert_id INTEGER NOT NULL,
                    channel TEXT NOT NULL,
                    at REAL NOT NULL,
                    digest_at REAL NOT NULL,
                    PRIMARY KEY (contact, alert_id)
                );
                CREATE INDEX storm_held_due ON storm_held(digest_at);
                -- A digest's other alerts, as a JSON array of ids.
                ALTER TABLE outbox ADD COLUMN digest TEXT;
                """)
        }
        migrator.registerMigration("v7: the event behind each escalation and outbox item") { db in
            try db.execute(sql: """
                -- The event as JSON: the opening trigger (pages) or the resolve (resolve notices).
                ALTER TABLE escalations ADD COLUMN event TEXT;
                ALTER TABLE outbox ADD COLUMN event TEXT;
                """)
        }
        migrator.registerMigration("v8: running instances") { db in
            try db.execute(sql: """
                -- Each running daemon, serve or watch reports itself here every few seconds.
                CREATE TABLE instances (
                    owner TEXT PRIMARY KEY,
                    role TEXT NOT NULL,
                    started_at REAL NOT NULL,
                    last_seen REAL NOT NULL
                );
                """)
        }
        migrator.registerMigration("v9: the first page of a resolved alert, and flap holds") { db in
            try db.execute(sql: """
                ALTER TABLE escalations ADD COLUMN holds_first_page INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE escalations ADD COLUMN resolved_before_first_page INTEGER NOT NULL DEFAULT 0;
                """)
        }
        migrator.registerMigration("v10: triggers recorded under a silence") { db in
            try db.execute(sql: "ALTER TABLE alert_log ADD COLUMN silenced INTEGER NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("v11: throttle windows") { db in
            try db.execute(sql: """
                -- When messages went to a contact by a medium, for the per-person throttles.
                CREATE TABLE throttle_sends (
                    contact TEXT NOT NULL,
                    medium TEXT NOT NULL,
                    at REAL NOT NULL
                );
                CREATE INDEX throttle_sends_key ON throttle_sends(contact, medium, at);
                CREATE INDEX outbox_recipient ON outbox(recipient, state);
                """)
        }
        migrator.registerMigration("v12: outbox indexes for a storm's backlog") { db in
            try db.execute(sql: """
                -- Claiming walks ready rows in id order and stops at its limit; the next wake-up
                -- is the first row of each index. Neither reads the whole backlog.
                DROP INDEX outbox_state;
                CREATE INDEX outbox_state_id ON outbox(state, id);
                CREATE INDEX outbox_state_ready ON outbox(state, not_before, created_at);
                CREATE INDEX outbox_state_lease ON outbox(state, lease_until);
                """)
        }
        migrator.registerMigration("v13: outbox indexes hold only open items") { db in
            try db.execute(sql: """
                -- Partial indexes: an item leaves them when it is done. They stay the size of the
                -- backlog however old the file, and an item's three state changes write about half
                -- as many index entries as with v12's four full indexes over state.
                DROP INDEX outbox_state_id;
                DROP INDEX outbox_state_ready;
                DROP INDEX outbox_state_lease;
                DROP INDEX outbox_recipient;
                CREATE INDEX outbox_pending ON outbox(id) WHERE state = 'pending';
                CREATE INDEX outbox_pending_due ON outbox(not_before, created_at) WHERE state = 'pending';
                CREATE INDEX outbox_claimed ON outbox(id) WHERE state = 'claimed';
                CREATE INDEX outbox_open_recipient ON outbox(recipient) WHERE state != 'done';
                """)
        }
        migrator.registerMigration("v14: alerts by dedup key, open or not, for the outbox's lines") { db in
            try db.execute(sql: """
                -- Pages of one dedup key on one channel go out in the order of their events: a
                -- claim reads the open outbox items of the claimed items' keys, through their
                -- alerts (an incident's resolve notice waits in the line with the key's next incident).
                CREATE INDEX alerts_dedup_key ON alerts(dedup_key);
                """)
        }
        migrator.registerMigration("v15: one index on the alerts' dedup key") { db in
            try db.execute(sql: """
                -- alerts_dedup_key finds a key's open alert too (its newest: a key has one open
                -- alert at most, and a new one opens only when none is). The partial unique
                -- index was a second B-tree written for every new alert, and writers take turns
                -- on the file, so AlertRecorder's read-then-insert cannot race here.
                DROP INDEX alerts_open_dedup_key;
                """)
        }
        migrator.registerMigration("v16: change events") { db in
            try db.execute(sql: """
                -- PagerDuty-style change events: recorded, never paged, listed with the alerts
                -- that opened within the hour after them (read by time).
                CREATE TABLE changes (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at REAL NOT NULL,
                    summary TEXT NOT NULL,
                    source TEXT,
                    environment TEXT,
                    details TEXT NOT NULL,
                    links TEXT NOT NULL
                );
                CREATE INDEX changes_at ON changes(at);
                """)
        }
        migrator.registerMigration("v17: on-call overrides") { db in
            try db.execute(sql: """
                -- Overrides people add while notify runs (the console's on-call page); the
                -- config's own are not stored. Read by end time: the ones not yet over.
                CREATE TABLE schedule_overrides (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    schedule TEXT NOT NULL,
                    member TEXT NOT NULL,
                    starts_at REAL NOT NULL,
                    ends_at REAL NOT NULL,
                    created_by TEXT,
                    created_at REAL NOT NULL
                );
                CREATE INDEX schedule_overrides_ends_at ON schedule_overrides(ends_at);
                """)
        }
        return migrator
    }
}
