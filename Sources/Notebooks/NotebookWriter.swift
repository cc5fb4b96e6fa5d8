import FileOutput
import Foundation
import Reports
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a notebook and its chart folder all at once or not at all: everything goes to
/// temporary names beside the destination first, then is renamed into place, so a failure
/// or an interruption never leaves a half-written notebook.
public enum NotebookWriter {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        init(_ d: String) { description = d }
    }

    /// The chart folder of a notebook: its path without `.md` (`Notebooks/roadmap/`).
    public static func chartFolder(for markdownPath: String) -> String { String(markdownPath.dropLast(3)) }

    /// Checks, before anything runs, that a notebook can go to `markdownPath`: a `.md` name, not
    /// a folder, and a chart folder that is absent or holds only SVG files (an earlier notebook's),
    /// so that replacing it cannot delete anything else.
    public static func check(markdownPath: String) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if markdownPath.hasSuffix("/") || (fm.fileExists(atPath: markdownPath, isDirectory: &isDirectory) && isDirectory.boolValue) {
            throw Failure("'\(markdownPath)' is a folder, not a notebook file: refusing to replace it")
        }
        guard markdownPath.hasSuffix(".md"), markdownPath.count > 3, !markdownPath.hasSuffix("/.md") else {
            throw Failure("the notebook must be a file ending in .md (its charts go to the folder of the same name without .md), got '\(markdownPath)'")
        }
        let charts = chartFolder(for: markdownPath)
        if fm.fileExists(atPath: charts, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw Failure("the chart folder '\(charts)' exists and is not a folder") }
            let others = (try? fm.contentsOfDirectory(atPath: charts))?.filter { !$0.hasSuffix(".svg") } ?? []
            guard others.isEmpty else {
                throw Failure("the chart folder '\(charts)' holds files other than charts (\(others.sorted().first!)); choose another --out")
            }
        }
    }

    /// Writes the notebook and its charts; returns the paths written (the notebook first).
    public static func write(_ document: NotebookDocument, to markdownPath: String) throws -> [String] {
        try check(markdownPath: markdownPath)
        let fm = FileManager.default
        let url = URL(fileURLWithPath: markdownPath)
        let folder = url.deletingLastPathComponent().path
        let stem = url.deletingPathExtension().lastPathComponent
        let charts = chartFolder(for: markdownPath)
        let tag = "\(getpid())"
        let tempCharts = (folder as NSString).appendingPathComponent(".\(stem).charts-\(tag)")
        let tempMarkdown = (folder as NSString).appendingPathComponent(".\(stem).md-\(tag)")
        let oldCharts = (folder as NSString).appendingPathComponent(".\(stem).old-\(tag)")
        defer {
            try? fm.removeItem(atPath: tempCharts)
            try? fm.removeItem(atPath: tempMarkdown)
            try? fm.removeItem(atPath: oldCharts)
        }
        do {
            try OutputFiles.makeFolder(folder)
            try? fm.removeItem(atPath: tempCharts)
            try fm.createDirectory(atPath: tempCharts, withIntermediateDirectories: false)
            var written = [markdownPath]
            for c in document.charts {
                try OutputFiles.writeBytes(c.svg, to: (tempCharts as NSString).appendingPathComponent(c.name + ".svg"))
                written.append((charts as NSString).appendingPathComponent(c.name + ".svg"))
            }
            try OutputFiles.writeBytes(document.markdown, to: tempMarkdown)
            if fm.fileExists(atPath: charts) { try fm.moveItem(atPath: charts, toPath: oldCharts) }
            try fm.moveItem(atPath: tempCharts, toPath: charts)
            guard rename(tempMarkdown, markdownPath) == 0 else {
                throw Failure("cannot write '\(markdownPath)': \(String(cString: strerror(errno)))")
            }
            return written
        } catch let failure as Failure {
            throw failure
        } catch let failure as OutputFiles.OutputError {
            throw Failure("cannot write the notebook '\(markdownPath)': \(OutputFiles.reason(from: failure))")
        } catch {
            throw Failure("cannot write the notebook '\(markdownPath)': \(error.localizedDescription)")
        }
    }
}
