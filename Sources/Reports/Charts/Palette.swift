/// Colours, dash patterns and marker shapes for series. Each slot combines a colour from the
/// Okabe-Ito palette (distinguishable with the common colour-vision deficiencies) with its own
/// dash pattern and marker, so that series stay apart in greyscale print too.
public enum Palette {
    /// Okabe-Ito, ordered so that the first slots are the most distinct on white; yellow,
    /// faint on white, comes last.
    public static let colors = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]

    /// Dash patterns by slot (nil: solid).
    static let dashes: [String?] = [nil, "8 4", "2 3", "10 3 2 3", "5 5", "14 4", "2 3 8 3", "1 4"]

    static let markers: [Marker] = [.circle, .square, .triangle, .diamond, .triangleDown, .plus, .cross, .circle]

    public static func color(_ slot: Int) -> String { colors[slot % colors.count] }

    /// After the first eight slots the dash pattern shifts, so that slot 8 is not slot 0 again.
    static func dash(_ slot: Int) -> String? { dashes[(slot + slot / dashes.count) % dashes.count] }

    static func marker(_ slot: Int) -> Marker { markers[(slot + slot / colors.count) % markers.count] }

    /// The dash pattern for "dashed" and "dotted" lines chosen by the caller.
    static let dashed = "8 4"
    static let dotted = "2 3"

    /// Neutral tones for frames, grid and reference marks.
    static let ink = "#222222"
    static let text = "#333333"
    static let mutedText = "#555555"
    static let grid = "#e3e3e3"
    static let minorGrid = "#f1f1f1"
    static let band = "#9a9a9a"
}

/// A point marker, drawn centred on the point with a half-size `r`.
enum Marker: Sendable {
    case circle, square, triangle, diamond, triangleDown, plus, cross

    func draw(_ w: inout SVGWriter, x: Double, y: Double, r: Double, color: String, tooltip: String? = nil) {
        let n = SVG.number
        var attributes: SVGWriter.Attributes
        switch self {
        case .circle:
            attributes = [("cx", n(x)), ("cy", n(y)), ("r", n(r * 0.9))]
        case .square:
            let s = r * 0.85
            attributes = [("x", n(x - s)), ("y", n(y - s)), ("width", n(2 * s)), ("height", n(2 * s))]
        case .triangle:
            attributes = [("points", "\(n(x)),\(n(y - r * 1.1)) \(n(x + r)),\(n(y + r * 0.75)) \(n(x - r)),\(n(y + r * 0.75))")]
        case .triangleDown:
            attributes = [("points", "\(n(x)),\(n(y + r * 1.1)) \(n(x + r)),\(n(y - r * 0.75)) \(n(x - r)),\(n(y - r * 0.75))")]
        case .diamond:
            attributes = [("points", "\(n(x)),\(n(y - r * 1.15)) \(n(x + r)),\(n(y)) \(n(x)),\(n(y + r * 1.15)) \(n(x - r)),\(n(y))")]
        case .plus:
            let s = r * 1.1
            attributes = [("d", "M\(n(x - s)) \(n(y))H\(n(x + s))M\(n(x)) \(n(y - s))V\(n(y + s))")]
        case .cross:
            let s = r * 0.85
            attributes = [("d", "M\(n(x - s)) \(n(y - s))L\(n(x + s)) \(n(y + s))M\(n(x - s)) \(n(y + s))L\(n(x + s)) \(n(y - s))")]
        }
        let name: String
        switch self {
        case .circle: name = "circle"
        case .square: name = "rect"
        case .triangle, .triangleDown, .diamond: name = "polygon"
        case .plus, .cross: name = "path"
        }
        let open = self == .plus || self == .cross
        attributes += open
            ? [("fill", "none"), ("stroke", color), ("stroke-width", "2")]
            : [("fill", color), ("stroke", "#ffffff"), ("stroke-width", "0.8")]
        if let tooltip {
            w.open(name, attributes)
            w.element("title", [], text: tooltip)
            w.close(name)
        } else {
            w.element(name, attributes)
        }
    }
}
