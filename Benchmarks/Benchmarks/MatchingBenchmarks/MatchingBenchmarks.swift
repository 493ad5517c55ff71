import Benchmark
import BenchSupport
import IDGateWire
import IDGateMatching
import IDGateStore

/// The match path on one core, whole and in parts. Each measured iteration is 1,000 operations (`scalingFactor`),
/// so `threadCPU` and `wallClock` are the time of 1,000 requests and `mallocCountTotal` the allocations they made.
///
/// - `Match.respond`: parse a request body, look the resident up (an in-memory dictionary standing in for the store),
///   compare every attribute, digest the request and encode the response (`MatchResponder`, as the gateway does).
/// - `Wire.parseRequest` / `Wire.encodeResponse`: the gateway's `MatchRequestParser` and `MatchResponseEncoder` alone.
/// - `Match.compare`: `MatchEngine` on parsed requests (full name, date, sex, residence, phone).
/// - `Name.<variant>`: name normalization and comparison alone (a request of idNumber + fullName through
///   `MatchEngine`), one benchmark per kind of submitted name.
///
/// Bodies rotate over registry hits, near-misses (typos, missing diacritics, swapped order, old phone prefixes) and
/// misses. Names contain no spaces or slashes: they name the files in `Benchmarks/Thresholds/`.
let benchmarks: @Sendable () -> Void = {
    let metrics: [BenchmarkMetric] = [.threadCPU, .wallClock, .throughput, .mallocCountTotal]
    /// `mallocs`: allowed extra allocations per 1,000 operations before the check fails. Thread CPU at
    /// `Tolerance.subMicrosecondTimePercent`: these operations take 0.07–1.3 µs, where this VM's noise moves a p90
    /// by 45–85% between runs an hour apart.
    func configuration(mallocs: Int = 20, maxDuration: Duration = .seconds(3)) -> Benchmark.Configuration {
        .init(
            metrics: metrics, warmupIterations: 100, scalingFactor: .kilo, maxDuration: maxDuration,
            maxIterations: 1_000_000,
            thresholds: Tolerance.thresholds(
                for: metrics, timePercent: Tolerance.subMicrosecondTimePercent, mallocs: mallocs))
    }

    let corpus = MatchCorpus(residents: 100_000, bodies: 4_096)
    let today = PartialDate(year: 2026, month: 11, day: 23)!

    Benchmark("Match.respond", configuration: configuration(maxDuration: .seconds(5))) { benchmark in
        var responder = MatchResponder()
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        var index = 0
        benchmark.measuringThreadCPU {
            for _ in benchmark.scaledIterations {
                out.removeAll(keepingCapacity: true)
                let body = corpus.bodies[index & (corpus.bodies.count - 1)]
                index &+= 1
                let error = body.withUnsafeBytes {
                    responder.respond(to: $0, lookup: corpus.registry, today: today, into: &out)
                }
                blackHole(error)
                blackHole(out.count)
            }
        }
    }

    // The passport key (foreign residents) beside `Match.respond`, in the same run: the same responder, bodies of
    // passport + nationality + fullName (surname first, given names first, MRZ spellings) + dateOfBirth + sex +
    // residenceCardNumber, against generated foreign residents (a quarter of the bodies miss).
    let foreignCorpus = ForeignerCorpus(foreigners: 20_000, bodies: 4_096, residents: corpus.registry)
    Benchmark("Match.respondPassport", configuration: configuration(mallocs: 40_000, maxDuration: .seconds(5))) { benchmark in
        var responder = MatchResponder()
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        var index = 0
        benchmark.measuringThreadCPU {
            for _ in benchmark.scaledIterations {
                out.removeAll(keepingCapacity: true)
                let body = foreignCorpus.bodies[index & (foreignCorpus.bodies.count - 1)]
                index &+= 1
                let error = body.withUnsafeBytes {
                    responder.respond(to: $0, lookup: foreignCorpus.lookup, today: today, into: &out)
                }
                blackHole(error)
                blackHole(out.count)
            }
        }
    }

    Benchmark("Wire.parseRequest", configuration: configuration()) { benchmark in
        var parser = MatchRequestParser()
        var index = 0
        benchmark.measuringThreadCPU {
            for _ in benchmark.scaledIterations {
                let body = corpus.bodies[index & (corpus.bodies.count - 1)]
                index &+= 1
                blackHole(body.withUnsafeBytes { parser.parse($0) })
            }
        }
    }

    // Parsed once, outside the measurement: the requests, their results, transaction IDs and digests.
    let requests = corpus.parsedRequests(1024)
    let answers = requests.map { request in
        (request, MatchEngine().match(request, in: corpus.registry, today: today), request.requestDigest())
    }

    Benchmark("Wire.encodeResponse", configuration: configuration()) { benchmark in
        var transactionIDs = TransactionIDGenerator()
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        var index = 0
        benchmark.measuringThreadCPU {
            for _ in benchmark.scaledIterations {
                out.removeAll(keepingCapacity: true)
                let (request, result, digest) = answers[index & (answers.count - 1)]
                index &+= 1
                MatchResponseEncoder.encode(
                    result, for: request, transactionID: transactionIDs.next(), digest: digest, into: &out)
                blackHole(out.count)
            }
        }
    }

    Benchmark("Match.compare", configuration: configuration()) { benchmark in
        let engine = MatchEngine()
        var index = 0
        benchmark.measuringThreadCPU {
            for _ in benchmark.scaledIterations {
                let request = requests[index & (requests.count - 1)]
                index &+= 1
                blackHole(engine.match(request, in: corpus.registry, today: today))
            }
        }
    }

    for variant in NameVariant.allCases {
        let cases = corpus.nameRequests(variant, count: 1024)
        Benchmark("Name.\(variant)", configuration: configuration(maxDuration: .seconds(2))) { benchmark in
            let engine = MatchEngine()
            var index = 0
            benchmark.measuringThreadCPU {
                for _ in benchmark.scaledIterations {
                    let (request, resident) = cases[index & (cases.count - 1)]
                    index &+= 1
                    blackHole(engine.match(request, against: resident, today: today))
                }
            }
        }
    }
}

/// How a submitted full name differs from the stored one (the corpus's bodies use the same forms).
enum NameVariant: CaseIterable, CustomStringConvertible {
    case exact, upperCaseNoDiacritics, reordered, droppedLetter, missingMiddleName, otherPerson

    var description: String {
        switch self {
        case .exact: "exact"
        case .upperCaseNoDiacritics: "upperCaseNoDiacritics"
        case .reordered: "reordered"
        case .droppedLetter: "droppedLetter"
        case .missingMiddleName: "missingMiddleName"
        case .otherPerson: "otherPerson"
        }
    }

    /// The submitted form of `name` (`other`: another resident's name, for `.otherPerson`).
    func apply(to name: String, other: String) -> String {
        switch self {
        case .exact: name
        case .upperCaseNoDiacritics: MatchCorpus.stripped(name).uppercased()
        case .reordered: name.split(separator: " ").reversed().joined(separator: " ")
        case .droppedLetter: String(name.dropLast())
        case .missingMiddleName: name.split(separator: " ").enumerated().filter { $0.offset != 1 }.map(\.element)
            .joined(separator: " ")
        case .otherPerson: other
        }
    }
}

/// A resident laid out like the store's view: scalars plus UTF-8 spans into memory that outlives every lookup, so the
/// benchmark measures matching rather than copying `ResidentRecord`'s strings out of a dictionary.
/// `@unchecked Sendable`: every field is immutable after init and the spans' memory is never freed or written again.
final class ResidentBox: ResidentFacts, ResidentSpans, @unchecked Sendable {
    let idNumber: IDNumber
    let dateOfBirth: PartialDate
    let sex: Sex
    let recordStatus: RecordStatus
    let storedCardStatus: StoredCardStatus?
    let cardIssueDate: PartialDate?
    let cardExpiryDate: PartialDate?
    let fullName: UnsafeRawBufferPointer
    let placeOfOrigin: UnsafeRawBufferPointer
    let placeOfResidence: UnsafeRawBufferPointer
    let phones: [UnsafeRawBufferPointer]
    var phoneNumberCount: Int { phones.count }
    func phoneNumber(at index: Int) -> UnsafeRawBufferPointer { phones[index] }

    init(_ record: ResidentRecord) {
        func span(_ text: String) -> UnsafeRawBufferPointer {
            let bytes = Array(text.utf8)
            let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
            memory.copyBytes(from: bytes)
            return UnsafeRawBufferPointer(rebasing: memory[0..<bytes.count])
        }
        idNumber = record.idNumber
        dateOfBirth = record.dateOfBirth
        sex = record.sex
        recordStatus = record.recordStatus
        storedCardStatus = record.card?.status
        cardIssueDate = record.card?.issueDate
        cardExpiryDate = record.card?.expiryDate
        fullName = span(record.fullName)
        placeOfOrigin = span(record.placeOfOrigin)
        placeOfResidence = span(record.placeOfResidence)
        phones = record.phoneNumbers.map(span)
    }
}

struct BoxedRegistry: ResidentLookup, Sendable {
    let boxes: [IDNumber: ResidentBox]
    func withResident<R>(_ idNumber: IDNumber, _ body: (ResidentBox?) throws -> R) rethrows -> R {
        try body(boxes[idNumber])
    }
}

/// A synthetic registry and request bodies against it.
struct MatchCorpus: Sendable {
    let registry: BoxedRegistry
    let records: [ResidentRecord]
    let bodies: [[UInt8]]

    init(residents: Int, bodies count: Int) {
        let families = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
        let middles = ["Văn", "Thị", "Hữu", "Đức", "Thanh", "Minh", "Ngọc", "Quang"]
        let givens = ["An", "Bình", "Cường", "Dũng", "Hà", "Hương", "Lan", "Long", "Nam", "Phương", "Quân", "Thảo", "Trang", "Tuấn"]
        let places = [
            ("Phường Dịch Vọng", "Quận Cầu Giấy", "Thành phố Hà Nội"), ("Phường Bến Nghé", "Quận 1", "Thành phố Hồ Chí Minh"),
            ("Xã Quảng Phú", "Huyện Quảng Điền", "Tỉnh Thừa Thiên Huế"), ("Phường Hải Châu I", "Quận Hải Châu", "Thành phố Đà Nẵng"),
        ]
        var generator = SplitMix(seed: 42)
        var registry: [IDNumber: ResidentRecord] = [:]
        var records: [ResidentRecord] = []
        for serial in 0..<residents {
            let id = IDNumber(unchecked: 1_085_000_000 + UInt64(serial))  // province 001, 1985
            let place = places[generator.next(places.count)]
            let record = ResidentRecord(
                idNumber: id,
                fullName: "\(families[generator.next(families.count)]) \(middles[generator.next(middles.count)]) \(givens[generator.next(givens.count)])",
                dateOfBirth: PartialDate(year: 1985, month: 1 + generator.next(12), day: 1 + generator.next(28))!,
                sex: generator.next(2) == 0 ? .male : .female,
                placeOfOrigin: "\(place.0), \(place.1), \(place.2)",
                placeOfResidence: "Số \(1 + generator.next(200)), \(place.0), \(place.1), \(place.2)",
                phoneNumbers: ["09\(10_000_000 + generator.next(89_999_999))"],
                card: IdentityCard(
                    number: id.description, issueDate: PartialDate(year: 2021, month: 4, day: 20)!,
                    expiryDate: PartialDate(year: 2045, month: 1, day: 1)!, status: .valid))
            registry[id] = record
            records.append(record)
        }
        self.registry = BoxedRegistry(boxes: registry.mapValues(ResidentBox.init))
        self.records = records
        self.bodies = (0..<count).map { index in
            let record = records[generator.next(records.count)]
            var name = record.fullName
            var id = record.idNumber.description
            switch index % 8 {
            case 1: name = name.uppercased()
            case 2: name = MatchCorpus.stripped(name)
            case 3: name = NameVariant.reordered.apply(to: name, other: name)
            case 4: name = NameVariant.droppedLetter.apply(to: name, other: name)
            case 5: id = IDNumber(unchecked: record.idNumber.value + UInt64(residents)).description  // miss
            default: break
            }
            let body = #"{"idNumber":"\#(id)","fullName":"\#(name)","dateOfBirth":"\#(record.dateOfBirth)","#
                + #""sex":"\#(record.sex.name)","placeOfResidence":"\#(record.placeOfResidence)","#
                + #""phoneNumber":"\#(record.phoneNumbers[0])","purpose":"account-opening","ref":"bench-\#(index)"}"#
            return Array(body.utf8)
        }
    }

    /// The first `count` bodies that parse, as requests (every body does; the count is a power of two).
    func parsedRequests(_ count: Int) -> [MatchRequest] {
        var parser = MatchRequestParser()
        let requests: [MatchRequest] = bodies.prefix(count).compactMap { body in
            body.withUnsafeBytes { parser.parse($0) } == nil ? parser.request : nil
        }
        precondition(requests.count == count, "a corpus body failed to parse")
        return requests
    }

    /// `count` requests of idNumber + fullName (in the form `variant`) with the resident each is compared with.
    func nameRequests(_ variant: NameVariant, count: Int) -> [(MatchRequest, ResidentBox)] {
        (0..<count).map { index in
            let record = records[(index &* 7_919) % records.count]
            let other = records[(index &* 7_919 &+ 1) % records.count]
            let name = variant.apply(to: record.fullName, other: other.fullName)
            let request = try! MatchRequest([.idNumber: record.idNumber.description, .fullName: name])
            return (request, registry.boxes[record.idNumber]!)
        }
    }

    static func stripped(_ name: String) -> String {
        let plain = Array("aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd")
        let marked = Array("àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ")
        return String(name.map { c in marked.firstIndex(of: Character(c.lowercased())).map { plain[$0] } ?? c })
    }
}

/// Deterministic pseudo-random numbers so every run measures the same corpus.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E4B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}

/// Citizens (the boxed registry) and foreign residents (owning records in a dictionary) behind one lookup.
struct BoxedRegistryWithForeigners: ResidentLookup, Sendable {
    let residents: BoxedRegistry
    let foreigners: [ForeignerKey: ForeignerRecord]
    func withResident<R>(_ idNumber: IDNumber, _ body: (ResidentBox?) throws -> R) rethrows -> R {
        try residents.withResident(idNumber, body)
    }
    func withForeigner<R>(_ key: ForeignerKey, _ body: (ForeignerRecord?) throws -> R) rethrows -> R {
        try body(foreigners[key])
    }
}

/// Generated foreign residents and passport-keyed request bodies against them.
struct ForeignerCorpus: Sendable {
    let lookup: BoxedRegistryWithForeigners
    let bodies: [[UInt8]]

    init(foreigners count: Int, bodies bodyCount: Int, residents: BoxedRegistry) {
        let records = Array(ForeignerGenerator(seed: 42).prefix(count))
        lookup = BoxedRegistryWithForeigners(
            residents: residents, foreigners: Dictionary(uniqueKeysWithValues: records.map { ($0.key, $0) }))
        bodies = (0..<bodyCount).map { index in
            let record = records[(index &* 7_919) % records.count]
            var name = "\(record.surname) \(record.givenNames)"
            var passport = record.passportNumber.text
            switch index % 4 {
            case 1: name = "\(record.givenNames) \(record.surname)"
            case 2: name = MRZTransliteration.transliterate(name, form: .recommended)
            case 3: passport = String(passport.dropLast()) + (passport.last == "0" ? "1" : "0")  // most miss
            default: break
            }
            let body = #"{"passportNumber":"\#(passport)","nationality":"\#(record.nationality.code)","fullName":"\#(name)","#
                + #""dateOfBirth":"\#(record.dateOfBirth)","sex":"\#(record.sex.name)","#
                + #""residenceCardNumber":"\#(record.residenceCardNumber)","purpose":"account-opening","ref":"bench-\#(index)"}"#
            return Array(body.utf8)
        }
    }
}
