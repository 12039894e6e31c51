/// Where a target period's time coordinate sits.
public enum PeriodLabel: String, Sendable, Hashable {
    /// At the period's start.
    case start
    /// Half-way between start and end.
    case center
    /// At the period's end (the start of the next period).
    case end
}

/// How target periods are laid out.
public enum PeriodAnchor: String, Sendable, Hashable {
    /// Back to back from the recipe's start date.
    case start
    /// Restarting every 1 January, the last period of a year shortened (ESDC style: 46 8-day
    /// periods a year, the 46th of 5 or 6 days).
    case year
}

/// One target period: `[start, end)` in the output calendar.
public struct TimeBin: Hashable, Sendable {
    /// The first instant.
    public var start: CalendarDate
    /// The first instant after the period.
    public var end: CalendarDate
}

/// The target time axis of a recipe with a `period`: its bins, their labels and bounds, and the
/// rule that puts source time steps into bins.
///
/// Source steps are placed by their date label (year, month, day and time of day in their own
/// calendar), never by day-of-year rescaling; a label that does not exist in the output calendar
/// (30 February of a `360_day` source, 29 February in a `noleap` output) counts toward its month,
/// on the month's last day (DESIGN.md §6).
public struct TimeBinning: Sendable {
    /// The bins, in order.
    public let bins: [TimeBin]
    /// The output calendar.
    public let calendar: CFCalendar
    private let firstDay: [Int]
    private let lastDay: Int

    /// Lays out the bins covering `start` … `end` (inclusive days) in `calendar`.
    /// - Parameters:
    ///   - start: The first day (its time of day is ignored).
    ///   - end: The last day included.
    ///   - period: The bin length.
    ///   - anchor: Back to back from `start`, or restarting every 1 January.
    /// - Throws: `CubeError` (`.invalidRecipe`) when a date does not exist in `calendar` or `end`
    ///   is before `start`.
    public init(start: CalendarDate, end: CalendarDate, period: TimePeriod, anchor: PeriodAnchor, calendar: CFCalendar) throws {
        for date in [start, end] where !calendar.isValid(year: date.year, month: date.month, day: date.day) {
            throw CubeError(.invalidRecipe, "\(date) is not a date of the \(calendar.cfName) calendar")
        }
        let startDay = calendar.dayNumber(year: start.year, month: start.month, day: start.day)
        let endDay = calendar.dayNumber(year: end.year, month: end.month, day: end.day)
        guard endDay >= startDay else { throw CubeError(.invalidRecipe, "time end \(end) is before start \(start)") }
        func day(_ d: CalendarDate) -> Int { calendar.dayNumber(year: d.year, month: d.month, day: d.day) }
        var bins: [TimeBin] = []
        switch anchor {
        case .start:
            var k = 0
            var binStart = CalendarDate(year: start.year, month: start.month, day: start.day)
            while day(binStart) <= endDay {
                k += 1
                let next = period.advance(CalendarDate(year: start.year, month: start.month, day: start.day), times: k, in: calendar)
                bins.append(TimeBin(start: binStart, end: next))
                binStart = next
            }
        case .year:
            for year in start.year...end.year {
                let january = CalendarDate(year: year, month: 1, day: 1), nextYear = CalendarDate(year: year + 1, month: 1, day: 1)
                var k = 0
                var binStart = january
                while day(binStart) < day(nextYear) {
                    k += 1
                    var next = period.advance(january, times: k, in: calendar)
                    if day(next) > day(nextYear) { next = nextYear }
                    if day(next) > startDay && day(binStart) <= endDay { bins.append(TimeBin(start: binStart, end: next)) }
                    binStart = next
                }
            }
        }
        self.bins = bins
        self.calendar = calendar
        firstDay = bins.map { day($0.start) }
        lastDay = endDay
    }

    /// The index of the bin holding a source step, or `nil` when it lies outside start … end.
    /// - Parameter date: The step's date label, in its own calendar.
    public func bin(of date: CalendarDate) -> Int? {
        let day = min(date.day, calendar.daysIn(month: date.month, year: date.year))
        let n = calendar.dayNumber(year: date.year, month: date.month, day: max(1, day))
        guard let first = firstDay.first, n >= first, n <= lastDay else { return nil }
        var lo = 0, hi = firstDay.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if firstDay[mid] <= n { lo = mid } else { hi = mid - 1 }
        }
        return n < calendar.dayNumber(year: bins[lo].end.year, month: bins[lo].end.month, day: bins[lo].end.day) ? lo : nil
    }

    /// The time coordinate of bin `index` in `units` (which must use this calendar).
    public func label(_ index: Int, _ label: PeriodLabel, units: CFTimeUnits) -> Double {
        let bin = bins[index]
        switch label {
        case .start: return units.value(bin.start)
        case .end: return units.value(bin.end)
        case .center: return (units.value(bin.start) + units.value(bin.end)) / 2
        }
    }

    /// The `time_bnds` pair of bin `index` in `units`.
    public func bounds(_ index: Int, units: CFTimeUnits) -> (Double, Double) {
        (units.value(bins[index].start), units.value(bins[index].end))
    }
}
