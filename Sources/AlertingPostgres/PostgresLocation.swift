import Foundation
import NIOSSL
import PostgresNIO

/// Where a PostgreSQL store is: `postgres://user:password@host:5432/database?sslmode=require`,
/// as `state:`, `--state` or `$NOTIFY_STATE` give it. Its ``description`` never shows the
/// password.
///
/// Query parameters: `sslmode` (`disable`, `prefer`, the default, or `require`; `verify-ca` and
/// `verify-full` verify the server's certificate against the system's roots), `schema` (keep
/// notify's tables in that schema instead of `public`; one database can hold several notify
/// installations, and each test run its own), `application_name`.
public struct PostgresLocation: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    var password: String?
    public var database: String?
    public var sslMode: String
    public var schema: String?
    public var applicationName: String
    /// How long a connection attempt may take before the database counts as unreachable.
    public var connectTimeout = Duration.seconds(5)

    /// True for text that names a PostgreSQL store rather than a file.
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    public init(_ text: String) throws {
        guard Self.isPostgres(text), let components = URLComponents(string: text), let host = components.host, !host.isEmpty else {
            throw PostgresStoreError.badLocation("expected postgres://user:password@host:port/database")
        }
        self.host = host
        port = components.port ?? 5432
        user = components.percentEncodedUser.flatMap { $0.removingPercentEncoding } ?? ProcessInfo.processInfo.environment["USER"] ?? "postgres"
        password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? nil : path
        var parameters: [String: String] = [:]
        for item in components.queryItems ?? [] { parameters[item.name] = item.value ?? "" }
        sslMode = parameters.removeValue(forKey: "sslmode") ?? "prefer"
        guard ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"].contains(sslMode) else {
            throw PostgresStoreError.badLocation("sslmode must be disable, prefer, require, verify-ca or verify-full, not \(sslMode)")
        }
        schema = parameters.removeValue(forKey: "schema")
        if let schema, schema.isEmpty || !schema.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
            throw PostgresStoreError.badLocation("schema must be letters, digits and _")
        }
        applicationName = parameters.removeValue(forKey: "application_name") ?? "notify"
        if let unknown = parameters.keys.sorted().first {
            throw PostgresStoreError.badLocation("unknown parameter \(unknown) (known: sslmode, schema, application_name)")
        }
    }

    /// The location with the password left out.
    public var description: String {
        var text = "postgres://\(user)\(password == nil ? "" : ":***")@\(host):\(port)"
        if let database { text += "/\(database)" }
        var parameters = ["sslmode=\(sslMode)"]
        if let schema { parameters.append("schema=\(schema)") }
        return text + "?" + parameters.joined(separator: "&")
    }

    func clientConfiguration() -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
        switch sslMode {
        case "disable": tls = .disable
        case "require":
            // As libpq's `require`: encrypted, certificate not checked.
            tlsConfiguration.certificateVerification = .none
            tls = .require(tlsConfiguration)
        case "verify-ca", "verify-full": tls = .require(tlsConfiguration)
        default:
            tlsConfiguration.certificateVerification = .none
            tls = .prefer(tlsConfiguration)
        }
        var configuration = PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
        var parameters = [("application_name", applicationName)]
        if let schema { parameters.append(("search_path", schema)) }
        configuration.options.additionalStartupParameters = parameters
        configuration.options.connectTimeout = connectTimeout
        // A storm's rounds, the ingest and the lease renewals each hold one for a transaction.
        configuration.options.maximumConnections = 8
        return configuration
    }
}

public enum PostgresStoreError: Error, Sendable, CustomStringConvertible {
    case badLocation(String)
    case migration(String)
    case unreachable(String)

    public var description: String {
        switch self {
        case .badLocation(let why): "bad PostgreSQL location: \(why)"
        case .migration(let why): "cannot bring the PostgreSQL schema up to date: \(why)"
        case .unreachable(let why): "PostgreSQL: \(why)"
        }
    }
}
