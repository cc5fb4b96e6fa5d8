import Foundation
import ModelFiles
import Synchronization

/// The last catalog read, kept while none of its files has changed (same size and
/// modification time), so that pages do not parse every model file on every load, and an
/// edited file still shows at the next page.
final class ModelCatalogCache: Sendable {
    private struct Entry: Sendable {
        var signature: [String]
        var catalog: ModelCatalog
    }

    private let entry = Mutex<Entry?>(nil)

    func catalog(modelPath: String) throws(ModelErrors) -> ModelCatalog {
        if let cached = entry.withLock({ $0 }), cached.signature == Self.signature(of: Self.files(of: cached.catalog)) {
            return cached.catalog
        }
        let catalog = try ModelCatalog.load(modelPath: modelPath)
        entry.withLock { $0 = Entry(signature: Self.signature(of: Self.files(of: catalog)), catalog: catalog) }
        return catalog
    }

    /// Every file the catalog was read from: the base file, the overlays, the pricing file.
    static func files(of catalog: ModelCatalog) -> [String] {
        let folder = (catalog.basePath as NSString).deletingLastPathComponent
        let overlays = catalog.configurations.flatMap(\.overlays).map { folder.isEmpty ? $0 : folder + "/" + $0 }
        return [catalog.basePath, catalog.pricingPath] + overlays
    }

    static func signature(of files: [String]) -> [String] {
        files.map { path in
            guard let a = try? FileManager.default.attributesOfItem(atPath: path) else { return path + ": missing" }
            let size = (a[.size] as? NSNumber)?.int64Value ?? -1
            let modified = (a[.modificationDate] as? Date)?.timeIntervalSince1970 ?? -1
            return "\(path): \(size) \(modified)"
        }
    }
}
