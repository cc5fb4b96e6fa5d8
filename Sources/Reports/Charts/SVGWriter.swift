/// Writes an SVG document as text, one element per line, with attributes in the order given
/// and every number through `SVG.number`, so that the same drawing gives the same bytes.
import Formatting
struct SVGWriter {
    typealias Attributes = [(String, String?)]

    let width: Int
    let height: Int
    private var body = ""
    private var depth = 1

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// An element without children; attributes whose value is nil are left out.
    mutating func element(_ name: String, _ attributes: Attributes, text: String? = nil) {
        line("<" + name + Self.render(attributes) + (text.map { ">" + SVG.escape($0) + "</" + name + ">" } ?? "/>"))
    }

    mutating func open(_ name: String, _ attributes: Attributes = []) {
        line("<" + name + Self.render(attributes) + ">")
        depth += 1
    }

    mutating func close(_ name: String) {
        depth -= 1
        line("</" + name + ">")
    }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String,
                       opacity: Double? = nil, stroke: String? = nil) {
        element("rect", [("x", SVG.number(x)), ("y", SVG.number(y)), ("width", SVG.number(max(0, width))),
                         ("height", SVG.number(max(0, height))), ("fill", fill),
                         ("fill-opacity", opacity.map(SVG.number)), ("stroke", stroke)])
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String,
                       width: Double = 1, dash: String? = nil) {
        element("line", [("x1", SVG.number(x1)), ("y1", SVG.number(y1)), ("x2", SVG.number(x2)),
                         ("y2", SVG.number(y2)), ("stroke", stroke), ("stroke-width", SVG.number(width)),
                         ("stroke-dasharray", dash)])
    }

    enum Anchor: String { case start, middle, end }

    mutating func text(_ s: String, x: Double, y: Double, size: Double = 11, anchor: Anchor = .start,
                       fill: String = "#333333", bold: Bool = false, rotate: Double? = nil) {
        element("text", [("x", SVG.number(x)), ("y", SVG.number(y)), ("font-size", SVG.number(size)),
                         ("text-anchor", anchor == .start ? nil : anchor.rawValue), ("fill", fill),
                         ("font-weight", bold ? "bold" : nil),
                         ("transform", rotate.map { "rotate(\(SVG.number($0)) \(SVG.number(x)) \(SVG.number(y)))" })],
                text: s)
    }

    /// The whole document: white background, `viewBox` so that it scales, a `<title>` for
    /// screen readers and browser tabs. The root has a pixel `width` and `height` and no CSS:
    /// a `style="height:auto"` there made cairosvg (and the slide tools built on it) draw an
    /// empty page, since `auto` is not an SVG length; a page that shows the chart scales it
    /// with its own CSS (`img { max-width: 100% }`, which markdown viewers apply). With
    /// `uniqueIDs`, each `@ID@` in the body becomes a hash of the document, so that ids differ
    /// between charts inline in one page yet stay the same for the same chart.
    func document(title: String, uniqueIDs: Bool = false) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
        out += "viewBox=\"0 0 \(width) \(height)\" font-family=\"sans-serif\" role=\"img\">\n"
        out += "  <title>" + SVG.escape(title) + "</title>\n"
        out += "  <rect width=\"\(width)\" height=\"\(height)\" fill=\"#ffffff\"/>\n"
        out += body
        out += "</svg>\n"
        return uniqueIDs ? out.replacing("@ID@", with: SVG.hash(out)) : out
    }

    private mutating func line(_ s: String) {
        body += String(repeating: "  ", count: depth) + s + "\n"
    }

    private static func render(_ attributes: Attributes) -> String {
        var out = ""
        for (key, value) in attributes {
            if let value { out += " " + key + "=\"" + SVG.escape(value) + "\"" }
        }
        return out
    }
}

/// Helpers shared by the charts: number and text formatting for SVG, text measurement.
enum SVG {
    /// Coordinates with at most two decimals and no trailing zeros: 12.5, 3, -0.25.
    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        let s = Format.fixed(Swift.min(Swift.max(x, -1e7), 1e7), 2)
        guard s.contains(".") else { return s }
        var t = Substring(s)
        while t.last == "0" { t = t.dropLast() }
        if t.last == "." { t = t.dropLast() }
        return t == "-0" ? "0" : String(t)
    }

    /// Text escaped for XML content and attribute values; control characters that XML 1.0
    /// does not allow are dropped.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(" ")
            default:
                if scalar.value >= 0x20 && scalar.value != 0xFFFE && scalar.value != 0xFFFF {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// An estimate of the width of `s` in a sans-serif font of `size` pixels, close enough
    /// to keep labels from overlapping. The advance widths are DejaVu Sans's (the Linux default,
    /// wider than Arial or Helvetica), so that the estimate errs wide in every viewer.
    static func textWidth(_ s: String, size: Double, bold: Bool = false) -> Double {
        var em = 0.0
        for c in s.unicodeScalars {
            switch c {
            case "i", "l", "j", "I", ".", ",", ":", ";", "'", "|", "!", " ":
                em += 0.32
            case "f", "t", "r", "(", ")", "[", "]", "/", "-":
                em += 0.41
            case "m", "W", "%", "@":
                em += 1.0
            case "w", "M":
                em += 0.87
            case "+", "=", "<", ">", "&":
                em += 0.84
            case "A"..."Z":
                em += 0.73
            case "0"..."9", "$", "a"..."z", "_", "?", "#":
                em += 0.64
            default:
                em += 0.75
            }
        }
        return em * size * (bold ? 1.12 : 1)
    }

    /// Words of `s` broken into lines no wider than `width`; a word longer than a line stays whole.
    static func wrap(_ s: String, width: Double, size: Double, bold: Bool = false) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in s.split(separator: " ") {
            let candidate = current.isEmpty ? String(word) : current + " " + word
            if current.isEmpty || textWidth(candidate, size: size, bold: bold) <= width {
                current = candidate
            } else {
                lines.append(current)
                current = String(word)
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    /// FNV-1a of the text, as eight hex digits: an id that is the same for the same chart and
    /// differs between charts, so that several charts can sit inline in one HTML page.
    static func hash(_ s: String) -> String {
        var h: UInt32 = 2_166_136_261
        for b in s.utf8 {
            h ^= UInt32(b)
            h = h &* 16_777_619
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
