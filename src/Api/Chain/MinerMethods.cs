namespace Kiln.Api.Chain;

/// <summary>Miner actor method numbers (go-state-types builtin/methods.go <c>MethodsMiner</c>).</summary>
public static class MinerMethods
{
    public const ulong SubmitWindowedPoSt = 5;
    public const ulong DeclareFaults = 10;
    public const ulong DeclareFaultsRecovered = 11;
    public const ulong PreCommitSectorBatch2 = 28;
    public const ulong ProveCommitSectors3 = 34;
}
