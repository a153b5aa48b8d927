import Foundation

/// Whether a state-changing browser request comes from the site's own origin (the console's and the privacy center's
/// forms). `Origin` must name the public URL's origin or the request's own host: a browser sets both, and no other
/// site can make them agree, so a console reached on an internal address works beside a public URL. Under
/// `Referrer-Policy: no-referrer` browsers send `Origin: null` with form POSTs (Fetch, "append a request Origin
/// header"); then the browser's `Sec-Fetch-Site: same-origin`, which no page can forge, must say so instead.
public enum SameOrigin {
    public static func allows(origin: String?, fetchSite: String?, publicURL: URL?, authority: String?) -> Bool {
        let origin = origin?.lowercased()
        guard let origin, origin != "null" else { return fetchSite?.lowercased() == "same-origin" }
        if let publicURL, let scheme = publicURL.scheme, let host = publicURL.host {
            // A browser leaves the scheme's default port out of `Origin`.
            let isDefaultPort = (scheme == "http" && publicURL.port == 80) || (scheme == "https" && publicURL.port == 443)
            let port = publicURL.port.flatMap { isDefaultPort ? nil : ":\($0)" } ?? ""
            if origin == "\(scheme)://\(host)\(port)".lowercased() { return true }
        }
        guard let authority else { return false }
        return origin == "http://\(authority)".lowercased() || origin == "https://\(authority)".lowercased()
    }
}
