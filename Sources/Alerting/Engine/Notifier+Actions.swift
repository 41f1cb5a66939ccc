/// Acknowledging and resolving by alert id, as people do (`notify ack 42 --by alice`).
extension Notifier {
    public enum ActionError: Error, Sendable, Equatable, CustomStringConvertible {
        case noSuchAlert(Int64)
        case alreadyResolved(Int64)

        public var description: String {
            switch self {
            case .noSuchAlert(let id): "there is no alert #\(id)"
            case .alreadyResolved(let id): "alert #\(id) is already resolved"
            }
        }
    }

    /// Acknowledges the open alert with this id: it stops escalating. Acknowledging an
    /// acknowledged alert changes nothing (`already_acknowledged`).
    public func acknowledge(alertID: Int64, by actor: String? = nil, note: String? = nil) async throws -> ProcessingResult {
        try await act(.acknowledge, alertID: alertID, actor: actor, note: note)
    }

    /// Resolves the open alert with this id, telling its route's channels when the route asks
    /// for `notify_on_resolve`.
    public func resolve(alertID: Int64, by actor: String? = nil, note: String? = nil) async throws -> ProcessingResult {
        try await act(.resolve, alertID: alertID, actor: actor, note: note)
    }

    /// Acknowledges or resolves by id. With `deliverNow` false, only records it (and what it
    /// means for escalation), leaving the resolve notices to whoever runs ``runDue()``: what
    /// `notify serve` does, so answering Twilio or Slack never waits on other deliveries.
    public func act(_ action: EventAction, alertID: Int64, actor: String?, note: String?, deliverNow: Bool = true) async throws -> ProcessingResult {
        guard let alert = try await store.alert(id: alertID) else { throw ActionError.noSuchAlert(alertID) }
        guard alert.status.isOpen else { throw ActionError.alreadyResolved(alertID) }
        let event = AlertEvent(kind: alert.kind, action: action, dedupKey: alert.dedupKey, actor: actor, note: note)
        if deliverNow { return try await process(event) }
        guard let ingested = try await ingest([event]).first else { throw AlertStoreError.inconsistent("store returned no transition for one event") }
        return ProcessingResult(transition: ingested.transition, route: ingested.route, reports: [], unrouted: ingested.unrouted)
    }
}

extension Notifier {
    /// Acts on a verified ``ActionToken`` (a button or link pressed in a message): once. A token
    /// whose nonce the alert's timeline already records changes nothing and throws
    /// ``ActionTokenError/used``; otherwise the action is recorded with the nonce (`token
    /// NONCE` in the note), so a replay of the same request is refused.
    ///
    /// Two copies of one token pressed within the same instant may both pass the check; the
    /// second then finds the alert already acknowledged (or resolved) and changes nothing.
    public func act(with token: ActionToken, by actor: String, via medium: String) async throws -> ProcessingResult {
        let timeline = try await timeline(alertID: token.alertID)
        if timeline.entries.contains(where: { $0.note?.contains(token.timelineMark) == true }) { throw ActionTokenError.used }
        return try await act(token.action, alertID: token.alertID, actor: actor, note: "by \(medium), \(token.timelineMark)", deliverNow: false)
    }
}
