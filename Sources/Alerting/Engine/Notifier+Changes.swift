import Foundation

/// Change events: recorded, paging nobody, and read back beside the alerts they may explain.
extension Notifier {
    /// Records a change (a deploy, a config push). Nothing is routed or paged.
    /// - Returns: the change with the id the store gave it.
    public func recordChange(_ change: ChangeEvent) async throws -> ChangeEvent {
        let id = try await store.write { transaction in try transaction.insertChange(change) }
        var recorded = change
        recorded.id = id
        logger.info("change recorded", metadata: ["change": "\(id)", "environment": "\(change.environment ?? "-")"])
        return recorded
    }

    /// The changes of the hour before `alert` opened, and since, that name its environment or
    /// none (``ChangeEvent/concerns(_:)``), oldest first.
    public func changes(before alert: Alert) async throws -> [ChangeEvent] {
        let from = alert.firstSeen.addingTimeInterval(-TimeInterval(ChangeEvent.lookBack.components.seconds))
        return try await store.read { transaction in try transaction.changes(from: from, to: alert.lastSeen) }.filter { $0.concerns(alert) }
    }
}
