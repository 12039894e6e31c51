import CubeCore
import Testing

@Suite struct CalendarTests {
    @Test func julianDayNumbersOfKnownDates() {
        #expect(CFCalendar.prolepticGregorian.dayNumber(year: 2000, month: 1, day: 1) == 2_451_545)
        #expect(CFCalendar.julian.dayNumber(year: 2000, month: 1, day: 1) == 2_451_558)  // 13 days later
        #expect(CFCalendar.standard.dayNumber(year: 1582, month: 10, day: 15) - CFCalendar.standard.dayNumber(year: 1582, month: 10, day: 4) == 1)
        #expect(CFCalendar.standard.dayNumber(year: 1000, month: 3, day: 1) == CFCalendar.julian.dayNumber(year: 1000, month: 3, day: 1))
        #expect(CFCalendar.standard.dayNumber(year: 2020, month: 7, day: 1) == CFCalendar.prolepticGregorian.dayNumber(year: 2020, month: 7, day: 1))
    }

    @Test func leapRulesPerCalendar() {
        #expect(CFCalendar.prolepticGregorian.isValid(year: 2000, month: 2, day: 29))
        #expect(!CFCalendar.prolepticGregorian.isValid(year: 1900, month: 2, day: 29))
        #expect(CFCalendar.julian.isValid(year: 1900, month: 2, day: 29))
        #expect(CFCalendar.standard.isValid(year: 1500, month: 2, day: 29))
        #expect(!CFCalendar.standard.isValid(year: 1582, month: 10, day: 10))
        #expect(!CFCalendar.noleap.isValid(year: 2000, month: 2, day: 29))
        #expect(CFCalendar.allLeap.isValid(year: 2001, month: 2, day: 29))
        #expect(CFCalendar.day360.isValid(year: 2001, month: 2, day: 30))
        #expect(!CFCalendar.day360.isValid(year: 2001, month: 1, day: 31))
    }

    @Test(arguments: CFCalendar.allCases)
    func dayNumbersRoundTripAndAreConsecutive(calendar: CFCalendar) {
        var previous: Int?
        for year in [-1, 0, 1, 1581, 1582, 1583, 1899, 1900, 2000, 2001, 2024] {
            for month in 1...12 {
                for day in 1...calendar.daysIn(month: month, year: year) where calendar.isValid(year: year, month: month, day: day) {
                    let n = calendar.dayNumber(year: year, month: month, day: day)
                    let back = calendar.date(dayNumber: n)
                    #expect(back.year == year && back.month == month && back.day == day, "\(calendar) \(year)-\(month)-\(day)")
                    if let previous, month > 1 || day > 1 { #expect(n == previous + 1, "\(calendar) \(year)-\(month)-\(day)") }
                    previous = n
                }
            }
        }
    }

    @Test func yearLengths() {
        func length(_ c: CFCalendar, _ y: Int) -> Int { c.dayNumber(year: y + 1, month: 1, day: 1) - c.dayNumber(year: y, month: 1, day: 1) }
        #expect(length(.noleap, 2000) == 365)
        #expect(length(.allLeap, 2001) == 366)
        #expect(length(.day360, 2000) == 360)
        #expect(length(.standard, 1582) == 355)
        #expect(length(.prolepticGregorian, 2100) == 365)
        #expect(length(.julian, 2100) == 366)
    }

    @Test func calendarNamesAndAliases() {
        #expect(CFCalendar(cfName: "gregorian") == .standard)
        #expect(CFCalendar(cfName: "365_day") == .noleap)
        #expect(CFCalendar(cfName: "366_day") == .allLeap)
        #expect(CFCalendar(cfName: "NOLEAP") == .noleap)
        #expect(CFCalendar(cfName: "none") == nil)
    }
}

@Suite struct TimeUnitsTests {
    @Test func parsesUnitsAndConvertsBothWays() throws {
        let units = try CFTimeUnits(parsing: "days since 2000-01-01", calendar: .standard)
        #expect(units.date(7487) == CalendarDate(year: 2020, month: 7, day: 1))
        #expect(units.value(CalendarDate(year: 2020, month: 7, day: 1)) == 7487)
        #expect(units.description == "days since 2000-01-01 00:00:00")
        let hours = try CFTimeUnits(parsing: "hours since 1970-01-01T00:00:00Z", calendar: .prolepticGregorian)
        #expect(hours.date(36) == CalendarDate(year: 1970, month: 1, day: 2, secondOfDay: 43200))
        let noleap = try CFTimeUnits(parsing: "days since 2001-1-1 0:0:0", calendar: .noleap)
        #expect(noleap.date(58) == CalendarDate(year: 2001, month: 2, day: 28))
        #expect(noleap.date(59) == CalendarDate(year: 2001, month: 3, day: 1))
        let d360 = try CFTimeUnits(parsing: "days since 2000-01-01", calendar: .day360)
        #expect(d360.date(59) == CalendarDate(year: 2000, month: 2, day: 30))
        let offset = try CFTimeUnits(parsing: "hours since 2000-01-01 06:00:00+06:00", calendar: .standard)
        #expect(offset.date(0) == CalendarDate(year: 2000, month: 1, day: 1))
    }

    @Test func rejectsWhatIsNotATimeUnit() {
        #expect(throws: CubeError.self) { try CFTimeUnits(parsing: "days after 2000-01-01", calendar: .standard) }
        #expect(throws: CubeError.self) { try CFTimeUnits(parsing: "months since 2000-01-01", calendar: .standard) }
        #expect(throws: CubeError.self) { try CFTimeUnits(parsing: "days since 2001-02-29", calendar: .standard) }
        #expect(throws: CubeError.self) { try CFTimeUnits(parsing: "days since yesterday", calendar: .standard) }
    }

    @Test func isoText() {
        #expect(CalendarDate(year: 2020, month: 7, day: 1).description == "2020-07-01")
        #expect(CalendarDate(year: 2020, month: 7, day: 1, secondOfDay: 3661.5).iso8601(alwaysTime: true) == "2020-07-01T01:01:01.5Z")
        #expect(CalendarDate(parsing: "2020-07-01T12:30") == CalendarDate(year: 2020, month: 7, day: 1, secondOfDay: 45000))
        #expect(CalendarDate(parsing: "July 1") == nil)
    }
}
