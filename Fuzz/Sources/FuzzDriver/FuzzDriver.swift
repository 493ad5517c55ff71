#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer's entry point for programs with their own `main` (LLVM 11+).
@_silgen_name("LLVMFuzzerRunDriver")
private func fuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// Runs libFuzzer's driver with the command line's options and corpus folders on `testOneInput`, and exits with its
/// status. Each target's main.swift calls this (SwiftPM's own entry point for executables works unchanged; libFuzzer's
/// `main` is not used).
public func runFuzzer(_ testOneInput: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> Never {
    var argumentCount = CommandLine.argc
    var argumentValues = CommandLine.unsafeArgv
    exit(fuzzerDriver(&argumentCount, &argumentValues, testOneInput))
}
