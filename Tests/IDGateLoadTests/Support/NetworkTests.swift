import Testing

/// Parent of the suites that start servers and run load: serialized so they do not compete for the (two) CPU cores
/// and the cooperative thread pool, which would make "ends by its deadline" checks flaky.
@Suite(.serialized) enum NetworkTests {}
