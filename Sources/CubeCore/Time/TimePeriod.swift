/// A target time step of the recipe format: `nD`, `nW`, `nM` or `nY`.
public struct TimePeriod: Hashable, Sendable, CustomStringConvertible {
    /// The unit of a period.
    public enum Unit: Character, Sendable, Hashable {
        /// Days.
        case day = "D"
        /// Weeks (7 days).
        case week = "W"
        /// Calendar months.
        case month = "M"
        /// Calendar years.
        case year = "Y"
    }

    /// How many units.
    public var count: Int
    /// The unit.
    public var unit: Unit

    /// Creates a period.
    public init(count: Int, unit: Unit) {
        precondition(count > 0, "a period must be at least one unit long")
        self.count = count
        self.unit = unit
    }

    /// Parses `8D`, `1W`, `3M`, `1Y`; `nil` for anything else.
    public init?(parsing text: String) {
        guard let last = text.last, let unit = Unit(rawValue: last), let count = Int(text.dropLast()), count > 0 else { return nil }
        self.init(count: count, unit: unit)
    }

    /// `8D`.
    public var description: String { "\(count)\(unit.rawValue)" }

    /// The ISO 8601 duration (`P8D`, `P1M`).
    public var isoDuration: String { "P\(count)\(unit.rawValue)" }

    /// The date `times` periods after `date` (midnight) in `calendar`. Month arithmetic keeps the
    /// day of month, clamped to the month's length.
    public func advance(_ date: CalendarDate, times: Int = 1, in calendar: CFCalendar) -> CalendarDate {
        switch unit {
        case .day, .week:
            let days = count * times * (unit == .week ? 7 : 1)
            let ymd = calendar.date(dayNumber: calendar.dayNumber(year: date.year, month: date.month, day: date.day) + days)
            return CalendarDate(year: ymd.year, month: ymd.month, day: ymd.day)
        case .month, .year:
            let months = count * times * (unit == .year ? 12 : 1)
            let total = date.year * 12 + (date.month - 1) + months
            let year = floorDiv(total, 12), month = total - 12 * year + 1
            return CalendarDate(year: year, month: month, day: min(date.day, calendar.daysIn(month: month, year: year)))
        }
    }
}
