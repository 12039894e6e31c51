import CubeCore
import Testing

@Suite struct TimeBinningTests {
    private func d(_ y: Int, _ m: Int, _ day: Int, _ seconds: Double = 0) -> CalendarDate {
        CalendarDate(year: y, month: m, day: day, secondOfDay: seconds)
    }

    @Test func periodsParseAndAdvance() throws {
        #expect(TimePeriod(parsing: "8D") == TimePeriod(count: 8, unit: .day))
        #expect(TimePeriod(parsing: "0D") == nil && TimePeriod(parsing: "8 days") == nil)
        let month = try #require(TimePeriod(parsing: "1M"))
        #expect(month.advance(d(2020, 1, 31), in: .prolepticGregorian) == d(2020, 2, 29))
        #expect(month.advance(d(2020, 1, 31), in: .noleap) == d(2020, 2, 28))
        #expect(month.advance(d(2020, 11, 15), times: 3, in: .day360) == d(2021, 2, 15))
        #expect(TimePeriod(count: 2, unit: .week).advance(d(2020, 12, 25), in: .standard) == d(2021, 1, 8))
    }

    @Test func esdcEightDayPeriodsRestartEveryYear() throws {
        let binning = try TimeBinning(start: d(2019, 12, 1), end: d(2020, 1, 31), period: TimePeriod(count: 8, unit: .day),
                                      anchor: .year, calendar: .prolepticGregorian)
        let starts = binning.bins.map(\.start)
        #expect(starts == [d(2019, 11, 25), d(2019, 12, 3), d(2019, 12, 11), d(2019, 12, 19), d(2019, 12, 27),
                           d(2020, 1, 1), d(2020, 1, 9), d(2020, 1, 17), d(2020, 1, 25)])
        #expect(binning.bins[4].end == d(2020, 1, 1), "the last period of 2019 is shortened to 5 days")
        let leapYear = try TimeBinning(start: d(2020, 1, 1), end: d(2020, 12, 31), period: TimePeriod(count: 8, unit: .day),
                                       anchor: .year, calendar: .prolepticGregorian)
        #expect(leapYear.bins.count == 46)
        #expect(leapYear.bins[45].start == d(2020, 12, 26) && leapYear.bins[45].end == d(2021, 1, 1), "6 days in a leap year")
        // The leap day belongs to the period starting on day-of-year 56 (26 February).
        #expect(leapYear.bin(of: d(2020, 2, 29, 12 * 3600)) == 7)
        #expect(leapYear.bins[7].start == d(2020, 2, 26))
    }

    @Test func periodsFromTheStartAndLabels() throws {
        let binning = try TimeBinning(start: d(2020, 7, 1), end: d(2020, 7, 31), period: TimePeriod(count: 8, unit: .day),
                                      anchor: .start, calendar: .standard)
        #expect(binning.bins.map(\.start) == [d(2020, 7, 1), d(2020, 7, 9), d(2020, 7, 17), d(2020, 7, 25)])
        #expect(binning.bin(of: d(2020, 7, 8, 23 * 3600)) == 0)
        #expect(binning.bin(of: d(2020, 7, 9)) == 1)
        #expect(binning.bin(of: d(2020, 6, 30)) == nil && binning.bin(of: d(2020, 8, 1)) == nil)
        let units = try CFTimeUnits(parsing: "days since 2000-01-01", calendar: .standard)
        #expect(binning.label(0, .start, units: units) == 7487)
        #expect(binning.label(0, .center, units: units) == 7491)
        #expect(binning.label(0, .end, units: units) == 7495)
        #expect(binning.bounds(3, units: units) == (7511, 7519))
    }

    @Test func monthlyBinsTakeOtherCalendarsByDateLabel() throws {
        let binning = try TimeBinning(start: d(2001, 1, 1), end: d(2001, 12, 31), period: TimePeriod(count: 1, unit: .month),
                                      anchor: .start, calendar: .prolepticGregorian)
        #expect(binning.bins.count == 12)
        // Every day of a noleap and of a 360_day year lands in the bin of its own month.
        for source in [CFCalendar.noleap, .day360, .allLeap] {
            for month in 1...12 {
                for day in 1...source.daysIn(month: month, year: 2001) {
                    #expect(binning.bin(of: d(2001, month, day)) == month - 1, "\(source) 2001-\(month)-\(day)")
                }
            }
        }
        let quarters = try TimeBinning(start: d(2001, 2, 10), end: d(2001, 12, 30), period: TimePeriod(count: 3, unit: .month),
                                       anchor: .year, calendar: .day360)
        #expect(quarters.bins.map(\.start) == [d(2001, 1, 1), d(2001, 4, 1), d(2001, 7, 1), d(2001, 10, 1)])
    }

    @Test func datesMustExistInTheOutputCalendar() {
        #expect(throws: CubeError.self) {
            try TimeBinning(start: d(2001, 2, 29), end: d(2001, 3, 31), period: TimePeriod(count: 1, unit: .month), anchor: .start,
                            calendar: .noleap)
        }
        #expect(throws: CubeError.self) {
            try TimeBinning(start: d(2001, 3, 1), end: d(2001, 2, 1), period: TimePeriod(count: 1, unit: .day), anchor: .start,
                            calendar: .standard)
        }
    }
}
