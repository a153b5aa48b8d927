/// A message page's view: the message, and what exactly was wrong when there is more to say.
struct MessageView {
    let message: String
    let details: [String]
    let hasDetails: Bool

    init(message: String, details: [String] = []) {
        self.message = message
        self.details = details
        hasDetails = !details.isEmpty
    }
}
