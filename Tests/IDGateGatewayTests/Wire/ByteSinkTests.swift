@testable import IDGateAudit
@testable import IDGateGateway
import IDGateDemo
@testable import IDGateWire
import IDGateCore
import IDGateMatching
import NIOCore
import Testing

@Suite struct ByteSinkTests {
    @Test func byteBufferAndArrayReceiveTheSameResponse() throws {
        let request = try MatchRequest([.idNumber: "001085012345", .fullName: "Nguyen Van An", .ref: "r\"1"])
        let result = MatchEngine().match(request, in: WireFixtures.registry, today: WireFixtures.today)
        let id = TransactionID(high: 0x0123_4567_89AB_CDEF, low: 42)
        var array: [UInt8] = []
        var buffer = ByteBuffer()
        MatchResponseEncoder.encode(result, for: request, transactionID: id, digest: request.requestDigest(), into: &array)
        MatchResponseEncoder.encode(result, for: request, transactionID: id, digest: request.requestDigest(), into: &buffer)
        #expect(buffer.readableBytesView.elementsEqual(array))
        let text = String(decoding: array, as: UTF8.self)
        #expect(text.hasPrefix(#"{"transactionId":"\#(id)","ref":"r\"1","decision":"match","fields":{"fullName":{"result":"match","score":95,"reasons":["no_diacritics"]}},"status":{"record":"active","card":"valid"},"requestDigest":""#))
    }

    @Test func decimalsAndEscapes() {
        var out: [UInt8] = []
        for value in [0, 7, 42, 100, 1_234_567_890, Int.max] {
            out.removeAll()
            out.write(decimal: value)
            #expect(String(decoding: out, as: UTF8.self) == String(value))
        }
        out.removeAll()
        out.write(jsonString: "a\u{0}\u{1f}\t\r\n\"\\/é")
        #expect(String(decoding: out, as: UTF8.self) == #""a\u0000\u001f\t\r\n\"\\/é""#)
    }
}

@Suite struct ScratchByteSinkTests {
    @Test func growsAndKeepsEveryByte() {
        var sink = ScratchByteSink(capacity: 4)
        defer { sink.deallocate() }
        var expected: [UInt8] = []
        for round in 0..<50 {
            sink.write(byte: UInt8(round))
            expected.append(UInt8(round))
            let chunk = (0..<round).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            chunk.withUnsafeBytes { sink.write(bytes: $0) }
            expected += chunk
        }
        #expect(Array(sink.bytes) == expected)
        sink.reset()
        sink.write("{}")
        #expect(Array(sink.bytes) == Array("{}".utf8))
    }
}
