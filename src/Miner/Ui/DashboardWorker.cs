namespace Kiln.Miner.Ui;

/// <summary>
/// A connected worker as the dashboard lists it (what <c>sealing workers</c> prints, without the resource table):
/// its kind (Sealing, WindowPoSt or WinningPoSt) and its tasks' short names (AP, PC1, ...) in Lotus's order.
/// </summary>
public sealed record DashboardWorker(
    Guid Id,
    string Hostname,
    string Url,
    string Kind,
    bool Enabled,
    IReadOnlyList<string> Tasks,
    ulong Cpus,
    ulong MemPhysical,
    ulong MemUsed,
    IReadOnlyList<string> Gpus,
    DateTimeOffset Connected,
    DateTimeOffset LastSeen);
