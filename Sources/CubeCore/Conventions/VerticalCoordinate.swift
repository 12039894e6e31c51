/// What a cube's vertical axis measures, and how it is written as a CF coordinate (DESIGN.md §15).
///
/// Levels come in the source's units (GRIB `isobaricInhPa` levels in hPa, a NetCDF `plev` in Pa);
/// the cube stores pressure in Pa and heights and depths in metres, as CMIP and CF name them.
public struct VerticalCoordinate: Hashable, Sendable {
    /// The kinds of vertical axes a cube can have.
    public enum Kind: String, Hashable, Sendable {
        /// Pressure levels: `plev`, Pa, positive down.
        case pressure
        /// Model (hybrid) levels: `lev`, a level number, positive down.
        case modelLevel
        /// Height above the ground: `height`, m, positive up.
        case height
        /// Depth below the sea surface: `depth`, m, positive down.
        case depth
    }

    /// What the axis measures.
    public var kind: Kind
    /// The units the source gives levels in (`hPa`, `Pa`, `m`, `1`).
    public var sourceUnits: String

    /// Creates a coordinate of `kind` whose source levels are in `sourceUnits`.
    public init(kind: Kind, sourceUnits: String) {
        self.kind = kind
        self.sourceUnits = sourceUnits
    }

    /// The coordinate of a GRIB level type (`typeOfLevel`), or `nil` when it has no vertical axis
    /// CubeGen writes (`surface`, `meanSea`, …).
    public init?(gribTypeOfLevel type: String) {
        switch type {
        case "isobaricInhPa": self.init(kind: .pressure, sourceUnits: "hPa")
        case "isobaricInPa": self.init(kind: .pressure, sourceUnits: "Pa")
        case "hybrid", "generalVertical": self.init(kind: .modelLevel, sourceUnits: "1")
        case "heightAboveGround", "heightAboveSea": self.init(kind: .height, sourceUnits: "m")
        case "depthBelowSea", "depthBelowSeaLayer", "oceanModelLevel": self.init(kind: .depth, sourceUnits: "m")
        default: return nil
        }
    }

    /// The coordinate of a CF vertical coordinate variable (by `standard_name`, then `units` and
    /// `positive`), or `nil` when its attributes say nothing CubeGen understands.
    public init?(cfAttributes attributes: [Attribute]) {
        let standardName = attributes[named: "standard_name"]?.text ?? ""
        let units = attributes[named: "units"]?.text ?? ""
        let pressureUnits = ["Pa": "Pa", "hPa": "hPa", "mbar": "hPa", "millibar": "hPa"]
        if standardName == "air_pressure" || (standardName.isEmpty && pressureUnits[units] != nil) {
            guard let unit = pressureUnits[units] else { return nil }
            self.init(kind: .pressure, sourceUnits: unit)
        } else if standardName == "model_level_number" {
            self.init(kind: .modelLevel, sourceUnits: "1")
        } else if standardName == "height" || standardName == "altitude", units == "m" {
            self.init(kind: .height, sourceUnits: "m")
        } else if standardName == "depth", units == "m" {
            self.init(kind: .depth, sourceUnits: "m")
        } else {
            return nil
        }
    }

    /// The cube's dimension and coordinate name (`plev`, `lev`, `height`, `depth`).
    public var name: String {
        switch kind {
        case .pressure: return "plev"
        case .modelLevel: return "lev"
        case .height: return "height"
        case .depth: return "depth"
        }
    }

    /// The units the cube stores levels in.
    public var units: String {
        switch kind {
        case .pressure: return "Pa"
        case .modelLevel: return "1"
        case .height, .depth: return "m"
        }
    }

    /// The units a recipe's `levels` may be written in for this coordinate.
    public var acceptedUnits: [String] {
        switch kind {
        case .pressure: return ["hPa", "Pa"]
        case .modelLevel: return ["1"]
        case .height, .depth: return ["m"]
        }
    }

    /// The CF attributes of the coordinate variable.
    public var attributes: [Attribute] {
        let (standardName, longName, positive): (String, String, String)
        switch kind {
        case .pressure: (standardName, longName, positive) = ("air_pressure", "pressure", "down")
        case .modelLevel: (standardName, longName, positive) = ("model_level_number", "model level number", "down")
        case .height: (standardName, longName, positive) = ("height", "height above the surface", "up")
        case .depth: (standardName, longName, positive) = ("depth", "depth below the sea surface", "down")
        }
        return [Attribute("standard_name", .text(standardName)), Attribute("long_name", .text(longName)),
                Attribute("units", .text(units)), Attribute("positive", .text(positive)), Attribute("axis", .text("Z"))]
    }

    /// `value` in `from` units converted to `to` units (`hPa` ↔ `Pa`; others only to themselves).
    /// - Returns: `nil` when the units do not convert.
    public static func convert(_ value: Double, from: String, to: String) -> Double? {
        if from == to { return value }
        switch (from, to) {
        case ("hPa", "Pa"): return value * 100
        case ("Pa", "hPa"): return value / 100
        default: return nil
        }
    }

    /// A level as people write it: `850`, `0.5`.
    public static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
