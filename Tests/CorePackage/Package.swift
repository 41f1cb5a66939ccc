// swift-tools-version:6.1
// A program that uses only the core product, Alerting: it pages Slack with a two-step escalation
// policy, state in memory. CorePackageTests builds it and checks that none of the server,
// SQLite, YAML or PostgreSQL parts (Hummingbird, GRDB, Yams, postgres-nio) was compiled.
import PackageDescription

let package = Package(
    name: "CorePackage",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "notify", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "PageSlack",
            dependencies: [.product(name: "Alerting", package: "notify")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
