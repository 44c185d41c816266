using Kiln.Api.Types;

namespace Kiln.Miner.Ui;

/// <summary>
/// One storage path of the sector index, as <c>storage list</c> prints it: its use, weight, URLs and the sector files
/// declared in it. <c>Local</c> (the directory) and <c>Stat</c> are filled for the miner's own paths only.
/// </summary>
public sealed record DashboardStoragePath(
    string Id,
    IReadOnlyList<string> Urls,
    ulong Weight,
    ulong MaxStorage,
    bool CanSeal,
    bool CanStore,
    int Unsealed,
    int Sealed,
    int Cache,
    string? Local,
    FsStat? Stat);
