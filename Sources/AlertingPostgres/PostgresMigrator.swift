import Foundation
import Logging
import PostgresNIO

/// Brings a database's notify schema up to date. Instances that start at once take turns on a
/// session advisory lock: the first migrates, the others wait and then find nothing to do.
struct PostgresMigrator {
    var location: PostgresLocation
    var logger: Logger

    func migrate(_ store: PostgresAlertStore) async throws {
        try await store.withConnection { [self] connection in
            var key = PostgresBindings()
            key.append("notify schema \(location.schema ?? "public")")
            let lock = PostgresQuery(unsafeSQL: "SELECT pg_advisory_lock(hashtextextended($1, 0))", binds: key)
            let unlock = PostgresQuery(unsafeSQL: "SELECT pg_advisory_unlock(hashtextextended($1, 0))", binds: key)
            try await connection.query(lock, logger: logger)
            do {
                // Under the lock: two CREATE SCHEMA IF NOT EXISTS at once can still collide.
                if let schema = location.schema {
                    try await connection.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(schema)"), logger: logger)
                }
                try await applyPending(on: connection)
                try await connection.query(unlock, logger: logger)
            } catch {
                _ = try? await connection.query(unlock, logger: logger)
                throw error
            }
        }
    }

    private func applyPending(on connection: PostgresConnection) async throws {
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS notify_schema_migrations (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
            )
            """, logger: logger)
        var current = 0
        for try await version in try await connection.query("SELECT COALESCE(MAX(version), 0)::int8 FROM notify_schema_migrations", logger: logger).decode(Int64.self) {
            current = Int(version)
        }
        let known = PostgresSchema.migrations.count
        guard current <= known else {
            throw PostgresStoreError.migration("the database's schema is at version \(current), from a newer notify; this one knows up to \(known)")
        }
        for (index, migration) in PostgresSchema.migrations.enumerated() where index + 1 > current {
            logger.notice("migrating the PostgreSQL schema", metadata: ["migration": "\(migration.name)"])
            try await connection.query("BEGIN", logger: logger)
            do {
                for statement in Self.statements(migration.sql) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO notify_schema_migrations (version, name) VALUES (\(index + 1), \(migration.name))", logger: logger)
                try await connection.query("COMMIT", logger: logger)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw PostgresStoreError.migration("\(migration.name): \(PostgresAlertStore.describe(error))")
            }
        }
    }

    /// A migration's statements, one at a time (the extended protocol takes one per query).
    /// Migrations hold no `;` inside a literal, so a `;` at a line's end ends a statement.
    static func statements(_ sql: String) -> [String] {
        sql.components(separatedBy: ";\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .map { $0.hasSuffix(";") ? String($0.dropLast()) : $0 }
            .filter { !$0.isEmpty }
    }
}
