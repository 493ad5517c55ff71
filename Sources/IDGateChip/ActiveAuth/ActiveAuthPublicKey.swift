/// Where the public key of an offline Active Authentication check comes from.
public enum ActiveAuthPublicKey: Sendable {
    /// EF.DG15 as read from the chip (`6F { SubjectPublicKeyInfo }`).
    case dataGroup15([UInt8])
    /// A bare SubjectPublicKeyInfo (DER), e.g. exported from DG15 earlier.
    case subjectPublicKeyInfo([UInt8])
}

extension ActiveAuthentication {
    /// Checks captured Active Authentication evidence offline (`idgate chip verify --aa-...`).
    ///
    /// The key is taken as given: whether the SOD vouches for it is passive authentication's question, which
    /// `ChipVerifier.verify(sod:dataGroups:activeAuth:)` answers when the key comes with its SOD.
    public static func verify(publicKey: ActiveAuthPublicKey, response: ActiveAuthInput) -> ActiveAuthResult {
        switch publicKey {
        case .dataGroup15(let dg15):
            verify(dg15: dg15, challenge: response.challenge, signature: response.signature)
        case .subjectPublicKeyInfo(let der):
            verify(subjectPublicKeyInfo: der, challenge: response.challenge, signature: response.signature)
        }
    }
}

extension ActiveAuthInput {
    /// From hex text as operators copy it (upper or lower case; spaces and colons between bytes are ignored); nil
    /// when either is not whole bytes of hex or is empty.
    public init?(challengeHex: String, signatureHex: String) {
        guard let challenge = HexText.bytes(challengeHex), let signature = HexText.bytes(signatureHex),
            !challenge.isEmpty, !signature.isEmpty
        else { return nil }
        self.init(challenge: challenge, signature: signature)
    }
}

/// Hex text to bytes.
enum HexText {
    static func bytes(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count / 2)
        var high: UInt8? = nil
        for character in text.utf8 {
            let nibble: UInt8
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = character - UInt8(ascii: "A") + 10
            case UInt8(ascii: " "), UInt8(ascii: ":"):
                guard high == nil else { return nil }
                continue
            default: return nil
            }
            if let first = high {
                out.append(first << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return high == nil ? out : nil
    }
}
