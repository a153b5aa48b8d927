import Foundation
import HTTPTypes
import Hummingbird

/// The two forms an access export is downloaded in: the machine-readable JSON itself, and a page a person can read —
/// a file standing alone, its style inside it, since it is opened from disk.
enum ExportFormat: String, Sendable {
    case json, html

    /// The export as a download (`Content-Disposition: attachment`), never cached.
    func download(_ json: String, requestID: UUID, language: PortalLanguage, renderer: PortalRenderer) -> Response {
        let name = "export-\(requestID.uuidString.lowercased()).\(rawValue)"
        var response: Response
        switch self {
        case .json:
            response = Response(status: .ok, headers: PortalRenderer.securityHeaders(stylesheet: nil), body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
            response.headers[.contentType] = "application/json"
        case .html:
            let view = ExportView(json: json) { key in
                let text = renderer.text("export_section_" + key, language)
                return text.hasPrefix("export_section_") ? key : text
            }
            response = renderer.page("privacy-export", title: "export_title", chrome: PortalChrome(language: language), page: view)
        }
        response.headers[.contentDisposition] = "attachment; filename=\"\(name)\""
        return response
    }
}
