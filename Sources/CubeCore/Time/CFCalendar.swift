/// A CF calendar (CF-1.10 §4.4.1): how dates map to days.
///
/// Day numbers are consecutive integers within one calendar; they are not comparable between
/// calendars (that needs the date-label rule of the recipe format, not day arithmetic).
public enum CFCalendar: String, Sendable, CaseIterable, Hashable {
    /// Mixed Julian/Gregorian, switching after 1582-10-04 → 1582-10-15 (`standard`, alias `gregorian`).
    case standard
    /// The Gregorian calendar extended before 1582.
    case prolepticGregorian = "proleptic_gregorian"
    /// The Julian calendar.
    case julian
    /// Every year has 365 days (`noleap`, alias `365_day`).
    case noleap
    /// Every year has 366 days (`all_leap`, alias `366_day`).
    case allLeap = "all_leap"
    /// Twelve months of 30 days.
    case day360 = "360_day"

    /// Parses a CF `calendar` attribute (case-insensitive, aliases accepted).
    /// - Returns: `nil` for an unknown calendar name.
    public init?(cfName: String) {
        switch cfName.lowercased().trimmingCharacters(in: " ") {
        case "standard", "gregorian": self = .standard
        case "proleptic_gregorian": self = .prolepticGregorian
        case "julian": self = .julian
        case "noleap", "365_day": self = .noleap
        case "all_leap", "366_day": self = .allLeap
        case "360_day": self = .day360
        default: return nil
        }
    }

    /// The CF name written to output.
    public var cfName: String { rawValue }

    private static let cumulative = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]
    private static let cumulativeLeap = [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335]
    private static let gregorianSwitchJDN = 2_299_161  // 1582-10-15

    /// Whether `year` is a leap year in this calendar (always false for 360_day).
    public func isLeap(_ year: Int) -> Bool {
        switch self {
        case .prolepticGregorian: return CFCalendar.gregorianLeap(year)
        case .julian: return year % 4 == 0
        case .standard: return year > 1582 ? CFCalendar.gregorianLeap(year) : year % 4 == 0
        case .noleap, .day360: return false
        case .allLeap: return true
        }
    }

    private static func gregorianLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    /// The number of days in `month` of `year`.
    public func daysIn(month: Int, year: Int) -> Int {
        if self == .day360 { return 30 }
        let lengths = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return lengths[month - 1]
    }

    /// Whether the date exists in this calendar.
    public func isValid(year: Int, month: Int, day: Int) -> Bool {
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year) else { return false }
        if self == .standard, year == 1582, month == 10, (5...14).contains(day) { return false }
        return true
    }

    /// The day number of a date (consecutive within the calendar).
    /// - Precondition: the date is valid in this calendar.
    public func dayNumber(year: Int, month: Int, day: Int) -> Int {
        switch self {
        case .prolepticGregorian: return CFCalendar.gregorianJDN(year, month, day)
        case .julian: return CFCalendar.julianJDN(year, month, day)
        case .standard:
            let jdn = CFCalendar.gregorianJDN(year, month, day)
            return jdn >= CFCalendar.gregorianSwitchJDN ? jdn : CFCalendar.julianJDN(year, month, day)
        case .noleap: return 365 * year + CFCalendar.cumulative[month - 1] + day - 1
        case .allLeap: return 366 * year + CFCalendar.cumulativeLeap[month - 1] + day - 1
        case .day360: return 360 * year + 30 * (month - 1) + day - 1
        }
    }

    /// The date of a day number; inverse of `dayNumber(year:month:day:)`.
    public func date(dayNumber n: Int) -> (year: Int, month: Int, day: Int) {
        switch self {
        case .prolepticGregorian: return CFCalendar.gregorianDate(n)
        case .julian: return CFCalendar.julianDate(n)
        case .standard: return n >= CFCalendar.gregorianSwitchJDN ? CFCalendar.gregorianDate(n) : CFCalendar.julianDate(n)
        case .noleap: return CFCalendar.fixedYearDate(n, length: 365, cumulative: CFCalendar.cumulative)
        case .allLeap: return CFCalendar.fixedYearDate(n, length: 366, cumulative: CFCalendar.cumulativeLeap)
        case .day360:
            let year = floorDiv(n, 360), rest = n - 360 * year
            return (year, rest / 30 + 1, rest % 30 + 1)
        }
    }

    private static func fixedYearDate(_ n: Int, length: Int, cumulative: [Int]) -> (year: Int, month: Int, day: Int) {
        let year = floorDiv(n, length), dayOfYear = n - length * year
        let month = cumulative.lastIndex { $0 <= dayOfYear } ?? 0
        return (year, month + 1, dayOfYear - cumulative[month] + 1)
    }

    // Julian Day Number algorithms (Fliegel & Van Flandern; Richards 2013), valid for all years
    // with floor division.
    private static func gregorianJDN(_ y: Int, _ m: Int, _ d: Int) -> Int {
        let a = floorDiv(14 - m, 12), yy = y + 4800 - a, mm = m + 12 * a - 3
        return d + floorDiv(153 * mm + 2, 5) + 365 * yy + floorDiv(yy, 4) - floorDiv(yy, 100) + floorDiv(yy, 400) - 32045
    }

    private static func julianJDN(_ y: Int, _ m: Int, _ d: Int) -> Int {
        let a = floorDiv(14 - m, 12), yy = y + 4800 - a, mm = m + 12 * a - 3
        return d + floorDiv(153 * mm + 2, 5) + 365 * yy + floorDiv(yy, 4) - 32083
    }

    private static func gregorianDate(_ jdn: Int) -> (year: Int, month: Int, day: Int) {
        let a = jdn + 32044
        let b = floorDiv(4 * a + 3, 146_097)
        let c = a - floorDiv(146_097 * b, 4)
        let d = floorDiv(4 * c + 3, 1461)
        let e = c - floorDiv(1461 * d, 4)
        let m = floorDiv(5 * e + 2, 153)
        return (100 * b + d - 4800 + floorDiv(m, 10), m + 3 - 12 * floorDiv(m, 10), e - floorDiv(153 * m + 2, 5) + 1)
    }

    private static func julianDate(_ jdn: Int) -> (year: Int, month: Int, day: Int) {
        let c = jdn + 32082
        let d = floorDiv(4 * c + 3, 1461)
        let e = c - floorDiv(1461 * d, 4)
        let m = floorDiv(5 * e + 2, 153)
        return (d - 4800 + floorDiv(m, 10), m + 3 - 12 * floorDiv(m, 10), e - floorDiv(153 * m + 2, 5) + 1)
    }
}

/// Floor division (rounds toward negative infinity).
@inline(__always) func floorDiv(_ a: Int, _ b: Int) -> Int {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}
