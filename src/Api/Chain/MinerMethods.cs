namespace Kiln.Api.Chain;

/// <summary>Miner actor method numbers (go-state-types builtin/methods.go <c>MethodsMiner</c>).</summary>
public static class MinerMethods
{
    /// <summary>SubmitWindowedPoSt (SubmitWindowedPoStParams).</summary>
    public const ulong SubmitWindowedPoSt = 5;
    /// <summary>DeclareFaults (DeclareFaultsParams).</summary>
    public const ulong DeclareFaults = 10;
    /// <summary>DeclareFaultsRecovered (DeclareFaultsRecoveredParams).</summary>
    public const ulong DeclareFaultsRecovered = 11;
    /// <summary>PreCommitSectorBatch2 (<see cref="PreCommitSectorBatchParams2"/>).</summary>
    public const ulong PreCommitSectorBatch2 = 28;
    /// <summary>ProveCommitSectors3 (<see cref="ProveCommitSectors3Params"/>), returns a <see cref="BatchReturn"/>.</summary>
    public const ulong ProveCommitSectors3 = 34;
}
