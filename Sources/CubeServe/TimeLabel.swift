extension ServedCube {
    /// The time index of an xcube time label: `first`, `last` or `current`, an interval
    /// `start/end` as WMTS dimension values may carry (its start, as xcube takes it), or an ISO
    /// 8601 date (the nearest time step); `missing` when there is no label.
    /// - Throws: `ServeError` 400 for a label that is none of these.
    func timeIndex(label: String?, missing: Int) throws -> Int {
        guard var label, !label.isEmpty else { return missing }
        if let slash = label.firstIndex(of: "/") { label = String(label[..<slash]) }
        switch label.lowercased() {
        case "first": return 0
        case "last", "current": return times.count - 1
        default: return try timeIndex(label)
        }
    }
}
