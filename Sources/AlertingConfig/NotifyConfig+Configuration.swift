import Alerting

/// The one place a config file becomes what the engine is given.
extension NotifyConfig {
    /// Routing, contacts and delivery as a ``Configuration``: routes, policies, schedules and
    /// maintenance; the contacts; the outbox (`delivery.lease`, `max_concurrent` and each channel's,
    /// `give_up_after`), retries, each channel's throttle, storm control, and the templates
    /// (`templates_dir` laid over the built-in ones).
    /// - Parameter owner: this process as the holder of outbox claims.
    /// - Throws: when `templates_dir` cannot be read.
    public func configuration(owner: LeaseOwner = LeaseOwner()) throws -> Configuration {
        var templates = TemplateSet.builtIn
        if let templatesDirectory { templates = try templates.overlaid(withDirectory: templatesDirectory) }
        let outbox = OutboxSettings(owner: owner, leaseDuration: delivery.leaseDuration, maxConcurrentDeliveries: delivery.maxConcurrent,
                                    giveUpAfter: delivery.giveUpAfter, concurrencyByChannel: channels.compactMapValues(\.maxConcurrent))
        return Configuration(
            routing: Configuration.Routing(routes: routes, policies: Array(policies.values), schedules: Array(schedules.values), maintenance: maintenance),
            contacts: Array(contacts.values),
            delivery: Configuration.Delivery(outbox: outbox, retry: delivery.retry, throttles: channels.compactMapValues(\.throttle),
                                             stormControl: stormControl, templates: templates))
    }

    /// The detectors the file turns on: one for its heartbeats, each under `detectors:`, one
    /// for `auto_resolve:`, and, when several instances share the state, one that raises an
    /// alert for an instance that stopped reporting.
    public func detectors(sharingState: Bool) -> [any Detector] {
        var detectors: [any Detector] = []
        if !heartbeats.isEmpty { detectors.append(HeartbeatDetector(heartbeats: Array(heartbeats.values))) }
        detectors += self.detectors.map(\.detector)
        if sharingState { detectors.append(StoppedInstanceDetector()) }
        if !autoResolve.isEmpty { detectors.append(AutoResolveDetector(rules: autoResolve)) }
        return detectors
    }
}
