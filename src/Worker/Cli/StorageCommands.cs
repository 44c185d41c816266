using System.CommandLine;
using Kiln.Stores.Cli;

namespace Kiln.Worker.Cli;

/// <summary><c>kiln-worker storage attach</c>: lotus-worker's flags; <c>--init</c> writes sectorstore.json, then the running worker opens the path.</summary>
public static class StorageCommands
{
    public static Command Build()
    {
        var storage = new Command("storage", "manage sector storage");
        storage.Subcommands.Add(StorageAttachCommand.Create((parse, root, ct) => WorkerClient.Connect(parse, Environment.GetEnvironmentVariable).StorageAddLocalAsync(root, ct)));
        return storage;
    }
}
