/// Renders the notification's body with the channel's templates (``Channel/template``); a
/// channel without templates builds its own body and is passed on as it is. A template that
/// fails is a permanent failure: trying again renders the same.
public struct RenderStage: TransmissionStage {
    public let name = "render"
    let renderer: TemplateRenderer
    let clock: any AlertingClock

    public init(renderer: TemplateRenderer, clock: any AlertingClock = SystemClock()) {
        self.renderer = renderer
        self.clock = clock
    }

    public func transmit(_ delivery: PreparedDelivery) async -> TransmissionStep {
        guard let selector = delivery.channel.template else { return .next(delivery) }
        var delivery = delivery
        do {
            delivery.notification.body = try renderer.render(delivery.notification, channelName: delivery.channel.name, selector: selector)
            for (name, alternate) in delivery.channel.alternateTemplates {
                delivery.notification.alternates[name] = try renderer.render(delivery.notification, channelName: delivery.channel.name, selector: alternate)
            }
            return .next(delivery)
        } catch {
            return .finished(delivery.report(.permanent(reason: "\(error)"), at: clock.now()))
        }
    }
}
