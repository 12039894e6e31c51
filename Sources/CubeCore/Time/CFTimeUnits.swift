/// CF time `units` ("days since 2000-01-01 00:00:00") in a calendar: converts between stored
/// numbers and dates.
public struct CFTimeUnits: Hashable, Sendable, CustomStringConvertible {
    /// The unit length in seconds (86400 for days).
    public var unitSeconds: Double
    /// The unit's name as written in output (`days`, `hours`, `minutes`, `seconds`).
    public var unitName: String
    /// The reference date.
    public var reference: CalendarDate
    /// The calendar both are in.
    public var calendar: CFCalendar

    /// Creates units directly.
    public init(unitName: String, unitSeconds: Double, reference: CalendarDate, calendar: CFCalendar) {
        self.unitName = unitName
        self.unitSeconds = unitSeconds
        self.reference = reference
        self.calendar = calendar
    }

    /// Parses a CF `units` string in `calendar`.
    /// - Throws: `CubeError` (`.invalidInput`) naming the text when it is not `UNIT since DATE` with
    ///   a known unit and a date valid in the calendar. `months`/`years` are rejected: CF defines
    ///   them as fixed fractions of a tropical year, which is almost never what a file means.
    public init(parsing text: String, calendar: CFCalendar) throws {
        let words = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard words.count == 3, words[1].lowercased() == "since" else {
            throw CubeError(.invalidInput, "time units '\(text)' are not of the form 'UNIT since DATE'")
        }
        let unit = words[0].lowercased()
        switch unit {
        case "days", "day", "d": (unitName, unitSeconds) = ("days", 86400)
        case "hours", "hour", "hr", "hrs", "h": (unitName, unitSeconds) = ("hours", 3600)
        case "minutes", "minute", "min", "mins": (unitName, unitSeconds) = ("minutes", 60)
        case "seconds", "second", "sec", "secs", "s": (unitName, unitSeconds) = ("seconds", 1)
        case "milliseconds", "millisecond", "msec", "ms": (unitName, unitSeconds) = ("milliseconds", 0.001)
        case "weeks", "week": (unitName, unitSeconds) = ("weeks", 604_800)
        default:
            throw CubeError(.unsupported, "time unit '\(unit)' in '\(text)' is not supported (use days, hours, minutes or seconds)")
        }
        guard let date = CalendarDate(parsing: String(words[2])),
            calendar.isValid(year: date.year, month: date.month, day: date.day)
        else {
            throw CubeError(.invalidInput, "reference date '\(words[2])' in time units '\(text)' is not a valid \(calendar.cfName) date")
        }
        self.reference = date
        self.calendar = calendar
    }

    /// The `units` attribute text, for example `days since 2000-01-01 00:00:00`.
    public var description: String { "\(unitName) since \(reference.iso8601(alwaysTime: true).replacingT())" }

    /// Seconds since the calendar's day 0 of a date (continuous within the calendar).
    public func absoluteSeconds(_ date: CalendarDate) -> Double {
        Double(calendar.dayNumber(year: date.year, month: date.month, day: date.day)) * 86400 + date.secondOfDay
    }

    /// The date of a stored value.
    public func date(_ value: Double) -> CalendarDate {
        let seconds = absoluteSeconds(reference) + value * unitSeconds
        // Round to the millisecond so 0.99999… days does not fall on the previous day.
        let rounded = (seconds * 1000).rounded() / 1000
        let day = Int((rounded / 86400).rounded(.down))
        let ymd = calendar.date(dayNumber: day)
        return CalendarDate(year: ymd.year, month: ymd.month, day: ymd.day, secondOfDay: rounded - Double(day) * 86400)
    }

    /// The stored value of a date (which must be valid in the calendar).
    public func value(_ date: CalendarDate) -> Double { (absoluteSeconds(date) - absoluteSeconds(reference)) / unitSeconds }
}

extension String {
    fileprivate func replacingT() -> String {
        var s = self
        if s.hasSuffix("Z") { s.removeLast() }
        if let t = s.firstIndex(of: "T") { s.replaceSubrange(t...t, with: " ") }
        return s
    }
}
