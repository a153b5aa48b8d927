import CustodianDatabase
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1 connection, handled on the event loop of its socket (``EventLoopTaskExecutor``) instead of
/// Swift's global pool: a request resumes where its bytes, and its statements' answers (``ConnectionPools``), arrive.
struct EventLoopBoundHTTP1Channel: ServerChildChannel {
    let http1: HTTP1Channel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        http1.setup(channel: channel, logger: logger)
    }

    func handle(value: HTTP1Channel.Value, logger: Logger) async {
        await EventLoopTaskExecutor(eventLoop: value.channel.eventLoop).run {
            await http1.handle(value: value, logger: logger)
        }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1, each connection handled on its own event loop (``EventLoopBoundHTTP1Channel``).
    static func eventLoopBoundHTTP1(configuration: HTTP1Channel.Configuration = .init()) -> HTTPServerBuilder {
        .init { responder in
            EventLoopBoundHTTP1Channel(http1: HTTP1Channel(responder: responder, configuration: configuration))
        }
    }
}
