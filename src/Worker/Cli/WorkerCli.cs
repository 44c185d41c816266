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

    public static RootCommand Build()
    {
        var root = new RootCommand("kiln-worker: Filecoin sealing and proving worker, a drop-in for lotus-worker");
        root.Options.Add(WorkerRepo);
        root.Options.Add(MinerRepo);
        root.Subcommands.Add(RunCommand.Build());
        root.Subcommands.Add(InfoCommand.Build());
        root.Subcommands.Add(StorageCommands.Build());
        root.Subcommands.Add(StoreCommands.Build());
        root.Subcommands.Add(TasksCommands.Build());
        root.Subcommands.Add(BenchCommands.Build());
        return root;
    }
}
