import Alerting
import AlertingConfig
import Foundation
import Hummingbird

/// The event endpoints: `/v1/events` (notify's format), `/v1/alertmanager` (Alertmanager's
/// webhook) and `/v2/enqueue` (PagerDuty Events API v2).
extension NotifyServer {
    /// One JSON event, a JSON array of them, or NDJSON. Valid events are recorded even when
    /// others are not; the answer is 202 when all were valid, else 400 naming each bad one.
    func events(_ request: Request) async throws -> Response {
        guard let caller = caller(of: request) else { return Self.unauthorized }
        let body = try await body(of: request)
        var events: [(line: Int?, event: AlertEvent)] = []
        var errors: [EventValidationError] = []
        func take(_ result: Result<AlertEvent, EventValidationError>, line: Int?) {
            switch result {
            case .success(let event): events.append((line, event))
            case .failure(let error): errors.append(error)
            }
        }
        if let whole = try? JSONParser.parse(body) {
            if case .array(let items) = whole {
                for (index, item) in items.enumerated() { take(decoder.decode(item, line: index + 1), line: index + 1) }
            } else {
                take(decoder.decode(whole), line: nil)
            }
        } else {
            var number = 0
            for line in body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                number += 1
                guard line.contains(where: { !ASCII.isSpace($0) }) else { continue }
                take(decoder.decode(line, line: number), line: number)
            }
        }
        if events.isEmpty, errors.isEmpty { errors.append(EventValidationError(problems: [.init(field: nil, "the body holds no event")])) }
        let accepted = try await record(events.map { ($0.line, apply(caller, to: $0.event)) })
        var answer: [String: Any] = ["status": errors.isEmpty ? "accepted" : "invalid", "alerts": accepted]
        if !errors.isEmpty { answer["errors"] = errors.map(Self.errorJSON) }
        return .json(errors.isEmpty ? .accepted : .badRequest, answer)
    }

    /// Alertmanager's webhook: every alert in the group, firing or resolved. Alertmanager
    /// resends a group on 5xx, never on 4xx: an invalid alert is left out (logged, counted in
    /// `notify_events_invalid_total`) and the valid ones of its group are recorded and answered
    /// 200, so they are neither lost nor resent forever. A group with no valid alert is 400.
    func alertmanager(_ request: Request) async throws -> Response {
        guard let caller = caller(of: request) else { return Self.unauthorized }
        let body = try await body(of: request)
        switch AlertmanagerPayload.group(from: body, mapping: config.alertmanager) {
        case .failure(let error):
            notifier.metrics.invalidEvent(endpoint: "alertmanager")
            logger.error("alertmanager: group refused", metadata: ["error": "\(error)"])
            return .json(.badRequest, ["status": "invalid", "errors": [Self.errorJSON(error)]])
        case .success(let group):
            for problem in group.problems {
                notifier.metrics.invalidEvent(endpoint: "alertmanager")
                logger.error("alertmanager: invalid alert left out of its group", metadata: ["problem": "\(problem)"])
            }
            let errors = group.problems.isEmpty ? [] : [Self.errorJSON(EventValidationError(problems: group.problems))]
            guard !group.events.isEmpty || errors.isEmpty else { return .json(.badRequest, ["status": "invalid", "errors": errors]) }
            let accepted = try await record(group.events.map { (nil, apply(caller, to: $0)) })
            if errors.isEmpty { return .json(.accepted, ["status": "accepted", "alerts": accepted]) }
            return .json(.ok, ["status": "partial", "alerts": accepted, "errors": errors])
        }
    }

    /// PagerDuty Events API v2: the body's `routing_key` must be an integration's key.
    func enqueue(_ request: Request) async throws -> Response {
        let (parsed, object, integration): (JSONValue, [String: JSONValue], ServerConfig.Integration)
        switch try await pagerDutyBody(request) {
        case .failure(let refusal): return refusal.response
        case .success(let read): (parsed, object, integration) = read
        }
        guard object["event_action"] != nil else { return Self.invalidEvent(["event_action: missing (expected trigger, acknowledge or resolve)"]) }
        switch decoder.decode(parsed) {
        case .failure(let error):
            return Self.invalidEvent(error.problems.map(\.description))
        case .success(let event):
            let accepted = try await record([(nil, apply(.integration(integration), to: event))])
            let dedupKey = accepted.first?["dedup_key"] as? String ?? event.dedupKey
            return .json(.accepted, ["status": "success", "message": "Event processed", "dedup_key": dedupKey])
        }
    }

    /// PagerDuty's change events (`POST /v2/change/enqueue`): recorded, paging nobody, 202 as
    /// PagerDuty answers. The integration's environment is the change's when it names none.
    func enqueueChange(_ request: Request) async throws -> Response {
        let (parsed, integration): (JSONValue, ServerConfig.Integration)
        switch try await pagerDutyBody(request) {
        case .failure(let refusal): return refusal.response
        case .success(let read): (parsed, _, integration) = read
        }
        switch ChangeEventDecoder().decode(parsed, receivedAt: notifier.clock.now()) {
        case .failure(let error):
            return Self.invalidEvent(error.problems.map(\.description))
        case .success(var change):
            if change.environment == nil { change.environment = integration.environment }
            change.details["integration"] = .string(integration.name)
            _ = try await notifier.recordChange(change)
            return .json(.accepted, ["status": "success", "message": "Change event processed"])
        }
    }

    /// A refusal of a PagerDuty body, answered as PagerDuty answers.
    struct PagerDutyRefusal: Error {
        var response: Response
    }

    /// What both PagerDuty endpoints read first: JSON, an object, and a `routing_key` that is a
    /// configured integration's key.
    func pagerDutyBody(_ request: Request) async throws -> Result<(JSONValue, [String: JSONValue], ServerConfig.Integration), PagerDutyRefusal> {
        guard let parsed = try? JSONParser.parse(try await body(of: request)) else {
            return .failure(PagerDutyRefusal(response: .json(.badRequest, ["status": "Unrecognized object", "message": "Event object format is unrecognized",
                                                                            "errors": ["JSON parse error"]])))
        }
        guard case .object(let object) = parsed else { return .failure(PagerDutyRefusal(response: Self.invalidEvent(["expected a JSON object"]))) }
        guard case .string(let key)? = object["routing_key"], !key.isEmpty else {
            return .failure(PagerDutyRefusal(response: Self.invalidEvent(["routing_key: missing"])))
        }
        guard let integration = integration(withKey: key) else {
            return .failure(PagerDutyRefusal(response: Self.invalidEvent(["routing_key: not a configured integration"])))
        }
        return .success((parsed, object, integration))
    }

    static func invalidEvent(_ errors: [String]) -> Response {
        .json(.badRequest, ["status": "invalid event", "message": "Event object is invalid", "errors": errors])
    }

    /// What an integration adds to the events it brings: its environment when they name none,
    /// and its name in `details.integration`.
    func apply(_ caller: Caller, to event: AlertEvent) -> AlertEvent {
        guard case .integration(let integration) = caller else { return event }
        var event = event
        if event.environment == nil, let environment = integration.environment {
            event.environment = environment
            if event.action == .trigger, event.dedupKey == AlertEvent.defaultDedupKey(kind: event.kind, environment: nil, source: event.source) {
                event.dedupKey = AlertEvent.defaultDedupKey(kind: event.kind, environment: environment, source: event.source)
            }
        }
        event.details["integration"] = .string(integration.name)
        return event
    }

    /// Records the events (one transaction), wakes the scheduler to page, and describes each.
    func record(_ events: [(line: Int?, event: AlertEvent)]) async throws -> [[String: Any]] {
        guard !events.isEmpty else { return [] }
        let results = try await groupCommit.ingest(events.map(\.event))
        wake.signal()
        return zip(events, results).map { item, result in
            var entry: [String: Any] = ["dedup_key": result.transition.alert?.dedupKey ?? item.event.dedupKey, "change": result.transition.change.rawValue]
            if let line = item.line { entry["line"] = line }
            if let alert = result.transition.alert {
                entry["id"] = alert.id
                entry["status"] = alert.status.rawValue
            }
            if let route = result.route { entry["route"] = route.name }
            if result.unrouted { entry["unrouted"] = true }
            return entry
        }
    }

    static func errorJSON(_ error: EventValidationError) -> [String: Any] {
        var entry: [String: Any] = ["problems": error.problems.map { problem -> [String: Any] in
            var item: [String: Any] = ["message": problem.message]
            if let field = problem.field { item["field"] = field }
            return item
        }]
        if let line = error.line { entry["line"] = line }
        entry["message"] = error.description
        return entry
    }
}
