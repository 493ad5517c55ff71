import Foundation

/// PEM armour: the base64 blocks between `-----BEGIN label-----` and `-----END label-----`.
public enum PEM {
    public static func blocks(in bytes: [UInt8], label: String) -> [[UInt8]] {
        let text = String(decoding: bytes, as: UTF8.self)
        let begin = "-----BEGIN \(label)-----"
        let end = "-----END \(label)-----"
        var result: [[UInt8]] = []
        var rest = text[...]
        while let start = rest.range(of: begin), let stop = rest.range(of: end, range: start.upperBound..<rest.endIndex) {
            let body = rest[start.upperBound..<stop.lowerBound]
            if let data = Data(base64Encoded: String(body), options: .ignoreUnknownCharacters) {
                result.append([UInt8](data))
            }
            rest = rest[stop.upperBound...]
        }
        return result
    }

    public static func encode(_ der: [UInt8], label: String) -> String {
        let base64 = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN \(label)-----\n\(base64)\n-----END \(label)-----\n"
    }
}
