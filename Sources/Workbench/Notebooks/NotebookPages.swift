import Foundation
import Ink

/// The committed notebooks as pages: markdown rendered by Ink, with links between notebooks,
/// to their charts and to the experiment files rewritten to the workbench's own addresses.
enum NotebookPages {
    /// The index: the notebooks folder's README rendered (it lists them with their questions),
    /// or a plain list when there is none, and a link to each notebook's experiment results.
    static func index(readme: String?, names: [String], experiments: Set<String>, footer: PageFooter) -> String {
        var body = ""
        if let readme { body += "<article class=\"notebook\">\(render(readme, folder: ""))</article>" } else { body += "<h1>Notebooks</h1>" }
        body += "<h2>All notebooks</h2><ul class=\"notebook-list\" id=\"notebook-list\">"
        for n in names {
            body += "<li><a href=\"/notebooks/\(HTML.urlComponent(n))\">\(HTML.escape(n))</a>"
                + (experiments.contains(n) ? " · <a href=\"/results/\(HTML.urlComponent(n))\">its results</a>" : "") + "</li>"
        }
        body += "</ul>"
        if names.isEmpty { body += "<p class=\"notice\">The notebooks folder holds no notebook.</p>" }
        return HTML.page(title: "Notebooks", section: .notebooks, footer: footer, body: body)
    }

    static func notebook(name: String, markdown: String, hasResults: Bool, footer: PageFooter) -> String {
        var body = "<p class=\"crumbs\"><a href=\"/notebooks\">← all notebooks</a>"
        if hasResults { body += " · <a href=\"/results/\(HTML.urlComponent(name))\">this experiment's results in the database</a>" }
        body += "</p><article class=\"notebook\">\(render(markdown, folder: ""))</article>"
        return HTML.page(title: "Notebook \(name)", section: .notebooks, footer: footer, body: body)
    }

    /// Markdown as HTML, with relative links and image sources made workbench addresses.
    static func render(_ markdown: String, folder: String) -> String {
        let parser = MarkdownParser()
        return rewriteAddresses(parser.html(from: withTablesAsHTML(markdown, parser: parser)))
    }

    /// The markdown with each pipe table replaced by an HTML table (cells' inline markdown
    /// rendered by Ink). Ink 0.6 reads some of the notebooks' tables as paragraphs (wide ones
    /// with right-aligned columns), so tables are made here and the rest left to Ink, which
    /// passes HTML blocks through.
    static func withTablesAsHTML(_ markdown: String, parser: MarkdownParser) -> String {
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false)
        func cells(_ line: Substring) -> [String] {
            var text = line.trimmingCharacters(in: .whitespaces)
            if text.hasPrefix("|") { text.removeFirst() }
            if text.hasSuffix("|") && !text.hasSuffix("\\|") { text.removeLast() }
            var out: [String] = [], current = "", escaped = false
            for c in text {
                if escaped { current.append(c); escaped = false; continue }
                if c == "\\" { escaped = true; current.append(c); continue }
                if c == "|" { out.append(current.trimmingCharacters(in: .whitespaces)); current = ""; continue }
                current.append(c)
            }
            out.append(current.trimmingCharacters(in: .whitespaces))
            return out
        }
        func isSeparator(_ line: Substring) -> Bool {
            let t = line.trimmingCharacters(in: .whitespaces)
            return t.hasPrefix("|") && t.contains("-") && t.allSatisfy { "|-: ".contains($0) }
        }
        func inline(_ text: String) -> String {
            var html = parser.html(from: text.replacingOccurrences(of: "\\|", with: "|"))
            if html.hasPrefix("<p>") && html.hasSuffix("</p>") { html = String(html.dropFirst(3).dropLast(4)) }
            return html
        }
        var out: [String] = []
        var i = 0
        while i < lines.count {
            if lines[i].hasPrefix("|"), i + 1 < lines.count, isSeparator(lines[i + 1]) {
                let header = cells(lines[i])
                let right = cells(lines[i + 1]).map { $0.hasSuffix(":") }
                var html = "<table><thead><tr>"
                for (k, h) in header.enumerated() { html += "<th\(k < right.count && right[k] ? " class=\"num\"" : "")>\(inline(h))</th>" }
                html += "</tr></thead><tbody>"
                i += 2
                while i < lines.count, lines[i].hasPrefix("|") {
                    html += "<tr>"
                    for (k, c) in cells(lines[i]).enumerated() { html += "<td\(k < right.count && right[k] ? " class=\"num\"" : "")>\(inline(c))</td>" }
                    html += "</tr>"
                    i += 1
                }
                out.append("")
                out.append(html + "</tbody></table>")
                out.append("")
            } else {
                out.append(String(lines[i]))
                i += 1
            }
        }
        return out.joined(separator: "\n")
    }

    /// Every `href="…"` and `src="…"` of `html` rewritten by ``address(_:)``.
    static func rewriteAddresses(_ html: String) -> String {
        var out = ""
        var rest = Substring(html)
        while let r = rest.range(of: #"(href|src)="[^"]*""#, options: .regularExpression) {
            out += rest[..<r.lowerBound]
            let attribute = rest[r]
            let eq = attribute.firstIndex(of: "=")!
            let name = attribute[..<eq]
            let value = attribute[attribute.index(eq, offsetBy: 2)..<attribute.index(before: attribute.endIndex)]
            out += "\(name)=\"\(address(String(value)))\""
            rest = rest[r.upperBound...]
        }
        return out + rest
    }

    /// A notebook's relative address as the workbench serves it: `other.md` is that notebook's
    /// page, `roadmap/latency.svg` a file of the notebooks folder, `../Experiments/x.yaml` an
    /// experiment file; absolute addresses and anchors stay as they are.
    static func address(_ value: String) -> String {
        if value.isEmpty || value.hasPrefix("#") || value.hasPrefix("/") || value.contains("://") || value.hasPrefix("mailto:") { return value }
        var path = value, anchor = ""
        if let hash = value.firstIndex(of: "#") { path = String(value[..<hash]); anchor = String(value[hash...]) }
        if path.hasPrefix("./") { path.removeFirst(2) }
        if path.hasPrefix("../Experiments/") { return "/experiments/" + path.dropFirst("../Experiments/".count) + anchor }
        if path.hasPrefix("../Notebooks/") { path.removeFirst("../Notebooks/".count) }
        if path.hasSuffix(".md") && !path.contains("/") { return "/notebooks/" + path.dropLast(3) + anchor }
        if path.hasPrefix("../") { return value }
        return "/notebooks/files/" + path + anchor
    }

    /// An experiment file shown as text.
    static func experimentFile(name: String, text: String, footer: PageFooter) -> String {
        let stem = (name as NSString).deletingPathExtension
        let body = "<h1>Experiment file <code>\(HTML.escape(name))</code></h1>"
            + "<p>Run it with <code>platform-sim sweep Experiments/\(HTML.escape(name))</code>; its results, once in the database, are under "
            + "<a href=\"/results/\(HTML.urlComponent(stem))\">Results</a> and its notebook under <a href=\"/notebooks/\(HTML.urlComponent(stem))\">Notebooks</a>.</p>"
            + "<pre class=\"file\">\(HTML.escape(text))</pre>"
        return HTML.page(title: name, section: .results, footer: footer, body: body)
    }
}
