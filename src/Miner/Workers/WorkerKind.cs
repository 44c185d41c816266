namespace Kiln.Miner.Workers;

/// <summary>Which scheduler a worker belongs to (a Lotus worker process holds one task-type group).</summary>
public enum WorkerKind
{
    Sealing,
    WindowPoSt,
    WinningPoSt,
}
