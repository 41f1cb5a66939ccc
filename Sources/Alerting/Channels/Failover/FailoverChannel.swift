/// SMS or calls through several providers in order: a page goes to the first provider that
/// takes the person's number (its `prefixes`, or any number), and when that one fails the next
/// one is tried for the same page, at once. The first that delivers wins, and its name comes
/// with the provider's id (`vonage-sms:0C00…`), so the timeline says who reached the person.
///
/// One attempt of this channel is one pass down the list. When every provider failed, the
/// outcome names each one's reason; it is retryable if any of them was (the ``Deliverer``
/// retries the whole pass with backoff, the first provider first again), permanent if every
/// one refused for good. A provider that timed out may still have sent its message: the next
/// one then sends it again, which is the duplicate a page that must arrive is worth.
public struct FailoverChannel: Channel {
    public struct Provider: Sendable {
        public var channel: any Channel
        /// E.164 prefixes this provider takes (`+1`, `+44`); empty: every number.
        public var prefixes: [String]

        public init(channel: any Channel, prefixes: [String] = []) {
            self.channel = channel
            self.prefixes = prefixes
        }

        func takes(_ number: String) -> Bool {
            prefixes.isEmpty || prefixes.contains { number.hasPrefix($0) }
        }
    }

    public enum SetupError: Error, CustomStringConvertible {
        case noProviders
        case wrongMedium(provider: String, medium: ContactMedium)

        public var description: String {
            switch self {
            case .noProviders: "needs at least one provider"
            case .wrongMedium(let provider, let medium): "provider \(provider) does not reach people by \(medium.rawValue)"
            }
        }
    }

    public let name: String
    public let medium: ContactMedium
    public let providers: [Provider]

    /// The first provider's templates render the message every provider sends.
    public var template: TemplateSelector? { providers.first?.channel.template }

    public var capabilities: ChannelCapabilities {
        .person(medium, takesAcknowledgements: providers.contains { $0.channel.capabilities.takesAcknowledgements })
    }

    public init(name: String, medium: ContactMedium, providers: [Provider]) throws {
        guard !providers.isEmpty else { throw SetupError.noProviders }
        for provider in providers where provider.channel.capabilities.medium != medium {
            throw SetupError.wrongMedium(provider: provider.channel.name, medium: medium)
        }
        self.name = name
        self.medium = medium
        self.providers = providers
    }

    public func deliver(_ notification: Notification) async -> DeliveryOutcome {
        guard let number = notification.recipientAddress(for: medium) else { return notification.missingAddressOutcome(for: medium) }
        let candidates = providers.filter { $0.takes(number) }
        guard !candidates.isEmpty else {
            return .permanent(reason: "no provider of \(name) takes \(number) (prefixes: \(providers.flatMap(\.prefixes).joined(separator: ", ")))")
        }
        var failures: [String] = []
        var retryable = false
        var retryAfter: Duration?
        for provider in candidates {
            let outcome = await provider.channel.deliver(notification)
            switch outcome {
            case .delivered(let id):
                return .delivered(providerID: provider.channel.name + (id.map { ":\($0)" } ?? ""))
            case .retryable(let reason, let wait):
                retryable = true
                if let wait { retryAfter = min(retryAfter ?? wait, wait) }
                failures.append("\(provider.channel.name): \(reason)")
            case .permanent(let reason):
                failures.append("\(provider.channel.name): \(reason)")
            case .throttled:
                failures.append("\(provider.channel.name): \(outcome.reason ?? "throttled")")
            }
        }
        let reason = failures.joined(separator: "; ")
        return retryable ? .retryable(reason: reason, retryAfter: retryAfter) : .permanent(reason: reason)
    }
}
