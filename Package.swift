// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "PlatformSim",
    platforms: [.macOS(.v15)],
    // MARK: Products
    products: [
        .executable(name: "platform-sim", targets: ["PlatformSimCLI"]),
        .library(name: "SimulationEngine", targets: ["SimulationEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/JohnSundell/Ink", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // MARK: Implementation
        // The engine: event list, random streams, distributions, stations, statistics. No dependencies.
        .target(name: "SimulationEngine"),
        // The one number formatter (fixed decimals, grouping, percentages, dollars, user counts) and
        // the one shape of an error line (`FILE:LINE:COLUMN: error: ...`). No dependencies.
        .target(name: "Formatting"),
        // Output files written so that nothing is lost: whole or not at all, beside their target
        // and renamed, never over a folder; failures in one line. No dependencies.
        .target(name: "FileOutput"),
        // A cache-line prefetch hint for the simulation's hot loop (Swift has none): one
        // static inline C function. No dependencies.
        .target(name: "MemoryHints"),
        // The platform: components, traffic, capacity rules and the whole-platform simulation.
        .target(
            name: "PlatformModel",
            dependencies: ["SimulationEngine", "Formatting", "MemoryHints", .product(name: "Histogram", package: "hdrhistogram-swift")]
        ),
        // Model files: YAML base + overlays + `--set` overrides, merged into one located tree and
        // read by schema readers that report `FILE:LINE:COLUMN: error: ...`. Depends on Yams and Formatting only.
        .target(
            name: "ModelFiles",
            dependencies: ["Formatting", .product(name: "Yams", package: "Yams")],
            exclude: ["README.md"]
        ),
        // The platform's schema: reads the merged model files into a validated PlatformModel.
        .target(
            name: "ModelSchema",
            dependencies: ["ModelFiles", "PlatformModel", "SimulationEngine", "Formatting"]
        ),
        // Analysis: bottlenecks, headroom and costs from run results (sizing in a later layer).
        .target(name: "Analysis", dependencies: ["PlatformModel", "SimulationEngine", "Formatting"]),
        // The results database: one SQLite file (GRDB, system SQLite), named migrations, one
        // plain record per row, one transaction per run. See its README.md for the schema.
        .target(
            name: "ResultsStore",
            dependencies: ["PlatformModel", "Analysis", "Formatting", .product(name: "GRDB", package: "GRDB.swift")],
            exclude: ["README.md"]
        ),
        // Experiments: the grid of an experiment file run on all cores into the results database.
        .target(
            name: "ExperimentRunner",
            dependencies: ["SimulationEngine", "PlatformModel", "ModelFiles", "ModelSchema", "Analysis", "ResultsStore"]
        ),
        // Reports: tables (plain, markdown, CSV), charts and notebooks from results.
        .target(name: "Reports", dependencies: ["PlatformModel", "Analysis", "ResultsStore", "Formatting"]),
        // Notebooks: an experiment's results as a markdown notebook for a reader new to the
        // platform (what was run, findings written from the numbers, charts, tables, Little's
        // law per station, time series), and the model files' sourced and assumed parameters.
        .target(
            name: "Notebooks",
            dependencies: ["Reports", "ResultsStore", "ModelSchema", "ModelFiles", "PlatformModel", "Analysis", "Formatting", "FileOutput"]
        ),
        // The what-if workbench in the browser (`platform-sim serve`): a Hummingbird server whose
        // pages show the model, run what-ifs against a baseline with live progress, browse the
        // results database and render the notebooks (markdown by Ink). Pages, script and style
        // are embedded in the module, so the program needs no files of its own at run time.
        .target(
            name: "Workbench",
            dependencies: [
                "SimulationEngine", "PlatformModel", "ModelFiles", "ModelSchema", "Analysis", "ResultsStore", "Reports", "Notebooks",
                "Formatting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Ink", package: "Ink"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["README.md"]
        ),
        // Calibration: a platform's own telemetry (access logs, pg_stat_statements, Redis INFO,
        // utilization) streamed into model parameters with intervals, written as an overlay; and
        // the simulator's own access logs for the round trip.
        .target(
            name: "Calibration",
            dependencies: ["SimulationEngine", "PlatformModel", "ModelFiles", "ModelSchema", "Formatting", "FileOutput"]
        ),
        // The calibration notebook: a calibration beside an experiment run assumed and calibrated.
        .target(
            name: "CalibrationNotebook",
            dependencies: ["Calibration", "ExperimentRunner", "ResultsStore", "Reports", "Formatting", "ModelSchema", "ModelFiles", "PlatformModel", "SimulationEngine"]
        ),
        // Validation against a real platform (the testbed, Testbed/): traces of simulated
        // requests to replay, the replayer's measurements read back, predicted against measured.
        .target(name: "Validation", dependencies: ["PlatformModel", "ModelSchema", "SimulationEngine", "Reports", "Formatting"]),
        // The command line: a thin layer over the modules below it.
        .executableTarget(
            name: "PlatformSimCLI",
            dependencies: [
                "SimulationEngine", "PlatformModel", "ModelFiles", "ModelSchema", "Analysis", "Reports",
                "ResultsStore", "ExperimentRunner", "Notebooks", "Formatting", "FileOutput", "Workbench", "Calibration", "CalibrationNotebook", "Validation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // MARK: Tests
        .testTarget(name: "SimulationEngineTests", dependencies: ["SimulationEngine"]),
        // Runs the built `platform-sim` binary as a subprocess; depends on the executable so
        // that `swift test` builds it first.
        .testTarget(
            name: "PlatformSimCLITests",
            dependencies: ["PlatformSimCLI", "SimulationEngine", "ResultsStore", "PlatformModel", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(name: "ModelFilesTests", dependencies: ["ModelFiles"]),
        // Each platform component against theory or its real counterpart, and the phases
        // against each other on the real model files (found from the test sources' path).
        .testTarget(
            name: "PlatformModelTests",
            dependencies: ["PlatformModel", "ModelSchema", "SimulationEngine", "Analysis"]
        ),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Analysis", "ModelSchema", "PlatformModel", "Formatting"]),
        // Notebooks on a tiny experiment (deterministic, complete) and the assumption index.
        .testTarget(
            name: "NotebooksTests",
            dependencies: ["Notebooks", "Reports", "ResultsStore", "ModelSchema", "ExperimentRunner", "PlatformModel"]
        ),
        // The what-if layer: replication intervals, SLOs and sizing, the analytic cross-check,
        // sensitivity perturbations and headroom, on constructed results and the real model files.
        .testTarget(
            name: "AnalysisTests",
            dependencies: ["Analysis", "PlatformModel", "ModelSchema", "SimulationEngine"]
        ),
        // The results database, experiment files and the sweep runner, in process.
        .testTarget(
            name: "ResultsStoreTests",
            dependencies: ["ResultsStore", "ModelFiles", "ModelSchema", "ExperimentRunner", "Reports", "PlatformModel"]
        ),
        // Hostile input in process: every key of the model at extreme values and mutated model
        // files, refused with located errors or run without a trap (the bounded version of
        // Tests/Fuzz/run.sh).
        .testTarget(
            name: "FuzzTests",
            dependencies: ["ModelFiles", "ModelSchema", "PlatformModel", "Analysis", "Reports", "SimulationEngine"]
        ),
        // The workbench's handlers in process (HummingbirdTesting), without a browser: pages,
        // form errors, what-if runs and cancellation, the queue's limits, path traversal, load.
        .testTarget(
            name: "WorkbenchTests",
            dependencies: [
                "Workbench", "ResultsStore", "PlatformModel", "ModelFiles",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        // Calibration on committed fixtures (real morgan, pg_stat_statements and INFO output) and
        // a round trip through the simulator's own access log.
        .testTarget(
            name: "CalibrationTests",
            dependencies: ["Calibration", "PlatformModel", "ModelSchema", "ModelFiles", "SimulationEngine", "ExperimentRunner"],
            resources: [.copy("Fixtures")]
        ),
        // Traces, measurements and the validation report, on small runs and written files.
        .testTarget(name: "ValidationTests", dependencies: ["Validation", "PlatformModel", "ModelSchema", "SimulationEngine"]),
        // MARK: Benchmarks (build with -c release; see Benchmarks/README.md)
        .executableTarget(
            name: "EngineBenchmark",
            dependencies: ["SimulationEngine"],
            path: "Benchmarks/EngineBenchmark"
        ),
    ]
)
