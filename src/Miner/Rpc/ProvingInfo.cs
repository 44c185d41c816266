namespace Kiln.Miner.Rpc;

/// <summary>What <c>proving info</c> shows: the chain clock, the current deadline, the proving set and the PoSt workers.</summary>
public sealed record ProvingInfo(
    bool Enabled,
    long CurrentEpoch,
    long PeriodStart,
    int DeadlineIndex,
    long DeadlineOpen,
    long DeadlineClose,
    int ProvingSectors,
    int WindowWorkers,
    int WinningWorkers,
    bool BuiltinWindowPoSt,
    bool BuiltinWinningPoSt,
    long? LastWinningEpoch,
    string? LastWinningOutcome);
