/// Vietnam's administrative units before and after the reorganization of 1 July 2025 (63 provinces, ~700 districts
/// and ~10,000 communes became 34 provinces and 3,321 communes, without districts), and which new commune each old
/// one became.
///
/// Cards issued before the reform carry old addresses; people now state the new ones, or the old ones out of
/// habit. Comparing the text alone would call such a pair a different address, so the address comparator asks this
/// table whether both name the same place (`administrative_unit_renamed`) or a real move. The data is the
/// dvhcvn/20250701 set (MIT) with the official NSO conversion table's pairs where the two disagree
/// (docs/MATCHING.md, "Administrative units"), embedded as one compact string parsed once, on first use.
public struct AdministrativeUnits2025: Sendable {
    /// One unit: its GSO code, its full name (`Phường Ba Đình`) and the index of the unit it belongs to.
    struct Place: Sendable {
        let code: String
        let name: String
        /// New communes and old provinces: their new province; old districts: their old province; old communes: their
        /// old district; new provinces: -1.
        let parent: Int32
    }

    let newProvinces: [Place]
    let newCommunes: [Place]
    let oldProvinces: [Place]
    let oldDistricts: [Place]
    /// Per old district: the new commune (`Đặc khu`) of the five districts that had no communes, else -1.
    let loneDistrictCommune: [Int32]
    let oldCommunes: [Place]
    /// Old commune i became the new communes `targets[targetStart[i]..<targetStart[i + 1]]` (several when it was
    /// split).
    let targetStart: [Int32]
    let targets: [Int32]
    /// Per new province, the old provinces merged into it.
    let oldProvincesOfNew: [[Int32]]
    /// Per new province, the key of its name.
    let newProvinceKeys: [UInt64]

    /// By name key (`AddressComparator.Vocabulary.nameKey`; for communes and districts mixed with the parent's index).
    let newProvinceByName: [UInt64: [Int32]]
    let oldProvinceByName: [UInt64: [Int32]]
    let newCommuneByName: [UInt64: [Int32]]
    let oldDistrictByName: [UInt64: [Int32]]
    let oldCommuneByName: [UInt64: [Int32]]
    /// Other names of provinces, as name keys: `HCM`, `TPHCM` → `Hồ Chí Minh`, `HN` → `Hà Nội`, `Thừa Thiên Huế`
    /// (the province's name on cards until 2025) → `Huế`.
    let provinceAliases: [UInt64: UInt64]

    /// Parsed on first use (about 14,000 lines), then shared by every thread.
    static let shared = AdministrativeUnits2025(compact: compactData)

    /// Parses the tables now rather than in the first request whose addresses disagree (a server calls this at
    /// start-up so no answer waits for it).
    public static func load() {
        _ = shared.newProvinces.count
    }

    // MARK: Building

    private static let unitTypes: [Character: String] = [
        "c": "Thành phố", "t": "Thị trấn", "s": "Thị xã", "d": "Đặc khu", "p": "Phường", "h": "Huyện", "q": "Quận",
        "k": "Tỉnh", "x": "Xã",
    ]

    /// The key of a unit's name as an address unit would give it (type word dropped, folded).
    static func nameKey(_ name: String) -> UInt64 {
        var name = name
        return name.withUTF8 { bytes in
            TokenizedText.withTokens(of: UnsafeRawBufferPointer(bytes), splitDigits: true) { text in
                AddressComparator.Units.withUnits(of: text) { units in units.count == 1 ? units.key(0) : 0 }
            }
        }
    }

    static func mix(_ key: UInt64, _ parent: Int32) -> UInt64 {
        key ^ (UInt64(UInt32(bitPattern: parent)) &+ 1) &* 0x9E37_79B9_7F4A_7C15
    }

    init(compact: String) {
        var newProvinces: [Place] = []
        var newCommunes: [Place] = []
        var oldProvinces: [Place] = []
        var oldDistricts: [Place] = []
        var loneDistrictCommune: [Int32] = []
        var oldCommunes: [Place] = []
        var targetStart: [Int32] = [0]
        var targets: [Int32] = []
        var newCommuneByCode: [Substring: Int32] = [:]
        var newProvinceByCode: [Substring: Int32] = [:]
        var pendingTargets: [[Substring]] = []

        func expand(_ short: Substring) -> String {
            guard let type = Self.unitTypes[short.first!] else { preconditionFailure("unit type of \(short)") }
            return type + short.dropFirst()
        }
        for line in compact.split(separator: "\n") {
            let fields = line.dropFirst().split(separator: "|", omittingEmptySubsequences: false)
            let code = fields[0]
            let name = expand(fields[1])
            switch line.first {
            case "P":
                newProvinceByCode[code] = Int32(newProvinces.count)
                newProvinces.append(Place(code: String(code), name: name, parent: -1))
            case "N":
                newCommuneByCode[code] = Int32(newCommunes.count)
                newCommunes.append(Place(code: String(code), name: name, parent: Int32(newProvinces.count - 1)))
            case "O":
                oldProvinces.append(Place(code: String(code), name: name, parent: newProvinceByCode[fields[2]]!))
            case "D":
                oldDistricts.append(Place(code: String(code), name: name, parent: Int32(oldProvinces.count - 1)))
                loneDistrictCommune.append(fields.count > 2 ? newCommuneByCode[fields[2]]! : -1)
            case "C":
                oldCommunes.append(Place(code: String(code), name: name, parent: Int32(oldDistricts.count - 1)))
                pendingTargets.append(fields[2].split(separator: ","))
            default:
                preconditionFailure("bad line in the administrative units data: \(line)")
            }
        }
        for codes in pendingTargets {
            targets.append(contentsOf: codes.map { newCommuneByCode[$0]! })
            targetStart.append(Int32(targets.count))
        }

        func index(_ places: [Place], byParent: Bool) -> [UInt64: [Int32]] {
            var index: [UInt64: [Int32]] = [:]
            for (offset, place) in places.enumerated() {
                let key = Self.nameKey(place.name)
                index[byParent ? Self.mix(key, place.parent) : key, default: []].append(Int32(offset))
            }
            return index
        }
        self.newProvinces = newProvinces
        self.newCommunes = newCommunes
        self.oldProvinces = oldProvinces
        self.oldDistricts = oldDistricts
        self.loneDistrictCommune = loneDistrictCommune
        self.oldCommunes = oldCommunes
        self.targetStart = targetStart
        self.targets = targets
        var oldProvincesOfNew = [[Int32]](repeating: [], count: newProvinces.count)
        for (offset, province) in oldProvinces.enumerated() { oldProvincesOfNew[Int(province.parent)].append(Int32(offset)) }
        self.oldProvincesOfNew = oldProvincesOfNew
        newProvinceKeys = newProvinces.map { Self.nameKey($0.name) }
        newProvinceByName = index(newProvinces, byParent: false)
        oldProvinceByName = index(oldProvinces, byParent: false)
        newCommuneByName = index(newCommunes, byParent: true)
        oldDistrictByName = index(oldDistricts, byParent: true)
        oldCommuneByName = index(oldCommunes, byParent: true)
        provinceAliases = [
            Self.nameKey("HCM"): Self.nameKey("Hồ Chí Minh"), Self.nameKey("TPHCM"): Self.nameKey("Hồ Chí Minh"),
            Self.nameKey("HN"): Self.nameKey("Hà Nội"), Self.nameKey("Thừa Thiên Huế"): Self.nameKey("Huế"),
        ]
    }

    // MARK: Locating an address

    /// Where an address points in the unit tables.
    struct Location {
        /// Written in the old units (district and commune); else in the new ones.
        var isOld: Bool
        var newProvince: Int32
        /// The province was named by a name it no longer has (an old province merged into another).
        var provinceRenamed: Bool
        /// Old form: the old commune (-1 for a district without communes).
        var oldCommune: Int32
        /// New form: the new commune; old form: the commune of a district without communes, else -1.
        var newCommune: Int32
        /// The key of the commune's name and the district (old) or province (new) it was looked up in: names repeat
        /// within one (`Thị trấn Mường Tè` and `Xã Mường Tè`), so every commune of that name is a candidate.
        var communeKey: UInt64 = 0
        var communeParent: Int32 = -1
        /// Units used from the province down (3: province, district, commune; 2: province and commune or a district
        /// without communes); the rest are house, street or hamlet.
        var consumed: Int
    }

    /// Finds the province, and the district and commune (old units) or the commune (new units), of an address;
    /// nil when they are not all known. When the names fit both readings, the units' type words decide, then the
    /// old reading (it matched more units).
    func locate(_ units: AddressComparator.Units) -> Location? {
        guard units.count >= 2 else { return nil }
        var provinceKey = units.key(0)
        provinceKey = provinceAliases[provinceKey] ?? provinceKey
        let named = newProvinceByName[provinceKey] ?? []
        let namedOld = oldProvinceByName[provinceKey] ?? []

        if units.kinds[1] != .commune {
            let districtKey = units.key(1)
            func oldReading(_ oldProvince: Int32) -> Location? {
                for district in oldDistrictByName[Self.mix(districtKey, oldProvince)] ?? []
                where oldDistricts[Int(district)].parent == oldProvince {
                    let newProvince = oldProvinces[Int(oldProvince)].parent
                    let renamed = newProvinceKeys[Int(newProvince)] != provinceKey
                    if units.count >= 3 && units.kinds[2] != .district {
                        for commune in oldCommuneByName[Self.mix(units.key(2), district)] ?? []
                        where oldCommunes[Int(commune)].parent == district {
                            return Location(
                                isOld: true, newProvince: newProvince, provinceRenamed: renamed, oldCommune: commune,
                                newCommune: -1, communeKey: units.key(2), communeParent: district, consumed: 3)
                        }
                    }
                    let lone = loneDistrictCommune[Int(district)]
                    if lone >= 0 {
                        return Location(
                            isOld: true, newProvince: newProvince, provinceRenamed: renamed, oldCommune: -1,
                            newCommune: lone, consumed: 2)
                    }
                }
                return nil
            }
            for oldProvince in namedOld { if let found = oldReading(oldProvince) { return found } }
            // An old district and commune under the province's new name.
            for newProvince in named {
                for oldProvince in oldProvincesOfNew[Int(newProvince)] {
                    if let found = oldReading(oldProvince) { return found }
                }
            }
        }
        if units.kinds[1] != .district {
            let communeKey = units.key(1)
            func newReading(_ newProvince: Int32) -> Location? {
                for commune in newCommuneByName[Self.mix(communeKey, newProvince)] ?? []
                where newCommunes[Int(commune)].parent == newProvince {
                    return Location(
                        isOld: false, newProvince: newProvince,
                        provinceRenamed: newProvinceKeys[Int(newProvince)] != provinceKey, oldCommune: -1,
                        newCommune: commune, communeKey: communeKey, communeParent: newProvince, consumed: 2)
                }
                return nil
            }
            for newProvince in named { if let found = newReading(newProvince) { return found } }
            // A new commune under the name of a province merged away.
            for oldProvince in namedOld {
                if let found = newReading(oldProvinces[Int(oldProvince)].parent) { return found }
            }
        }
        return nil
    }

    /// The new communes old commune `index` became (one, or several when it was split).
    func newCommunes(ofOldCommune index: Int32) -> ArraySlice<Int32> {
        targets[Int(targetStart[Int(index)])..<Int(targetStart[Int(index) + 1])]
    }

    /// Whether the two locations name the same commune: the same old commune, the same new one, or an old commune
    /// and one of the new communes it became. Every commune of the same name in the same district (old) or province
    /// (new) is a candidate.
    func sameCommune(_ a: Location, _ b: Location) -> Bool {
        guard a.isOld != b.isOld else { return a.oldCommune == b.oldCommune && a.newCommune == b.newCommune }
        let (old, new) = a.isOld ? (a, b) : (b, a)
        return anyCandidate(of: new) { newCommune in
            guard old.oldCommune >= 0 else { return old.newCommune == newCommune }
            return anyCandidate(of: old) { newCommunes(ofOldCommune: $0).contains(newCommune) }
        }
    }

    /// Whether `test` holds for a commune of the location's name in its district (old) or province (new).
    private func anyCandidate(of location: Location, _ test: (Int32) -> Bool) -> Bool {
        guard location.communeParent >= 0 else { return test(location.isOld ? location.oldCommune : location.newCommune) }
        let key = Self.mix(location.communeKey, location.communeParent)
        if location.isOld {
            guard let found = oldCommuneByName[key] else { return false }
            return found.contains { oldCommunes[Int($0)].parent == location.communeParent && test($0) }
        }
        guard let found = newCommuneByName[key] else { return false }
        return found.contains { newCommunes[Int($0)].parent == location.communeParent && test($0) }
    }

    // MARK: Comparing

    /// Compares two addresses that do not agree unit by unit as the same place under old and new unit names, or
    /// nil when that reading does not apply: either address not located, or both in the same units (old or new)
    /// with `agreeingAsWritten` > 0 units agreeing unit by unit (that result stands).
    ///
    /// Scored like any address, on the new structure (province, commune, then the units below): all agree →
    /// `match` with `administrative_unit_renamed`; the province agrees but the commune is another one → a real move,
    /// `province_only`; another province → `mismatch`.
    func compare(
        _ given: AddressComparator.Units, _ held: AddressComparator.Units, agreeingAsWritten: Int,
        thresholds: MatchThresholds
    ) -> FieldResult? {
        guard let a = locate(given), let b = locate(held), a.isOld != b.isOld || agreeingAsWritten == 0 else {
            return nil
        }
        let provinceRenamed = a.provinceRenamed || b.provinceRenamed
        guard a.newProvince == b.newProvince else { return .different }
        let givenCount = 2 + given.count - a.consumed
        let heldCount = 2 + held.count - b.consumed
        var agreeing = 1
        var marks = MarkAgreement()
        if sameCommune(a, b) {
            agreeing = 2
            var offset = 0
            while a.consumed + offset < given.count && b.consumed + offset < held.count,
                let unitMarks = given.compare(a.consumed + offset, with: held, b.consumed + offset)
            {
                marks.formUnion(unitMarks)
                agreeing += 1
                offset += 1
            }
        }
        let renamed = provinceRenamed || (agreeing >= 2 && a.isOld != b.isOld)
        let deepest = max(givenCount, heldCount)
        if agreeing == deepest {
            var reasons = marks.reasons(submitted: given.text)
            if renamed { reasons.insert(.administrativeUnitRenamed) }
            return thresholds.result(reasons: reasons)
        }
        var result = AddressComparator.partial(
            agreeing: agreeing, depth: min(givenCount, heldCount), deepest: deepest, marks: marks, given: given)
        if renamed { result.reasons.insert(.administrativeUnitRenamed) }
        return result
    }
}
