using System.CommandLine;

namespace Kiln.Worker.Cli;

/// <summary>kiln-worker's command tree.</summary>
public static class WorkerCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("kiln-worker: Filecoin sealing and proving worker, a drop-in for lotus-worker");
        root.Subcommands.Add(BenchCommands.Build());
        return root;
    }
}
