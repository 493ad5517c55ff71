extension Collection where Element == UInt8 {
    /// Whether the two hold the same bytes, compared in a time that depends on their length only: checking a MAC or
    /// a key must not tell how many leading bytes of a forgery were right. Inlinable: the API-key check runs it on
    /// every request, and unspecialized across modules it would walk both collections through witness tables.
    @inlinable
    public func constantTimeEquals<Other: Collection<UInt8>>(_ other: Other) -> Bool {
        guard count == other.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(self, other) { difference |= a ^ b }
        return difference == 0
    }
}
