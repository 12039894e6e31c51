/// A quick-look image of one 2-D field: the field in a perceptually uniform colour map (fill
/// transparent), a title, and a colour bar labelled with its range and units.
///
/// The colour range runs from the 2nd to the 98th percentile of the valid values, so a few
/// outliers do not wash out the picture; values beyond it take the end colours.
public struct Quicklook: Sendable {
    /// Values row by row, top row first (north-up), NaN for fill.
    public var values: [Float]
    /// Columns.
    public var width: Int
    /// Rows.
    public var height: Int
    /// The title line (variable name and time label).
    public var title: String
    /// The units shown under the colour bar (may be empty).
    public var units: String
    /// The colour map.
    public var colorMap: ColorMap = .viridis

    /// Creates a quick-look.
    public init(values: [Float], width: Int, height: Int, title: String, units: String) {
        precondition(values.count == width * height, "values do not match width × height")
        self.values = values
        self.width = width
        self.height = height
        self.title = title
        self.units = units
    }

    /// The 2nd and 98th percentiles of the valid values, or `nil` when every value is fill.
    public var range: (low: Double, high: Double)? {
        let stride = max(1, values.count / 1_000_000)
        var valid: [Float] = []
        valid.reserveCapacity(values.count / stride)
        for k in Swift.stride(from: 0, to: values.count, by: stride) where values[k].isFinite { valid.append(values[k]) }
        guard !valid.isEmpty else { return nil }
        // The ranks a sort would give, found by selection (linear time; the same values).
        func rank(_ p: Double) -> Int { min(valid.count - 1, Int(p * Double(valid.count - 1) + 0.5)) }
        let low = rank(0.02), high = rank(0.98)
        Self.select(&valid, rank: low, in: 0..<valid.count)
        Self.select(&valid, rank: high, in: low..<valid.count)
        return (Double(valid[low]), Double(valid[high]))
    }

    /// Reorders `values[range]` so that `values[rank]` is the element a sort would put there,
    /// with nothing greater before it and nothing smaller after it (Hoare's selection with a
    /// median-of-three pivot). Every element is finite.
    static func select(_ values: inout [Float], rank: Int, in range: Range<Int>) {
        values.withUnsafeMutableBufferPointer { v in
            var lo = range.lowerBound, hi = range.upperBound - 1
            while hi > lo {
                let mid = lo + (hi - lo) / 2
                if v[mid] < v[lo] { v.swapAt(mid, lo) }
                if v[hi] < v[lo] { v.swapAt(hi, lo) }
                if v[hi] < v[mid] { v.swapAt(hi, mid) }
                let pivot = v[mid]
                var i = lo, j = hi
                while i <= j {
                    while v[i] < pivot { i += 1 }
                    while pivot < v[j] { j -= 1 }
                    if i <= j {
                        v.swapAt(i, j)
                        i += 1
                        j -= 1
                    }
                }
                if rank <= j {
                    hi = j
                } else if rank >= i {
                    lo = i
                } else {
                    return
                }
            }
        }
    }

    /// Renders the image: RGBA bytes and their size.
    public func render(maxSide: Int = 1024) -> (rgba: [UInt8], width: Int, height: Int) {
        let layout = Layout(fieldWidth: width, fieldHeight: height, maxSide: maxSide, titleWidth: BitmapFont.width(of: title))
        var canvas = Canvas(width: layout.width, height: layout.height)
        canvas.fill(x: 0, y: 0, width: layout.width, height: layout.height, color: (255, 255, 255, 255))
        canvas.text(title, x: Layout.margin, y: Layout.margin, color: (0, 0, 0, 255))
        let range = self.range
        let low = range?.low ?? 0, high = range?.high ?? 1
        let span = high > low ? high - low : 1
        // The field: nearest sampling onto the map area; fill stays transparent.
        for py in 0..<layout.mapHeight {
            let row = min(height - 1, py * height / layout.mapHeight)
            for px in 0..<layout.mapWidth {
                let value = values[row * width + min(width - 1, px * width / layout.mapWidth)]
                let x = layout.mapX + px, y = layout.mapY + py
                if value.isFinite {
                    let c = colorMap.color((Double(value) - low) / span)
                    canvas.set(x, y, (c.r, c.g, c.b, 255))
                } else {
                    canvas.set(x, y, (0, 0, 0, 0))
                }
            }
        }
        // The colour bar and its labels.
        for px in 0..<layout.barWidth {
            let c = colorMap.color(Double(px) / Double(max(1, layout.barWidth - 1)))
            canvas.fill(x: layout.mapX + px, y: layout.barY, width: 1, height: Layout.barHeight, color: (c.r, c.g, c.b, 255))
        }
        let labelY = layout.barY + Layout.barHeight + 3
        if range == nil {
            canvas.text("all fill", x: layout.mapX, y: labelY, color: (0, 0, 0, 255))
        } else {
            let lowText = LineageFormat.number(low), highText = LineageFormat.number(high)
            canvas.text(lowText, x: layout.mapX, y: labelY, color: (0, 0, 0, 255))
            canvas.text(highText, x: layout.mapX + layout.barWidth - BitmapFont.width(of: highText), y: labelY, color: (0, 0, 0, 255))
            let unitText = units.isEmpty ? "" : "[\(units)]"
            let centre = layout.mapX + (layout.barWidth - BitmapFont.width(of: unitText)) / 2
            if centre > layout.mapX + BitmapFont.width(of: lowText) + 4 {
                canvas.text(unitText, x: centre, y: labelY, color: (0, 0, 0, 255))
            } else {
                canvas.text(unitText, x: layout.mapX, y: labelY + BitmapFont.height + 1, color: (0, 0, 0, 255))
            }
        }
        return (canvas.pixels, layout.width, layout.height)
    }

    /// The PNG file of `render()`.
    /// - Throws: when compression fails.
    public func png(maxSide: Int = 1024) throws -> [UInt8] {
        let image = render(maxSide: maxSide)
        return try PNGEncoder.encode(rgba: image.rgba, width: image.width, height: image.height)
    }
}

/// Which field rows and columns a quick-look shows when the field is larger than `maxSide` on its
/// long side: nearest sampling down to `maxSide`, the same as `Quicklook.render` applies. Lets a
/// producer keep only those values of a large field.
public struct QuicklookSampling: Sendable, Hashable {
    /// The field column shown in each image column.
    public let columns: [Int]
    /// The field row shown in each image row.
    public let rows: [Int]

    /// The sampling of a `width` × `height` field.
    public init(width: Int, height: Int, maxSide: Int = 1024) {
        let long = max(width, height)
        let scale = long > maxSide ? Double(maxSide) / Double(long) : 1
        let w = max(1, Int((Double(width) * scale).rounded())), h = max(1, Int((Double(height) * scale).rounded()))
        columns = (0..<w).map { min(width - 1, $0 * width / w) }
        rows = (0..<h).map { min(height - 1, $0 * height / h) }
    }
}

/// Where the parts of a quick-look go.
private struct Layout {
    static let margin = 6
    static let barHeight = 12
    let mapX: Int, mapY: Int, mapWidth: Int, mapHeight: Int, barY: Int, barWidth: Int, width: Int, height: Int

    init(fieldWidth: Int, fieldHeight: Int, maxSide: Int, titleWidth: Int) {
        // Scale the field to at most maxSide on its long side and, when small, up by a whole factor to ≥ 256.
        let long = max(fieldWidth, fieldHeight)
        let scale = long > maxSide ? Double(maxSide) / Double(long) : Double(max(1, 256 / max(1, long)))
        mapWidth = max(1, Int((Double(fieldWidth) * scale).rounded()))
        mapHeight = max(1, Int((Double(fieldHeight) * scale).rounded()))
        mapX = Layout.margin
        mapY = Layout.margin + BitmapFont.height + 4
        barY = mapY + mapHeight + 6
        barWidth = max(mapWidth, 200)
        width = max(mapX + barWidth, titleWidth + mapX) + Layout.margin
        height = barY + Layout.barHeight + 3 + 2 * (BitmapFont.height + 1) + Layout.margin
    }
}

/// An RGBA pixel buffer with text drawing.
private struct Canvas {
    let width: Int, height: Int
    var pixels: [UInt8]

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 4)
    }

    mutating func set(_ x: Int, _ y: Int, _ c: (UInt8, UInt8, UInt8, UInt8)) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let k = (y * width + x) * 4
        pixels[k] = c.0
        pixels[k + 1] = c.1
        pixels[k + 2] = c.2
        pixels[k + 3] = c.3
    }

    mutating func fill(x: Int, y: Int, width w: Int, height h: Int, color: (UInt8, UInt8, UInt8, UInt8)) {
        for yy in y..<(y + h) { for xx in x..<(x + w) { set(xx, yy, color) } }
    }

    mutating func text(_ text: String, x: Int, y: Int, color: (UInt8, UInt8, UInt8, UInt8)) {
        for (index, character) in text.enumerated() {
            let rows = BitmapFont.glyph(character)
            for (dy, bits) in rows.enumerated() {
                for dx in 0..<BitmapFont.width where bits & (1 << (5 - dx)) != 0 {
                    set(x + index * BitmapFont.width + dx, y + dy, color)
                }
            }
        }
    }
}
