import Hummingbird
import NIOCore

/// The request context of everything `custodian serve` answers: Hummingbird's core context and the client's address
/// (the console counts failed logins per address).
public struct ServerRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
