import Foundation

/// Email over SMTP, to each person's `email:` address: plain text and HTML from the `email`
/// templates (the text's first line is the subject), every message about an alert in one
/// thread (`In-Reply-To` and `References` name the alert's own id).
///
/// The server's replies decide: 4xx (busy, greylisting) and a dropped connection are retried;
/// 5xx (an unknown mailbox, bad credentials) is permanent. A TLS failure (a certificate that
/// does not verify) is permanent: it needs fixing, not another try.
public struct EmailChannel: Channel {
    public let name: String
    public let client: SMTPClient
    /// `notify@example.com` or `notify <notify@example.com>`.
    public let from: String
    public let template: TemplateSelector? = TemplateSelector(family: "email", format: .text)
    public let alternateTemplates = ["html": TemplateSelector(family: "email", format: .html)]
    public let capabilities = ChannelCapabilities.person(.email)
    private let clock: any AlertingClock

    public init(name: String, client: SMTPClient, from: String, clock: any AlertingClock = SystemClock()) {
        self.name = name
        self.client = client
        self.from = from
        self.clock = clock
    }

    public func deliver(_ notification: Notification) async -> DeliveryOutcome {
        guard let text = notification.body else { return .permanent(reason: "nothing rendered for email") }
        guard let to = notification.recipientAddress(for: .email) else { return notification.missingAddressOutcome(for: .email) }
        let message = EmailMessage(from: from, to: to, rendered: text, html: notification.alternates["html"], alertID: notification.alert.id,
                                   domain: Self.domain(of: from), date: clock.now())
        return await client.send(from: Self.address(from), to: [to], message: message.text)
    }

    /// `notify <n@example.com>` → `n@example.com`.
    public static func address(_ mailbox: String) -> String {
        guard let open = mailbox.lastIndex(of: "<"), let close = mailbox.lastIndex(of: ">"), open < close else { return mailbox }
        return String(mailbox[mailbox.index(after: open)..<close])
    }

    static func domain(of mailbox: String) -> String {
        address(mailbox).split(separator: "@").last.map(String.init) ?? "notify.localhost"
    }
}

/// An RFC 5322 message with a text and an HTML part (multipart/alternative), threaded per alert.
struct EmailMessage {
    var text: String

    init(from: String, to: String, rendered: String, html: String?, alertID: Int64, domain: String, date: Date) {
        let push = PushText(rendered: rendered)
        let subject = push.title.isEmpty ? "notify alert #\(alertID)" : push.title
        // The alert's own id: every message about it replies to it, so clients keep one thread.
        let root = "<alert-\(alertID)@\(domain)>"
        let unique = "<alert-\(alertID).\(ActionToken.randomNonce())@\(domain)>"
        var headers = [
            "From: \(Self.header(from))",
            "To: \(Self.header(to))",
            "Subject: \(Self.header(subject))",
            "Date: \(Self.rfc5322(date))",
            "Message-ID: \(unique)",
            "In-Reply-To: \(root)",
            "References: \(root)",
            "MIME-Version: 1.0",
            "Auto-Submitted: auto-generated",
        ]
        let plain = Self.base64Lines(push.message)
        if let html {
            let boundary = "notify-" + ActionToken.randomNonce()
            headers.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
            text = headers.joined(separator: "\r\n") + "\r\n\r\n"
                + "--\(boundary)\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n\(plain)"
                + "--\(boundary)\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n\(Self.base64Lines(html))"
                + "--\(boundary)--\r\n"
        } else {
            headers += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64"]
            text = headers.joined(separator: "\r\n") + "\r\n\r\n" + plain
        }
    }

    /// A header value: ASCII as it is (without line breaks), anything else RFC 2047 encoded.
    static func header(_ value: String) -> String {
        let line = value.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        guard line.unicodeScalars.contains(where: { !$0.isASCII }) else { return line }
        // The display name of `Name <a@b>` is encoded; the address stays readable.
        if let open = line.lastIndex(of: "<"), line.hasSuffix(">") {
            let name = line[..<open].trimmingCharacters(in: .whitespaces)
            return (name.isEmpty ? "" : "=?UTF-8?B?\(Data(name.utf8).base64EncodedString())?= ") + line[open...]
        }
        return "=?UTF-8?B?\(Data(line.utf8).base64EncodedString())?="
    }

    /// Base64 in lines of 76 characters, each ending in CRLF (RFC 2045).
    static func base64Lines(_ text: String) -> String {
        let encoded = Data(text.utf8).base64EncodedString()
        var lines: [Substring] = []
        var start = encoded.startIndex
        while start < encoded.endIndex {
            let end = encoded.index(start, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(encoded[start..<end])
            start = end
        }
        return lines.map { $0 + "\r\n" }.joined()
    }

    static func rfc5322(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss +0000"
        return formatter.string(from: date)
    }
}
