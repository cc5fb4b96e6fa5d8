import Foundation
import Hummingbird

/// The responses the handlers give: pages, fragments, JSON, downloads, errors.
enum Responses {
    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        body(Array(text.utf8), type: "text/html; charset=utf-8", status: status)
    }

    static func text(_ text: String, type: String = "text/plain; charset=utf-8", status: HTTPResponse.Status = .ok,
                     download: String? = nil) -> Response {
        body(Array(text.utf8), type: type, status: status, download: download)
    }

    static func body(_ bytes: [UInt8], type: String, status: HTTPResponse.Status = .ok, download: String? = nil,
                     cache: String = "no-store") -> Response {
        var headers: HTTPFields = [.contentType: type, .cacheControl: cache]
        headers[.init("X-Content-Type-Options")!] = "nosniff"
        if let download {
            let safe = download.filter { $0.isLetter || $0.isNumber || "-_.".contains($0) }
            headers[.contentDisposition] = "attachment; filename=\"\(safe)\""
        }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A value as JSON with sorted keys; infinities and NaN as strings, as the command line writes them.
    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, download: String? = nil) -> Response {
        do {
            return body(try encode(value), type: "application/json; charset=utf-8", status: status, download: download)
        } catch {
            return text("error: cannot encode the answer: \(error)\n", status: .internalServerError)
        }
    }

    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return Array(try encoder.encode(value)) + [10]
    }

    /// Field errors as the what-if form reads them.
    static func errors(_ errors: [FieldError], status: HTTPResponse.Status = .unprocessableContent) -> Response {
        json(WhatIfErrors(errors), status: status)
    }

    /// A page saying what was not found.
    static func notFound(_ what: String, footer: PageFooter) -> Response {
        html(HTML.page(title: "Not found", section: nil, footer: footer,
                       body: "<h1>Not found</h1><p>\(HTML.escape(what))</p><p><a href=\"/\">Back to the start</a></p>"),
             status: .notFound)
    }
}
