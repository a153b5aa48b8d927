import PostgresNIO

extension DatabaseURL {
    /// The client configuration for a pool of at most `maximumConnections`, with its connect timeout, the server-side
    /// `statement_timeout` (nil: the server's own), and no timer started per statement.
    ///
    /// PostgresNIO's pool starts a keep-alive timer, and one for the idle timeout of a connection above the minimum,
    /// each time a connection goes back to it, and cancels them on the next lease: four tasks and a dispatch timer per
    /// timer, about 100 µs of CPU per statement in `serve` (bench/serve-cost), and on Linux a cancelled `Task.sleep`
    /// keeps its memory until its deadline (swiftlang/swift#60441). So there is no keep-alive: a connection the server
    /// closes is seen closed by its channel, and a silent one is bounded by ``Database``'s operation timeout. The
    /// long-running processes give `minimumConnections` equal to the maximum, so no connection has an idle timer (they
    /// keep their connections open, and the pool reopens any that closes); other pools close a connection above the
    /// minimum after 10 s idle.
    public func poolConfiguration(
        maximumConnections: Int, minimumConnections: Int = 0, connectTimeout: Duration, statementTimeout: Duration?
    ) -> PostgresClient.Configuration {
        var configuration = configuration
        configuration.options.maximumConnections = maximumConnections
        configuration.options.minimumConnections = min(minimumConnections, maximumConnections)
        configuration.options.connectTimeout = connectTimeout
        configuration.options.keepAliveBehavior = nil
        configuration.options.connectionIdleTimeout = .seconds(10)
        if let statementTimeout {
            let milliseconds = statementTimeout.components.seconds * 1000
                + statementTimeout.components.attoseconds / 1_000_000_000_000_000
            configuration.options.additionalStartupParameters = [("statement_timeout", "\(milliseconds)")]
        }
        return configuration
    }
}
