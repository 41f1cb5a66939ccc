@testable import Alerting
import Foundation

/// Every store the suites run against, each with a name a failure can show. A new store is
/// added here once and then runs every conformance test and every engine test that loops
/// over this list.
enum TestStores {
    static func all() throws -> [(name: String, store: any AlertStore)] {
        [("memory", MemoryAlertStore()), ("sqlite", try SQLiteAlertStore(path: temporaryStatePath()))]
    }
}
