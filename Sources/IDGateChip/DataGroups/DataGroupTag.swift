/// The file tag each data group starts with (ICAO 9303-10 table 34): a data group sent under the wrong number is
/// reported rather than silently hashed as something else.
enum DataGroupTag {
    static let tags: [UInt8] = [0x61, 0x75, 0x63, 0x76, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F, 0x70]

    static func tag(of number: Int) -> UInt8? { (1...16).contains(number) ? tags[number - 1] : nil }
}
