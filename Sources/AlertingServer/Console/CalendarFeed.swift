import Alerting
import Crypto
import Foundation

/// On-call shifts as an iCalendar feed (RFC 5545), for a schedule or for one person, at a URL
/// whose token is an HMAC of what it shows under the feed secret: unguessable, checked without
/// storing anything, and all changed at once by a new secret.
struct CalendarFeed: Sendable {
    enum Subject: Sendable, Hashable {
        case schedule(String)
        case person(String)

        var key: String {
            switch self {
            case .schedule(let name): "schedule:" + name
            case .person(let name): "person:" + name
            }
        }
    }

    let secret: Secret

    /// The token in the subject's URL: HMAC-SHA256 of its kind and name, hex.
    func token(for subject: Subject) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(("notify-calendar\u{0}" + subject.key).utf8), using: SymmetricKey(data: Data(secret.exposedValue.utf8)))
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    func accepts(_ token: String, for subject: Subject) -> Bool {
        constantTimeEqual(self.token(for: subject), token)
    }

    /// How far a feed looks back and ahead: last week (the shift that just ended) and the next
    /// eight weeks, as calendar apps poll it every few hours.
    static let past: TimeInterval = 7 * 86_400
    static let ahead: TimeInterval = 56 * 86_400

    /// The feed's text: one event per stretch with someone on call (a person's feed: their own),
    /// in UTC, lines ending in CRLF and folded at 75 octets.
    static func render(_ subject: Subject, schedules: [OnCallSchedule], at now: Date) -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//notify//oncall \(NotifyVersion.current)//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
        switch subject {
        case .schedule(let name): lines.append("X-WR-CALNAME:" + text("On call: \(name)"))
        case .person(let name): lines.append("X-WR-CALNAME:" + text("On call: \(name)"))
        }
        lines += ["REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H"]
        for schedule in schedules.sorted(by: { $0.name < $1.name }) {
            for shift in schedule.shifts(from: now - past, until: now + ahead) where !shift.members.isEmpty {
                let who: String
                switch subject {
                case .schedule: who = shift.members.joined(separator: ", ")
                case .person(let name):
                    guard shift.members.contains(name) else { continue }
                    who = name
                }
                let override = shift.source == "override"
                let summary = "On call: \(who) (\(schedule.name))" + (override ? " override" : "")
                lines += [
                    "BEGIN:VEVENT",
                    // The first stretch starts where the window does, which moves with every
                    // poll; its end does not. The last one's end moves; its start does not.
                    "UID:" + uid(schedule.name, shift.members, edge: shift.end < now + ahead ? shift.end : shift.start, subject),
                    "DTSTAMP:" + stamp(now),
                    "DTSTART:" + stamp(shift.start),
                    "DTEND:" + stamp(shift.end),
                    "SUMMARY:" + text(summary),
                    "DESCRIPTION:" + text("\(schedule.name) (\(schedule.timeZone.identifier)): \(shift.members.joined(separator: ", ")) on call" + (override ? ", by an override" : "")),
                    "END:VEVENT",
                ]
            }
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    /// Stable across polls, so a calendar app updates a shift rather than adding it twice.
    static func uid(_ schedule: String, _ members: [String], edge: Date, _ subject: Subject) -> String {
        let text = [subject.key, schedule, members.joined(separator: ","), stamp(edge)].joined(separator: "\u{0}")
        let digest = SHA256.hash(data: Data(text.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
        return digest + "@notify"
    }

    static func stamp(_ date: Date) -> String {
        date.formatted(Date.VerbatimFormatStyle(format: "\(year: .defaultDigits)\(month: .twoDigits)\(day: .twoDigits)T\(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased))\(minute: .twoDigits)\(second: .twoDigits)Z",
                                                timeZone: .gmt, calendar: Calendar(identifier: .gregorian)))
    }

    /// A TEXT value: backslash, semicolon, comma and newline escaped (RFC 5545 §3.3.11).
    static func text(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ";", with: "\\;")
            .replacingOccurrences(of: ",", with: "\\,").replacingOccurrences(of: "\r\n", with: "\\n").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Lines longer than 75 octets go on in lines that start with a space, never inside a
    /// character's UTF-8 bytes (RFC 5545 §3.1).
    static func fold(_ line: String) -> String {
        guard line.utf8.count > 75 else { return line }
        var out = ""
        var used = 0
        var limit = 75
        for character in line {
            let size = String(character).utf8.count
            if used + size > limit {
                out += "\r\n "
                used = 0
                limit = 74
            }
            out.append(character)
            used += size
        }
        return out
    }
}
