using System.CommandLine;

namespace Kiln.Worker.Cli;

/// <summary>kiln-worker's command tree.</summary>
public static class WorkerCli
{
    /// <summary><c>--worker-repo</c> (alias <c>--workerrepo</c>; env LOTUS_WORKER_PATH, WORKER_PATH; default ~/.kilnworker).</summary>
    public static readonly Option<string?> WorkerRepo = new("--worker-repo", "--workerrepo")
    {
        Description = "worker repo directory (env LOTUS_WORKER_PATH, WORKER_PATH; default ~/.kilnworker)",
        Recursive = true,
    };

    /// <summary><c>--miner-repo</c> (alias <c>--storagerepo</c>; env LOTUS_MINER_PATH, LOTUS_STORAGE_PATH; default ~/.lotusminer).</summary>
    public static readonly Option<string?> MinerRepo = new("--miner-repo", "--storagerepo")
    {
        Description = "miner repo, read when MINER_API_INFO is unset (env LOTUS_MINER_PATH, LOTUS_STORAGE_PATH; default ~/.lotusminer)",
        Recursive = true,
    };

    /// <summary>Variable of <see cref="PanicReports"/> (Lotus's).</summary>
    public const string PanicReportsVariable = "LOTUS_PANIC_REPORT_PATH";

    /// <summary>Variable of <see cref="EnableGpuProving"/> (Lotus's).</summary>
    public const string EnableGpuProvingVariable = "LOTUS_WORKER_ENABLE_GPU_PROVING";

    /// <summary>
    /// <c>--panic-reports</c> (hidden; env LOTUS_PANIC_REPORT_PATH): where <c>run</c> writes a report when it dies of an
    /// unexpected exception (Lotus App's After hook and build.GenerateMinerPanicReport).
    /// </summary>
    public static readonly Option<string?> PanicReports = new("--panic-reports")
    {
        Description = "directory for crash reports (env LOTUS_PANIC_REPORT_PATH; default the worker repo's default directory)",
        Hidden = true,
        Recursive = true,
    };

    /// <summary><c>--enable-gpu-proving</c> (env LOTUS_WORKER_ENABLE_GPU_PROVING; default true): false sets BELLMAN_NO_GPU=true, as lotus-worker.</summary>
    public static readonly Option<string?> EnableGpuProving = WithRecursive(GoFlags.Bool(
        "--enable-gpu-proving", "enable use of GPU for mining operations (env LOTUS_WORKER_ENABLE_GPU_PROVING; default true)"));

    public static RootCommand Build()
    {
        var root = new RootCommand("kiln-worker: Filecoin sealing and proving worker, a drop-in for lotus-worker");
        root.Options.Add(WorkerRepo);
        root.Options.Add(MinerRepo);
        root.Options.Add(PanicReports);
        root.Options.Add(EnableGpuProving);
        root.Subcommands.Add(RunCommand.Build());
        root.Subcommands.Add(InfoCommand.Build());
        root.Subcommands.Add(StorageCommands.Build());
        root.Subcommands.Add(StoreCommands.Build());
        root.Subcommands.Add(TasksCommands.Build());
        root.Subcommands.Add(BenchCommands.Build());
        return root;
    }

    private static Option<string?> WithRecursive(Option<string?> option)
    {
        option.Recursive = true;
        return option;
    }
}
