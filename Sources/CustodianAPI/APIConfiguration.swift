/// Settings of the HTTP API, read from the environment by the executable.
public struct APIConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Largest accepted request body in bytes (413 beyond it).
    public var maximumBodySize: Int
    /// Largest page a list operation returns.
    public var maximumPageSize: Int
    public var defaultPageSize: Int

    public init(host: String = "127.0.0.1", port: Int = 8080, maximumBodySize: Int = 1 << 20, maximumPageSize: Int = 200, defaultPageSize: Int = 50) {
        self.host = host
        self.port = port
        self.maximumBodySize = maximumBodySize
        self.maximumPageSize = maximumPageSize
        self.defaultPageSize = defaultPageSize
    }
}
