import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An SVG document parsed with XMLParser, as a tree of elements, for checks on its structure.
final class XMLElementNode {
    let name: String
    let attributes: [String: String]
    var text = ""
    var children: [XMLElementNode] = []
    weak var parent: XMLElementNode?

    init(name: String, attributes: [String: String], parent: XMLElementNode?) {
        self.name = name
        self.attributes = attributes
        self.parent = parent
    }

    /// This element and all below it, in document order.
    var all: [XMLElementNode] { [self] + children.flatMap(\.all) }

    func elements(_ name: String) -> [XMLElementNode] { all.filter { $0.name == name } }

    func groups(class cls: String) -> [XMLElementNode] { all.filter { $0.name == "g" && $0.attributes["class"] == cls } }

    /// All text below this element, e.g. every label of a legend.
    var texts: [String] { elements("text").map(\.text) }

    func number(_ attribute: String) -> Double? { attributes[attribute].flatMap(Double.init) }
}

enum XMLCheck {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The root element, or the parser's error for a document that is not well-formed XML.
    static func parse(_ svg: String) throws -> XMLElementNode {
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Collector()
        parser.delegate = collector
        guard parser.parse(), let root = collector.root else {
            throw Failure(description: "not well-formed: \(parser.parserError.map { "\($0)" } ?? "no root") at line \(parser.lineNumber)")
        }
        return root
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var root: XMLElementNode?
        var current: XMLElementNode?

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            let node = XMLElementNode(name: name, attributes: attributes, parent: current)
            if let current { current.children.append(node) } else { root = node }
            current = node
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            current = current?.parent
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            current?.text += string
        }
    }
}
