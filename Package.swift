// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "notify",
    platforms: [.macOS(.v14)],
    products: [
        // The core: events, dedup, routing, escalation, schedules, silences, channels over
        // AsyncHTTPClient, templates, the engine and the in-memory store. Nothing else is built
        // for a program that imports only this (Tests/CorePackage checks it).
        .library(name: "Alerting", targets: ["Alerting"]),
        // The SQLite state file (GRDB).
        .library(name: "AlertingSQLite", targets: ["AlertingSQLite"]),
        // The PostgreSQL store, for several instances on one database (postgres-nio).
        .library(name: "AlertingPostgres", targets: ["AlertingPostgres"]),
        // notify.yaml: the config file, the channel registry, the runtime built from a config (Yams).
        .library(name: "AlertingConfig", targets: ["AlertingConfig"]),
        // notify serve as a value: webhooks, acknowledgements, /metrics (Hummingbird).
        .library(name: "AlertingServer", targets: ["AlertingServer"]),
        // The notify command line as a library: a program that registers its own channels and
        // detectors runs it as its own notify (Examples/CustomNotify).
        .library(name: "NotifyCLI", targets: ["NotifyCLI"]),
        .executable(name: "notify", targets: ["notify"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // The console's sign-in: bcrypt password hashes as htpasswd -B makes them (AlertingServer only).
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        // Already in the graph through Hummingbird; named so the test fakes can set any header.
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // notify serve: HMAC for Slack and Twilio signatures, graceful shutdown, /metrics.
        // swift-crypto, swift-service-lifecycle and swift-metrics are already in Hummingbird's graph.
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Several notify instances on one PostgreSQL database (AlertingPostgres only).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Already in the graph through AsyncHTTPClient; named for PostgreSQL's sslmode.
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        .target(
            name: "Alerting",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                // HMAC for the action tokens in acknowledgement buttons and links.
                .product(name: "Crypto", package: "swift-crypto"),
                // TLS for SMTP (email); already in AsyncHTTPClient's graph.
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ]
        ),
        .target(
            name: "AlertingSQLite",
            dependencies: [
                "Alerting",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .target(
            name: "AlertingPostgres",
            dependencies: [
                "Alerting",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "AlertingConfig",
            dependencies: [
                "Alerting",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .target(
            name: "AlertingServer",
            dependencies: [
                "Alerting",
                "AlertingConfig",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .target(
            name: "NotifyCLI",
            dependencies: [
                "Alerting",
                "AlertingSQLite",
                "AlertingPostgres",
                "AlertingConfig",
                "AlertingServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(name: "notify", dependencies: ["NotifyCLI"]),
        // The library example a newcomer can run: swift run notify-library-example
        .executableTarget(
            name: "notify-library-example",
            dependencies: ["Alerting"],
            path: "Examples/LibraryExample"
        ),
        // A notify of your own: the command line with a channel type and a detector registered
        // from outside notify (docs/library.md, "Writing a channel"): swift run custom-notify
        .executableTarget(
            name: "custom-notify",
            dependencies: ["NotifyCLI", "Alerting", "AlertingConfig"],
            path: "Examples/CustomNotify"
        ),
        .testTarget(
            name: "AlertingTests",
            dependencies: [
                "Alerting",
                "AlertingSQLite",
                "AlertingPostgres",
                "AlertingConfig",
                "AlertingServer",
                "NotifyCLI",  // the docs' shell snippets are parsed by the CLI's own parser (DocSnippetTests)
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),  // query plans of the SQLite store's statements
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),  // counts what the engine reports, once per commit
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),  // fakes stop gracefully
                .product(name: "NIOHTTP1", package: "swift-nio"),  // a request of any method to notify serve
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
