import Foundation

/// HTML text for the pages: escaping, and the layout every page shares (header with the four
/// sections, the page's body, a footer saying what the server reads). Pages are strings built
/// from data with every value escaped here; there is no template engine, because the pages
/// are mostly tables of figures and a few forms, which a function per page builds as clearly.
enum HTML {
    /// `s` with `& < > " '` escaped, safe inside text and quoted attributes.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// `s` percent-encoded for a query value or a path segment.
    static func urlComponent(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// A table from headers and rows of already-escaped cell HTML; `numeric` columns align right.
    static func table(_ headers: [String], _ rows: [[String]], numeric: Set<Int> = [], id: String? = nil, classes: String = "") -> String {
        var out = "<table\(id.map { " id=\"\(escape($0))\"" } ?? "")\(classes.isEmpty ? "" : " class=\"\(classes)\"")><thead><tr>"
        for (i, h) in headers.enumerated() { out += "<th\(numeric.contains(i) ? " class=\"num\"" : "")>\(escape(h))</th>" }
        out += "</tr></thead><tbody>"
        for row in rows {
            out += "<tr>"
            for (i, cell) in row.enumerated() { out += "<td\(numeric.contains(i) ? " class=\"num\"" : "")>\(cell)</td>" }
            out += "</tr>"
        }
        return out + "</tbody></table>"
    }
}

/// The four sections of the workbench, in the header's order.
enum Section: String, CaseIterable, Sendable {
    case model, whatIf, results, notebooks

    var title: String {
        switch self {
        case .model: "Model"
        case .whatIf: "What-if"
        case .results: "Results"
        case .notebooks: "Notebooks"
        }
    }

    var path: String {
        switch self {
        case .model: "/model"
        case .whatIf: "/whatif"
        case .results: "/results"
        case .notebooks: "/notebooks"
        }
    }
}

/// What every page's footer says: the program and the files it serves.
struct PageFooter: Sendable {
    var programVersion: String
    var modelPath: String
    var databasePath: String

    func render() -> String {
        "<footer>platform-sim \(HTML.escape(programVersion)) · model <code>\(HTML.escape(modelPath))</code> · results database <code>\(HTML.escape(databasePath))</code></footer>"
    }
}

extension HTML {
    /// A whole page: the header with `section` marked, a title, the body, the footer.
    static func page(title: String, section: Section?, footer: PageFooter, body: String) -> String {
        var nav = ""
        for s in Section.allCases {
            nav += "<a href=\"\(s.path)\"\(s == section ? " class=\"current\" aria-current=\"page\"" : "")>\(s.title)</a>"
        }
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title)) · PlatformSim workbench</title>
        <link rel="stylesheet" href="/assets/workbench.css">
        <script src="/assets/workbench.js" defer></script>
        </head>
        <body>
        <header><a class="brand" href="/">PlatformSim workbench</a><nav>\(nav)</nav></header>
        <main>
        \(body)
        </main>
        \(footer.render())
        </body>
        </html>

        """
    }
}
