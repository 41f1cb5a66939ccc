/// A channel whose pages keep demanding attention on the person's device until they are
/// acknowledged there (Pushover's emergency priority repeats every minute): told when the alert
/// is acknowledged or resolved anywhere else, so that it stops them.
///
/// Called after the change is committed, once per change, without holding anything up: the
/// notifier keeps the work and ``Notifier/finishPendingWork()`` waits for it before a command
/// exits. Best effort: a failure is logged, and the device stops at the page's own expiry.
public protocol WithdrawingChannel: Channel {
    /// Stops what this channel's pages about `alert` still do on people's devices.
    func withdraw(alert: Alert) async -> DeliveryOutcome
}
