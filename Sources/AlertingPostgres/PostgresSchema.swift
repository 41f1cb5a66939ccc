/// The PostgreSQL schema, as versioned migrations. Append-only, as the SQLite file's: a
/// released migration is never edited. Version 1 is the SQLite file's schema as of its v12,
/// in PostgreSQL's types (times stay Unix seconds, so both stores read rows the same way).
enum PostgresSchema {
    static let migrations: [(name: String, sql: String)] = [
        ("v1: alerts, timeline, escalations, outbox, silences, heartbeats, instances, storm control, throttles", """
        CREATE TABLE alerts (
            id BIGSERIAL PRIMARY KEY,
            dedup_key TEXT NOT NULL,
            kind TEXT NOT NULL,
            severity TEXT NOT NULL,
            environment TEXT,
            source TEXT,
            summary TEXT NOT NULL,
            status TEXT NOT NULL,
            first_seen DOUBLE PRECISION NOT NULL,
            last_seen DOUBLE PRECISION NOT NULL,
            count BIGINT NOT NULL,
            details TEXT NOT NULL,
            links TEXT NOT NULL
        );
        -- At most one open alert per dedup key, whatever several instances do: the second of two
        -- racing inserts fails, and its transaction is run again and finds the first one's alert.
        CREATE UNIQUE INDEX alerts_open_dedup_key ON alerts(dedup_key) WHERE status <> 'resolved';
        CREATE INDEX alerts_status ON alerts(status);
        CREATE TABLE alert_log (
            id BIGSERIAL PRIMARY KEY,
            alert_id BIGINT NOT NULL REFERENCES alerts(id),
            at DOUBLE PRECISION NOT NULL,
            action TEXT NOT NULL,
            change TEXT NOT NULL,
            actor TEXT,
            note TEXT,
            summary TEXT,
            silenced BOOLEAN NOT NULL DEFAULT false
        );
        CREATE INDEX alert_log_alert ON alert_log(alert_id);
        CREATE INDEX alert_log_at ON alert_log(at);
        CREATE TABLE deliveries (
            id BIGSERIAL PRIMARY KEY,
            alert_id BIGINT NOT NULL,
            channel TEXT NOT NULL,
            recipient TEXT,
            at DOUBLE PRECISION NOT NULL,
            outcome TEXT NOT NULL,
            reason TEXT,
            provider_id TEXT,
            attempts TEXT NOT NULL
        );
        CREATE INDEX deliveries_alert ON deliveries(alert_id);
        CREATE INDEX deliveries_recipient ON deliveries(recipient, id);
        CREATE TABLE escalations (
            alert_id BIGINT NOT NULL REFERENCES alerts(id),
            policy TEXT NOT NULL,
            route TEXT NOT NULL,
            position BIGINT NOT NULL,
            due_at DOUBLE PRECISION NOT NULL,
            started_at DOUBLE PRECISION NOT NULL,
            acknowledged BOOLEAN NOT NULL DEFAULT false,
            silenced BOOLEAN NOT NULL DEFAULT false,
            event TEXT,
            holds_first_page BOOLEAN NOT NULL DEFAULT false,
            resolved_before_first_page BOOLEAN NOT NULL DEFAULT false,
            PRIMARY KEY (alert_id, route)
        );
        CREATE INDEX escalations_due ON escalations(due_at);
        -- Decided deliveries. pending: nobody holds it; claimed: an instance holds it until
        -- lease_until; done: delivered or failed, outcome kept for the fallback rule.
        CREATE TABLE outbox (
            id BIGSERIAL PRIMARY KEY,
            alert_id BIGINT NOT NULL,
            route TEXT,
            channel TEXT NOT NULL,
            recipient TEXT,
            position BIGINT,
            action TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending',
            lease_owner TEXT,
            lease_until DOUBLE PRECISION,
            not_before DOUBLE PRECISION,
            outcome TEXT,
            digest TEXT,
            event TEXT
        );
        CREATE INDEX outbox_alert ON outbox(alert_id, position);
        CREATE INDEX outbox_recipient ON outbox(recipient, state);
        -- Claiming walks ready rows in id order and stops at its limit; neither it nor the next
        -- wake-up reads a storm's whole backlog.
        CREATE INDEX outbox_pending ON outbox(id) WHERE state = 'pending';
        CREATE INDEX outbox_waiting ON outbox(not_before) WHERE state = 'pending';
        CREATE INDEX outbox_claimed ON outbox(lease_until) WHERE state = 'claimed';
        CREATE TABLE silences (
            id BIGSERIAL PRIMARY KEY,
            matchers TEXT NOT NULL,
            starts_at DOUBLE PRECISION NOT NULL,
            ends_at DOUBLE PRECISION NOT NULL,
            comment TEXT,
            created_by TEXT
        );
        CREATE INDEX silences_end ON silences(ends_at);
        CREATE TABLE heartbeats (
            name TEXT PRIMARY KEY,
            last_beat DOUBLE PRECISION,
            first_seen DOUBLE PRECISION NOT NULL
        );
        -- Each running daemon, serve or watch reports itself here every few seconds.
        CREATE TABLE instances (
            owner TEXT PRIMARY KEY,
            role TEXT NOT NULL,
            started_at DOUBLE PRECISION NOT NULL,
            last_seen DOUBLE PRECISION NOT NULL
        );
        -- Which alerts paged which contact when, for storm control's window.
        CREATE TABLE contact_pages (
            id BIGSERIAL PRIMARY KEY,
            contact TEXT NOT NULL,
            alert_id BIGINT NOT NULL,
            at DOUBLE PRECISION NOT NULL
        );
        CREATE INDEX contact_pages_contact ON contact_pages(contact, at);
        -- Pages held back by storm control until their contact's digest goes out.
        CREATE TABLE storm_held (
            contact TEXT NOT NULL,
            alert_id BIGINT NOT NULL,
            channel TEXT NOT NULL,
            at DOUBLE PRECISION NOT NULL,
            digest_at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (contact, alert_id)
        );
        CREATE INDEX storm_held_due ON storm_held(digest_at);
        -- When messages went to a contact by a medium, for the per-person throttles.
        CREATE TABLE throttle_sends (
            contact TEXT NOT NULL,
            medium TEXT NOT NULL,
            at DOUBLE PRECISION NOT NULL
        );
        CREATE INDEX throttle_sends_key ON throttle_sends(contact, medium, at);
        """),
        ("v2: alerts by dedup key, open or not, for the outbox's lines", """
        -- Pages of one dedup key on one channel go out in the order of their events: a claim reads
        -- the open outbox items of the claimed items' keys, through their alerts.
        CREATE INDEX alerts_dedup_key ON alerts(dedup_key);
        """),
        ("v3: change events", """
        -- PagerDuty-style change events: recorded, never paged, listed with the alerts that
        -- opened within the hour after them (read by time).
        CREATE TABLE changes (
            id BIGSERIAL PRIMARY KEY,
            at DOUBLE PRECISION NOT NULL,
            summary TEXT NOT NULL,
            source TEXT,
            environment TEXT,
            details TEXT NOT NULL,
            links TEXT NOT NULL
        );
        CREATE INDEX changes_at ON changes(at);
        """),
        ("v4: on-call overrides", """
        -- Overrides people add while notify runs (the console's on-call page); the config's own
        -- are not stored. Read by end time: the ones not yet over.
        CREATE TABLE schedule_overrides (
            id BIGSERIAL PRIMARY KEY,
            schedule TEXT NOT NULL,
            member TEXT NOT NULL,
            starts_at DOUBLE PRECISION NOT NULL,
            ends_at DOUBLE PRECISION NOT NULL,
            created_by TEXT,
            created_at DOUBLE PRECISION NOT NULL
        );
        CREATE INDEX schedule_overrides_ends_at ON schedule_overrides(ends_at);
        """),
    ]
}
