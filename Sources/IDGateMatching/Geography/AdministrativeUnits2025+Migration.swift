/// What `AdministrativeUnits2025.migrate` made of an address.
public enum AddressMigration: Sendable, Hashable {
    /// The address in the units since 1 July 2025: the house, street or hamlet as written, then the new commune and
    /// province by their full names.
    case migrated(String)
    /// The old commune was split between several new ones: the address in each, for a person (or another source)
    /// to choose from.
    case ambiguous([String])
    /// Already in the new units (a new commune of its new province): nothing to change.
    case current
    /// The province, district and commune are not all known (or the address is too short to tell).
    case unrecognized
}

extension AdministrativeUnits2025 {
    /// Rewrites an address stated in the units before the 1 July 2025 reorganization (commune, district, province)
    /// in the new ones (commune, province), for migrating stored records (`idgate update`).
    ///
    /// Units are recognized as the matching engine recognizes them (type words and abbreviations optional,
    /// diacritics and case ignored, `Q.1`, `TP.HCM`, a trailing `Việt Nam` dropped). A new commune named under the
    /// name of a province since merged away is migrated to the new province's name.
    public static func migrate(_ address: String) -> AddressMigration {
        var address = address
        return address.withUTF8 { bytes in
            TokenizedText.withTokens(of: UnsafeRawBufferPointer(bytes), splitDigits: true) { text in
                AddressComparator.Units.withUnits(of: text) { units in
                    shared.migrate(units, written: UnsafeRawBufferPointer(bytes))
                }
            }
        }
    }

    private func migrate(_ units: AddressComparator.Units, written: UnsafeRawBufferPointer) -> AddressMigration {
        guard let location = locate(units) else { return .unrecognized }
        if !location.isOld && !location.provinceRenamed { return .current }
        // The units below the commune, as written: the comma-separated parts holding tokens, in order (the same
        // parts the tokenizer counts as units, so the first `units.count - consumed` are the details).
        let parts = written.split(whereSeparator: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: ";") })
            .filter { TokenizedText.hasTokens(UnsafeRawBufferPointer(rebasing: $0)) }
            .map { String(decoding: $0, as: UTF8.self).trimmingSpaces }
        let details = Array(parts.prefix(units.count - location.consumed))
        let province = newProvinces[Int(location.newProvince)].name
        func address(_ commune: Int32) -> String {
            (details + [newCommunes[Int(commune)].name, province]).joined(separator: ", ")
        }
        guard location.isOld, location.oldCommune >= 0 else { return .migrated(address(location.newCommune)) }
        let candidates = newCommunes(ofOldCommune: location.oldCommune)
        guard candidates.count > 1 else { return .migrated(address(candidates.first!)) }
        return .ambiguous(candidates.map(address))
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
