import Foundation

/// The HTTP date form of `Last-Modified` (`Wed, 21 Oct 2015 07:28:00 GMT`).
enum HTTPDate {
    /// Parses an IMF-fixdate, or returns `nil`.
    static func parse(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }

}
