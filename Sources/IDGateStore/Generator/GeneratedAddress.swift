/// The same place as a generated address, in the other administrative units: a request built from a stored address
/// in the old units (commune, district, province before 1 July 2025) states the new ones (commune, new province),
/// and the reverse, as people do since the 2025 reorganization.
public enum GeneratedAddress {
    /// `address` (made by `ResidentGenerator`) with its last units rewritten in the other units, the house or
    /// hamlet kept; nil when the address does not end in units of the generator's tables.
    ///
    /// Old to new takes the new commune the old one became (the first, for one split between several); new to old
    /// takes the first old commune of the tables that became it, which may be another part of the same new commune.
    public static func otherForm(_ address: String) -> String? {
        let parts = address.split(separator: ",").map { String($0.drop(while: { $0 == " " })) }
        if parts.count >= 3, let new = newUnits["\(parts[parts.count - 3])|\(parts[parts.count - 2])|\(parts[parts.count - 1])"] {
            return (parts.dropLast(3) + new).joined(separator: ", ")
        }
        if parts.count >= 2, let old = oldUnits["\(parts[parts.count - 2])|\(parts[parts.count - 1])"] {
            return (parts.dropLast(2) + old).joined(separator: ", ")
        }
        return nil
    }

    /// `ward|district|province` (old) → [new commune, new province].
    private static let newUnits: [String: [String]] = {
        var table: [String: [String]] = [:]
        for province in VietnamGeography.provinces {
            for district in province.districts {
                for ward in district.wards {
                    table["\(ward.old)|\(district.name)|\(province.name)"] = [ward.new, province.newName]
                }
            }
        }
        return table
    }()

    /// `new commune|new province` → [ward, district, province] (old), the first in table order.
    private static let oldUnits: [String: [String]] = {
        var table: [String: [String]] = [:]
        for province in VietnamGeography.provinces {
            for district in province.districts {
                for ward in district.wards where table["\(ward.new)|\(province.newName)"] == nil {
                    table["\(ward.new)|\(province.newName)"] = [ward.old, district.name, province.name]
                }
            }
        }
        return table
    }()
}
