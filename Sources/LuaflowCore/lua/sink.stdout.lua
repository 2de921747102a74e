-- sink.stdout is written in Swift (StdoutSinkRuntime) and takes no settings of its own.
schema = {}
