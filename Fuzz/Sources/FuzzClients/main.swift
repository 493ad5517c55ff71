#if canImport(Glibc)
import Glibc
#endif

// libFuzzer's driver runs the target (`fuzzOne`, in FuzzClients.swift) with the command line's options and corpus folders.
var argumentCount = CommandLine.argc
var argumentValues = CommandLine.unsafeArgv
exit(runFuzzerDriver(&argumentCount, &argumentValues, fuzzOne))
