/// Where a chart puts its legend; it never overlaps the plot.
public enum LegendPlacement: Sendable, Hashable {
    /// At the right when the entries are short enough, otherwise below.
    case auto
    case right
    case below
    case hidden
}

/// One legend entry: a swatch (a line sample with its marker, or a filled box) and a name.
struct LegendEntry {
    enum Swatch {
        case line(color: String, dash: String?, marker: Marker?)
        case box(color: String, opacity: Double)
    }
    var swatch: Swatch
    var label: String
}

/// The legend's entries placed at the right of the plot (one per line) or below it (in rows).
struct Legend {
    static let fontSize = 11.0
    static let rowHeight = 18.0
    static let swatchWidth = 28.0
    static let gap = 16.0

    let entries: [LegendEntry]
    let atRight: Bool
    /// Space to keep free for it: the width at the right, or the height below.
    let reserved: Double
    private let rows: [[Int]]

    /// nil when there is nothing to show.
    init?(_ entries: [LegendEntry], placement: LegendPlacement, chartWidth: Double, plotHeight: Double, padding: Double) {
        guard !entries.isEmpty, placement != .hidden else { return nil }
        self.entries = entries
        let widest = entries.map { Self.entryWidth($0) }.max() ?? 0
        let fitsRight = widest + Self.gap <= chartWidth * 0.32 && Double(entries.count) * Self.rowHeight <= plotHeight
        atRight = placement == .right || (placement == .auto && fitsRight)
        if atRight {
            reserved = widest + Self.gap
            rows = entries.indices.map { [$0] }
        } else {
            var rows: [[Int]] = [[]]
            var x = 0.0
            let available = chartWidth - 2 * padding
            for (i, e) in entries.enumerated() {
                let w = Self.entryWidth(e) + Self.gap
                if x + w - Self.gap > available && !rows[rows.count - 1].isEmpty {
                    rows.append([])
                    x = 0
                }
                rows[rows.count - 1].append(i)
                x += w
            }
            self.rows = rows
            reserved = Double(rows.count) * Self.rowHeight + 6
        }
    }

    static func entryWidth(_ e: LegendEntry) -> Double {
        swatchWidth + 6 + SVG.textWidth(e.label, size: fontSize)
    }

    /// Draws the legend with its first row's centre line at `y`: at the right its left edge is
    /// at `x`; below, the rows are centred on `x`.
    func draw(_ w: inout SVGWriter, x: Double, y: Double) {
        w.open("g", [("class", "legend")])
        for (r, row) in rows.enumerated() {
            let rowWidth = row.map { Self.entryWidth(entries[$0]) + Self.gap }.reduce(0, +) - Self.gap
            var cx = atRight ? x : x - rowWidth / 2
            let cy = y + Double(r) * Self.rowHeight
            for i in row {
                let e = entries[i]
                switch e.swatch {
                case .line(let color, let dash, let marker):
                    w.element("line", [("x1", SVG.number(cx)), ("y1", SVG.number(cy)), ("x2", SVG.number(cx + Self.swatchWidth)),
                                       ("y2", SVG.number(cy)), ("stroke", color), ("stroke-width", "2"),
                                       ("stroke-dasharray", dash), ("stroke-linecap", dash == nil ? nil : "round")])
                    marker?.draw(&w, x: cx + Self.swatchWidth / 2, y: cy, r: 3.5, color: color)
                case .box(let color, let opacity):
                    w.rect(x: cx + 4, y: cy - 6, width: Self.swatchWidth - 8, height: 12, fill: color, opacity: opacity)
                }
                w.text(e.label, x: cx + Self.swatchWidth + 6, y: cy + 4, size: Self.fontSize)
                cx += Self.entryWidth(e) + Self.gap
            }
        }
        w.close("g")
    }
}
