/// JSON of the `passiveAuth` object, written directly (fixed key order, no Foundation encoder on the hot path).
extension PassiveAuthResult {
    /// `sodDataGroupHashes` and `activeAuth`: added as members when given (the `idgate chip verify` output).
    public func jsonBytes(sodDataGroupHashes: [Int: [UInt8]]? = nil, activeAuth: ActiveAuthResult? = nil) -> [UInt8] {
        var out = JSONWriter()
        out.raw("{\"result\":")
        out.string(result.rawValue)
        out.raw(",\"signature\":")
        out.string(signature.rawValue)
        out.raw(",\"chain\":")
        out.string(chain.rawValue)
        if let documentSigner {
            out.raw(",\"documentSigner\":{\"subject\":")
            out.string(documentSigner.subject)
            out.raw(",\"serialNumber\":")
            out.string(documentSigner.serialNumber)
            out.raw(",\"country\":")
            if let country = documentSigner.country { out.string(country) } else { out.raw("null") }
            out.raw("}")
        }
        out.raw(",\"dataGroups\":{")
        for (index, number) in dataGroups.keys.sorted().enumerated() {
            if index > 0 { out.raw(",") }
            out.string(String(number))
            out.raw(":")
            out.string(dataGroups[number]!.rawValue)
        }
        out.raw("},\"errors\":")
        out.stringArray(errors)
        out.raw(",\"warnings\":")
        out.stringArray(warnings)
        if let sodDataGroupHashes {
            out.raw(",\"sodDataGroupHashes\":{")
            for (index, number) in sodDataGroupHashes.keys.sorted().enumerated() {
                if index > 0 { out.raw(",") }
                out.string(String(number))
                out.raw(":")
                out.string(sodDataGroupHashes[number]!.hexString)
            }
            out.raw("}")
        }
        if let activeAuth {
            out.raw(",\"activeAuth\":")
            out.bytes += activeAuth.jsonBytes()
        }
        out.raw("}")
        return out.bytes
    }

    public func jsonString(sodDataGroupHashes: [Int: [UInt8]]? = nil, activeAuth: ActiveAuthResult? = nil) -> String {
        String(decoding: jsonBytes(sodDataGroupHashes: sodDataGroupHashes, activeAuth: activeAuth), as: UTF8.self)
    }
}

extension ActiveAuthResult {
    /// `{"result":"valid"}`, with `"reason"` when not valid.
    public func jsonBytes() -> [UInt8] {
        var out = JSONWriter()
        out.raw("{\"result\":")
        out.string(result.rawValue)
        if let reason {
            out.raw(",\"reason\":")
            out.string(reason)
        }
        out.raw("}")
        return out.bytes
    }

    /// `{"activeAuth":{...}}`: the `idgate chip verify --json` output when only Active Authentication was checked.
    public func reportJSONString() -> String {
        String(decoding: Array("{\"activeAuth\":".utf8) + jsonBytes() + [0x7D], as: UTF8.self)
    }
}

/// Appends JSON tokens to a byte buffer.
struct JSONWriter {
    var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(512) }

    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func string(_ value: String) {
        bytes.write(jsonString: value)
    }

    mutating func stringArray(_ values: [String]) {
        bytes.append(0x5B)
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(0x2C) }
            string(value)
        }
        bytes.append(0x5D)
    }
}
