#if canImport(Glibc)
import Glibc
#endif

// libFuzzer's driver runs the target (`fuzzOne`, in FuzzStore.swift) with the command line's options and corpus folders.
var arguments = (count: CommandLine.argc, values: CommandLine.unsafeArgv)
exit(runFuzzerDriver(&arguments.count, &arguments.values, fuzzOne))
