import Hummingbird
import NIOCore

/// The request context of `notify serve`: Hummingbird's basic one, and the address the request
/// came from (the console's sign-in limits count per address, and a trusted proxy is known by it).
public struct NotifyRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The address as text (`127.0.0.1`, `::1`), without the port.
    public var remoteIP: String { remoteAddress?.ipAddress ?? "unknown" }
}
