import Foundation
import NIOPosix

/// Turns a recipient's host name into the numeric addresses to check and connect to. A protocol so that a test can
/// answer as a rebinding DNS server would.
public protocol HostResolver: Sendable {
    func addresses(of host: String) async -> [String]
}

/// The system's resolver (getaddrinfo), run on NIO's blocking thread pool rather than on Swift's cooperative pool,
/// which a slow DNS server would otherwise stall.
public struct SystemHostResolver: HostResolver {
    public init() {}

    public func addresses(of host: String) async -> [String] {
        (try? await NIOThreadPool.singleton.runIfActive { HostResolution.addresses(of: host) }) ?? []
    }
}

/// Resolves a host name to its numeric addresses (getaddrinfo).
enum HostResolution {
    static func addresses(of host: String) -> [String] {
        let name = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(list) }
        var addresses: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(entry.pointee.ai_addr, entry.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                let text = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
                addresses.append(String(decoding: text, as: UTF8.self))
            }
            cursor = entry.pointee.ai_next
        }
        return addresses
    }
}
