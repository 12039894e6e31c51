/// A date and time of day in a CF calendar.
public struct CalendarDate: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The year (astronomical numbering: year 0 exists).
    public var year: Int
    /// The month, 1–12.
    public var month: Int
    /// The day of the month, 1–31.
    public var day: Int
    /// Seconds since midnight, 0 ..< 86400.
    public var secondOfDay: Double

    /// Creates a date.
    public init(year: Int, month: Int, day: Int, secondOfDay: Double = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.secondOfDay = secondOfDay
    }

    /// Orders dates by their labels (year, month, day, time of day).
    public static func < (a: CalendarDate, b: CalendarDate) -> Bool {
        (a.year, a.month, a.day, a.secondOfDay) < (b.year, b.month, b.day, b.secondOfDay)
    }

    /// ISO 8601 text: `2020-07-01` at midnight, else `2020-07-01T12:00:00Z`.
    public var description: String { iso8601(alwaysTime: false) }

    /// ISO 8601 text; `alwaysTime` forces the time part (`…T00:00:00Z`).
    public func iso8601(alwaysTime: Bool) -> String {
        func pad(_ v: Int, _ n: Int) -> String {
            let s = String(abs(v))
            return (v < 0 ? "-" : "") + String(repeating: "0", count: max(0, n - s.count)) + s
        }
        let datePart = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
        if secondOfDay == 0 && !alwaysTime { return datePart }
        let whole = Int(secondOfDay)
        var text = datePart + "T\(pad(whole / 3600, 2)):\(pad(whole / 60 % 60, 2)):\(pad(whole % 60, 2))"
        let fraction = secondOfDay - Double(whole)
        if fraction > 1e-9 { text += String(String(format6(fraction)).dropFirst()) }
        return text + "Z"
    }

    /// Parses `YYYY-MM-DD`, optionally followed by ` ` or `T` and `hh:mm[:ss[.f]]`, and an optional
    /// `Z`, ` UTC` or `+00:00` zone. Other zone offsets are applied to the time of day.
    /// - Returns: `nil` when the text is not such a date (validity in a calendar is checked separately).
    public init?(parsing text: String) {
        var s = text.trimmingCharacters(in: " ")
        var offsetSeconds = 0.0
        if s.hasSuffix("Z") { s.removeLast() } else if s.hasSuffix("UTC") { s = String(s.dropLast(3)).trimmingCharacters(in: " ") }
        // A trailing zone offset after a time part: +hh[:mm] or -hh[:mm].
        if let tIndex = s.firstIndex(where: { $0 == "T" || $0 == " " }) {
            let timePart = s[s.index(after: tIndex)...]
            if let signIndex = timePart.lastIndex(where: { $0 == "+" || $0 == "-" }) {
                let zone = timePart[signIndex...].dropFirst().split(separator: ":").compactMap { Double($0) }
                guard !zone.isEmpty else { return nil }
                let sign: Double = timePart[signIndex] == "-" ? -1 : 1
                offsetSeconds = sign * (zone[0] * 3600 + (zone.count > 1 ? zone[1] * 60 : 0))
                s = String(s[..<signIndex]).trimmingCharacters(in: " ")
            }
        }
        let parts = s.split(whereSeparator: { $0 == "T" || $0 == " " })
        guard (1...2).contains(parts.count) else { return nil }
        var dateText = Substring(parts[0])
        var yearSign = 1
        if dateText.hasPrefix("-") {
            yearSign = -1
            dateText = dateText.dropFirst()
        }
        let ymd = dateText.split(separator: "-").map { Int($0) }
        guard ymd.count == 3, let y = ymd[0], let m = ymd[1], let d = ymd[2] else { return nil }
        var seconds = 0.0
        if parts.count == 2 {
            let hms = parts[1].split(separator: ":").map { Double($0) }
            guard (2...3).contains(hms.count), hms.allSatisfy({ $0 != nil }) else { return nil }
            seconds = hms[0]! * 3600 + hms[1]! * 60 + (hms.count == 3 ? hms[2]! : 0)
            guard seconds >= 0, seconds < 86400 else { return nil }
        }
        self.init(year: yearSign * y, month: m, day: d, secondOfDay: seconds - offsetSeconds)
    }
}

private func format6(_ fraction: Double) -> String {
    var digits = String(Int((fraction * 1e6).rounded()))
    digits = String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    while digits.hasSuffix("0") { digits.removeLast() }
    return "0." + digits
}
