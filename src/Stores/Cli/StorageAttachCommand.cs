using System.CommandLine;
using Kiln.Api;
using Kiln.Proofs;
using Kiln.Stores.Local;

namespace Kiln.Stores.Cli;

/// <summary>
/// <c>storage attach</c> as lotus-miner and lotus-worker both spell it: with <c>--init</c> the new path's
/// <c>sectorstore.json</c> is written here, then the running process is asked to open it (StorageAddLocal).
/// </summary>
public static class StorageAttachCommand
{
    /// <param name="addLocal">Asks the running miner or worker to open the path (the parse result carries the repo flags).</param>
    public static Command Create(Func<ParseResult, string, CancellationToken, Task> addLocal)
    {
        ArgumentNullException.ThrowIfNull(addLocal);
        var init = new Option<bool>("--init") { Description = "initialize the path first" };
        var weight = new Option<ulong>("--weight") { Description = "(for init) path weight", DefaultValueFactory = _ => 10 };
        var seal = new Option<bool>("--seal") { Description = "(for init) use path for sealing" };
        var store = new Option<bool>("--store") { Description = "(for init) use path for long-term storage" };
        var maxStorage = new Option<string?>("--max-storage") { Description = "(for init) limit storage space for sectors (expensive for very large paths!)" };
        var groups = new Option<string[]>("--groups") { Description = "path group names", AllowMultipleArgumentsPerToken = true };
        var allowTo = new Option<string[]>("--allow-to") { Description = "path groups allowed to pull data from this path (allow all if not specified)", AllowMultipleArgumentsPerToken = true };
        var path = new Argument<string>("path") { Description = "[path]" };
        var cmd = new Command("attach", "attach local storage path") { init, weight, seal, store, maxStorage, groups, allowTo, path };
        cmd.SetAction(async (parse, ct) =>
        {
            var root = Path.GetFullPath(HomeDir.Expand(parse.GetValue(path)!));
            if (parse.GetValue(init))
            {
                await LocalStorageMeta.InitializeAsync(
                    root,
                    parse.GetValue(weight),
                    parse.GetValue(seal),
                    parse.GetValue(store),
                    parse.GetValue(maxStorage) is { Length: > 0 } max ? SectorSizes.Parse(max) : 0,
                    parse.GetValue(groups),
                    parse.GetValue(allowTo),
                    ct).ConfigureAwait(false);
            }

            await addLocal(parse, root, ct).ConfigureAwait(false);
            return 0;
        });
        return cmd;
    }
}
